"""The client's own machinery, against fake bridges (tests/fakes/): what it sends, how it
matches answers, timeouts and cancellation, batches, a bridge that dies or never exits."""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
import threading
import time
import unittest
from typing import Any, Dict, List, cast
from unittest import mock

import tiledesk_rpc
from tiledesk_rpc import (
    AsyncTiledeskRPC,
    BridgeClosed,
    BridgeNotFound,
    CallTimeout,
    Cancelled,
    InvalidParams,
    InvalidRequest,
    NotFound,
    ConfigurationError,
    TiledeskRPC,
    TiledeskRPCError,
)
from tiledesk_rpc._environment import SETTINGS

from .support import ALICE_TM, DEMO_PROJECT, FAKES, SharedClientTestCase, async_fake, fake, in_threads
from .vectors import wait_for

TM = ALICE_TM


def echo() -> TiledeskRPC:
    return fake("echo_bridge.py")


class HelperParamsTests(SharedClientTestCase):
    """Each helper sends its method and only the params the caller gave (echo bridge)."""

    make_client = staticmethod(echo)

    def sent(self, result: Any) -> Dict[str, Any]:
        self.assertFalse(result["batch"])
        return {"method": result["method"], "params": result.get("params")}

    def test_every_helper(self) -> None:
        c = self.client
        cases = [
            (c.user.get(), "user.get", None),
            (c.user.update(firstname="Olivia"), "user.update", {"firstname": "Olivia"}),
            (
                c.user.update(lastname="O", attributes={"a": 1}, description="d", public_email="p@example.com",
                              public_website="https://example.com", phone="+39", dry_run=True),
                "user.update",
                {"lastname": "O", "attributes": {"a": 1}, "description": "d", "public_email": "p@example.com",
                 "public_website": "https://example.com", "phone": "+39", "dry_run": True},
            ),
            (c.project.list(), "project.list", None),
            (c.team.list(), "team.list", None),
            (c.team.list(DEMO_PROJECT, role="agent", status="active", presence="online", include_trashed=False), "team.list",
             {"project_id": DEMO_PROJECT, "role": "agent", "status": "active", "presence": "online", "include_trashed": False}),
            (c.team.list(include_trashed=True), "team.list", {"include_trashed": True}),
            (c.team.get(TM), "team.get", {"project_user_id": TM}),
            (c.team.get(TM, DEMO_PROJECT), "team.get", {"project_user_id": TM, "project_id": DEMO_PROJECT}),
            (c.team.get_by_user("u1"), "team.getByUser", {"user_id": "u1"}),
            (c.team.me(), "team.me", None),
            (c.team.me(DEMO_PROJECT), "team.me", {"project_id": DEMO_PROJECT}),
            (c.team.invite("a@example.com", "agent"), "team.invite", {"email": "a@example.com", "role": "agent"}),
            (c.team.invite("a@example.com", "admin", DEMO_PROJECT, user_available=False, ensure=True, dry_run=True),
             "team.invite", {"email": "a@example.com", "role": "admin", "project_id": DEMO_PROJECT,
                             "user_available": False, "ensure": True, "dry_run": True}),
            (c.team.update(TM, user_available=False), "team.update", {"project_user_id": TM, "user_available": False}),
            (c.team.update(TM, DEMO_PROJECT, role="supervisor", max_assigned_chat=0, profile_status="away",
                           status="disabled", attributes={}, settings={"email": {}}, dry_run=False),
             "team.update", {"project_user_id": TM, "project_id": DEMO_PROJECT, "role": "supervisor", "max_assigned_chat": 0,
                             "profileStatus": "away", "status": "disabled", "attributes": {}, "settings": {"email": {}},
                             "dry_run": False}),
            (c.team.update_me(user_available=True), "team.updateMe", {"user_available": True}),
            (c.team.update_me(DEMO_PROJECT, max_assigned_chat=3, profile_status="x", attributes={"k": "v"},
                              settings={"email": {"notification": {"conversation": {"pooled": False}}}}, dry_run=True),
             "team.updateMe", {"project_id": DEMO_PROJECT, "max_assigned_chat": 3, "profileStatus": "x",
                               "attributes": {"k": "v"},
                               "settings": {"email": {"notification": {"conversation": {"pooled": False}}}}, "dry_run": True}),
            (c.team.leave(TM), "team.leave", {"project_user_id": TM}),
            (c.team.leave(TM, DEMO_PROJECT, mode="trash", dry_run=True), "team.leave",
             {"project_user_id": TM, "project_id": DEMO_PROJECT, "mode": "trash", "dry_run": True}),
            (c.team.restore(TM), "team.restore", {"project_user_id": TM}),
            (c.team.restore(TM, DEMO_PROJECT, dry_run=True), "team.restore",
             {"project_user_id": TM, "project_id": DEMO_PROJECT, "dry_run": True}),
            (c.auth.signin("owner@example.com", "pw"), "auth.signin", {"email": "owner@example.com", "password": "pw"}),
            (c.discover(), "rpc.discover", None),
            (c.ping(), "ping", None),
            (c.call("x.y", [1, 2]), "x.y", [1, 2]),
        ]
        for result, method, params in cases:
            with self.subTest(method=method, params=params):
                self.assertEqual(self.sent(result), {"method": method, "params": params})

    def test_params_must_be_structured(self) -> None:
        with self.assertRaises(TypeError):
            self.client.call("ping", "not an object")  # type: ignore[arg-type]
        with self.assertRaises(ValueError):
            self.client.call("ping", {"x": float("nan")})
        with self.assertRaises(TypeError):
            self.client.call("ping", {"x": object()})
        self.assertEqual(self.client.ping()["method"], "ping")  # still usable

    def test_wire_errors_become_classes(self) -> None:
        with self.assertRaises(NotFound) as ctx:
            self.client.call("error", {"code": 404, "message": "Object not found.", "data": {"retryable": False, "http_status": 404}})
        self.assertEqual(ctx.exception.code, 404)
        self.assertEqual(ctx.exception.http_status, 404)
        with self.assertRaises(TiledeskRPCError) as ctx2:
            self.client.call("error", {"code": 12345, "message": "odd"})
        self.assertIs(type(ctx2.exception), TiledeskRPCError)

    def test_line_limit_is_enforced_before_sending(self) -> None:
        with fake("echo_bridge.py", "--max-line-bytes", "200") as small:
            self.assertEqual(small.ping()["method"], "ping")
            with self.assertRaises(InvalidRequest):
                small.call("x", {"blob": "y" * 300})
            with small.batch() as batch:
                items = [batch.call("x", {"blob": "y" * 60}) for _ in range(5)]
            self.assertIsInstance(items[0].exception(), InvalidRequest)
            self.assertEqual(small.ping()["method"], "ping")


