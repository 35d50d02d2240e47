#!/usr/bin/env python3
"""Build dist/: a Python wheel and a Node package tarball, each bundling the release binary.

Usage: python3 tools/build_dist.py     (`make dist` builds the release binary first)

Each client is copied into .build/dist/, given a stripped copy of .build/release/tiledesk-rpc
and the LICENSE, stamped with this platform, and packed there: the wheel by pip (tagged
py3-none-<platform>, since the binary is native and the Python code is not), the tarball by
`npm pack` (with `os` and `cpu`, so npm refuses it elsewhere). The repository's sources stay
untouched. Needs pip (setuptools comes from PyPI into pip's isolated build) and npm.
"""

import glob
import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "tiledesk-rpc")
STAGING = os.path.join(ROOT, ".build", "dist")
DIST = os.path.join(ROOT, "dist")
#: Node's names for the machines Python reports.
NODE_CPU = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}


def binary_version():
    """The version the release binary reports, which both packages must carry."""
    out = subprocess.run([BINARY, "--version"], capture_output=True, text=True, check=True).stdout
    return out.split()[-1]


def stage(client):
    """A fresh copy of clients/<client> holding the stripped binary at bin/ and the LICENSE."""
    staged = os.path.join(STAGING, client)
    shutil.rmtree(staged, ignore_errors=True)
    ignore = shutil.ignore_patterns("node_modules", "__pycache__", "*.egg-info", "build", "LICENSE")
    shutil.copytree(os.path.join(ROOT, "clients", client), staged, ignore=ignore)
    shutil.copyfile(os.path.join(ROOT, "LICENSE"), os.path.join(staged, "LICENSE"))
    return staged


def put_binary(folder):
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, "tiledesk-rpc")
    shutil.copy2(BINARY, target)
    subprocess.run(["strip", target], check=True)  # symbols are most of its size
    os.chmod(target, 0o755)


def build_wheel(version):
    staged = stage("python")
    put_binary(os.path.join(staged, "tiledesk_rpc", "bin"))
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    with open(os.path.join(staged, "setup.cfg"), "w", encoding="utf-8") as f:
        f.write(f"[bdist_wheel]\npython_tag = py3\nplat_name = {plat}\n")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--wheel-dir", DIST, staged], check=True)
    expect_file(f"tiledesk_rpc-{version}-py3-none-{plat}.whl", "clients/python/pyproject.toml", version)


def build_tarball(version):
    staged = stage("node")
    put_binary(os.path.join(staged, "bin"))
    manifest_path = os.path.join(staged, "package.json")
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    manifest["os"] = [platform.system().lower()]
    manifest["cpu"] = [NODE_CPU.get(platform.machine().lower(), platform.machine().lower())]
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    subprocess.run(["npm", "pack", "--silent", "--pack-destination", DIST], cwd=staged, check=True,
                   stdout=subprocess.DEVNULL)
    expect_file(f"tiledesk-rpc-{version}.tgz", "clients/node/package.json", version)


def expect_file(name, manifest, version):
    """Fails unless the package came out as `name`: its manifest's version must be the binary's."""
    if not os.path.exists(os.path.join(DIST, name)):
        sys.exit(f"expected dist/{name}: does {manifest} say version {version}, as `tiledesk-rpc --version` does?")


def main():
    if not os.access(BINARY, os.X_OK):
        sys.exit(f"no release binary at {BINARY}: run `make release` (or `make dist`)")
    version = binary_version()
    os.makedirs(DIST, exist_ok=True)
    for old in glob.glob(os.path.join(DIST, "tiledesk_rpc-*.whl")) + glob.glob(os.path.join(DIST, "tiledesk-rpc-*.tgz")):
        os.remove(old)
    build_wheel(version)
    build_tarball(version)
    for path in sorted(glob.glob(os.path.join(DIST, "*"))):
        print(f"{os.path.relpath(path, ROOT)}  {os.path.getsize(path) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
