"""The public surface against ``protocol/openrpc.json``: every group and method of the document
has its helper in the thread, asyncio and batch clients, with the document's params under the
naming and positional rules (names, required ones, kinds, enumerations); the generator's hooks
(progress callbacks, page walks, the engine's own helpers) where its catalogue says; generated
files fresh."""

from __future__ import annotations

import collections.abc
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

sys.path.insert(0, str(REPO_ROOT / "tools"))
from clientgen import model  # noqa: E402 - the generator's catalogue: which hooks apply where

P = inspect.Parameter
DOC: Dict[str, Any] = json.loads(OPENRPC.read_text(encoding="utf-8"))
CATALOGUE = model.load(DOC)
VARIANTS = ("thread", "asyncio", "batch")


def snake(name: str) -> str:
    """The Python spelling of a wire name: ``getByUser`` → ``get_by_user``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def group_of(method: Dict[str, Any]) -> str:
    return method["tags"][0]["$ref"].rsplit("/", 1)[-1]


def client_methods() -> List[Dict[str, Any]]:
    """The document's methods but the protocol group's (the engine offers those)."""
    return [m for m in DOC["methods"] if group_of(m) != "protocol"]


def expected_params(method: Dict[str, Any], variant: str = "batch", skip: str = "") -> List[Tuple[str, Any, bool]]:
    """(Python name, kind, required) in signature order, by the positional rule: the required
    params but project_id, then project_id, then every other param keyword-only (but ``skip``);
    last, outside batches, ``on_progress`` for a method that reports progress."""
    params = [p for p in method["params"] if p["name"] != skip]
    first = [(snake(p["name"]), P.POSITIONAL_OR_KEYWORD, True) for p in params if p.get("required") and p["name"] != "project_id"]
    project = [("project_id", P.POSITIONAL_OR_KEYWORD, False) for p in params if p["name"] == "project_id"]
    rest = [(snake(p["name"]), P.KEYWORD_ONLY, False) for p in params if not p.get("required") and p["name"] != "project_id"]
    progress = [("on_progress", P.KEYWORD_ONLY, False)] if method.get("x-progress") and variant != "batch" else []
    return first + project + rest + progress


def engine_helper(method: Dict[str, Any]) -> bool:
    """Whether the engines write the method's helper by hand (``team.watch``)."""
    group, short = method["name"].split(".", 1)
    return short in model.ENGINE_HELPERS.get(group, ())


def paged() -> List[Tuple[str, model.Method]]:
    """(group, method) of each method whose pages the clients walk."""
    return [(m.group, m) for m in CATALOGUE.methods if m.paging is not None]


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
            for variant, cls in zip(VARIANTS, _api.GROUPS[group]):
                if engine_helper(method) and variant == "batch":
                    continue  # a stream has no place in a batch
                with self.subTest(method=method["name"], client=variant):
                    helper = getattr(cls, snake(short))
                    self.assertEqual(actual_params(helper), expected_params(method, variant))
                    if not engine_helper(method):  # a hand-written stream starts on first use
                        self.assertEqual(inspect.iscoroutinefunction(helper), variant == "asyncio")
                    self.assertEqual("timeout" in inspect.signature(helper).parameters, variant != "batch")
                    self.assertIn(f"``{method['name']}``", helper.__doc__)

    def test_every_paged_method_has_a_walk_over_its_pages(self) -> None:
        self.assertIn("activity.list", [m.wire for _, m in paged()])
        for group, method in paged():
            raw = next(m for m in client_methods() if m["name"] == method.wire)
            for variant, cls in zip(VARIANTS[:2], _api.GROUPS[group]):
                with self.subTest(method=method.wire, client=variant):
                    walk = getattr(cls, method.iterator_python)
                    self.assertEqual(actual_params(walk), expected_params(raw, variant, skip="page"))
                    self.assertFalse(inspect.iscoroutinefunction(walk))  # it returns an (async) iterator
                    returns = typing.get_type_hints(walk, vars(_api))["return"]
                    self.assertIs(typing.get_origin(returns), collections.abc.AsyncIterator if variant == "asyncio" else collections.abc.Iterator)
                    self.assertEqual(typing.get_args(returns), (getattr(types, method.paging.item),))
            self.assertFalse(hasattr(_api.GROUPS[group][2], method.iterator_python), "no walk inside a batch")

    def test_the_engine_helpers_are_there(self) -> None:
        self.assertTrue(model.ENGINE_HELPERS)
        for group, names in model.ENGINE_HELPERS.items():
            thread, asyncio_, batch = _api.GROUPS[group]
            for name in names:
                with self.subTest(group=group, helper=name):
                    for cls in (thread, asyncio_):  # each answers its stream at once, not awaited
                        self.assertFalse(inspect.iscoroutinefunction(getattr(cls, name)))
                    self.assertFalse(hasattr(batch, name))

    def test_no_helper_the_document_lacks(self) -> None:
        documented = {(group_of(m), snake(m["name"].split(".", 1)[1])) for m in client_methods() if not engine_helper(m)}
        walks = {(group, m.iterator_python) for group, m in paged()}
        engine = {(group, name) for group, names in model.ENGINE_HELPERS.items() for name in names}
        for group, classes in _api.GROUPS.items():
            for variant, cls in zip(VARIANTS, classes):
                helpers = {n for n, _ in inspect.getmembers(cls, inspect.isfunction) if not n.startswith("_")}
                expected = documented | (walks | engine if variant != "batch" else set())
                self.assertEqual({(group, n) for n in helpers}, {d for d in expected if d[0] == group}, cls.__name__)

    def test_param_types_follow_the_schemas(self) -> None:
        for method in client_methods():
            group, short = method["name"].split(".", 1)
            helper = getattr(_api.GROUPS[group][0], snake(short))
            # A helper the engine writes by hand (team.watch) names its types in its own module.
            hints = typing.get_type_hints(helper, {**vars(_api), **vars(sys.modules[helper.__module__])})
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
