"""What the thread and asyncio clients share: their settings, the calls waiting for an answer,
matching answers to calls, routing the bridge's notifications to whoever listens for them, failing
the calls when the bridge goes, batches, and the start-up check. The subclasses only do I/O (anthropic-sdk-python's ``BaseClient`` is the model):
:class:`~tiledesk_rpc.TiledeskRPC` with threads, :class:`~tiledesk_rpc.AsyncTiledeskRPC` with
asyncio."""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import json
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Set, Tuple, Union

from ._common import (
    DEFAULT_CLOSE_TIMEOUT,
    STDERR_MAX_LINE,
    PathLike,
    StderrTail,
    bridge_closed,
    build_env,
    command,
    encode,
    find_binary,
    line_too_long,
    max_line_bytes,
    request,
)
from ._notices import END, Listener, Route, route_of
from .errors import BridgeClosed, CallTimeout, ConfigurationError, error_from_wire

if TYPE_CHECKING:
    from ._batch import BatchItem

#: A call's future: ``concurrent.futures`` for the thread client, ``asyncio`` for the other.
AnyFuture = Union["concurrent.futures.Future[Any]", "asyncio.Future[Any]"]

#: The exit status of a bridge that refused its command line or environment.
USAGE_EXIT_STATUS = 2

#: Called with a call's result in the reader before the caller gets it, so that whatever the
#: result starts (a subscription) is listened for before the bridge's next line is read.
OnAnswer = Callable[[Any], None]


class _Waiter(NamedTuple):
    """A call waiting for its answer."""

    future: AnyFuture
    method: str
    on_answer: Optional[OnAnswer] = None


