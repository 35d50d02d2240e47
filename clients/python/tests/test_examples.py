"""The README example and the example scripts, run against the sandbox."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Dict, List

from tiledesk_rpc import NotFound

from .support import BINARY, CLIENT_ROOT, fake_binary, requires_binary, sandbox

EXAMPLES = CLIENT_ROOT / "examples"


def run(args: List[str], stdin: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, TILEDESK_RPC_BIN=BINARY, PYTHONPATH=str(CLIENT_ROOT))
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=60, cwd=str(CLIENT_ROOT),
                          input=stdin)


def rows(text: str) -> Dict[str, str]:
    """The lines of a table by their second word (the e-mail), for the plan's rows."""
    return {line.split()[1] + " " + line.split()[0]: line for line in text.splitlines() if len(line.split()) > 1}


@requires_binary
class ExampleTests(unittest.TestCase):
    def readme_blocks(self) -> List[str]:
        return re.findall(r"```python\n(.*?)```", (CLIENT_ROOT / "README.md").read_text(encoding="utf-8"), re.S)

    def run_block(self, marker: str) -> str:
        block = next(b for b in self.readme_blocks() if marker in b)
        done = run(["-c", block])
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout

    def test_readme_five_lines(self) -> None:
        lines = self.run_block("for teammate in client.team.list()").splitlines()
        self.assertEqual(len(lines), 4, lines)
        self.assertIn("65f0000000000000000000b1 owner True", lines)
        self.assertIn("65f0000000000000000000b4 agent False", lines)

    def test_readme_helpers_batch_asyncio_and_errors(self) -> None:
        self.assertEqual(self.run_block("get_by_user"), "added\n")
        self.assertTrue(self.run_block("with client.batch() as batch:\n        team").startswith("4 agent [-32602] "))
        self.assertEqual(self.run_block("AsyncTiledeskRPC(sandbox=True)"), "4 owner {}\n")
        errors = self.run_block("except Conflict")
        self.assertTrue(errors.startswith("409 "), errors)
        self.assertTrue(errors.endswith("existing\n"), errors)

    def test_readme_roster_sync(self) -> None:
        out = self.run_block("def bar(report: Progress)")
        self.assertIn("update alice@example.com {'role': {'from': 'agent', 'to': 'supervisor'}}\n", out)
        self.assertTrue(out.endswith("5 applied, 0 failed\n"), out)
        reports = [line for line in out.splitlines() if "/5 " in line]
        self.assertTrue(len(reports) == 0 or len(reports) >= 5, out)  # one at least per action when the bridge reports progress

    def test_bulk_invite(self) -> None:
        done = run(["examples/bulk_invite.py", "--sandbox", "examples/team.csv"])
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        rows = {line.split()[2]: line for line in done.stdout.splitlines() if line.startswith("line ")}
        self.assertIn("ok      added", rows["nina@example.com"])
        self.assertIn("ok      pending", rows["new.hire@example.com"])
        self.assertIn("FAILED  409", rows["alice@example.com"])
        self.assertIn("FAILED  409", rows["pending@example.com"])
        self.assertIn("FAILED  -32602", rows["not-an-email"])
        self.assertIn("FAILED  -32602", rows["dave@example.com"])
        self.assertIn("3 of 7 rows succeeded", done.stdout)

    def test_bulk_invite_dry_run_and_ensure(self) -> None:
        done = run(["examples/bulk_invite.py", "--sandbox", "--dry-run", "--ensure", "examples/team.csv"])
        rows = {line.split()[2]: line for line in done.stdout.splitlines() if line.startswith("line ")}
        self.assertIn("would send POST", rows["nina@example.com"])
        self.assertIn("ok      nothing to send: existing", rows["alice@example.com"])  # --ensure: an existing member is fine
        self.assertIn("FAILED  -32602", rows["not-an-email"])  # dry runs fail where the real call would
        self.assertIn("nothing was sent", done.stdout)
        self.assertEqual(done.returncode, 1)

    def test_bulk_invite_usage_errors(self) -> None:
        self.assertEqual(run(["examples/bulk_invite.py", "--sandbox", "missing.csv"]).returncode, 2)

    def test_shift_availability(self) -> None:
        done = run(["examples/shift_availability.py", "--sandbox", "bob@example.com", "65f0000000000000000000b1"])
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        out = {line.split()[0]: line for line in done.stdout.splitlines() if "@" in line.split()[0]}
        self.assertIn("skipped: the owner is never changed (listed on shift)", out["owner@example.com"])
        self.assertIn("set available", out["bob@example.com"])
        self.assertIn("set unavailable", out["alice@example.com"])
        self.assertIn("skipped: not on shift, role not managed", out["admin@example.com"])
        self.assertIn("2 changed, 0 unchanged, 0 failed", done.stdout)
        admin_on_shift = run(["examples/shift_availability.py", "--sandbox", "--dry-run", "admin@example.com", "--roles", "agent,admin"])
        self.assertIn("unchanged: already available", admin_on_shift.stdout)
        self.assertIn("would set unavailable", admin_on_shift.stdout)

    def test_shift_availability_dry_run_and_unknown(self) -> None:
        done = run(["examples/shift_availability.py", "--sandbox", "--dry-run", "alice@example.com"])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("unchanged: already available", done.stdout)
        self.assertIn("unchanged: already unavailable", done.stdout)
        self.assertIn("0 would change, 2 unchanged, 0 failed", done.stdout)
        unknown = run(["examples/shift_availability.py", "--sandbox", "nobody@example.com"])
        self.assertEqual(unknown.returncode, 2)
        self.assertIn("nobody@example.com", unknown.stderr)


