"""Exceptions raised by the tiledesk-rpc client.

Every error the bridge answers becomes a :class:`TiledeskRPCError` (or one of its
subclasses, chosen by ``error.code``), carrying the wire error's ``code``,
``message`` and ``data`` unchanged. The client adds two errors of its own:
:class:`CallTimeout` (a client-side timeout; the call was also cancelled on the
bridge) and :class:`BridgeClosed` (the bridge process ended before answering).
:class:`BridgeNotFound` is raised by the constructor when no binary can be found, and
:class:`ConfigurationError` when the bridge refuses a setting at start-up.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Type

__all__ = [
    "TiledeskRPCError",
    "ParseError",
    "InvalidRequest",
    "MethodNotFound",
    "InvalidParams",
    "InternalError",
    "Cancelled",
    "CallTimeout",
    "NotAuthenticated",
    "Forbidden",
    "NotFound",
    "Conflict",
    "RateLimited",
    "UpstreamError",
    "UpstreamUnavailable",
    "UpstreamTimeout",
    "BridgeClosed",
    "WatchError",
    "BridgeNotFound",
    "ConfigurationError",
    "ERROR_CLASSES",
    "error_from_wire",
    "BRIDGE_CLOSED_CODE",
]

#: Code carried by :class:`BridgeClosed`. It is never sent by the bridge: the client
#: raises it itself when the process ends before answering (JSON-RPC reserves
#: -32000..-32099 for implementation-defined errors).
BRIDGE_CLOSED_CODE = -32099


class TiledeskRPCError(Exception):
    """An error answered by the bridge (or raised by the client on its behalf).

    Attributes:
        code: the JSON-RPC error code (section 4 of the contract: the JSON-RPC
            codes, ``-32800`` for a cancelled request, and HTTP-like codes such
            as ``404`` for Tiledesk and upstream failures).
        message: the bridge's human-readable message.
        data: the error's ``data`` member, usually a dict with at least
            ``retryable``; upstream failures add ``http_status``, ``upstream``,
            ``tiledesk_code`` and ``request``.
    """

    #: The code this class stands for; ``None`` on the base class.
    CODE: Optional[int] = None

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, data={self.data!r})"

    def __reduce__(self) -> Any:
        return (type(self), (self.code, self.message, self.data))

    def _data_get(self, key: str) -> Any:
        return self.data.get(key) if isinstance(self.data, Mapping) else None

    def _data_int(self, key: str) -> Optional[int]:
        value = self._data_get(key)
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    @property
    def retryable(self) -> bool:
        """``data.retryable``: whether trying again later may succeed."""
        return bool(self._data_get("retryable"))

    @property
    def http_status(self) -> Optional[int]:
        """``data.http_status``: the upstream HTTP status, for upstream failures."""
        return self._data_int("http_status")

    @property
    def upstream(self) -> Any:
        """``data.upstream``: the Tiledesk server's parsed error body (or its text)."""
        return self._data_get("upstream")

    @property
    def tiledesk_code(self) -> Optional[int]:
        """``data.tiledesk_code``: Tiledesk's own code (4000, 4001, 405) when it gave one."""
        return self._data_int("tiledesk_code")

    @property
    def request(self) -> Optional[str]:
        """``data.request``: the upstream request, e.g. ``"DELETE /{pid}/project_users/{id}"``."""
        value = self._data_get("request")
        return value if isinstance(value, str) else None


class ParseError(TiledeskRPCError):
    """-32700: the bridge received a line that is not JSON."""

    CODE = -32700


class InvalidRequest(TiledeskRPCError):
    """-32600: not a valid JSON-RPC request (or a line over ``--max-line-bytes``)."""

    CODE = -32600


class MethodNotFound(TiledeskRPCError):
    """-32601: the bridge has no such method."""

    CODE = -32601


class InvalidParams(TiledeskRPCError):
    """-32602: a parameter the bridge checks itself is wrong (``data`` names the field)."""

    CODE = -32602


class InternalError(TiledeskRPCError):
    """-32603: an internal error of the bridge."""

    CODE = -32603


class Cancelled(TiledeskRPCError):
    """-32800: the request was cancelled (``$/cancelRequest``)."""

    CODE = -32800


class CallTimeout(Cancelled, TimeoutError):
    """The client-side timeout of a call expired.

    The client has also sent ``$/cancelRequest`` for it, so the bridge stops the
    work; its late ``-32800`` answer is swallowed. Being a :class:`Cancelled`
    and a :class:`TimeoutError`, it is caught by either.
    ``data`` holds ``id``, ``method`` and ``timeout``.
    """

    CODE = -32800


class NotAuthenticated(TiledeskRPCError):
    """401: no credentials are configured, or Tiledesk answered HTTP 401."""

    CODE = 401