class EnvironmentTests(unittest.TestCase):
    CALLER = {"SECRET_OF_CALLER": "x", "TILEDESK_TOKEN": "from-caller", "TILEDESK_LOG_LEVEL": "info", "TILEDESK_RPC_BIN": "/x"}

    def env_of(self, **kwargs: Any) -> Dict[str, str]:
        with mock.patch.dict(os.environ, self.CALLER):
            with fake("echo_bridge.py", **kwargs) as c:
                return cast(Dict[str, str], c.call("env"))

    @staticmethod
    def tiledesk(env: Dict[str, str]) -> Dict[str, str]:
        return {k: v for k, v in env.items() if k.startswith("TILEDESK_")}

    def test_settings_win_over_the_callers_variables(self) -> None:
        env = self.env_of(api_url="http://localhost:8081/api", token="T", email="e@example.com", password="p",
                          project_id=DEMO_PROJECT, log_level="debug", upstream_timeout=7, retries=0, max_rate=2.5,
                          timeout=3, env={"HOME": None, "EXTRA": "1"})
        self.assertNotIn("SECRET_OF_CALLER", env)
        self.assertNotIn("HOME", env)  # removed by env={"HOME": None}
        self.assertEqual(env["EXTRA"], "1")
        self.assertEqual(env.get("PATH"), os.environ.get("PATH"))
        self.assertEqual(self.tiledesk(env), {
            "TILEDESK_API_URL": "http://localhost:8081/api",
            "TILEDESK_TOKEN": "T",
            "TILEDESK_EMAIL": "e@example.com",
            "TILEDESK_PASSWORD": "p",
            "TILEDESK_PROJECT_ID": DEMO_PROJECT,
            "TILEDESK_LOG_LEVEL": "debug",
            "TILEDESK_TIMEOUT": "7",
            "TILEDESK_RETRIES": "0",
            "TILEDESK_MAX_RATE": "2.5",
        })

    def test_the_callers_tiledesk_variables_are_inherited(self) -> None:
        self.assertEqual(self.tiledesk(self.env_of()), {"TILEDESK_TOKEN": "from-caller", "TILEDESK_LOG_LEVEL": "info"})

    def test_a_sandbox_inherits_no_server_or_account(self) -> None:
        self.assertEqual(self.tiledesk(self.env_of(sandbox=True)), {"TILEDESK_SANDBOX": "1", "TILEDESK_LOG_LEVEL": "info"})

    def test_inheriting_can_be_turned_off(self) -> None:
        self.assertEqual(self.tiledesk(self.env_of(inherit_settings=False, retries=1)), {"TILEDESK_RETRIES": "1"})

    def test_constructor_settings_are_the_shared_table(self) -> None:
        params = inspect.signature(TiledeskRPC).parameters
        self.assertLessEqual({name for name, _, _ in SETTINGS}, set(params))

    def test_extra_args(self) -> None:
        with fake("echo_bridge.py", "--sandbox-latency", "2") as c:
            self.assertEqual(c.call("argv"), ["--sandbox-latency", "2"])


