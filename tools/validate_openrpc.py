#!/usr/bin/env python3
"""Validate OpenRPC documents against the official OpenRPC 1.3 meta-schema, offline.

Usage: python3 tools/validate_openrpc.py FILE.json [FILE.json ...]    ('-' reads stdin)

Prints `FILE: valid` per document and exits 0 when all conform; otherwise lists each error with
its JSON path and exits 1. The meta-schemas are the repository's copies in protocol/schema/
(see its README for where they come from), so nothing is fetched to validate.

Needs the Python packages `jsonschema` and `referencing` (`pip install jsonschema`). When the
running Python lacks them, the script installs them once into a virtual environment of its own
(.build/tools-venv, reused by later runs) and runs again from there.
"""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMAS = os.path.join(ROOT, "protocol", "schema")
OPENRPC_SCHEMA = os.path.join(SCHEMAS, "openrpc-1.3.schema.json")
JSON_SCHEMA_TOOLS = os.path.join(SCHEMAS, "json-schema-tools-meta-schema.json")
TOOLS_VENV = os.path.join(ROOT, ".build", "tools-venv")


def load(path):
    if path == "-":
        return json.load(sys.stdin)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def rerun_with_jsonschema(argv):
    """Runs this script again with the Python of TOOLS_VENV, installing jsonschema there first if needed."""
    if os.environ.get("VALIDATE_OPENRPC_VENV"):
        sys.exit(f"jsonschema is still missing in {TOOLS_VENV}: remove that folder and try again, or `pip install jsonschema`")
    python = os.path.join(TOOLS_VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", TOOLS_VENV], check=True)
    if subprocess.run([python, "-c", "import jsonschema, referencing"], capture_output=True).returncode != 0:
        print(f"jsonschema is not installed: installing it into {os.path.relpath(TOOLS_VENV, ROOT)} (from PyPI)", file=sys.stderr)
        install = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "jsonschema>=4.18"],
                                 capture_output=True, text=True)
        if install.returncode != 0:
            sys.exit("could not install jsonschema (pip's words below); install it yourself: pip install jsonschema\n"
                     + install.stderr[-1500:])
    env = dict(os.environ, VALIDATE_OPENRPC_VENV="1")
    sys.exit(subprocess.run([python, os.path.abspath(__file__), *argv[1:]], env=env).returncode)


def validator():
    """A Draft 7 validator of the OpenRPC meta-schema whose `$ref`s resolve to the local copies."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    tools = Resource.from_contents(load(JSON_SCHEMA_TOOLS), default_specification=DRAFT7)
    tools_id = load(JSON_SCHEMA_TOOLS)["$id"]  # "https://meta.json-schema.tools/"
    registry = Registry().with_resources([(tools_id, tools), (tools_id.rstrip("/"), tools)])
    return jsonschema.Draft7Validator(load(OPENRPC_SCHEMA), registry=registry)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        check = validator()
    except ImportError:
        rerun_with_jsonschema(argv)
    failed = 0
    for path in argv[1:]:
        errors = sorted(check.iter_errors(load(path)), key=lambda e: list(e.absolute_path))
        for error in errors:
            where = "/".join(str(p) for p in error.absolute_path) or "(document)"
            print(f"{path}: {where}: {error.message[:300]}")
        print(f"{path}: " + (f"invalid, {len(errors)} error(s)" if errors else "valid"))
        failed += bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