class Forbidden(TiledeskRPCError):
    """403: Tiledesk refused (not a member, role too low, inviting oneself) or a bridge safety refusal."""

    CODE = 403


class NotFound(TiledeskRPCError):
    """404: not found, or a teammate that is not in ``project_id``."""

    CODE = 404


class Conflict(TiledeskRPCError):
    """409: already a member, a pending invitation already exists, or restoring a teammate not trashed."""

    CODE = 409


class RateLimited(TiledeskRPCError):
    """429: still rate limited after waiting; see :attr:`retry_after`."""

    CODE = 429

    @property
    def retry_after(self) -> Optional[float]:
        """``data.retry_after`` in seconds, when known."""
        value = self._data_get("retry_after")
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class UpstreamError(TiledeskRPCError):
    """502: a bad upstream answer (failing status, HTML or malformed body, ``success: false``)."""

    CODE = 502


class UpstreamUnavailable(TiledeskRPCError):
    """503: the upstream could not be reached (connection, DNS, TLS), or kept failing."""

    CODE = 503


class UpstreamTimeout(TiledeskRPCError):
    """504: the upstream did not answer in time."""

    CODE = 504


class BridgeClosed(TiledeskRPCError, ConnectionError):
    """The bridge process ended (or its pipes closed) before answering.

    ``code`` is :data:`BRIDGE_CLOSED_CODE` (client-side only). ``data`` holds
    ``returncode`` (``None`` when unknown) and ``stderr``, the tail of what the
    bridge wrote to its stderr, which usually says why it stopped.
    """

    CODE = BRIDGE_CLOSED_CODE

    @property
    def returncode(self) -> Optional[int]:
        """The bridge's exit status (negative: killed by that signal), when known."""
        return self._data_int("returncode")

    @property
    def stderr(self) -> str:
        """The last lines the bridge wrote to stderr."""
        return self._data_get("stderr") or ""

    def __str__(self) -> str:
        text = self.message
        tail = self.stderr.strip()
        if tail:
            text += "\n--- bridge stderr (tail) ---\n" + tail
        return text


class WatchError(TiledeskRPCError):
    """A poll of a watch failed (``team.watchError``, sent once per streak of failures); the
    bridge goes on polling. ``code``, ``message`` and ``data`` are the failure's; :attr:`error` is
    the same failure as the class of its code (:class:`UpstreamUnavailable`, ...)."""

    def __init__(self, code: int, message: str, data: Any = None, subscription: Any = None) -> None:
        super().__init__(code, message, data)
        #: the watch's subscription id
        self.subscription = subscription

    def __reduce__(self) -> Any:
        return (type(self), (self.code, self.message, self.data, self.subscription))

    @property
    def error(self) -> TiledeskRPCError:
        """The failure as the :class:`TiledeskRPCError` subclass of its code."""
        return error_from_wire({"code": self.code, "message": self.message, "data": self.data})


class BridgeNotFound(FileNotFoundError):
    """No tiledesk-rpc binary was found (argument, ``TILEDESK_RPC_BIN`` or ``PATH``)."""


class ConfigurationError(ValueError):
    """The bridge refused a setting or flag at start-up (a project id that is not an ObjectId, an
    unknown flag, ...): it exited 2 before serving. The message is the bridge's own."""

    def __init__(self, message: str, returncode: Optional[int], stderr: str) -> None:
        super().__init__(message)
        #: the bridge's exit status (2)
        self.returncode = returncode
        #: everything the bridge wrote to stderr
        self.stderr = stderr

    def __reduce__(self) -> Any:
        return (type(self), (str(self), self.returncode, self.stderr))


#: Wire code → exception class. Codes not listed map to :class:`TiledeskRPCError`.
ERROR_CLASSES: Dict[int, Type[TiledeskRPCError]] = {
    cls.CODE: cls
    for cls in (
        ParseError,
        InvalidRequest,
        MethodNotFound,
        InvalidParams,
        InternalError,
        Cancelled,
        NotAuthenticated,
        Forbidden,
        NotFound,
        Conflict,
        RateLimited,
        UpstreamError,
        UpstreamUnavailable,
        UpstreamTimeout,
    )
    if cls.CODE is not None
}


def error_from_wire(error: Any) -> TiledeskRPCError:
    """Turn a JSON-RPC ``error`` member into the matching exception instance."""
    if not isinstance(error, Mapping):
        return InternalError(-32603, f"malformed error from the bridge: {error!r}", None)
    code = error.get("code")
    message = error.get("message")
    if not isinstance(message, str):
        message = "" if message is None else str(message)
    if isinstance(code, bool) or not isinstance(code, (int, float)):
        return TiledeskRPCError(code, message, error.get("data"))  # type: ignore[arg-type]
    code = int(code)
    cls = ERROR_CLASSES.get(code, TiledeskRPCError)
    return cls(code, message, error.get("data"))