class BinaryLookupTests(unittest.TestCase):
    def test_missing_binary_says_how_to_build(self) -> None:
        with self.assertRaises(BridgeNotFound) as ctx:
            TiledeskRPC("/nonexistent/tiledesk-rpc")
        self.assertIn("swift build -c release", str(ctx.exception))
        self.assertIn(".build/release/tiledesk-rpc", str(ctx.exception))

    def test_lookup_order(self) -> None:
        with mock.patch.dict(os.environ, {"TILEDESK_RPC_BIN": sys.executable}):
            self.assertEqual(tiledesk_rpc.find_binary(), sys.executable)
            self.assertEqual(tiledesk_rpc.find_binary(sys.executable), sys.executable)
        with mock.patch.dict(os.environ, {"TILEDESK_RPC_BIN": "/nope/tiledesk-rpc"}):
            with self.assertRaises(BridgeNotFound) as ctx:
                tiledesk_rpc.find_binary()
            self.assertIn("TILEDESK_RPC_BIN", str(ctx.exception))
        env = {k: v for k, v in os.environ.items() if k != "TILEDESK_RPC_BIN"}
        env["PATH"] = str(FAKES)  # nothing called tiledesk-rpc there
        with mock.patch.dict(os.environ, env, clear=True):
            with self.assertRaises(BridgeNotFound) as ctx:
                tiledesk_rpc.find_binary()
            self.assertIn("swift build -c release", str(ctx.exception))
            with self.assertRaises(BridgeNotFound):
                AsyncTiledeskRPC()


class ConcurrencyTests(unittest.TestCase):
    def test_threads_call_at_once(self) -> None:
        with echo() as c:

            def worker(n: int) -> None:
                for i in range(25):
                    if i % 5 == 0:
                        self.assertEqual(c.call("sleep", {"seconds": 0.01 * (n % 3)})["slept"], 0.01 * (n % 3))
                    else:
                        got = c.call(f"m{n}", {"i": i})
                        self.assertEqual((got["method"], got["params"]), (f"m{n}", {"i": i}))

            self.assertEqual(in_threads(16, worker, timeout=30), [])

    def test_answers_out_of_order(self) -> None:
        with echo() as c:
            slow = c.submit("sleep", {"seconds": 0.5})
            fast = c.submit("ping")
            self.assertEqual(fast.result()["method"], "ping")
            self.assertFalse(slow.done())
            self.assertEqual(slow.result(), {"slept": 0.5})


class TimeoutTests(unittest.TestCase):
    def test_timeout_cancels_on_the_bridge_and_swallows_the_late_answer(self) -> None:
        with echo() as c:
            started = time.monotonic()
            with self.assertRaises(CallTimeout) as ctx:
                c.call("sleep", {"seconds": 5}, timeout=0.3)
            self.assertLess(time.monotonic() - started, 2)
            self.assertIsInstance(ctx.exception, TimeoutError)
            self.assertIsInstance(ctx.exception, Cancelled)
            req_id = ctx.exception.data["id"]
            self.assertIn(req_id, c.call("cancels"))
            # the bridge answered -32800 at once; the client dropped it
            self.assertTrue(wait_for(lambda: not c._abandoned, 3))
            self.assertEqual(c.ping()["method"], "ping")

    def test_default_timeout(self) -> None:
        with fake("echo_bridge.py", timeout=0.3) as c:
            with self.assertRaises(CallTimeout):
                c.call("sleep", {"seconds": 5})
            self.assertEqual(c.call("sleep", {"seconds": 0.05}, timeout=5), {"slept": 0.05})

    def test_explicit_cancel_gives_cancelled(self) -> None:
        with echo() as c:
            pending = c.submit("sleep", {"seconds": 5})
            self.assertTrue(pending.cancel())
            with self.assertRaises(Cancelled) as ctx:
                pending.result(5)
            self.assertNotIsInstance(ctx.exception, CallTimeout)
            self.assertEqual(ctx.exception.code, -32800)


