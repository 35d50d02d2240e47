"""Every helper against the real bridge in sandbox mode (seed data: protocol/sandbox.md)."""

from __future__ import annotations

import json
import unittest
from typing import Any, List

from tiledesk_rpc import Conflict, Forbidden, NotFound

from .support import (
    ADMIN_TM,
    ALICE_TM,
    ALICE_USER,
    BOB_TM,
    BOB_USER,
    DEMO_PROJECT,
    OPENRPC,
    OWNER_TM,
    OWNER_USER,
    PASSWORD,
    SharedClientTestCase,
    email_of,
    requires_binary,
    sandbox,
)


def ids(teammates: List[Any]) -> List[str]:
    return sorted(t["id"] for t in teammates)


@requires_binary
class ReadHelperTests(SharedClientTestCase):
    """Helpers that change nothing share one bridge."""

    def test_ping(self) -> None:
        self.assertEqual(self.client.ping(), {})

    def test_discover(self) -> None:
        doc = self.client.discover()
        self.assertIn("openrpc", doc)
        names = {m["name"] for m in doc["methods"]}
        for name in ("auth.signin", "user.get", "user.update", "project.list", "team.list", "team.get", "team.getByUser",
                     "team.me", "team.invite", "team.update", "team.updateMe", "team.leave", "team.restore"):
            self.assertIn(name, names)
        if OPENRPC.exists():
            self.assertEqual(doc, json.loads(OPENRPC.read_text(encoding="utf-8")))

    def test_user_get(self) -> None:
        user = self.client.user.get()
        self.assertEqual(user["email"], "owner@example.com")
        self.assertEqual(user["id"], OWNER_USER)

    def test_project_list(self) -> None:
        memberships = self.client.project.list()
        projects = {m["id_project"]["_id"]: m for m in memberships if m.get("id_project")}  # type: ignore[index]
        self.assertIn(DEMO_PROJECT, projects)
        demo = projects[DEMO_PROJECT]
        self.assertEqual(demo["role"], "owner")
        self.assertEqual(demo["id_project"]["name"], "Demo Support")  # type: ignore[index]

    def test_team_list(self) -> None:
        team = self.client.team.list()
        self.assertEqual(ids(team), sorted([OWNER_TM, ADMIN_TM, ALICE_TM, BOB_TM]))
        self.assertEqual(ids(self.client.team.list(DEMO_PROJECT)), ids(team))
        emails = {t["id"]: email_of(t) for t in team}
        self.assertEqual(emails[ALICE_TM], "alice@example.com")

    def test_team_list_filters(self) -> None:
        self.assertEqual(ids(self.client.team.list(role="agent")), sorted([ALICE_TM, BOB_TM]))
        self.assertEqual(ids(self.client.team.list(presence="online")), sorted([OWNER_TM, ALICE_TM]))
        self.assertEqual(ids(self.client.team.list(presence="offline")), sorted([ADMIN_TM, BOB_TM]))
        self.assertEqual(len(self.client.team.list(status="active")), 4)
        self.assertEqual(self.client.team.list(status="disabled"), [])
        self.assertEqual(len(self.client.team.list(include_trashed=True)), 4)

    def test_team_get(self) -> None:
        alice = self.client.team.get(ALICE_TM)
        self.assertEqual(alice["id"], ALICE_TM)
        self.assertEqual(alice["role"], "agent")
        self.assertEqual(email_of(alice), "alice@example.com")
        self.assertFalse(self.client.team.get(BOB_TM, DEMO_PROJECT)["user_available"])

    def test_team_get_by_user(self) -> None:
        bob = self.client.team.get_by_user(BOB_USER)
        self.assertEqual(bob["id"], BOB_TM)
        self.assertEqual(self.client.team.get_by_user(ALICE_USER, DEMO_PROJECT)["id"], ALICE_TM)

    def test_team_me(self) -> None:
        me = self.client.team.me()
        self.assertEqual(me["id"], OWNER_TM)
        self.assertEqual(me["role"], "owner")
        self.assertEqual(self.client.team.me(DEMO_PROJECT)["id"], OWNER_TM)

    def test_not_found(self) -> None:
        with self.assertRaises(NotFound):
            self.client.team.get("65f0000000000000000000ff")
        with self.assertRaises(NotFound):
            self.client.team.get_by_user("65f0000000000000000000ff")