@requires_binary
class RosterSyncExampleTests(unittest.TestCase):
    """examples/sync_roster.py against the sandbox (examples/roster.csv names its people)."""

    def test_the_plan_then_no(self) -> None:
        done = run(["examples/sync_roster.py", "--sandbox", "examples/roster.csv"])  # no answer: no
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        plan = rows(done.stdout)
        self.assertIn("role: agent → supervisor", plan["alice@example.com update"])
        self.assertIn("user_available: false → true", plan["bob@example.com update"])
        self.assertIn("Night shift", plan["bob@example.com add_to_group"])
        self.assertIn("as agent", plan["sam.new@example.com invite"])
        self.assertIn("5 action(s) (invite 2, update 2, add_to_group 1); 1 unchanged", done.stdout)
        self.assertIn("waiting to sign up before joining Support team: nina@example.com", done.stdout)
        self.assertTrue(done.stdout.endswith("Apply these 5 change(s)? [y/N] Nothing was changed.\n"), done.stdout)

    def test_yes_applies_with_a_line_per_report(self) -> None:
        done = run(["examples/sync_roster.py", "--sandbox", "examples/roster.json"], stdin="y\n")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("Applied 5 of 5 action(s) (invite 2, update 2, add_to_group 1); 1 unchanged.", done.stdout)
        reports = [line for line in done.stderr.splitlines() if line.startswith("[")]
        if reports:  # a bridge that reports progress: at least one report per action, the last complete
            self.assertGreaterEqual(len(reports), 5, done.stderr)
            self.assertIn("] 5/5 ", reports[-1])

    def test_dry_run_and_absent(self) -> None:
        done = run(["examples/sync_roster.py", "--sandbox", "--dry-run", "--invitations", "cancel", "examples/roster.csv"])
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("cancel_invitation  pending@example.com", done.stdout)
        self.assertTrue(done.stdout.endswith("Dry run: nothing was changed.\n"), done.stdout)

    def test_a_bad_roster_names_its_line(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            bad_role = Path(folder, "team.csv")
            bad_role.write_text("email,role\nalice@example.com,agent\nbob@example.com,owner\n", encoding="utf-8")
            done = run(["examples/sync_roster.py", "--sandbox", str(bad_role)])
            self.assertEqual(done.returncode, 2)
            self.assertIn("team.csv line 3: role 'owner'", done.stderr)
            bad_group = Path(folder, "groups.json")
            bad_group.write_text('[\n{"email": "alice@example.com", "role": "agent"},\n'
                                 '{"email": "bob@example.com", "role": "agent", "groups": ["Nope"]}\n]', encoding="utf-8")
            done = run(["examples/sync_roster.py", "--sandbox", str(bad_group)])
            self.assertEqual(done.returncode, 2)
            self.assertIn("groups.json line 3 (groups[0]): ", done.stderr)  # the bridge's refusal, placed in the file
            self.assertIn('"Nope"', done.stderr)


class FakeBridgeExampleTests(unittest.TestCase):
    """The examples against the fake bridge (tests/fakes/team_bridge.py) for what the real one
    does not serve yet or does only by chance: progress reports, a failing action, team changes."""

    def test_sync_roster_progress_bar_and_a_failed_action(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            roster = Path(folder, "team.csv")
            roster.write_text("email,role,user_available\nalice@example.com,supervisor,\nbob@example.com,agent,yes\n"
                              "zoe@example.com,agent,\nfail@example.com,agent,\n", encoding="utf-8")
            done = run(["examples/sync_roster.py", "--binary", fake_binary("team_bridge.py"), "--yes", str(roster)])
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertEqual(done.stderr.splitlines(), [
            "[#######.......................] 1/4 update alice@example.com",
            "[###############...............] 2/4 update bob@example.com",
            "[######################........] 3/4 invite zoe@example.com",
            "[##############################] 4/4 invite fail@example.com",
        ])
        self.assertIn("Applied 3 of 4 action(s) (update 2, invite 1); 0 unchanged.", done.stdout)
        self.assertIn("FAILED invite fail@example.com: [502] the server answered 502", done.stdout)

    def test_watch_team_redraws_at_each_change(self) -> None:
        done = run(["examples/watch_team.py", "--binary", fake_binary("team_bridge.py"), "--changes", "3"])
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        boards = done.stdout.strip().split("\n\n")
        self.assertEqual(len(boards), 5)  # the first, then one per change and one for the failed poll
        self.assertRegex(boards[0], r"\nBob Test <bob@example.com> +agent +no +offline\n")
        self.assertRegex(boards[1], r"\nBob Test <bob@example.com> +agent +yes +offline\n")
        self.assertIn("updated: user_available false → true", boards[1])
        self.assertIn("poll failed, still watching: [503] upstream unreachable", boards[2])
        self.assertIn("Pat Test <pending@example.com>", boards[4])
        self.assertIn("5 teammate(s); invited: nobody", boards[4])
        once = run(["examples/watch_team.py", "--binary", fake_binary("team_bridge.py"), "--once"])
        self.assertEqual(once.stdout.count("TEAMMATE"), 1)
        self.assertIn("4 teammate(s); invited: pending@example.com (agent)", once.stdout)

    def test_activity_log_pages_through(self) -> None:
        done = run(["examples/activity_log.py", "--binary", fake_binary("team_bridge.py")])
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.splitlines()
        self.assertEqual(lines[-1], "7 entries")
        self.assertEqual(lines[0], "2026-02-07 10:00  Olivia Owner          Bob Test changed availability status to available (7)")
        self.assertEqual(lines[1], "2026-02-06 10:00  Olivia Owner          PROJECT_USER_UPDATE project_user 65f0000000000000000000b4")
        self.assertEqual(run(["examples/activity_log.py", "--binary", fake_binary("team_bridge.py"), "--limit", "2"]).stdout.splitlines()[-1],
                         "2 entries")


@requires_binary
class SandboxOnlyExampleTests(unittest.TestCase):
    """The invitations example against the sandbox, and the others where it serves their methods."""

    def test_stale_invitations(self) -> None:
        listed = run(["examples/stale_invitations.py", "--sandbox", "--older-than", "30"])
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertRegex(listed.stdout, r"^pending@example.com +agent +\d+ days\n1 of 1 pending invitation\(s\) older than 30 days\n$")
        self.assertIn("0 of 1 pending invitation(s) older than 100000 days",
                      run(["examples/stale_invitations.py", "--sandbox", "--older-than", "100000"]).stdout)
        resent = run(["examples/stale_invitations.py", "--sandbox", "--older-than", "30", "--resend"])
        self.assertRegex(resent.stdout, r"pending@example.com .* days  resent\n")
        preview = run(["examples/stale_invitations.py", "--sandbox", "--older-than", "30", "--cancel", "--dry-run"])
        self.assertIn("would send DELETE ", preview.stdout)
        self.assertIn("/pendinginvitations/65f0000000000000000000c1", preview.stdout)
        self.assertIn("(dry run: nothing was sent)", preview.stdout)
        cancelled = run(["examples/stale_invitations.py", "--sandbox", "--older-than", "30", "--cancel"])
        self.assertRegex(cancelled.stdout, r"pending@example.com .* days  cancelled\n")
        self.assertEqual(run(["examples/stale_invitations.py", "--sandbox", "--resend", "--cancel"]).returncode, 2)

    def test_watch_team_once(self) -> None:
        with sandbox() as client:
            if "team.watch" not in {m["name"] for m in client.discover()["methods"]}:
                self.skipTest("SKIPPED: this bridge has no team.watch yet (rpc.discover lacks it)")
        done = run(["examples/watch_team.py", "--sandbox", "--once"])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("4 teammate(s); invited: pending@example.com (agent)", done.stdout)

    def test_activity_log(self) -> None:
        with sandbox() as client:
            try:
                client.activity.list(limit=1)
            except NotFound as exc:
                self.skipTest(f"SKIPPED: this sandbox does not serve the activity log yet: {exc.message[:80]}")
        done = run(["examples/activity_log.py", "--sandbox"])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertRegex(done.stdout, r"\d+ entr(y|ies)\n$")


if __name__ == "__main__":
    unittest.main()