class BatchTests(unittest.TestCase):
    def test_batch_is_one_array(self) -> None:
        with echo() as c:
            with c.batch() as batch:
                a = batch.team.list(role="agent")
                b = batch.ping()
                d = batch.call("error", {"code": -32602, "message": "bad", "data": {"field": "x"}})
                e = batch.team.update(TM, user_available=True, dry_run=True)
                self.assertFalse(a.done())
                with self.assertRaises(RuntimeError):
                    a.result()
            self.assertEqual(a.result(), {"method": "team.list", "params": {"role": "agent"}, "batch": True})
            self.assertEqual(b.result()["method"], "ping")
            self.assertTrue(b.result()["batch"])
            self.assertIsInstance(d.exception(), InvalidParams)
            with self.assertRaises(InvalidParams):
                d.result()
            self.assertFalse(d.ok)
            self.assertTrue(a.ok)
            self.assertEqual(cast(Any, e.result())["params"], {"project_user_id": TM, "user_available": True, "dry_run": True})
            self.assertEqual(len({a.id, b.id, d.id, e.id}), 4)

    def test_batch_not_sent_on_exception(self) -> None:
        with echo() as c:
            with self.assertRaises(KeyError):
                with c.batch() as batch:
                    item = batch.ping()
                    raise KeyError("oops")
            self.assertTrue(item.done())
            self.assertFalse(item.ok)
            self.assertEqual(c.ping()["batch"], False)

    def test_batch_timeout(self) -> None:
        with echo() as c:
            with c.batch(timeout=0.3) as batch:
                slow = batch.call("sleep", {"seconds": 5})
                quick = batch.ping()
            # a batch is answered as one line, so the whole batch times out
            self.assertIsInstance(slow.exception(), CallTimeout)
            self.assertIsInstance(quick.exception(), CallTimeout)
            self.assertTrue(wait_for(lambda: not c._abandoned, 3))

    def test_empty_batch(self) -> None:
        with echo() as c:
            with c.batch() as batch:
                pass
            self.assertEqual(len(batch), 0)
            self.assertEqual(c.ping()["method"], "ping")


class BridgeDeathTests(unittest.TestCase):
    def test_dies_mid_call(self) -> None:
        c = fake("dies_after_one_line.py", timeout=10)
        try:
            outcomes: List[BaseException] = []

            def call() -> None:
                try:
                    c.call("team.list")
                except BaseException as exc:  # noqa: BLE001
                    outcomes.append(exc)

            threads = [threading.Thread(target=call) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(10)
            self.assertEqual(len(outcomes), 4)
            for exc in outcomes:
                self.assertIsInstance(exc, BridgeClosed)
            first = outcomes[0]
            assert isinstance(first, BridgeClosed)
            self.assertEqual(first.returncode, 3)
            self.assertIn("simulated crash", first.stderr)
            self.assertIn("simulated crash", str(first))
            self.assertIsInstance(first, ConnectionError)
            self.assertIsInstance(first, TiledeskRPCError)
            # later calls fail at once too
            started = time.monotonic()
            with self.assertRaises(BridgeClosed):
                c.ping()
            self.assertLess(time.monotonic() - started, 3)
            self.assertTrue(c.closed)
        finally:
            c.close()

    def test_a_refused_setting_fails_construction_with_the_bridges_message(self) -> None:
        lines: List[str] = []
        with self.assertRaises(ConfigurationError) as ctx:
            fake("bad_flag.py", on_stderr=lines.append)
        self.assertEqual(str(ctx.exception), "tiledesk-rpc: unknown flag --bogus")
        self.assertEqual(ctx.exception.returncode, 2)
        self.assertEqual(lines, ["tiledesk-rpc: unknown flag --bogus"])

    def test_async_start_fails_the_same_way(self) -> None:
        async def main() -> None:
            client = async_fake("bad_flag.py")
            with self.assertRaises(ConfigurationError):
                await client.ping()
            with self.assertRaises(ConfigurationError):  # the reason stays, call after call
                await client.start()

        asyncio.run(asyncio.wait_for(main(), 30))

    def test_batch_on_dead_bridge(self) -> None:
        with fake("dies_after_one_line.py", "0") as c:
            with self.assertRaises(BridgeClosed):
                c.ping()
            self.assertTrue(wait_for(lambda: c.closed, 5))
            with c.batch() as batch:
                item = batch.ping()
            self.assertIsInstance(item.exception(), BridgeClosed)

    def test_close_kills_a_bridge_that_does_not_exit(self) -> None:
        c = fake("ignores_eof.py", close_timeout=0.5)
        self.assertTrue(wait_for(lambda: "stubborn" in c.stderr_tail, 5))
        pending = c.submit("ping")
        started = time.monotonic()
        code = c.close()
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, 5)
        self.assertIsNotNone(code)
        self.assertNotEqual(code, 0)
        self.assertIsNotNone(c.returncode)
        with self.assertRaises(BridgeClosed):
            pending.result(1)
        with self.assertRaises(BridgeClosed):
            c.ping()
        self.assertEqual(c.close(), code)  # idempotent

    def test_close_with_a_writer_stuck_on_a_full_pipe(self) -> None:
        c = fake("never_reads.py", close_timeout=0.5)
        outcome: List[BaseException] = []

        def big_call() -> None:
            try:
                c.call("x", {"blob": "y" * 2_000_000})  # far more than a pipe holds
            except BaseException as exc:  # noqa: BLE001
                outcome.append(exc)

        writer = threading.Thread(target=big_call)
        writer.start()
        time.sleep(0.3)
        started = time.monotonic()
        c.close()
        self.assertLess(time.monotonic() - started, 5)
        writer.join(5)
        self.assertFalse(writer.is_alive())
        self.assertEqual(len(outcome), 1)
        self.assertIsInstance(outcome[0], BridgeClosed)

    def test_close_lets_calls_in_flight_finish(self) -> None:
        c = echo()
        pending = c.submit("sleep", {"seconds": 0.3})
        self.assertEqual(c.close(), 0)
        self.assertEqual(pending.result(1), {"slept": 0.3})


