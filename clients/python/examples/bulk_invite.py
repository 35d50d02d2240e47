#!/usr/bin/env python3
"""Invite a list of people to a Tiledesk project from a CSV file with columns ``email,role``.

Prints one result line per row and carries on past failures; exits 1 if any row
failed, 2 on a usage problem. Try it offline against the bridge's sandbox::

    python3 bulk_invite.py --sandbox team.csv
    python3 bulk_invite.py --sandbox --dry-run team.csv

Against a real Tiledesk, the bridge reads the usual settings from the environment
(``TILEDESK_TOKEN`` or ``TILEDESK_EMAIL``/``TILEDESK_PASSWORD``, ``TILEDESK_API_URL``,
``TILEDESK_PROJECT_ID``)::

    TILEDESK_TOKEN=... python3 bulk_invite.py --project-id 65f0... team.csv

The bridge binary comes from ``--binary``, ``$TILEDESK_RPC_BIN`` or ``tiledesk-rpc`` on PATH.
"""

from __future__ import annotations

import argparse
import csv
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Tuple

from _bridge import add_bridge_arguments, start_client
from tiledesk_rpc import TiledeskRPC, TiledeskRPCError

Row = Tuple[int, str, str]  # (line number, email, role)


def read_rows(path: str) -> List[Row]:
    """The CSV's rows; its header must name the columns ``email`` and ``role``."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        fields = [name.strip().lower() for name in reader.fieldnames or []]
        if "email" not in fields or "role" not in fields:
            raise ValueError(f"{path}: the first line must be a header with the columns email,role (got {fields})")
        rows = []
        for record in reader:
            values: Dict[str, str] = {(k or "").strip().lower(): (v or "").strip() for k, v in record.items() if k}
            if not any(values.values()):
                continue  # a blank line
            rows.append((reader.line_num, values.get("email", ""), values.get("role", "")))
        return rows


def invite(client: TiledeskRPC, row: Row, args: argparse.Namespace) -> Tuple[bool, str]:
    """Invite one row; returns (ok, the text of its result line)."""
    _, email, text = row
    if not email or not text:
        return False, "FAILED  the row needs both an email and a role"
    role: Any = text  # the bridge checks the role itself (-32602 for one it does not assign)
    try:
        if args.dry_run:
            preview = client.team.invite(email, role, args.project_id, ensure=args.ensure or None, dry_run=True)
            request = preview.get("request")
            if request is None:  # with --ensure, someone already in: nothing would be sent
                return True, f"ok      nothing to send: {preview.get('result', {}).get('status')}"
            return True, f"ok      would send {request.get('method')} {request.get('url')}"
        result = client.team.invite(email, role, args.project_id, ensure=args.ensure or None)
    except TiledeskRPCError as exc:
        return False, f"FAILED  {exc.code} {exc.message}"
    status = result.get("status")
    if status == "pending":
        return True, f"ok      pending: invitation {result.get('invitation', {}).get('id')} e-mailed"
    teammate = result.get("teammate", {})
    return True, f"ok      {status}: teammate {teammate.get('id')} as {teammate.get('role')}"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Invite people listed in a CSV (columns email,role) to a Tiledesk project.")
    parser.add_argument("csv", help="CSV file with a header line: email,role")
    parser.add_argument("--ensure", action="store_true", help="an existing member counts as success")
    add_bridge_arguments(parser)
    parser.add_argument("--concurrency", type=int, default=4, help="invitations in flight at once (default 4)")
    args = parser.parse_args(argv)

    try:
        rows = read_rows(args.csv)
    except (OSError, ValueError, csv.Error) as exc:
        print(f"bulk_invite: {exc}", file=sys.stderr)
        return 2
    client = start_client(args, "bulk_invite", timeout=300)
    if client is None:
        return 2

    failed = 0
    width = max([len(email) for _, email, _ in rows] + [5])
    with client, ThreadPoolExecutor(max_workers=max(1, args.concurrency)) as pool:
        # map() keeps the CSV's order while several invitations are in flight
        for row, (ok, text) in zip(rows, pool.map(lambda r: invite(client, r, args), rows)):
            line, email, role = row
            print(f"line {line:<4} {email:<{width}}  {role or '-':<10}  {text}", flush=True)
            failed += not ok
    print(f"{len(rows) - failed} of {len(rows)} rows succeeded" + (" (dry run: nothing was sent)" if args.dry_run else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
