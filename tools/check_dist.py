#!/usr/bin/env python3
"""Installs dist/ as a user would and runs the README's Python and Node examples against it.

Usage: python3 tools/check_dist.py     (`make test-dist` builds dist/ first)

The wheel goes into a fresh virtual environment and the Node tarball into an empty folder, both
offline (neither has dependencies). Then, with no Swift toolchain on PATH, no TILEDESK_* variable
and nothing of the repository importable, it checks that each install has a working
`tiledesk-rpc` command, that the bundled binary needs no Swift runtime library, and that the
README's Python and Node examples print what the README says. Prints one line per check and
`dist: N passed, N failed`.
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile

import check_examples

ROOT = check_examples.ROOT
README = os.path.join(ROOT, "README.md")
#: Shared libraries of a Swift toolchain that a statically linked binary must not load.
SWIFT_RUNTIME_LIBRARIES = ("libswift", "libFoundation", "libdispatch", "libBlocksRuntime", "lib_FoundationICU")


def only(pattern):
    found = glob.glob(os.path.join(ROOT, "dist", pattern))
    if len(found) != 1:
        sys.exit(f"expected one dist/{pattern}, found {len(found)}: run `make dist`")
    return found[0]


def path_without_swift():
    """PATH without the folders that hold a Swift toolchain."""
    folders = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(f for f in folders if f and not os.path.exists(os.path.join(f, "swift")))


def user_environment(home):
    """What a user's shell has here, minus Swift: PATH, HOME and the locale; nothing of ours."""
    env = {"PATH": path_without_swift(), "HOME": home}
    env.update({k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "TMPDIR")})
    return env


def install(wheel, tarball, where):
    venv, node_project = os.path.join(where, "venv"), os.path.join(where, "node-project")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--quiet", "--no-index", "--disable-pip-version-check", wheel],
                   check=True)
    os.makedirs(node_project)
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--offline", tarball], cwd=node_project,
                   check=True, stdout=subprocess.DEVNULL)
    return venv, node_project


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else f"\n    {detail}"))
        self.passed, self.failed = self.passed + bool(ok), self.failed + (not ok)

    def command(self, argv, env, expected, what):
        run = subprocess.run(argv, env=env, input='{"jsonrpc":"2.0","id":1,"method":"ping"}\n', capture_output=True,
                             text=True, timeout=30)
        self.check(run.returncode == 0 and run.stdout == expected, what,
                   f"exit {run.returncode}, stdout {run.stdout!r}, stderr {run.stderr[-300:]!r}")

    def no_swift_runtime(self, binary, what):
        linked = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
        swift = [line.split()[0] for line in linked.splitlines() if line.strip().startswith(SWIFT_RUNTIME_LIBRARIES)]
        self.check(linked and not swift, f"{what} links no Swift runtime library",
                   f"it loads {', '.join(swift) or 'nothing ldd could list'}")


def main():
    wheel, tarball = only("tiledesk_rpc-*.whl"), only("tiledesk-rpc-*.tgz")
    checks = Checks()
    checks.check(not wheel.endswith("-any.whl"), f"{os.path.basename(wheel)} is tagged for a platform")
    with tempfile.TemporaryDirectory() as where:
        venv, node_project = install(wheel, tarball, where)
        env = user_environment(where)
        checks.check(shutil.which("swift", path=env["PATH"]) is None, "no swift on the PATH the examples run with")
        pong = '{"jsonrpc":"2.0","id":1,"result":{}}\n'
        checks.command([os.path.join(venv, "bin", "tiledesk-rpc"), "--sandbox"], env, pong, "venv/bin/tiledesk-rpc answers a ping")
        checks.command([os.path.join(node_project, "node_modules", ".bin", "tiledesk-rpc"), "--sandbox"], env, pong,
                       "node_modules/.bin/tiledesk-rpc answers a ping")
        wheel_binary = glob.glob(os.path.join(venv, "lib", "python*", "site-packages", "tiledesk_rpc", "bin", "tiledesk-rpc"))
        checks.check(len(wheel_binary) == 1, "the wheel installed its binary in site-packages/tiledesk_rpc/bin")
        checks.no_swift_runtime(wheel_binary[0] if wheel_binary else "", "the wheel's binary")
        checks.no_swift_runtime(os.path.join(node_project, "node_modules", "tiledesk-rpc", "bin", "tiledesk-rpc"), "the Node package's binary")
        runner = check_examples.Runner(env, python=os.path.join(venv, "bin", "python"), node_project=node_project)
        examples_failed = check_examples.run_all([README], runner, kinds=("python", "js"))
        checks.check(not examples_failed, "the README's Python and Node examples, on the installed packages")
    print(f"dist: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
