"""Runs every ```console example of the given Markdown files and checks its output.

A block's lines starting with `$ ` are commands (run with bash, the debug build first on PATH,
against the sandbox); the lines up to the next command are the exact expected stdout.
Prints one line per example and `N passed, N failed`.
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def examples(path):
    text = open(path, encoding="utf-8").read()
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        command, expected = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command:
                    yield command, expected
                command, expected = line[2:], []
            else:
                expected.append(line)
        if command:
            yield command, expected


def main(paths):
    env = dict(os.environ, PATH=os.path.join(ROOT, ".build", "debug") + os.pathsep + os.environ.get("PATH", ""))
    passed = failed = 0
    for path in paths:
        for command, expected in examples(path):
            run = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=60)
            ok = run.returncode == 0 and run.stdout.splitlines() == expected
            passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
            print(("ok   " if ok else "FAIL ") + command[:100])
            if not ok:
                print("  expected:", *expected, sep="\n    ")
                print("  got:", *run.stdout.splitlines(), run.stderr[-500:], sep="\n    ")
    print(f"examples: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or [os.path.join(ROOT, "README.md")]))
