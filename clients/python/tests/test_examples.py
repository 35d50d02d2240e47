"""The README example and the example scripts, run against the sandbox."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unittest
from typing import List

from .support import BINARY, CLIENT_ROOT, requires_binary

EXAMPLES = CLIENT_ROOT / "examples"


def run(args: List[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, TILEDESK_RPC_BIN=BINARY, PYTHONPATH=str(CLIENT_ROOT))
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=60, cwd=str(CLIENT_ROOT))


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
        self.assertIn("ok", rows["alice@example.com"])  # --ensure: an existing member is fine
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


if __name__ == "__main__":
    unittest.main()
