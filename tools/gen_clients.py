#!/usr/bin/env python3
"""Writes everything the clients derive from ``protocol/openrpc.json``: the Python helpers and
result types, the Node method groups and TypeScript types, and the README's method table; and the
Node copy of the environment table the Python client keeps (``_environment.py``). ``make generate`` runs it after ``make openrpc``.

    python3 tools/gen_clients.py            # write what changed
    python3 tools/gen_clients.py --check    # write nothing; exit 1 naming each stale file

A new method or group in the document needs no change here: run ``make generate``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clientgen import model, node, python, readme  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OPENRPC = ROOT / "protocol" / "openrpc.json"
PYTHON = ROOT / "clients" / "python" / "tiledesk_rpc"
NODE = ROOT / "clients" / "node"
README = ROOT / "README.md"


def _environment() -> Any:
    """The Python client's ``_environment.py``: the environment table both clients share."""
    spec = importlib.util.spec_from_file_location("tiledesk_rpc_environment", PYTHON / "_environment.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outputs(doc_path: Path = OPENRPC) -> Dict[Path, str]:
    """Each generated file and the text it must have."""
    catalogue = model.load(json.loads(doc_path.read_text(encoding="utf-8")))
    environment = _environment()
    return {
        PYTHON / "_api.py": python.api_module(catalogue),
        PYTHON / "types.py": python.types_module(catalogue),
        NODE / "src" / "api.js": node.api_js(catalogue),
        NODE / "src" / "environment.js": node.environment_js(environment.BASIC_ENV_VARS, environment.SETTINGS),
        NODE / "api.d.ts": node.api_dts(catalogue),
        README: readme.with_table(README.read_text(encoding="utf-8"), catalogue),
    }


def stale(doc_path: Path = OPENRPC) -> List[Path]:
    """The generated files whose text differs from what the document gives."""
    return [path for path, text in outputs(doc_path).items() if not path.exists() or path.read_text(encoding="utf-8") != text]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; fail when a generated file is stale")
    parser.add_argument("--doc", type=Path, default=OPENRPC, help="the OpenRPC document (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.check:
        old = stale(args.doc)
        for path in old:
            print(f"{path.relative_to(ROOT)} is stale: run `make generate`", file=sys.stderr)
        return 1 if old else 0
    for path, text in outputs(args.doc).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
