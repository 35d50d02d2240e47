"""Shared test helpers: where the bridge is, the sandbox seed data, fake bridges."""

from __future__ import annotations

import atexit
import os
import shlex
import shutil
import sys
import tempfile
import threading
import unittest
from pathlib import Path
from typing import Any, Callable, List, Optional

from tiledesk_rpc import AsyncTiledeskRPC, TiledeskRPC

HERE = Path(__file__).resolve().parent
CLIENT_ROOT = HERE.parent  # clients/python
REPO_ROOT = HERE.parents[2]  # the repository root
VECTORS_DIR = REPO_ROOT / "protocol" / "vectors"
OPENRPC = REPO_ROOT / "protocol" / "openrpc.json"
FAKES = HERE / "fakes"

#: The bridge under test: $TILEDESK_RPC_BIN, else <repo root>/.build/release/tiledesk-rpc.
BINARY = os.environ.get("TILEDESK_RPC_BIN") or str(REPO_ROOT / ".build" / "release" / "tiledesk-rpc")
HAVE_BINARY = os.path.isfile(BINARY) and os.access(BINARY, os.X_OK)

requires_binary = unittest.skipUnless(
    HAVE_BINARY, f"no tiledesk-rpc binary at {BINARY}: run `swift build -c release` or set TILEDESK_RPC_BIN"
)

# The sandbox seed data (protocol/sandbox.md).
DEMO_PROJECT = "65f000000000000000000001"
OTHER_PROJECT = "65f000000000000000000002"
OWNER_USER = "65f0000000000000000000a1"
ADMIN_USER = "65f0000000000000000000a2"
ALICE_USER = "65f0000000000000000000a3"
BOB_USER = "65f0000000000000000000a4"
NINA_USER = "65f0000000000000000000a5"
OWNER_TM = "65f0000000000000000000b1"
ADMIN_TM = "65f0000000000000000000b2"
ALICE_TM = "65f0000000000000000000b3"
BOB_TM = "65f0000000000000000000b4"
OSCAR_TM = "65f0000000000000000000b6"
PENDING_INVITATION = "65f0000000000000000000c1"
MISSING_ID = "65f0000000000000000000ff"
PASSWORD = "demo-password"


def sandbox(**kwargs: Any) -> TiledeskRPC:
    """A client of the real bridge in sandbox mode."""
    kwargs.setdefault("timeout", 30)
    return TiledeskRPC(BINARY, sandbox=True, **kwargs)


class SharedClientTestCase(unittest.TestCase):
    """Tests sharing one client (``make_client``, default the sandbox) for the whole class."""

    client: TiledeskRPC
    make_client: Callable[[], TiledeskRPC] = staticmethod(lambda: sandbox())

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = cls.make_client()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()


def async_sandbox(**kwargs: Any) -> AsyncTiledeskRPC:
    kwargs.setdefault("timeout", 30)
    return AsyncTiledeskRPC(BINARY, sandbox=True, **kwargs)


def fake(script: str, *args: str, **kwargs: Any) -> TiledeskRPC:
    """A client whose "bridge" is one of the Python scripts in tests/fakes/."""
    kwargs.setdefault("timeout", 15)
    return TiledeskRPC(sys.executable, extra_args=[str(FAKES / script), *args], **kwargs)


def async_fake(script: str, *args: str, **kwargs: Any) -> AsyncTiledeskRPC:
    kwargs.setdefault("timeout", 15)
    return AsyncTiledeskRPC(sys.executable, extra_args=[str(FAKES / script), *args], **kwargs)


def fake_binary(script: str) -> str:
    """An executable running one of the fakes (for the examples' ``--binary``); removed at exit."""
    global _fake_binaries
    if _fake_binaries is None:
        _fake_binaries = tempfile.mkdtemp(prefix="tiledesk-rpc-fakes-")
        atexit.register(shutil.rmtree, _fake_binaries, True)
    path = os.path.join(_fake_binaries, script.replace(".py", ""))
    with open(path, "w", encoding="utf-8") as f:
        f.write(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(str(FAKES / script))} "$@"\n')
    os.chmod(path, 0o755)
    return path


_fake_binaries: Optional[str] = None


def email_of(teammate: Any) -> Any:
    """The e-mail of a teammate whose id_user is populated."""
    user = teammate.get("id_user")
    return user.get("email") if isinstance(user, dict) else None


def in_threads(count: int, worker: Callable[[int], None], timeout: float = 60) -> List[BaseException]:
    """Run ``worker(0)`` .. ``worker(count - 1)`` in threads at once; the errors they raised."""
    errors: List[BaseException] = []

    def guarded(n: int) -> None:
        try:
            worker(n)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return errors