@requires_binary
class WriteHelperTests(unittest.TestCase):
    """Helpers that change the sandbox get a fresh bridge each."""

    def setUp(self) -> None:
        self.client = sandbox()
        self.addCleanup(self.client.close)

    def assertDryRun(self, result: Any, http_method: str) -> None:
        self.assertIs(result.get("dry_run"), True, result)
        self.assertEqual(result["request"]["method"], http_method)
        self.assertIn("url", result["request"])
        self.assertNotIn("sandbox-token", json.dumps(result))

    def test_user_update(self) -> None:
        c = self.client
        preview = c.user.update(firstname="Liv", dry_run=True)
        self.assertDryRun(preview, "PUT")
        self.assertNotEqual(c.user.get().get("firstname"), "Liv")
        updated = c.user.update(firstname="Liv", description="Runs the demo")
        self.assertEqual(updated["firstname"], "Liv")
        self.assertEqual(updated["description"], "Runs the demo")
        self.assertEqual(c.user.get()["firstname"], "Liv")

    def test_invite_added_pending_existing(self) -> None:
        c = self.client
        preview = c.team.invite("nina@example.com", "agent", dry_run=True)
        self.assertDryRun(preview, "POST")
        self.assertEqual(len(c.team.list()), 4)

        added = c.team.invite("nina@example.com", "agent", user_available=False)
        self.assertEqual(added["status"], "added")
        self.assertEqual(added["teammate"]["role"], "agent")
        self.assertFalse(added["teammate"]["user_available"])
        self.assertEqual(len(c.team.list()), 5)

        pending = c.team.invite("newcomer@example.com", "supervisor", DEMO_PROJECT)
        self.assertEqual(pending["status"], "pending")
        self.assertEqual(pending["invitation"]["email"], "newcomer@example.com")
        self.assertEqual(pending["invitation"]["role"], "supervisor")

        existing = c.team.invite("alice@example.com", "agent", ensure=True)
        self.assertEqual(existing["status"], "existing")
        self.assertEqual(existing["teammate"]["id"], ALICE_TM)

    def test_invite_refusals(self) -> None:
        c = self.client
        with self.assertRaises(Conflict):
            c.team.invite("alice@example.com", "agent")
        with self.assertRaises(Conflict):
            c.team.invite("pending@example.com", "agent")
        with self.assertRaises(Forbidden):
            c.team.invite("owner@example.com", "admin")
        with self.assertRaises(Conflict):
            c.team.invite("alice@example.com", "agent", dry_run=True)  # dry runs fail where the real call would

    def test_update(self) -> None:
        c = self.client
        self.assertDryRun(c.team.update(BOB_TM, user_available=True, dry_run=True), "PUT")
        self.assertFalse(c.team.get(BOB_TM)["user_available"])
        bob = c.team.update(BOB_TM, user_available=True, max_assigned_chat=4, profile_status="back")
        self.assertTrue(bob["user_available"])
        self.assertEqual(bob["max_assigned_chat"], 4)
        self.assertEqual(bob["profileStatus"], "back")
        self.assertEqual(c.team.update(BOB_TM, DEMO_PROJECT, role="supervisor")["role"], "supervisor")
        with self.assertRaises(Forbidden):
            c.team.update(OWNER_TM, role="agent")
        with self.assertRaises(Forbidden):
            c.team.update(OWNER_TM, role="agent", dry_run=True)

    def test_update_me(self) -> None:
        c = self.client
        self.assertDryRun(c.team.update_me(user_available=False, dry_run=True), "PUT")
        self.assertTrue(c.team.me()["user_available"])
        me = c.team.update_me(user_available=False, profile_status="lunch")
        self.assertEqual(me["id"], OWNER_TM)
        self.assertFalse(me["user_available"])
        self.assertEqual(me["profileStatus"], "lunch")
        settings = {"email": {"notification": {"conversation": {"assigned": {"toyou": False}, "pooled": True}}}}
        self.assertEqual(c.team.update_me(DEMO_PROJECT, settings=settings)["id"], OWNER_TM)

    def test_leave_and_restore(self) -> None:
        c = self.client
        self.assertDryRun(c.team.leave(ALICE_TM, dry_run=True), "DELETE")
        self.assertEqual(c.team.get(ALICE_TM).get("status"), "active")

        disabled = c.team.leave(ALICE_TM)
        self.assertEqual(disabled["status"], "disabled")
        self.assertEqual(c.team.get(ALICE_TM)["status"], "disabled")

        trashed = c.team.leave(BOB_TM, mode="trash")
        self.assertIs(trashed.get("trashed"), True)
        self.assertNotIn(BOB_TM, ids(c.team.list()))
        self.assertIn(BOB_TM, ids(c.team.list(include_trashed=True)))

        self.assertDryRun(c.team.restore(BOB_TM, dry_run=True), "PUT")
        self.assertNotIn(BOB_TM, ids(c.team.list()))
        restored = c.team.restore(BOB_TM, DEMO_PROJECT)
        self.assertEqual(restored["id"], BOB_TM)
        self.assertFalse(restored.get("trashed", False))
        with self.assertRaises(Conflict):
            c.team.restore(BOB_TM)

        c.team.leave(ADMIN_TM, DEMO_PROJECT, mode="delete")
        with self.assertRaises(NotFound):
            c.team.get(ADMIN_TM)
        with self.assertRaises(Forbidden):
            c.team.leave(OWNER_TM)
        with self.assertRaises(Forbidden):
            c.team.leave(OWNER_TM, mode="trash", dry_run=True)

    def test_signin(self) -> None:
        c = self.client
        result = c.auth.signin("alice@example.com", PASSWORD)
        self.assertTrue(result["token"])
        self.assertEqual(result["user"]["email"], "alice@example.com")
        self.assertEqual(c.user.get()["email"], "alice@example.com")  # later calls use the new token
        self.assertEqual(c.team.me()["id"], ALICE_TM)


if __name__ == "__main__":
    unittest.main()
