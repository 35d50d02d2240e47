#!/usr/bin/env python3
"""List a Tiledesk project's pending invitations older than some days, and resend or cancel them.

Without ``--resend`` or ``--cancel`` it only lists them. ``--dry-run`` checks each resend or
cancel as the bridge would and says what it would send. Exits 1 if one failed, 2 on a usage
problem.

    python3 stale_invitations.py --sandbox --older-than 30
    python3 stale_invitations.py --sandbox --older-than 30 --resend
    python3 stale_invitations.py --sandbox --older-than 90 --cancel --dry-run

Against a real Tiledesk the bridge reads ``TILEDESK_TOKEN`` (or ``TILEDESK_EMAIL`` /
``TILEDESK_PASSWORD``), ``TILEDESK_API_URL`` and ``TILEDESK_PROJECT_ID`` from the environment.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from typing import Any, List, Optional, Tuple

from _bridge import add_bridge_arguments, start_client
from tiledesk_rpc import Invitation, TiledeskRPC, TiledeskRPCError


def age_in_days(invitation: Invitation, now: datetime) -> Optional[float]:
    """How long ago the invitation was sent (``createdAt``), or None when the server did not say."""
    created = invitation.get("createdAt")
    if not isinstance(created, str):
        return None
    try:
        when = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (now - when).total_seconds() / 86400


def act(client: TiledeskRPC, invitation: Invitation, args: argparse.Namespace) -> Tuple[bool, str]:
    """Resend or cancel one invitation; (ok, what happened)."""
    helper: Any = client.invitation.resend if args.resend else client.invitation.cancel
    verb = "resent" if args.resend else "cancelled"
    try:
        if args.dry_run:
            request = helper(invitation["id"], args.project_id, dry_run=True)["request"]
            return True, f"would send {request.get('method')} {request.get('url')}"
        helper(invitation["id"], args.project_id)
    except TiledeskRPCError as exc:
        return False, f"FAILED {exc}"
    return True, verb


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Pending invitations older than N days: list them, resend or cancel them.")
    parser.add_argument("--older-than", type=float, default=7, metavar="DAYS", help="age in days (default 7)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--resend", action="store_true", help="send each invitation e-mail again")
    action.add_argument("--cancel", action="store_true", help="cancel each invitation")
    add_bridge_arguments(parser)
    args = parser.parse_args(argv)
    if args.older_than < 0:
        parser.error("--older-than takes a number of days, 0 or more")

    client = start_client(args, "stale_invitations", timeout=120)
    if client is None:
        return 2
    now = datetime.now(timezone.utc)
    failed = 0
    with client:
        try:
            invitations = client.invitation.list(args.project_id)
        except TiledeskRPCError as exc:
            print(f"stale_invitations: cannot list the invitations: {exc}", file=sys.stderr)
            return 1
        aged = [(age_in_days(i, now), i) for i in invitations]
        stale = [(age, i) for age, i in aged if age is not None and age >= args.older_than]
        for age, invitation in sorted(stale, key=lambda pair: -pair[0]):
            line = f"{invitation.get('email', '?'):<32} {invitation.get('role', '?'):<11} {age:6.0f} days"
            if args.resend or args.cancel:
                ok, outcome = act(client, invitation, args)
                failed += not ok
                line += f"  {outcome}"
            print(line)
    undated = sum(1 for age, _ in aged if age is None)
    print(f"{len(stale)} of {len(invitations)} pending invitation(s) older than {args.older_than:g} days"
          + (f"; {undated} without a date" if undated else "") + (" (dry run: nothing was sent)" if args.dry_run else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