class AsyncMechanicsTests(unittest.TestCase):
    def run_async(self, coro: Any) -> Any:
        return asyncio.run(asyncio.wait_for(coro, 30))

    def test_calls_at_once(self) -> None:
        async def main() -> None:
            async with async_fake("echo_bridge.py") as c:
                results = await asyncio.gather(*(c.call(f"m{i}", {"i": i}) for i in range(100)))
                for i, got in enumerate(results):
                    self.assertEqual((got["method"], got["params"]), (f"m{i}", {"i": i}))
                updated: Any = await c.team.update(TM, user_available=False, profile_status="away")
                self.assertEqual(updated["params"], {"project_user_id": TM, "user_available": False, "profileStatus": "away"})
                self.assertEqual((await c.ping())["method"], "ping")
                self.assertEqual((await c.discover())["method"], "rpc.discover")

        self.run_async(main())

    def test_timeout_and_task_cancellation(self) -> None:
        async def main() -> None:
            async with async_fake("echo_bridge.py") as c:
                with self.assertRaises(CallTimeout) as ctx:
                    await c.call("sleep", {"seconds": 5}, timeout=0.2)
                first = ctx.exception.data["id"]
                task = asyncio.ensure_future(c.call("sleep", {"seconds": 5}))
                await asyncio.sleep(0.2)
                task.cancel()
                with self.assertRaises(asyncio.CancelledError):
                    await task
                cancels = await c.call("cancels")
                self.assertIn(first, cancels)
                self.assertEqual(len(cancels), 2)
                for _ in range(100):
                    if not c._abandoned:
                        break
                    await asyncio.sleep(0.02)
                self.assertFalse(c._abandoned)

        self.run_async(main())

    def test_batch(self) -> None:
        async def main() -> None:
            async with async_fake("echo_bridge.py") as c:
                async with c.batch() as batch:
                    a = batch.user.get()
                    b = batch.call("error", {"code": 409, "message": "conflict"})
                self.assertEqual(a.result(), {"method": "user.get", "batch": True})
                self.assertEqual(b.exception().code, 409)  # type: ignore[union-attr]

        self.run_async(main())

    def test_bridge_death_and_close(self) -> None:
        async def main() -> None:
            c = async_fake("dies_after_one_line.py")
            results = await asyncio.gather(c.ping(), c.ping(), return_exceptions=True)
            for r in results:
                self.assertIsInstance(r, BridgeClosed)
            self.assertIn("simulated crash", results[0].stderr)  # type: ignore[union-attr]
            self.assertEqual(await c.aclose(), 3)

            stuck = async_fake("ignores_eof.py", close_timeout=0.5)
            await stuck.start()
            started = time.monotonic()
            code = await stuck.aclose()
            self.assertLess(time.monotonic() - started, 5)
            self.assertNotEqual(code, 0)
            with self.assertRaises(BridgeClosed):
                await stuck.ping()

        self.run_async(main())


if __name__ == "__main__":
    unittest.main()
