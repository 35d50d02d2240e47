#!/usr/bin/env python3
"""Who changed what in a Tiledesk team: the project's activity log, newest first, every page of it.

    python3 activity_log.py --since 2026-03-01
    python3 activity_log.py --user 65f0000000000000000000a3 --verbs PROJECT_USER_INVITE,PROJECT_USER_DELETE

The server keeps 30 days of entries, and records them only where its activity history is
enabled; reading the log needs an admin. Against a real Tiledesk the bridge reads
``TILEDESK_TOKEN`` (or ``TILEDESK_EMAIL`` / ``TILEDESK_PASSWORD``), ``TILEDESK_API_URL`` and
``TILEDESK_PROJECT_ID`` from the environment.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, List, Optional

from _bridge import add_bridge_arguments, start_client
from tiledesk_rpc import Activity, TiledeskRPCError


def line(activity: Activity) -> str:
    """``2026-03-01 10:00  Olivia Owner  invited ...``: when, who, what (the server's own words
    where it has them, else the verb and whom it concerns)."""
    when = str(activity.get("createdAt", ""))[:16].replace("T", " ")
    actor: Any = activity.get("actor") or {}
    target: Any = activity.get("target") or {}
    what = activity.get("message") or f"{activity.get('verb')} {target.get('type', '')} {target.get('id', '')}".rstrip()
    return f"{when:<16}  {str(actor.get('name') or actor.get('id') or '?'):<20}  {what}"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="The team's activity log, newest first.")
    parser.add_argument("--since", help="from this day on (YYYY-MM-DD)")
    parser.add_argument("--until", help="up to this day (YYYY-MM-DD)")
    parser.add_argument("--user", help="only entries involving this user id")
    parser.add_argument("--verbs", help="comma-separated verbs (default: the team's)")
    parser.add_argument("--limit", type=int, help="stop after this many entries")
    add_bridge_arguments(parser, dry_run=False)
    args = parser.parse_args(argv)

    client = start_client(args, "activity_log", timeout=120)
    if client is None:
        return 2
    verbs: Any = args.verbs.split(",") if args.verbs else None  # the bridge checks each verb
    shown = 0
    with client:
        try:
            for activity in client.activity.iterate(args.project_id, verbs=verbs, user_id=args.user, since=args.since,
                                                    until=args.until, limit=100):
                print(line(activity))
                shown += 1
                if args.limit is not None and shown >= args.limit:
                    break
        except TiledeskRPCError as exc:
            print(f"activity_log: {exc}", file=sys.stderr)
            return 1
    print(f"{shown} entr{'y' if shown == 1 else 'ies'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
