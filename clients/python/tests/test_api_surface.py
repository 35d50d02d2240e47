"""The public surface against ``protocol/openrpc.json``: every group and method of the document
has its helper in the thread, asyncio and batch clients, with the document's params under the
naming and positional rules (names, required ones, kinds, enumerations); generated files fresh."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
import typing
import unittest
from typing import Any, Dict, List, Tuple

import tiledesk_rpc
from tiledesk_rpc import _api, types

from .support import CLIENT_ROOT, OPENRPC, REPO_ROOT

P = inspect.Parameter
DOC: Dict[str, Any] = json.loads(OPENRPC.read_text(encoding="utf-8"))


def snake(name: str) -> str:
    """The Python spelling of a wire name: ``getByUser`` → ``get_by_user``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def group_of(method: Dict[str, Any]) -> str:
    return method["tags"][0]["$ref"].rsplit("/", 1)[-1]


def client_methods() -> List[Dict[str, Any]]:
    """The document's methods but the protocol group's (the engine offers those)."""
    return [m for m in DOC["methods"] if group_of(m) != "protocol"]


def expected_params(method: Dict[str, Any]) -> List[Tuple[str, Any, bool]]:
    """(Python name, kind, required) in signature order, by the positional rule: the required
    params but project_id, then project_id, then every other param keyword-only."""
    params = method["params"]
    first = [(snake(p["name"]), P.POSITIONAL_OR_KEYWORD, True) for p in params if p.get("required") and p["name"] != "project_id"]
    project = [("project_id", P.POSITIONAL_OR_KEYWORD, False) for p in params if p["name"] == "project_id"]
    rest = [(snake(p["name"]), P.KEYWORD_ONLY, False) for p in params if not p.get("required") and p["name"] != "project_id"]
    return first + project + rest


def actual_params(function: Any) -> List[Tuple[str, Any, bool]]:
    signature = inspect.signature(function)
    return [(p.name, p.kind, p.default is P.empty) for p in signature.parameters.values() if p.name not in ("self", "timeout")]


class GeneratedFilesTests(unittest.TestCase):
    def test_generated_files_are_up_to_date(self) -> None:
        done = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "gen_clients.py"), "--check"], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)


class SurfaceTests(unittest.TestCase):
    def test_public_names(self) -> None:
        for name in tiledesk_rpc.__all__:
            self.assertTrue(hasattr(tiledesk_rpc, name), name)

    def test_every_group_is_mounted_on_every_client(self) -> None:
        groups = {group_of(m) for m in client_methods()}
        self.assertEqual(set(_api.GROUPS), groups)
        kinds = ((tiledesk_rpc.TiledeskRPC, 0), (tiledesk_rpc.AsyncTiledeskRPC, 1), (tiledesk_rpc.Batch, 2), (tiledesk_rpc.AsyncBatch, 2))
        for cls, variant in kinds:
            client = object.__new__(cls)  # the groups without a bridge process
            client._mount_groups()
            for group in groups:
                with self.subTest(client=cls.__name__, group=group):
                    self.assertIsInstance(getattr(client, group), _api.GROUPS[group][variant])

    def test_every_method_has_its_helpers_with_the_documents_params(self) -> None:
        for method in client_methods():
            group, short = method["name"].split(".", 1)
            for variant, cls in zip(("thread", "asyncio", "batch"), _api.GROUPS[group]):
                with self.subTest(method=method["name"], client=variant):
                    helper = getattr(cls, snake(short))
                    self.assertEqual(actual_params(helper), expected_params(method))
                    self.assertEqual(inspect.iscoroutinefunction(helper), variant == "asyncio")
                    self.assertEqual("timeout" in inspect.signature(helper).parameters, variant != "batch")
                    self.assertIn(f"``{method['name']}``", helper.__doc__)

    def test_no_helper_the_document_lacks(self) -> None:
        documented = {(group_of(m), snake(m["name"].split(".", 1)[1])) for m in client_methods()}
        for group, classes in _api.GROUPS.items():
            for cls in classes:
                helpers = {n for n, _ in inspect.getmembers(cls, inspect.isfunction) if not n.startswith("_")}
                self.assertEqual({(group, n) for n in helpers}, {d for d in documented if d[0] == group}, cls.__name__)

    def test_param_types_follow_the_schemas(self) -> None:
        for method in client_methods():
            group, short = method["name"].split(".", 1)
            hints = typing.get_type_hints(getattr(_api.GROUPS[group][0], snake(short)), vars(_api))
            for param in method["params"]:
                with self.subTest(method=method["name"], param=param["name"]):
                    hint = hints[snake(param["name"])]
                    schema = param["schema"]
                    if "enum" in schema:
                        self.assertEqual(set(literal_values(hint)), set(schema["enum"]))
                    elif schema.get("type") in PYTHON_TYPES:
                        self.assertIn(PYTHON_TYPES[schema["type"]], typing.get_args(hint) or (hint,))

    def test_result_types_are_the_documents_schemas(self) -> None:
        schemas = DOC["components"]["schemas"]
        self.assertEqual(set(types.__all__), set(schemas))
        for name, schema in schemas.items():
            if schema.get("type") == "object":
                with self.subTest(schema=name):
                    self.assertEqual(set(typing.get_type_hints(getattr(types, name))), set(schema.get("properties", {})))
                    self.assertEqual(getattr(types, name).__required_keys__, frozenset(schema.get("required", [])))

    def test_py_typed_is_package_data(self) -> None:
        self.assertTrue((CLIENT_ROOT / "tiledesk_rpc" / "py.typed").exists())
        self.assertRegex((CLIENT_ROOT / "pyproject.toml").read_text(), r'\ntiledesk_rpc = \[[^\]]*"py\.typed"')


PYTHON_TYPES = {"string": str, "integer": int, "number": float, "boolean": bool}


def literal_values(hint: Any) -> List[Any]:
    """The values of a ``Literal``, alone or inside ``Optional[...]``."""
    for arg in (hint, *typing.get_args(hint)):
        if typing.get_origin(arg) is typing.Literal:
            return list(typing.get_args(arg))
    return []


if __name__ == "__main__":
    unittest.main()
