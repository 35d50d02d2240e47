#!/usr/bin/env python3
"""Make a Tiledesk team match a roster file: show the plan, ask, apply it with a progress bar.

The roster is a CSV file (columns ``email,role,user_available,groups``; groups separated by
``;``) or a JSON file (an array of entries, or ``{"roster": [...]}``). The plan lists every
change (invitations, role and availability updates, group memberships, and with ``--absent`` /
``--invitations`` the people to remove); nothing changes until you say yes (or pass ``--yes``).
The apply refuses to run if the team changed since the plan was shown. Exits 0 when the team
matches (or on ``--dry-run``), 1 when an action failed or you said no, 2 on a usage problem.

Offline, against the bridge's sandbox::

    python3 sync_roster.py --sandbox roster.csv
    python3 sync_roster.py --sandbox --yes --absent disable roster.json

Against a real Tiledesk the bridge reads ``TILEDESK_TOKEN`` (or ``TILEDESK_EMAIL`` /
``TILEDESK_PASSWORD``), ``TILEDESK_API_URL`` and ``TILEDESK_PROJECT_ID`` from the environment.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any, Dict, List, Optional, TextIO

from _bridge import add_bridge_arguments, shown, start_client
from tiledesk_rpc import Conflict, InvalidParams, Progress, Roster, RosterError, RosterPlan, TiledeskRPCError, read_roster

BAR_WIDTH = 30


def describe(action: Dict[str, Any]) -> str:
    """What an action of the plan changes, in a few words."""
    changes = action.get("changes") or {}
    if changes:
        return ", ".join(f"{field}: {shown(change.get('from'))} → {shown(change.get('to'))}" for field, change in changes.items())
    if action["action"] == "invite":
        return f"as {action.get('role')}"
    return str(action.get("group") or action.get("group_id") or "")


def print_plan(plan: RosterPlan) -> None:
    actions = plan["actions"]
    if actions:
        width = max(len(a["email"]) for a in actions)
        print(f"{'ACTION':<18} {'EMAIL':<{width}}  CHANGE")
        for action in actions:
            print(f"{action['action']:<18} {action['email']:<{width}}  {describe(action)}")
    counts = ", ".join(f"{name} {count}" for name, count in plan["summary"].items())
    print(f"{len(actions)} action(s){f' ({counts})' if counts else ''}; {plan['unchanged']} unchanged")
    for skipped in plan.get("skipped") or []:
        print(f"skipped: {skipped.get('email')} ({skipped.get('skipped')})")
    for person in plan.get("waiting") or []:
        groups = ", ".join(str(g.get("group") or g.get("group_id")) for g in person.get("groups", []))
        print(f"waiting to sign up before joining {groups}: {person.get('email')}")


class ProgressBar:
    """A bar redrawn in place on a terminal; one line per report elsewhere (a log, a pipe)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()

    def __call__(self, report: Progress) -> None:
        done, total = report.get("done", 0), report.get("total", 0) or 1
        filled = BAR_WIDTH * done // total
        action = report.get("action") or {}
        text = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {action.get('action', '')} {action.get('email', '')}"
        self.stream.write(f"\r{text:<{BAR_WIDTH + 60}}" if self.live else text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.live:
            self.stream.write("\n")


def confirm(count: int) -> bool:
    try:
        return input(f"Apply these {count} change(s)? [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def report(applied: Dict[str, Any]) -> int:
    """Print what the apply did; the exit status."""
    done: List[Dict[str, Any]] = applied["applied"]
    failed: List[Dict[str, Any]] = applied["failed"]
    kinds = Counter(action["action"] for action in done)
    counts = ", ".join(f"{name} {count}" for name, count in kinds.items())
    print(f"Applied {len(done)} of {len(done) + len(failed)} action(s){f' ({counts})' if counts else ''}; {applied['unchanged']} unchanged.")
    for action in failed:
        error = action.get("error") or {}
        print(f"FAILED {action['action']} {action['email']}: [{error.get('code')}] {error.get('message')}")
    return 1 if failed else 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Make the team match a roster (CSV or JSON): plan, confirm, apply.")
    parser.add_argument("roster", help="the roster: a .csv file (email,role,user_available,groups) or a .json file")
    parser.add_argument("--yes", action="store_true", help="apply without asking")
    parser.add_argument("--absent", choices=("keep", "disable", "trash"), help="active teammates not on the roster (default keep)")
    parser.add_argument("--invitations", choices=("keep", "cancel"), help="pending invitations of others (default keep)")
    parser.add_argument("--groups", choices=("add", "exact"), help="exact: also take out of the roster's groups whoever is not listed")
    add_bridge_arguments(parser)
    args = parser.parse_args(argv)

    try:
        roster: Roster = read_roster(args.roster)
    except (OSError, RosterError) as exc:
        print(f"sync_roster: {exc}", file=sys.stderr)
        return 2
    client = start_client(args, "sync_roster", timeout=600)
    if client is None:
        return 2
    options: Dict[str, Any] = {"absent": args.absent, "invitations": args.invitations, "groups": args.groups}

    with client:
        try:
            plan = client.team.plan(roster, args.project_id, **options)
        except InvalidParams as exc:  # a roster entry the bridge refuses: say where it is
            print(f"sync_roster: {roster.where(str(exc._data_get('field') or 'roster'))}: {exc.message}", file=sys.stderr)
            return 2
        except TiledeskRPCError as exc:
            print(f"sync_roster: cannot read the team: {exc}", file=sys.stderr)
            return 1
        print_plan(plan)
        if not plan["actions"]:
            print("Nothing to do: the team matches the roster.")
            return 0
        if args.dry_run:
            print("Dry run: nothing was changed.")
            return 0
        if not args.yes and not confirm(len(plan["actions"])):
            print("Nothing was changed.")
            return 1
        bar = ProgressBar(sys.stderr)
        try:
            applied = client.team.apply(roster, args.project_id, fingerprint=plan["fingerprint"], on_progress=bar, **options)
        except Conflict as exc:
            bar.finish()
            if isinstance(exc.data, dict) and "plan" in exc.data:
                print("The team changed since the plan was shown; nothing was applied. Run again to see the new plan.")
            else:
                print(f"sync_roster: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            bar.finish()
            print("Interrupted: no action was started after that. Run again to see what is left to do.")
            return 130
        except TiledeskRPCError as exc:
            bar.finish()
            print(f"sync_roster: the apply failed: {exc}", file=sys.stderr)
            return 1
        bar.finish()
        return report(applied)


if __name__ == "__main__":
    sys.exit(main())
