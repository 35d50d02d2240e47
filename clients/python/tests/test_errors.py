"""Each error class: the code mapping, and each one raised by the real bridge (in the
sandbox, or against a scripted upstream HTTP server on loopback)."""

from __future__ import annotations

import http.server
import json
import pickle
import re
import socket
import threading
import time
import unittest
from typing import Any, Dict, Optional, Tuple, Type

import tiledesk_rpc
from tiledesk_rpc import (
    BridgeClosed,
    CallTimeout,
    Cancelled,
    ConfigurationError,
    Conflict,
    Forbidden,
    InternalError,
    InvalidParams,
    MethodNotFound,
    NotAuthenticated,
    NotFound,
    RateLimited,
    TiledeskRPC,
    TiledeskRPCError,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
    error_from_wire,
)

from .support import ALICE_TM, BINARY, CLIENT_ROOT, OSCAR_TM, OTHER_PROJECT, OWNER_TM, PASSWORD, SharedClientTestCase, requires_binary, sandbox

#: Errors the client raises itself, listed in the README's table but never sent by the bridge.
CLIENT_SIDE = {"CallTimeout", "BridgeClosed"}


def documented_classes() -> Dict[int, Type[TiledeskRPCError]]:
    """Code → class, as the README's error table documents them."""
    readme = (CLIENT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| (-?\d+) \|", readme, re.M)
    return {int(code): getattr(tiledesk_rpc, name) for name, code in rows if name not in CLIENT_SIDE}


class ErrorMappingTests(unittest.TestCase):
    def test_every_documented_code_has_its_class(self) -> None:
        expected = documented_classes()
        self.assertTrue(expected, "the README has an error table")
        self.assertEqual(tiledesk_rpc.ERROR_CLASSES, expected)
        for code, cls in expected.items():
            with self.subTest(code=code):
                error = error_from_wire({"code": code, "message": "m", "data": {"retryable": code == 503}})
                self.assertIs(type(error), cls)
                self.assertIsInstance(error, TiledeskRPCError)
                self.assertEqual((error.code, error.message), (code, "m"))
                self.assertEqual(error.retryable, code == 503)
                self.assertEqual(str(error), f"[{code}] m")
                again = pickle.loads(pickle.dumps(error))
                self.assertEqual((type(again), again.code, again.data), (cls, code, error.data))

    def test_unknown_and_malformed(self) -> None:
        self.assertIs(type(error_from_wire({"code": 418, "message": "teapot"})), TiledeskRPCError)
        self.assertIs(type(error_from_wire("nonsense")), InternalError)
        self.assertEqual(error_from_wire({"code": 404.0, "message": "x"}).code, 404)

    def test_upstream_details(self) -> None:
        data = {"retryable": True, "http_status": 429, "retry_after": 3, "upstream": {"msg": "slow"},
                "tiledesk_code": None, "request": "GET /users"}
        error = error_from_wire({"code": 429, "message": "rate limited", "data": data})
        assert isinstance(error, RateLimited)
        self.assertEqual((error.retry_after, error.http_status, error.upstream, error.request), (3, 429, {"msg": "slow"}, "GET /users"))
        self.assertEqual(error_from_wire({"code": 403, "message": "x", "data": {"tiledesk_code": 4000}}).tiledesk_code, 4000)

    def test_client_side_errors(self) -> None:
        self.assertTrue(issubclass(CallTimeout, Cancelled))
        self.assertTrue(issubclass(CallTimeout, TimeoutError))
        self.assertTrue(issubclass(BridgeClosed, TiledeskRPCError))
        self.assertTrue(issubclass(BridgeClosed, ConnectionError))
        self.assertTrue(issubclass(tiledesk_rpc.BridgeNotFound, FileNotFoundError))


@requires_binary
class SandboxErrorTests(SharedClientTestCase):
    """The errors the sandbox can produce, raised through the client."""

    def test_invalid_params(self) -> None:
        for call in (
            lambda: self.client.team.get("not-an-id"),
            lambda: self.client.team.invite("not-an-email", "agent"),
            lambda: self.client.team.invite("x@example.com", "owner"),
            lambda: self.client.call("team.list", {"bogus": 1}),
            lambda: self.client.call("user.update", {}),
        ):
            with self.assertRaises(InvalidParams) as ctx:
                call()
            self.assertEqual(ctx.exception.code, -32602)
            self.assertIsNotNone(ctx.exception.data)

    def test_method_not_found(self) -> None:
        with self.assertRaises(MethodNotFound):
            self.client.call("team.explode")

    def test_forbidden(self) -> None:
        with self.assertRaises(Forbidden):
            self.client.team.leave(OWNER_TM, dry_run=True)
        with self.assertRaises(Forbidden):
            self.client.team.list(OTHER_PROJECT)

    def test_not_found(self) -> None:
        with self.assertRaises(NotFound):
            self.client.team.get(OSCAR_TM)  # exists, but in another project
        with self.assertRaises(NotFound):
            self.client.team.update(OSCAR_TM, user_available=False, dry_run=True)

    def test_conflict(self) -> None:
        with self.assertRaises(Conflict):
            self.client.team.restore(ALICE_TM, dry_run=True)  # not trashed

    def test_a_refused_setting_fails_construction_with_the_bridges_message(self) -> None:
        with self.assertRaises(ConfigurationError) as ctx:
            TiledeskRPC(BINARY, project_id="not-an-id")
        self.assertEqual(str(ctx.exception), "tiledesk-rpc: project id must be 24 hexadecimal characters, not not-an-id")
        self.assertEqual(ctx.exception.returncode, 2)

    def test_not_authenticated(self) -> None:
        with sandbox() as fresh:
            with self.assertRaises(NotAuthenticated):
                fresh.auth.signin("owner@example.com", "wrong-" + PASSWORD)

    def test_cancelled(self) -> None:
        with sandbox(extra_args=["--sandbox-latency", "2"]) as slow:
            pending = slow.submit("team.list")
            time.sleep(0.1)
            self.assertTrue(pending.cancel())
            started = time.monotonic()
            with self.assertRaises(Cancelled) as ctx:
                pending.result(10)
            self.assertEqual(ctx.exception.code, -32800)
            self.assertLess(time.monotonic() - started, 1.9)


class _Upstream(http.server.ThreadingHTTPServer):
    daemon_threads = True
    response: Tuple[int, Dict[str, str], bytes] = (200, {}, b"{}")
    delay = 0.0
    requests: list


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Upstream

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.requests.append((self.command, self.path, self.headers.get("Authorization")))
        if self.server.delay:
            time.sleep(self.server.delay)
        status, headers, body = self.server.response
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    do_GET = do_PUT = do_POST = do_DELETE = _serve

    def log_message(self, *args: Any) -> None:
        pass


def _json(status: int, body: Any, **headers: str) -> Tuple[int, Dict[str, str], bytes]:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(body).encode()


@requires_binary
class UpstreamErrorTests(unittest.TestCase):
    """The HTTP-like errors, from the real bridge talking to a scripted upstream on loopback."""

    def upstream(self, response: Tuple[int, Dict[str, str], bytes], delay: float = 0.0) -> str:
        server = _Upstream(("127.0.0.1", 0), _Handler)
        server.response = response
        server.delay = delay
        server.requests = []
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 5)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.server = server
        return f"http://127.0.0.1:{server.server_address[1]}/api"

    def bridge(self, api_url: Optional[str], token: Optional[str] = "test-token", args: Tuple[str, ...] = (), **env: str) -> TiledeskRPC:
        client = TiledeskRPC(BINARY, api_url=api_url, token=token, timeout=20, env=env,
                             extra_args=["--retries", "0", *args])
        self.addCleanup(client.close)
        return client

    def expect(self, client: TiledeskRPC, cls: Type[TiledeskRPCError], http_status: Optional[int] = None) -> TiledeskRPCError:
        with self.assertRaises(cls) as ctx:
            client.user.get()
        error = ctx.exception
        self.assertIs(type(error), cls)
        if http_status is not None:
            self.assertEqual(error.http_status, http_status, error.data)
        self.assertIn("retryable", error.data)
        self.assertNotIn("test-token", json.dumps(error.data))
        return error

    def test_401_no_credentials(self) -> None:
        self.expect(self.bridge("http://127.0.0.1:9/api", token=None), NotAuthenticated)

    def test_401_from_upstream(self) -> None:
        url = self.upstream((401, {"Content-Type": "text/plain"}, b"Unauthorized"))
        self.expect(self.bridge(url), NotAuthenticated, 401)
        self.assertEqual(self.server.requests[0][2], "JWT test-token")

    def test_403_from_upstream(self) -> None:
        url = self.upstream(_json(403, {"success": False, "msg": "Unauthorized."}))
        self.expect(self.bridge(url), Forbidden, 403)

    def test_404_from_upstream(self) -> None:
        url = self.upstream(_json(404, {"success": False, "msg": "Object not found."}))
        error = self.expect(self.bridge(url), NotFound, 404)
        self.assertEqual(error.upstream, {"success": False, "msg": "Object not found."})

    def test_429(self) -> None:
        url = self.upstream(_json(429, {"msg": "slow down"}, **{"Retry-After": "60"}))
        error = self.expect(self.bridge(url, args=("--rate-limit-wait", "1")), RateLimited, 429)
        assert isinstance(error, RateLimited)
        self.assertTrue(error.retryable)

    def test_502_bad_answer(self) -> None:
        url = self.upstream((500, {"Content-Type": "text/html"}, b"<html>oops</html>"))
        self.expect(self.bridge(url), UpstreamError, 500)

    def test_503_unreachable(self) -> None:
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        error = self.expect(self.bridge(f"http://127.0.0.1:{port}/api"), UpstreamUnavailable)
        self.assertTrue(error.retryable)

    def test_504_timeout(self) -> None:
        url = self.upstream(_json(200, {"_id": "x"}), delay=4)
        self.expect(self.bridge(url, TILEDESK_TIMEOUT="1"), UpstreamTimeout)


if __name__ == "__main__":
    unittest.main()
