"""The client against the real bridge: threads at once, asyncio, batches, timeouts."""

from __future__ import annotations

import asyncio
import threading
import time
import unittest
from typing import Any, List

from tiledesk_rpc import AsyncTiledeskRPC, CallTimeout, Conflict, InvalidParams, NotFound, TiledeskRPC

from .support import (
    ADMIN_TM,
    ALICE_TM,
    BINARY,
    BOB_TM,
    BOB_USER,
    DEMO_PROJECT,
    OWNER_TM,
    async_sandbox,
    in_threads,
    requires_binary,
    sandbox,
)
from .vectors import wait_for

SEED = [OWNER_TM, ADMIN_TM, ALICE_TM, BOB_TM]


@requires_binary
class ThreadTests(unittest.TestCase):
    def test_many_threads_at_once(self) -> None:
        barrier = threading.Barrier(12)
        with sandbox() as client:

            def worker(n: int) -> None:
                barrier.wait(10)
                for i in range(10):
                    tm = SEED[(n + i) % 4]
                    self.assertEqual(client.team.get(tm)["id"], tm)
                    self.assertEqual(len(client.team.list()), 4)
                    self.assertEqual(client.ping(), {})

            self.assertEqual(in_threads(12, worker), [])
            self.assertEqual(client.close(), 0)

    def test_concurrent_invites_each_answered(self) -> None:
        results: List[Any] = [None] * 10
        with sandbox() as client:

            def invite(i: int) -> None:
                results[i] = client.team.invite(f"person{i}@example.com", "agent")

            threads = [threading.Thread(target=invite, args=(i,)) for i in range(10)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            self.assertEqual([r["status"] for r in results], ["pending"] * 10)
            self.assertEqual(sorted(r["invitation"]["email"] for r in results), sorted(f"person{i}@example.com" for i in range(10)))


@requires_binary
class BatchTests(unittest.TestCase):
    def test_batch(self) -> None:
        with sandbox() as client:
            with client.batch() as batch:
                team = batch.team.list()
                me = batch.user.get()
                bob = batch.team.get_by_user(BOB_USER, DEMO_PROJECT)
                ping = batch.ping()
                bad = batch.team.get("not-an-id")
                missing = batch.team.get("65f0000000000000000000ff")
                conflict = batch.team.invite("alice@example.com", "agent")
                preview = batch.team.update(BOB_TM, user_available=True, dry_run=True)
            self.assertEqual(len(team.result()), 4)
            self.assertEqual(me.result()["email"], "owner@example.com")
            self.assertEqual(bob.result()["id"], BOB_TM)
            self.assertEqual(ping.result(), {})
            self.assertIsInstance(bad.exception(), InvalidParams)
            self.assertIsInstance(missing.exception(), NotFound)
            self.assertIsInstance(conflict.exception(), Conflict)
            self.assertIs(preview.result()["dry_run"], True)
            self.assertEqual(client.ping(), {})


@requires_binary
class TimeoutTests(unittest.TestCase):
    def test_timeout_cancels_the_call(self) -> None:
        with sandbox(extra_args=["--sandbox-latency", "2"]) as client:
            started = time.monotonic()
            with self.assertRaises(CallTimeout) as ctx:
                client.team.list(timeout=0.5)
            self.assertLess(time.monotonic() - started, 1.5)
            self.assertEqual(ctx.exception.code, -32800)
            # the bridge answers the cancelled call at once with -32800, which the client swallows
            self.assertTrue(wait_for(lambda: not client._abandoned, 1.5), "no -32800 for the cancelled call")
            self.assertEqual(client.ping(timeout=5), {})
            self.assertEqual(len(client.team.list(timeout=10)), 4)
            self.assertEqual(client.close(), 0)

    def test_default_timeout_from_constructor(self) -> None:
        # TILEDESK_TIMEOUT (the bridge's own limit per attempt) kept apart from the client's
        with TiledeskRPC(BINARY, sandbox=True, timeout=1, env={"TILEDESK_TIMEOUT": "30"},
                         extra_args=["--sandbox-latency", "2"]) as client:
            started = time.monotonic()
            with self.assertRaises(CallTimeout):
                client.user.get()
            self.assertLess(time.monotonic() - started, 1.8)


@requires_binary
class AsyncTests(unittest.TestCase):
    def run_async(self, coro: Any) -> Any:
        return asyncio.run(asyncio.wait_for(coro, 60))

    def test_async_helpers(self) -> None:
        async def main() -> None:
            async with async_sandbox() as client:
                self.assertEqual(await client.ping(), {})
                self.assertEqual((await client.user.get())["email"], "owner@example.com")
                self.assertTrue(await client.project.list())
                team, me, alice = await asyncio.gather(client.team.list(), client.team.me(), client.team.get(ALICE_TM))
                self.assertEqual(len(team), 4)
                self.assertEqual(me["id"], OWNER_TM)
                self.assertEqual(alice["id"], ALICE_TM)
                self.assertEqual((await client.team.get_by_user(BOB_USER))["id"], BOB_TM)
                self.assertIs((await client.user.update(firstname="x", dry_run=True))["dry_run"], True)
                invited = await client.team.invite("nina@example.com", "agent")
                self.assertEqual(invited["status"], "added")
                self.assertTrue((await client.team.update(BOB_TM, user_available=True))["user_available"])
                self.assertFalse((await client.team.update_me(user_available=False))["user_available"])
                self.assertTrue((await client.team.leave(ALICE_TM, mode="trash"))["trashed"])
                self.assertEqual((await client.team.restore(ALICE_TM))["id"], ALICE_TM)
                self.assertEqual((await client.auth.signin("bob@example.com", "demo-password"))["user"]["email"], "bob@example.com")
                self.assertIn("methods", await client.discover())
                with self.assertRaises(NotFound):
                    await client.team.get("65f0000000000000000000ff")
                results = await asyncio.gather(*(client.team.get(SEED[i % 4]) for i in range(40)))
                self.assertEqual([r["id"] for r in results], [SEED[i % 4] for i in range(40)])
            self.assertEqual(client.returncode, 0)

        self.run_async(main())

    def test_async_batch_and_timeout(self) -> None:
        async def main() -> None:
            async with async_sandbox() as client:
                async with client.batch() as batch:
                    team = batch.team.list(role="agent")
                    bad = batch.team.invite("bad", "agent")
                self.assertEqual(len(team.result()), 2)
                self.assertIsInstance(bad.exception(), InvalidParams)
            async with AsyncTiledeskRPC(BINARY, sandbox=True, extra_args=["--sandbox-latency", "2"]) as slow:
                started = time.monotonic()
                with self.assertRaises(CallTimeout):
                    await slow.team.list(timeout=0.5)
                self.assertLess(time.monotonic() - started, 1.5)
                self.assertEqual(await slow.ping(timeout=5), {})

        self.run_async(main())


if __name__ == "__main__":
    unittest.main()