class _BaseBridge:
    """The state machine of one bridge process; see the subclasses for the arguments."""

    def __init__(
        self,
        binary: Optional[PathLike] = None,
        *,
        sandbox: bool = False,
        api_url: Optional[str] = None,
        token: Optional[str] = None,
        email: Optional[str] = None,
        password: Optional[str] = None,
        project_id: Optional[str] = None,
        log_level: Optional[str] = None,
        upstream_timeout: Optional[float] = None,
        retries: Optional[int] = None,
        max_rate: Optional[float] = None,
        timeout: Optional[float] = None,
        inherit_settings: bool = True,
        env: Optional[Mapping[str, Optional[str]]] = None,
        extra_args: Iterable[str] = (),
        close_timeout: float = DEFAULT_CLOSE_TIMEOUT,
        on_stderr: Optional[Callable[[str], None]] = None,
    ) -> None:
        self.binary = find_binary(binary)
        self.args: List[str] = command(self.binary, extra_args)
        settings: Dict[str, Any] = {
            "sandbox": sandbox,
            "api_url": api_url,
            "token": token,
            "email": email,
            "password": password,
            "project_id": project_id,
            "log_level": log_level,
            "upstream_timeout": upstream_timeout,
            "retries": retries,
            "max_rate": max_rate,
        }
        self.env: Dict[str, str] = build_env(settings, inherit=inherit_settings, env=env)
        #: the default timeout of each call, in seconds (None: wait forever)
        self.timeout = timeout
        self.close_timeout = close_timeout
        self._on_stderr = on_stderr
        self._max_line = max_line_bytes(self.args[1:])
        self._lock = threading.Lock()  # guards _pending, _abandoned, _listeners, _closing, _eof, _ids
        self._pending: Dict[Any, _Waiter] = {}
        self._listeners: Dict[Route, Listener] = {}
        self._abandoned: Set[Any] = set()
        self._ids = itertools.count(1)
        self._closing = False
        self._eof = False
        self._stderr = StderrTail()
        self._mount_groups()
        self._launch()

    # -- what the subclasses provide ---------------------------------------------------------

    def _mount_groups(self) -> None:
        """Set the method groups (``self.team``, ...) of this kind of client."""
        raise NotImplementedError

    def _launch(self) -> None:
        """Start the bridge, or prepare to start it on first use."""
        raise NotImplementedError

    @property
    def returncode(self) -> Optional[int]:
        """The bridge's exit status, or None while it runs (or before it started)."""
        raise NotImplementedError

    def _send_cancel(self, req_id: Any) -> None:
        """Write ``$/cancelRequest`` for ``req_id`` without waiting; errors are ignored."""
        raise NotImplementedError

    # -- shared state ------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True after closing, or once the bridge has exited."""
        return self._closing or self._eof

    @property
    def stderr_tail(self) -> str:
        """The last lines the bridge wrote to stderr."""
        return self._stderr.text()

    def _next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def _request_line(self, method: str, params: Any) -> Tuple[int, bytes]:
        """A new id and the request's line (with its newline); refuses a line the bridge would refuse."""
        req_id = self._next_id()
        line = encode(request(req_id, method, params))
        if len(line) > self._max_line:
            raise line_too_long(len(line), self._max_line)
        return req_id, line + b"\n"

    def _register(self, req_id: Any, future: AnyFuture, method: str, on_answer: Optional[OnAnswer] = None) -> None:
        """Wait for ``req_id``'s answer in ``future``; raises BridgeClosed when no answer can come."""
        with self._lock:
            if self._closing or self._eof:
                raise self._closed_error(method)
            self._pending[req_id] = _Waiter(future, method, on_answer)

    def _progress_token(self) -> str:
        """A progress token no other call of this client uses."""
        return f"progress-{self._next_id()}"

    def _listen(self, route: Route, listener: Listener) -> None:
        """Hand the notifications of ``route`` (a progress token, a subscription) to ``listener``,
        in the reader, until :meth:`_unlisten`; at the bridge's end it gets :data:`END`."""
        with self._lock:
            if self._eof:
                listener(END)
                return
            self._listeners[route] = listener

    def _unlisten(self, route: Route) -> None:
        with self._lock:
            self._listeners.pop(route, None)

    def _forget(self, req_ids: Iterable[Any]) -> None:
        """Stop waiting for calls whose request could not be written."""
        with self._lock:
            for req_id in req_ids:
                self._pending.pop(req_id, None)

    def _closed_error(self, method: str) -> BridgeClosed:
        if self._closing:
            reason = f"the tiledesk-rpc client is closed; cannot call {method}"
        else:
            reason = f"the tiledesk-rpc bridge has exited; cannot call {method}"
        return bridge_closed(reason, self.returncode, self._stderr.text())

    def _timeout_error(self, method: str, req_id: Any, limit: Optional[float], where: str = "") -> CallTimeout:
        return CallTimeout(
            -32800,
            f"{method}{where} did not answer within {limit} s; it was cancelled on the bridge",
            {"retryable": True, "id": req_id, "method": method, "timeout": limit},
        )

    def _abandon(self, req_id: Any) -> bool:
        """Forget a call and cancel it on the bridge; its late answer is swallowed.
        False when it had already been answered or failed."""
        return bool(self._abandon_all([req_id]))

    def _abandon_all(self, req_ids: Iterable[Any]) -> List[Any]:
        """:meth:`_abandon` for several calls at once (all forgotten before the first cancel goes
        out, so no answer the cancels cause can reach one of them); returns those abandoned."""
        with self._lock:
            abandoned = [req_id for req_id in req_ids if self._pending.pop(req_id, None) is not None]
            if not self._eof:
                self._abandoned.update(abandoned)
        for req_id in abandoned:
            self._send_cancel(req_id)
        return abandoned

    # -- answers -----------------------------------------------------------------------------

    def _handle_line(self, raw: bytes) -> None:
        """One line of the bridge's stdout: a response, or a batch of them."""
        raw = raw.strip()
        if not raw:
            return
        try:
            message = json.loads(raw)
        except ValueError:
            return  # the bridge writes only JSON; ignore rather than die
        for member in message if isinstance(message, list) else [message]:
            self._dispatch(member)

    def _dispatch(self, message: Any) -> None:
        if not isinstance(message, dict):
            return
        if "result" not in message and "error" not in message:
            self._notify_listener(message)
            return
        req_id = message.get("id")
        try:
            with self._lock:
                waiter = self._pending.pop(req_id, None)
                if waiter is None:
                    self._abandoned.discard(req_id)  # a late answer to a timed-out call
                    return
        except TypeError:  # an unhashable id: not ours
            return
        future = waiter.future
        if future.done():
            return
        if "error" in message:
            future.set_exception(error_from_wire(message["error"]))
            return
        result = message.get("result")
        if waiter.on_answer is not None:
            waiter.on_answer(result)
        future.set_result(result)

    def _notify_listener(self, message: Dict[str, Any]) -> None:
        """A notification from the bridge: to the listener of its route; others are ignored."""
        route = route_of(message)
        if route is None:
            return
        try:
            with self._lock:
                listener = self._listeners.get(route)
        except TypeError:  # an unhashable token: not ours
            return
        if listener is not None:
            listener((message["method"], message["params"]))

    def _stderr_line(self, raw: bytes) -> None:
        self._stderr.add(raw)
        if self._on_stderr is not None:
            try:
                self._on_stderr(raw[:STDERR_MAX_LINE].decode("utf-8", "replace").rstrip("\r\n"))
            except Exception:  # a failing callback must not stop the draining
                pass

    def _mark_eof(self) -> None:
        """The bridge's stdout ended: no answer can come any more."""
        with self._lock:
            self._eof = True
        if self._closing:
            self._fail_all("the tiledesk-rpc client was closed before the bridge answered")
        else:
            self._fail_all("the tiledesk-rpc bridge exited before answering")

    def _fail_all(self, reason: str) -> None:
        """Fail every waiting call, and end every listener: nothing more can come."""
        with self._lock:
            pending = list(self._pending.values())
            self._pending.clear()
            self._abandoned.clear()
            listeners = list(self._listeners.values())
            self._listeners.clear()
        for listener in listeners:
            listener(END)
        if not pending:
            return
        stderr = self._stderr.text()
        returncode = self.returncode
        for waiter in pending:
            if not waiter.future.done():
                waiter.future.set_exception(bridge_closed(f"{reason} {waiter.method}", returncode, stderr))

    def _start_failure(self, error: BridgeClosed) -> Exception:
        """What the start-up ``ping`` failing with ``error`` means: a refused setting (the bridge
        exits 2 with its reason on stderr) is a :class:`~tiledesk_rpc.ConfigurationError`."""
        if error.returncode != USAGE_EXIT_STATUS:
            return error
        reason = error.stderr.strip() or f"tiledesk-rpc exited with status {USAGE_EXIT_STATUS} at start-up"
        return ConfigurationError(reason, error.returncode, error.stderr)

    # -- batches -----------------------------------------------------------------------------

    def _batch_line(self, items: List["BatchItem[Any]"]) -> Optional[bytes]:
        """Number the items and register them; the batch's line, or None when each item has failed."""
        messages = []
        for item in items:
            item.id = self._next_id()
            messages.append(request(item.id, item.method, item.params))
        line = encode(messages)
        if len(line) > self._max_line:
            for item in items:
                item._future.set_exception(line_too_long(len(line), self._max_line, "batch"))
            return None
        with self._lock:
            if self._closing or self._eof:
                for item in items:
                    item._future.set_exception(self._closed_error(item.method))
                return None
            for item in items:
                self._pending[item.id] = _Waiter(item._future, item.method)
        return line + b"\n"

    def _batch_unsent(self, items: List["BatchItem[Any]"]) -> None:
        """The batch's line could not be written: each item fails as the bridge is gone."""
        self._forget(item.id for item in items)
        for item in items:
            if not item._future.done():
                item._future.set_exception(self._closed_error(item.method))

    def _batch_timed_out(self, items: List["BatchItem[Any]"], limit: Optional[float]) -> None:
        """After waiting ``limit``: the items still unanswered are cancelled and time out."""
        abandoned = set(self._abandon_all(item.id for item in items if not item._future.done()))
        for item in items:
            if item.id in abandoned and not item._future.done():
                item._future.set_exception(self._timeout_error(item.method, item.id, limit, " (in a batch)"))
