"""Every file in protocol/vectors/ runs here: line by line against a fresh bridge, and,
when all its steps are plain requests, once more through ``TiledeskRPC.call``.

The test methods are made from the folder's contents when this module is imported,
so vectors added later run without touching this file.
"""

from __future__ import annotations

import unittest
from pathlib import Path
from typing import Any, Callable

from . import vectors
from .support import BINARY, VECTORS_DIR, requires_binary


def _vector_files() -> list:
    return sorted(VECTORS_DIR.glob("*.json")) if VECTORS_DIR.is_dir() else []


def _test_name(path: Path, suffix: str = "") -> str:
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    return f"test_{stem}{suffix}"


@requires_binary
class RawVectorTests(unittest.TestCase):
    """Each vector through the raw-line runner: exactly what the README specifies."""

    def test_vectors_folder_is_not_empty(self) -> None:
        self.assertTrue(_vector_files(), f"no vectors in {VECTORS_DIR}")


@requires_binary
class ClientVectorTests(unittest.TestCase):
    """The vectors whose steps are all single well-formed requests, through ``call()``."""


def _make_raw(path: Path) -> Callable[[unittest.TestCase], None]:
    def test(self: unittest.TestCase) -> None:
        vectors.run_raw(BINARY, vectors.load(path), path.name)

    test.__doc__ = f"vector {path.name} (raw lines)"
    return test


def _make_client(path: Path) -> Callable[[unittest.TestCase], None]:
    def test(self: unittest.TestCase) -> None:
        vector: Any = vectors.load(path)
        if not vectors.client_eligible(vector):
            self.skipTest("has malformed input, notifications, cancellations or batches: covered by the raw runner")
        vectors.run_client(BINARY, vector, path.name)

    test.__doc__ = f"vector {path.name} (through TiledeskRPC.call)"
    return test


for _path in _vector_files():
    setattr(RawVectorTests, _test_name(_path), _make_raw(_path))
    setattr(ClientVectorTests, _test_name(_path), _make_client(_path))


class MatcherTests(unittest.TestCase):
    """The matcher of protocol/vectors/README.md."""

    def test_objects(self) -> None:
        self.assertTrue(vectors.matches({"a": 1}, {"a": 1, "b": 2}))
        self.assertFalse(vectors.matches({"a": 1, "c": 3}, {"a": 1}))
        self.assertTrue(vectors.matches({}, {}))
        self.assertFalse(vectors.matches({}, {"a": 1}))
        self.assertTrue(vectors.matches({"r": {}}, {"r": {}}))
        self.assertFalse(vectors.matches({"r": {}}, {"r": {"x": 1}}))
        self.assertTrue(vectors.matches({"e": {"code": -32700}}, {"e": {"code": -32700, "message": "Parse error"}}))

    def test_numbers_and_booleans(self) -> None:
        self.assertTrue(vectors.matches(1, 1.0))
        self.assertTrue(vectors.matches(1.0, 1))
        self.assertFalse(vectors.matches(True, 1))
        self.assertFalse(vectors.matches(1, True))
        self.assertFalse(vectors.matches(0, False))
        self.assertTrue(vectors.matches(False, False))
        self.assertFalse(vectors.matches("1", 1))
        self.assertTrue(vectors.matches(None, None))
        self.assertFalse(vectors.matches(None, 0))

    def test_arrays(self) -> None:
        self.assertTrue(vectors.matches([1, 2], [1, 2]))
        self.assertFalse(vectors.matches([1, 2], [2, 1]))
        self.assertFalse(vectors.matches([1], [1, 2]))
        self.assertTrue(vectors.matches([{"id": 1}, {"id": 2}], [{"id": 2}, {"id": 1}], top_level=True))
        self.assertFalse(vectors.matches([{"id": 1}, {"id": 1}], [{"id": 2}, {"id": 1}], top_level=True))
        # nested arrays keep their order even inside a batch line
        self.assertFalse(vectors.matches([{"r": [1, 2]}], [{"r": [2, 1]}], top_level=True))

    def test_lines_any_order(self) -> None:
        expect = [{"id": 1, "result": {}}, {"id": 2, "result": {}}]
        self.assertIsNotNone(vectors.assignment(expect, [{"id": 2, "result": {}}, {"id": 1, "result": {}}], top_level=True))
        self.assertIsNone(vectors.assignment(expect, [{"id": 2, "result": {}}, {"id": 2, "result": {}}], top_level=True))
        # a general pattern must not steal the line a specific one needs
        general, specific = {"jsonrpc": "2.0"}, {"jsonrpc": "2.0", "id": 1}
        actual = [{"jsonrpc": "2.0", "id": 1}, {"jsonrpc": "2.0", "id": 2}]
        self.assertEqual(vectors.assignment([general, specific], actual, top_level=True), [1, 0])

    def test_eligibility(self) -> None:
        ping = {"steps": [{"send": {"jsonrpc": "2.0", "id": 1, "method": "ping"}, "expect": [{"jsonrpc": "2.0", "id": 1, "result": {}}]}]}
        self.assertTrue(vectors.client_eligible(ping))
        raw = {"steps": [{"send": "not json", "expect": [{"id": None, "error": {"code": -32700}}]}]}
        self.assertFalse(vectors.client_eligible(raw))
        note = {"steps": [{"send": {"jsonrpc": "2.0", "method": "x"}, "expect": []}]}
        self.assertFalse(vectors.client_eligible(note))
        batch = {"steps": [{"send": [{"jsonrpc": "2.0", "id": 1, "method": "ping"}], "expect": [[{"id": 1, "result": {}}]]}]}
        self.assertFalse(vectors.client_eligible(batch))


if __name__ == "__main__":
    unittest.main()
