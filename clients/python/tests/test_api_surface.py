"""The public surface: generated helpers up to date, the three clients alike, every
OpenRPC method covered, the package typed."""

from __future__ import annotations

import importlib.util
import inspect
import json
import subprocess
import sys
import unittest

import tiledesk_rpc
from tiledesk_rpc import _api

from .support import CLIENT_ROOT, OPENRPC

GEN = CLIENT_ROOT / "tools" / "gen_api.py"


def _load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_api", GEN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_api"] = module
    spec.loader.exec_module(module)
    return module


class SurfaceTests(unittest.TestCase):
    def test_generated_helpers_are_up_to_date(self) -> None:
        done = subprocess.run([sys.executable, str(GEN), "--check"], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)

    def test_public_names(self) -> None:
        for name in tiledesk_rpc.__all__:
            self.assertTrue(hasattr(tiledesk_rpc, name), name)

    def test_three_clients_have_the_same_helpers(self) -> None:
        for group in ("User", "Project", "Team", "Auth"):
            sync = getattr(_api, f"{group}API")
            names = {n for n, _ in inspect.getmembers(sync, inspect.isfunction) if not n.startswith("_")}
            for prefix in ("Async", "Batch"):
                other = getattr(_api, f"{prefix}{group}API")
                self.assertEqual({n for n, _ in inspect.getmembers(other, inspect.isfunction) if not n.startswith("_")}, names)
            for name in names:
                self.assertTrue(inspect.iscoroutinefunction(getattr(getattr(_api, f"Async{group}API"), name)))
                self.assertTrue(getattr(sync, name).__doc__)

    def test_every_openrpc_method_has_a_helper(self) -> None:
        if not OPENRPC.exists():
            self.skipTest(f"{OPENRPC} does not exist yet")
        doc = json.loads(OPENRPC.read_text(encoding="utf-8"))
        wire = {m.wire for m in _load_generator().METHODS} | {"rpc.discover", "ping"}
        for method in doc["methods"]:
            name = method["name"]
            if name.startswith(("rpc.", "initialize", "notifications/", "tools/")):
                continue
            self.assertIn(name, wire, f"OpenRPC method {name} has no helper: add it to tools/gen_api.py")

    def test_py_typed_is_package_data(self) -> None:
        self.assertTrue((CLIENT_ROOT / "tiledesk_rpc" / "py.typed").exists())
        self.assertRegex((CLIENT_ROOT / "pyproject.toml").read_text(), r'\ntiledesk_rpc = \[[^\]]*"py\.typed"')


if __name__ == "__main__":
    unittest.main()
