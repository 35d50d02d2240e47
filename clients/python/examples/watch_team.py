#!/usr/bin/env python3
"""A live board of a Tiledesk team: who is there, their role, whether they take chats, who is
invited; redrawn each time the bridge finds a change (``team.watch``). ^C stops it.

On a terminal the board is redrawn in place; piped into a file, each version is printed after
the last. A failed poll is shown on the board and the watch goes on.

    python3 watch_team.py --sandbox
    python3 watch_team.py --interval 10 --project-id 65f0...
    python3 watch_team.py --once            # print the board and stop

Against a real Tiledesk the bridge reads ``TILEDESK_TOKEN`` (or ``TILEDESK_EMAIL`` /
``TILEDESK_PASSWORD``), ``TILEDESK_API_URL`` and ``TILEDESK_PROJECT_ID`` from the environment.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, List, Optional

from _bridge import add_bridge_arguments, shown, start_client
from tiledesk_rpc import BridgeClosed, TeamChange, TeamView, TiledeskRPCError, WatchError

CLEAR = "\x1b[H\x1b[2J"


def person(teammate: Any) -> str:
    """``Alice Agent <alice@example.com>`` for a teammate whose user is populated."""
    user = teammate.get("id_user")
    if not isinstance(user, dict):
        return str(user or teammate.get("id"))
    name = " ".join(part for part in (user.get("firstname"), user.get("lastname")) if part)
    return f"{name} <{user.get('email')}>" if name else str(user.get("email"))


def describe(change: TeamChange) -> str:
    """One line for a change: who, and what happened."""
    if "invitation" in change:
        who = str(change["invitation"].get("email"))
    else:
        who = person(change.get("teammate") or {})
    fields = ", ".join(f"{name} {shown(diff.get('from'))} → {shown(diff.get('to'))}" for name, diff in (change.get("fields") or {}).items())
    return f"{who} {change['kind'].replace('_', ' ')}" + (f": {fields}" if fields else "")


def board(view: TeamView, news: List[str]) -> str:
    """The board's text: the teammates (available ones first), the invitations, the latest news."""
    lines = [f"{'TEAMMATE':<40} {'ROLE':<11} {'TAKES CHATS':<12} PRESENCE"]
    teammates = sorted(view.teammates.values(), key=lambda t: (not t.get("user_available"), person(t).lower()))
    for teammate in teammates:
        presence = teammate.get("presence") or {}
        available = "yes" if teammate.get("user_available") else "no"
        status = presence.get("status", "") if isinstance(presence, dict) else ""
        disabled = " (disabled)" if teammate.get("status") == "disabled" else ""
        lines.append(f"{person(teammate):<40} {teammate.get('role', '?'):<11} {available:<12} {status}{disabled}")
    invited = ", ".join(f"{i.get('email')} ({i.get('role')})" for i in view.invitations.values())
    lines.append(f"{len(view.teammates)} teammate(s); invited: {invited or 'nobody'}")
    lines.extend(news[-5:])
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="A live board of the team: redrawn at each change the bridge finds.")
    parser.add_argument("--interval", type=int, help="seconds between polls (default 30, at least 5)")
    parser.add_argument("--once", action="store_true", help="print the board once and stop")
    parser.add_argument("--changes", type=int, help="stop after this many changes")
    add_bridge_arguments(parser, dry_run=False)
    args = parser.parse_args(argv)

    client = start_client(args, "watch_team", timeout=60)
    if client is None:
        return 2
    live = sys.stdout.isatty()

    def draw(view: TeamView, news: List[str]) -> None:
        print((CLEAR if live else "") + board(view, news) + ("" if live else "\n"), flush=True)

    news: List[str] = []
    with client:
        try:
            watch = client.team.watch(args.project_id, interval=args.interval)
        except TiledeskRPCError as exc:
            print(f"watch_team: cannot watch the team: {exc}", file=sys.stderr)
            return 2
        with watch:
            draw(watch, news)
            seen = 0
            while not args.once and (args.changes is None or seen < args.changes):
                try:
                    for change in watch:
                        news.append(f"{time.strftime('%H:%M:%S')} {describe(change)}")
                        draw(watch, news)
                        seen += 1
                        if args.changes is not None and seen >= args.changes:
                            break
                except WatchError as exc:  # reported once per streak of failed polls
                    news.append(f"{time.strftime('%H:%M:%S')} poll failed, still watching: {exc}")
                    draw(watch, news)
                except (KeyboardInterrupt, BridgeClosed):
                    break
    return 0


if __name__ == "__main__":
    sys.exit(main())
