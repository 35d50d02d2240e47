"""The shared test-vector format (protocol/vectors/README.md): loading, matching, running."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from tiledesk_rpc import BASIC_ENV_VARS, TiledeskRPC, TiledeskRPCError

READ_TIMEOUT = 10.0  # per expected line, as the format says
EXIT_TIMEOUT = 10.0


def load(path: Path) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return json.load(f)  # type: ignore[no-any-return]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def matches(expected: Any, actual: Any, *, top_level: bool = False) -> bool:
    """Whether ``actual`` matches ``expected`` by the README's rules.

    Objects: every expected key is present and matches (``{}`` matches only ``{}``).
    Arrays: same length, element by element, except a whole line that is an array (a
    batch response, ``top_level``), whose elements match in any order. Otherwise equal
    JSON values: numbers by value, and booleans never equal numbers.
    """
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        if not expected:
            return not actual
        return all(key in actual and matches(value, actual[key]) for key, value in expected.items())
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return False
        if top_level:
            return assignment(expected, actual) is not None
        return all(matches(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if _is_number(expected) or _is_number(actual):
        return _is_number(expected) and _is_number(actual) and expected == actual
    return type(expected) is type(actual) and expected == actual


def assignment(expected: Sequence[Any], actual: Sequence[Any], *, top_level: bool = False) -> Optional[List[int]]:
    """A one-to-one pairing of expected[i] with actual[result[i]], or None (any order)."""
    n = len(expected)
    if n != len(actual):
        return None
    ok = [[matches(e, a, top_level=top_level) for a in actual] for e in expected]
    pairing: List[int] = [-1] * n
    used = [False] * n

    def place(i: int) -> bool:
        if i == n:
            return True
        for j in range(n):
            if not used[j] and ok[i][j]:
                used[j] = True
                pairing[i] = j
                if place(i + 1):
                    return True
                used[j] = False
        return False

    return pairing if place(0) else None


def vector_env() -> Dict[str, str]:
    """A clean environment for the raw runner: the basics only, no TILEDESK_* from the caller."""
    return {k: os.environ[k] for k in BASIC_ENV_VARS if k in os.environ}


class VectorFailure(AssertionError):
    pass


def run_raw(binary: str, vector: Dict[str, Any], name: str = "") -> None:
    """Run a vector line by line against a fresh bridge; raises VectorFailure on a mismatch."""
    proc = subprocess.Popen(
        [binary, *vector.get("args", [])],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=vector_env(),
    )
    lines: "queue.Queue[Optional[bytes]]" = queue.Queue()
    stderr_chunks: List[bytes] = []

    def read_stdout() -> None:
        assert proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            lines.put(raw)
        lines.put(None)

    def read_stderr() -> None:
        assert proc.stderr is not None
        for raw in iter(proc.stderr.readline, b""):
            stderr_chunks.append(raw)

    threads = [threading.Thread(target=read_stdout, daemon=True), threading.Thread(target=read_stderr, daemon=True)]
    for t in threads:
        t.start()

    def fail(message: str) -> VectorFailure:
        tail = b"".join(stderr_chunks[-20:]).decode("utf-8", "replace")
        return VectorFailure(f"{name}: {message}" + (f"\n--- bridge stderr ---\n{tail}" if tail.strip() else ""))

    try:
        assert proc.stdin is not None
        for number, step in enumerate(vector["steps"], 1):
            send = step["send"]
            text = send if isinstance(send, str) else json.dumps(send, separators=(",", ":"), ensure_ascii=False)
            proc.stdin.write(text.encode("utf-8") + b"\n")
            proc.stdin.flush()
            expect = step.get("expect", [])
            got: List[Tuple[bytes, Any]] = []
            for _ in expect:
                try:
                    raw = lines.get(timeout=READ_TIMEOUT)
                except queue.Empty:
                    raise fail(f"step {number}: no line within {READ_TIMEOUT} s (got {len(got)} of {len(expect)}); sent {text}")
                if raw is None:
                    raise fail(f"step {number}: the bridge closed stdout (got {len(got)} of {len(expect)}); sent {text}")
                try:
                    got.append((raw, json.loads(raw)))
                except ValueError:
                    raise fail(f"step {number}: output line is not JSON: {raw!r}")
            if assignment(expect, [value for _, value in got], top_level=True) is None:
                shown = "\n".join("  " + raw.decode("utf-8", "replace").rstrip() for raw, _ in got)
                raise fail(
                    f"step {number}: responses do not match\n sent: {text}\n expected: "
                    f"{json.dumps(expect)}\n actual:\n{shown}"
                )
        proc.stdin.close()
        try:
            code = proc.wait(EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise fail(f"the bridge did not exit within {EXIT_TIMEOUT} s of end of input")
        threads[0].join(2)
        extra = []
        while True:
            try:
                raw = lines.get_nowait()
            except queue.Empty:
                break
            if raw is not None:
                extra.append(raw)
        if extra:
            raise fail(f"unexpected output after the last step: {b''.join(extra)!r}")
        if code != 0:
            raise fail(f"the bridge exited {code} after end of input, expected 0")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def client_eligible(vector: Dict[str, Any]) -> bool:
    """Whether every step is a well-formed single request answered by exactly one response
    with its own id, so that the vector can be replayed through ``TiledeskRPC.call``."""
    for step in vector["steps"]:
        send = step.get("send")
        expect = step.get("expect", [])
        if not isinstance(send, dict) or send.get("jsonrpc") != "2.0":
            return False
        if not isinstance(send.get("method"), str) or send["method"].startswith("$/"):
            return False
        if "id" not in send or send["id"] is None or isinstance(send["id"], (bool, float, dict, list)):
            return False
        if set(send) - {"jsonrpc", "id", "method", "params"}:
            return False
        if "params" in send and not isinstance(send["params"], (dict, list)):
            return False
        if len(expect) != 1 or not isinstance(expect[0], dict) or expect[0].get("id") != send["id"]:
            return False
        if ("result" in expect[0]) == ("error" in expect[0]):
            return False
    return True


def run_client(binary: str, vector: Dict[str, Any], name: str = "") -> None:
    """Replay an eligible vector through ``TiledeskRPC.call`` (the client picks its own ids)."""
    with TiledeskRPC(binary, extra_args=vector.get("args", []), timeout=READ_TIMEOUT) as client:
        for number, step in enumerate(vector["steps"], 1):
            send, expected = step["send"], step["expect"][0]
            try:
                result = client.call(send["method"], send.get("params"))
            except TiledeskRPCError as exc:
                if "error" not in expected:
                    raise VectorFailure(f"{name}: step {number}: expected a result, got {exc!r}")
                actual = {"code": exc.code, "message": exc.message}
                if exc.data is not None:
                    actual["data"] = exc.data
                if not matches(expected["error"], actual):
                    raise VectorFailure(f"{name}: step {number}: error {actual} does not match {expected['error']}")
            else:
                if "result" not in expected:
                    raise VectorFailure(f"{name}: step {number}: expected an error, got result {result!r}")
                if not matches(expected["result"], result):
                    raise VectorFailure(f"{name}: step {number}: result {result!r} does not match {expected['result']}")
        code = client.close()
        if code != 0:
            raise VectorFailure(f"{name}: the bridge exited {code}; stderr:\n{client.stderr_tail}")


def wait_for(predicate: Any, timeout: float = 5.0, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
