#!/usr/bin/env python3
"""Set a Tiledesk team's availability for a shift.

The teammates named on the command line (by e-mail, teammate id or user id) are made
available (``user_available: true``); every other agent of the project is made
unavailable. The project's owner is never touched, nor are disabled teammates.
Teammates already in the right state are left alone. Names that match nobody stop
the run before anything changes. Exits 1 if an update failed, 2 on a usage problem.

Offline, against the bridge's sandbox (Alice and Bob on shift; Adam, an admin, is left as he is)::

    python3 shift_availability.py --sandbox alice@example.com bob@example.com
    python3 shift_availability.py --sandbox --dry-run 65f0000000000000000000b4

Against a real Tiledesk the bridge reads ``TILEDESK_TOKEN`` (or ``TILEDESK_EMAIL`` /
``TILEDESK_PASSWORD``), ``TILEDESK_API_URL`` and ``TILEDESK_PROJECT_ID`` from the environment.
"""

from __future__ import annotations

import argparse
import sys
from typing import Dict, List, Optional, Set

from _bridge import add_bridge_arguments, start_client
from tiledesk_rpc import Teammate, TiledeskRPCError

DEFAULT_ROLES = "agent"


def email_of(teammate: Teammate) -> str:
    user = teammate.get("id_user")
    return str(user.get("email", "")) if isinstance(user, dict) else ""


def user_id_of(teammate: Teammate) -> str:
    user = teammate.get("id_user")
    if isinstance(user, dict):
        return str(user.get("_id") or user.get("id") or "")
    return str(user or "")


def label(teammate: Teammate) -> str:
    return email_of(teammate) or teammate.get("id", "?")


def resolve(team: List[Teammate], names: List[str]) -> Dict[str, Teammate]:
    """Teammate id → teammate for each name; raises LookupError naming the unknown ones."""
    index: Dict[str, Teammate] = {}
    for teammate in team:
        for key in (teammate.get("id"), teammate.get("_id"), user_id_of(teammate), email_of(teammate).lower()):
            if key:
                index.setdefault(key, teammate)
    found: Dict[str, Teammate] = {}
    unknown: List[str] = []
    for name in names:
        match = index.get(name.strip()) or index.get(name.strip().lower())
        if match is None:
            unknown.append(name)
        else:
            found[match["id"]] = match
    if unknown:
        raise LookupError("not in the team: " + ", ".join(unknown))
    return found


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Make the teammates on shift available and every other agent unavailable.")
    parser.add_argument("on_shift", nargs="*", help="e-mail, teammate id or user id of each teammate on shift")
    parser.add_argument("--file", help="read more names from this file, one per line (# starts a comment)")
    parser.add_argument("--roles", default=DEFAULT_ROLES,
                        help=f"roles made unavailable when not on shift (default {DEFAULT_ROLES}); anyone on shift is made available")
    add_bridge_arguments(parser)
    args = parser.parse_args(argv)

    names = list(args.on_shift)
    if args.file:
        try:
            with open(args.file, encoding="utf-8") as f:
                names += [line.split("#", 1)[0].strip() for line in f if line.split("#", 1)[0].strip()]
        except OSError as exc:
            print(f"shift_availability: {exc}", file=sys.stderr)
            return 2
    if not names:
        parser.error("name at least one teammate on shift")
    roles: Set[str] = {r.strip() for r in args.roles.split(",") if r.strip()} - {"owner"}

    client = start_client(args, "shift_availability", timeout=120)
    if client is None:
        return 2

    with client:
        try:
            team = client.team.list(args.project_id)
            on_shift = resolve(team, names)
        except TiledeskRPCError as exc:
            print(f"shift_availability: cannot read the team: {exc}", file=sys.stderr)
            return 2
        except LookupError as exc:
            print(f"shift_availability: {exc.args[0]}; nothing changed", file=sys.stderr)
            return 2

        changed = unchanged = failed = 0
        prefix = "would set" if args.dry_run else "set"
        for teammate in sorted(team, key=lambda t: (t.get("role", ""), label(t))):
            who = f"{label(teammate):<28} {teammate.get('role', '?'):<10}"
            wanted = teammate["id"] in on_shift
            if teammate.get("role") == "owner":
                print(f"{who} skipped: the owner is never changed" + (" (listed on shift)" if wanted else ""))
                continue
            if not wanted and teammate.get("role") not in roles:
                print(f"{who} skipped: not on shift, role not managed (--roles)")
                continue
            if teammate.get("status") == "disabled":
                print(f"{who} skipped: disabled")
                continue
            if teammate.get("user_available", True) == wanted:
                print(f"{who} unchanged: already {'available' if wanted else 'unavailable'}")
                unchanged += 1
                continue
            try:
                client.team.update(
                    teammate["id"], args.project_id, user_available=wanted, dry_run=True if args.dry_run else None
                )
            except TiledeskRPCError as exc:
                print(f"{who} FAILED: {exc}")
                failed += 1
                continue
            print(f"{who} {prefix} {'available' if wanted else 'unavailable'}")
            changed += 1

    verb = "would change" if args.dry_run else "changed"
    print(f"{changed} {verb}, {unchanged} unchanged, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
