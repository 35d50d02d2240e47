"""Runs the examples of Markdown files and checks their output.

Usage: python3 tools/check_examples.py [FILE.md ...]        (default: README.md)

Three kinds of fenced block are examples:
- ```console: each line starting with `$ ` is a command (bash, pipefail, from the repository
  root); the lines up to the next command are its exact output, stdout and stderr as a terminal
  shows them. The command must exit 0 (an example of a failure ends in `|| echo "exit $?"`).
- ```python and ```js followed directly by a ```text block: the code runs as a script (Python;
  a Node ES module) and must print exactly that text and exit 0. Code blocks without a ```text
  block after them are illustrations and are not run.

The examples run against the release build (.build/release first on PATH), the Python client from
clients/python and the Node client from clients/node, with no TILEDESK_* variable of the caller.
tools/check_dist.py runs the same Python and Node examples against the installed packages instead.
Prints one line per example and `examples: N passed, N failed`.
"""

import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE_DIR = os.path.join(ROOT, ".build", "release")
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
CODE_KINDS = {"python": "python", "js": "js", "javascript": "js"}


def examples(path):
    """Yields (kind, code, expected output lines) for every example of one Markdown file."""
    text = open(path, encoding="utf-8").read()
    found = list(FENCE.finditer(text))
    for block, after in zip(found, found[1:] + [None]):
        info, body = block.group(1), block.group(2)
        if info == "console":
            yield from console_examples(body)
        elif info in CODE_KINDS and after and after.group(1) == "text" and not text[block.end():after.start()].strip():
            yield CODE_KINDS[info], body, after.group(2).splitlines()


def console_examples(body):
    command, expected = None, []
    for line in body.splitlines():
        if line.startswith("$ "):
            if command:
                yield "console", command, expected
            command, expected = line[2:], []
        else:
            expected.append(line)
    if command:
        yield "console", command, expected


class Runner:
    """Runs each kind of example: `python` and `node_project` say which clients the code uses."""

    def __init__(self, env, python=sys.executable, node_project=None):
        self.env = env
        self.python = python
        self.node_project = node_project

    def command(self, kind, code, workdir):
        if kind == "console":
            return ["bash", "-o", "pipefail", "-c", code], ROOT
        if kind == "python":
            script = os.path.join(workdir, "example.py")
            write(script, code)
            return [self.python, script], workdir
        script = os.path.join(self.node_project, "example.mjs")
        write(script, code)
        return ["node", script], self.node_project

    def run(self, kind, code, expected):
        with tempfile.TemporaryDirectory() as workdir:
            argv, cwd = self.command(kind, code, workdir)
            run = subprocess.run(argv, cwd=cwd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, timeout=60)
        ok = run.returncode == 0 and run.stdout.splitlines() == expected
        title = code if kind == "console" else f"{kind}: " + next((l for l in code.splitlines() if l.strip()), "")
        print(("ok   " if ok else "FAIL ") + title[:100])
        if not ok:
            print("  expected:", *expected, sep="\n    ")
            print(f"  got (exit status {run.returncode}):", *run.stdout.splitlines()[-40:], sep="\n    ")
        return ok


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def run_all(paths, runner, kinds=("console", "python", "js")):
    """Runs every example of `kinds` in `paths`; prints the tally and returns the exit status."""
    passed = failed = 0
    for path in paths:
        for kind, code, expected in examples(path):
            if kind in kinds:
                ok = runner.run(kind, code, expected)
                passed, failed = passed + ok, failed + (not ok)
    print(f"examples: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


def repository_environment():
    """The caller's environment without TILEDESK_*, the release build first on PATH, the Python client importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILEDESK_")}
    env["PATH"] = RELEASE_DIR + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = os.path.join(ROOT, "clients", "python")
    return env


def main(paths):
    with tempfile.TemporaryDirectory() as node_project:
        # The Node examples import 'tiledesk-rpc' as an installed package would be found.
        os.makedirs(os.path.join(node_project, "node_modules"))
        os.symlink(os.path.join(ROOT, "clients", "node"), os.path.join(node_project, "node_modules", "tiledesk-rpc"))
        return run_all(paths, Runner(repository_environment(), node_project=node_project))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or [os.path.join(ROOT, "README.md")]))
