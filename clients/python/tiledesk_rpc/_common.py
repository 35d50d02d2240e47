"""Pieces shared by the sync and asyncio clients: finding the binary, the child's
environment, message encoding and the stderr tail."""

from __future__ import annotations

import collections
import json
import os
import shutil
import threading
from typing import Any, Deque, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from ._bundled import bundled_binary
from ._environment import BASIC_ENV_VARS, SETTINGS
from .errors import BridgeClosed, BridgeNotFound, BRIDGE_CLOSED_CODE, InvalidRequest

PathLike = Union[str, "os.PathLike[str]"]

BINARY_NAME = "tiledesk-rpc"
BINARY_ENV = "TILEDESK_RPC_BIN"

#: The bridge's default ``--max-line-bytes``.
DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024

#: How long ``close()`` waits for the bridge to exit after closing its stdin.
DEFAULT_CLOSE_TIMEOUT = 5.0

#: Lines of the bridge's stderr kept for error messages.
STDERR_TAIL_LINES = 100
STDERR_MAX_LINE = 4096

_NOT_FOUND_HELP = (
    "Install the wheel built by `make dist` (it bundles the binary), or build the bridge in the "
    "tiledesk-rpc repository with `make release` (swift build -c release --static-swift-stdlib; it "
    "appears at .build/release/tiledesk-rpc) and pass its path as `binary=`, "
    f"set {BINARY_ENV}=/path/to/tiledesk-rpc, or put it on PATH."
)


def find_binary(binary: Optional[PathLike] = None) -> str:
    """Resolve the bridge executable: the argument, else ``$TILEDESK_RPC_BIN``, else the binary
    bundled in this package (a wheel from ``make dist``), else ``tiledesk-rpc`` on PATH.

    Raises:
        BridgeNotFound: with instructions for building the bridge.
    """
    candidates = []
    if binary is not None:
        candidates.append(("the binary argument", os.fspath(binary)))
    else:
        from_env = os.environ.get(BINARY_ENV)
        if from_env:
            candidates.append((f"${BINARY_ENV}", from_env))
    for origin, value in candidates:
        if os.sep in value or (os.altsep and os.altsep in value):
            if os.path.isfile(value) and os.access(value, os.X_OK):
                return value
            raise BridgeNotFound(f"tiledesk-rpc binary not found or not executable at {value!r} ({origin}). {_NOT_FOUND_HELP}")
        found = shutil.which(value)
        if found:
            return found
        raise BridgeNotFound(f"tiledesk-rpc binary {value!r} ({origin}) was not found on PATH. {_NOT_FOUND_HELP}")
    found = bundled_binary() or shutil.which(BINARY_NAME)
    if found:
        return found
    raise BridgeNotFound(f"tiledesk-rpc binary not found: no binary argument, no ${BINARY_ENV}, none bundled, none on PATH. {_NOT_FOUND_HELP}")


def setting_text(value: Union[str, int, float, bool]) -> str:
    """A setting as its environment variable holds it: ``1`` for True, ``30`` for 30.0, ``2.5`` for 2.5."""
    if value is True:
        return "1"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value)


def build_env(
    settings: Mapping[str, Any],
    *,
    inherit: bool = True,
    env: Optional[Mapping[str, Optional[str]]] = None,
    base: Optional[Mapping[str, str]] = None,
) -> Dict[str, str]:
    """The bridge's environment, in layers (a later one wins over an earlier one):

    1. the basics of ``base`` (default ``os.environ``): :data:`BASIC_ENV_VARS`;
    2. with ``inherit``, the caller's ``TILEDESK_*`` variables, but ``TILEDESK_RPC_BIN`` and, when
       ``settings`` ask for the sandbox, those naming a server or an account (the sandbox has its
       own, and a real token would be refused there);
    3. ``settings``, by their names in :data:`SETTINGS` (``None`` or ``False``: not given);
    4. ``env`` (a ``None`` value removes a key).
    """
    source = os.environ if base is None else base
    child = {name: source[name] for name in BASIC_ENV_VARS if name in source}
    if inherit:
        skipped = {BINARY_ENV, *(var for _, var, account in SETTINGS if account and settings.get("sandbox"))}
        child.update({k: v for k, v in source.items() if k.startswith("TILEDESK_") and k not in skipped})
    for name, var, _ in SETTINGS:
        value = settings.get(name)
        if value is not None and value is not False:
            child[var] = setting_text(value)
    for key, value in (env or {}).items():
        if value is None:
            child.pop(key, None)
        else:
            child[str(key)] = str(value)
    return child


def max_line_bytes(args: Sequence[str]) -> int:
    """The ``--max-line-bytes`` in force for these bridge arguments."""
    limit = DEFAULT_MAX_LINE_BYTES
    for i, arg in enumerate(args):
        value: Optional[str] = None
        if arg == "--max-line-bytes" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--max-line-bytes="):
            value = arg.split("=", 1)[1]
        if value is not None:
            try:
                limit = int(value)
            except ValueError:
                pass  # the bridge itself rejects it at startup
    return limit


def _json_default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode(message: Any) -> bytes:
    """One compact JSON line (without the newline). Raises TypeError/ValueError for non-JSON values."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default)
    return text.encode("utf-8")


def check_params(params: Any) -> None:
    if params is not None and not isinstance(params, (dict, list, tuple, Mapping)):
        raise TypeError(f"params must be an object (dict) or an array (list), got {type(params).__name__}")


def request(req_id: int, method: str, params: Any) -> Dict[str, Any]:
    if not isinstance(method, str):
        raise TypeError(f"method must be a string, got {type(method).__name__}")
    check_params(params)
    message: Dict[str, Any] = {"jsonrpc": "2.0", "id": req_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def cancel_line(req_id: Any) -> bytes:
    return encode({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": req_id}}) + b"\n"


def line_too_long(size: int, limit: int, what: str = "request") -> InvalidRequest:
    return InvalidRequest(
        -32600,
        f"the {what} is {size} bytes as one JSON line, over the bridge's --max-line-bytes {limit}; not sent",
        {"retryable": False, "bytes": size, "max_line_bytes": limit},
    )


class StderrTail:
    """A thread-safe bounded tail of the bridge's stderr."""

    def __init__(self, lines: int = STDERR_TAIL_LINES) -> None:
        self._lines: Deque[str] = collections.deque(maxlen=lines)
        self._lock = threading.Lock()

    def add(self, raw: bytes) -> None:
        text = raw[:STDERR_MAX_LINE].decode("utf-8", "replace").rstrip("\r\n")
        with self._lock:
            self._lines.append(text)

    def text(self) -> str:
        with self._lock:
            return "\n".join(self._lines)


def bridge_closed(reason: str, returncode: Optional[int], stderr: str) -> BridgeClosed:
    message = reason
    if returncode is not None:
        message += f" (exit status {returncode})"
    return BridgeClosed(BRIDGE_CLOSED_CODE, message, {"retryable": False, "returncode": returncode, "stderr": stderr})


def command(binary: str, extra_args: Iterable[str]) -> List[str]:
    if isinstance(extra_args, (str, bytes)):
        raise TypeError("extra_args must be a list of arguments, not a string")
    return [binary, *(str(a) for a in extra_args)]
