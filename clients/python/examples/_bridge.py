"""Shared by the examples: the bridge flags every example takes, starting the client, and
showing a value."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Optional

from tiledesk_rpc import BridgeNotFound, ConfigurationError, TiledeskRPC


def add_bridge_arguments(parser: argparse.ArgumentParser, dry_run: bool = True) -> None:
    """``--project-id``, ``--sandbox``, ``--binary`` and (for an example that changes things) ``--dry-run``."""
    parser.add_argument("--project-id", help="the project (default: the bridge's default project)")
    parser.add_argument("--sandbox", action="store_true", help="use the bridge's offline sandbox")
    if dry_run:
        parser.add_argument("--dry-run", action="store_true", help="check everything, change nothing")
    parser.add_argument("--binary", help="path of the tiledesk-rpc binary")


def start_client(args: argparse.Namespace, prog: str, timeout: float) -> Optional[TiledeskRPC]:
    """The client the flags ask for (the TILEDESK_* variables of the shell apply too), or None
    after saying on stderr why it could not start."""
    try:
        return TiledeskRPC(args.binary, sandbox=args.sandbox, project_id=args.project_id, timeout=timeout)
    except (BridgeNotFound, ConfigurationError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return None


def shown(value: Any) -> str:
    """A value as the examples print it: text as it is, the rest as JSON (true, 3, null)."""
    return value if isinstance(value, str) else json.dumps(value)
