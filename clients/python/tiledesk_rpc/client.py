"""The thread-safe client: spawns the bridge and talks line-delimited JSON-RPC 2.0 to it."""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import subprocess
import threading
from types import TracebackType
from typing import Any, Callable, Dict, Generic, Iterable, List, Mapping, Optional, Set, Tuple, Type, TypeVar, cast

from ._api import AuthAPI, ProjectAPI, TeamAPI, UserAPI
from ._batch import Batch, BatchItem
from ._common import (
    DEFAULT_CLOSE_TIMEOUT,
    STDERR_MAX_LINE,
    PathLike,
    StderrTail,
    bridge_closed,
    build_env,
    cancel_line,
    command,
    encode,
    find_binary,
    line_too_long,
    max_line_bytes,
    request,
)
from .errors import BridgeClosed, BridgeNotFound, CallTimeout, TiledeskRPCError, error_from_wire

__all__ = ["TiledeskRPC", "PendingCall"]

T = TypeVar("T")

class PendingCall(Generic[T]):
    """A call sent with :meth:`TiledeskRPC.submit`, not yet waited for."""

    __slots__ = ("id", "method", "_client", "_future")

    def __init__(self, client: "TiledeskRPC", req_id: int, method: str, future: "concurrent.futures.Future[Any]") -> None:
        #: the JSON-RPC id the client gave the request
        self.id = req_id
        self.method = method
        self._client = client
        self._future = future

    def done(self) -> bool:
        """True once the bridge answered (or the call failed)."""
        return self._future.done()

    def result(self, timeout: Optional[float] = None) -> T:
        """Wait for the result (``timeout`` defaults to the client's); raises the call's error.

        On timeout the call is cancelled on the bridge and :class:`~tiledesk_rpc.CallTimeout` is raised.
        """
        return self._client._wait(self.id, self.method, self._future, timeout)  # type: ignore[no-any-return]

    def cancel(self) -> bool:
        """Ask the bridge to cancel the call (``$/cancelRequest``); ``result()`` then raises
        :class:`~tiledesk_rpc.Cancelled`. False when the call had already finished."""
        if self._future.done():
            return False
        return self._client._send_cancel(self.id)

    def __repr__(self) -> str:
        return f"<PendingCall {self.method} id={self.id} {'done' if self.done() else 'pending'}>"


class TiledeskRPC:
    """A ``tiledesk-rpc`` bridge process and a JSON-RPC client for it.

    ::

        with TiledeskRPC(sandbox=True) as client:
            for teammate in client.team.list():
                print(teammate["role"], teammate["id_user"]["email"])

    Args:
        binary: the bridge executable; default ``$TILEDESK_RPC_BIN``, else
            ``tiledesk-rpc`` on PATH (:class:`~tiledesk_rpc.BridgeNotFound` otherwise).
        sandbox: serve everything from the bridge's in-memory emulator (``TILEDESK_SANDBOX=1``).
        api_url: ``TILEDESK_API_URL``, the API root (default ``https://api.tiledesk.com/v3``).
        token: ``TILEDESK_TOKEN``, a Tiledesk JWT.
        email, password: ``TILEDESK_EMAIL`` / ``TILEDESK_PASSWORD``; the bridge signs in once.
        project_id: ``TILEDESK_PROJECT_ID``, the default project of ``team.*`` calls.
        timeout: the default client-side timeout of each call in seconds (``None``: wait
            forever); also passed on as ``TILEDESK_TIMEOUT``, the bridge's limit per
            upstream HTTP attempt (override it with ``env``).
        env: more environment variables for the bridge (a ``None`` value removes one).
            The bridge never inherits the caller's environment: it gets only the basics
            (PATH, HOME, LANG, proxies, ...) plus these settings; pass
            ``env=settings_from_environ()`` to forward the caller's ``TILEDESK_*``.
        extra_args: more command-line flags, e.g. ``["--log-level", "debug"]``.
        close_timeout: how long :meth:`close` waits for the bridge to exit before killing it.
        on_stderr: called with each line the bridge writes to stderr (from a background
            thread); the client always keeps the last lines for error messages.

    The client is thread-safe: any number of threads may call at once; a reader
    thread matches responses to calls by id.
    """

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
        timeout: Optional[float] = None,
        env: Optional[Mapping[str, Optional[str]]] = None,
        extra_args: Iterable[str] = (),
        close_timeout: float = DEFAULT_CLOSE_TIMEOUT,
        on_stderr: Optional[Callable[[str], None]] = None,
    ) -> None:
        self.binary = find_binary(binary)
        self.args: List[str] = command(self.binary, extra_args)
        self.env: Dict[str, str] = build_env(
            sandbox=sandbox,
            api_url=api_url,
            token=token,
            email=email,
            password=password,
            project_id=project_id,
            timeout=timeout,
            env=env,
        )
        #: the default timeout of each call, in seconds (None: wait forever)
        self.timeout = timeout
        self.close_timeout = close_timeout
        self._on_stderr = on_stderr
        self._max_line = max_line_bytes(self.args[1:])
        self._lock = threading.Lock()  # guards _pending, _abandoned, _closing, _eof
        self._write_lock = threading.Lock()
        self._close_lock = threading.Lock()
        self._pending: Dict[Any, Tuple["concurrent.futures.Future[Any]", str]] = {}
        self._abandoned: Set[Any] = set()
        self._ids = itertools.count(1)
        self._closing = False
        self._eof = False
        self._stderr = StderrTail()
        try:
            self._proc = subprocess.Popen(
                self.args,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.env,
                close_fds=True,
            )
        except OSError as exc:
            raise BridgeNotFound(f"could not start {self.binary!r}: {exc}") from exc
        name = f"tiledesk-rpc-{self._proc.pid}"
        self._stderr_thread = threading.Thread(target=self._drain_stderr, name=f"{name}-stderr", daemon=True)
        self._reader = threading.Thread(target=self._read_stdout, name=f"{name}-reader", daemon=True)
        self._stderr_thread.start()
        self._reader.start()

        self.user = UserAPI(self)
        """``user.get``, ``user.update``"""
        self.project = ProjectAPI(self)
        """``project.list``"""
        self.team = TeamAPI(self)
        """``team.list``, ``team.get``, ``team.get_by_user``, ``team.me``, ``team.invite``,
        ``team.update``, ``team.update_me``, ``team.leave``, ``team.restore``"""
        self.auth = AuthAPI(self)
        """``auth.signin``"""

    # -- public API ---------------------------------------------------------------------------

    def call(self, method: str, params: Any = None, timeout: Optional[float] = None) -> Any:
        """Call ``method`` with ``params`` (a dict, a list, or ``None`` for none) and return its result.

        Raises the :class:`~tiledesk_rpc.TiledeskRPCError` subclass matching the error code;
        :class:`~tiledesk_rpc.CallTimeout` when ``timeout`` (default: the client's) expires,
        after cancelling the call on the bridge; :class:`~tiledesk_rpc.BridgeClosed` when the
        bridge is gone.
        """
        return self.submit(method, params).result(timeout)

    def submit(self, method: str, params: Any = None) -> PendingCall[Any]:
        """Send a call without waiting; returns a :class:`PendingCall` to wait on or cancel."""
        req_id = self._next_id()
        line = encode(request(req_id, method, params))
        if len(line) > self._max_line:
            raise line_too_long(len(line), self._max_line)
        future: "concurrent.futures.Future[Any]" = concurrent.futures.Future()
        with self._lock:
            if self._closing or self._eof:
                raise self._closed_error(method)
            self._pending[req_id] = (future, method)
        try:
            self._write(line + b"\n")
        except (OSError, ValueError) as exc:
            with self._lock:
                self._pending.pop(req_id, None)
            self._reader.join(2.0)  # let the reader collect the exit status and stderr
            raise self._closed_error(method) from exc
        return PendingCall(self, req_id, method, future)

    def notify(self, method: str, params: Any = None) -> None:
        """Send a notification (no id, no answer), e.g. ``notifications/initialized``."""
        message: Dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        try:
            self._write(encode(message) + b"\n")
        except (OSError, ValueError) as exc:
            raise self._closed_error(method) from exc

    def batch(self, timeout: Optional[float] = None) -> Batch:
        """Collect calls into one JSON-RPC batch, sent when the ``with`` block ends::

            with client.batch() as batch:
                team = batch.team.list()
                ping = batch.ping()
            team.result()

        ``timeout`` (default: the client's) bounds the wait for the whole batch.
        """
        return Batch(self, timeout)

    def ping(self, *, timeout: Optional[float] = None) -> Dict[str, Any]:
        """``ping``: answers ``{}`` when the bridge is alive."""
        return self.call("ping", None, timeout)  # type: ignore[no-any-return]

    def discover(self, *, timeout: Optional[float] = None) -> Dict[str, Any]:
        """``rpc.discover``: the bridge's OpenRPC document."""
        return self.call("rpc.discover", None, timeout)  # type: ignore[no-any-return]

    @property
    def pid(self) -> int:
        """The bridge's process id."""
        return self._proc.pid

    @property
    def returncode(self) -> Optional[int]:
        """The bridge's exit status, or None while it runs."""
        return self._proc.poll()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`, or once the bridge has exited."""
        return self._closing or self._eof

    @property
    def stderr_tail(self) -> str:
        """The last lines the bridge wrote to stderr."""
        return self._stderr.text()

    def close(self, timeout: Optional[float] = None) -> Optional[int]:
        """Close the bridge's stdin and wait for it to finish its calls and exit.

        After ``timeout`` seconds (default :attr:`close_timeout`) it is sent SIGTERM, and
        one second later killed. Calls still unanswered fail with
        :class:`~tiledesk_rpc.BridgeClosed`. Safe to call more than once. Returns the exit status.
        """
        wait = self.close_timeout if timeout is None else timeout
        with self._close_lock:
            with self._lock:
                self._closing = True
            # A writer stuck on a full pipe (a bridge that stopped reading) holds the write
            # lock: then skip the polite end of input and stop the process instead.
            if self._write_lock.acquire(timeout=wait):
                try:
                    if self._proc.stdin is not None:
                        self._proc.stdin.close()
                except (OSError, ValueError):
                    pass
                finally:
                    self._write_lock.release()
                try:
                    self._proc.wait(wait)
                except subprocess.TimeoutExpired:
                    self._stop_process()
            else:
                self._stop_process()
                if self._write_lock.acquire(timeout=2.0):  # the stuck write has failed by now
                    try:
                        if self._proc.stdin is not None:
                            self._proc.stdin.close()
                    except (OSError, ValueError):
                        pass
                    finally:
                        self._write_lock.release()
            self._reader.join(2.0)
            self._stderr_thread.join(1.0)
            # The reader normally fails what is left at EOF; do it here too in case a
            # grandchild process still holds the pipe open.
            self._fail_all("the tiledesk-rpc client was closed before the bridge answered")
            for thread, stream in ((self._reader, self._proc.stdout), (self._stderr_thread, self._proc.stderr)):
                if stream is not None and not thread.is_alive():
                    stream.close()
            return self._proc.returncode

    def __enter__(self) -> "TiledeskRPC":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "running"
        return f"<TiledeskRPC pid={self._proc.pid} {state} {self.binary!r}>"

    # -- internals ----------------------------------------------------------------------------

    def _next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def _write(self, data: bytes) -> None:
        stdin = self._proc.stdin
        if stdin is None:
            raise ValueError("no stdin")
        with self._write_lock:
            stdin.write(data)
            stdin.flush()

    def _send_cancel(self, req_id: Any) -> bool:
        try:
            self._write(cancel_line(req_id))
            return True
        except (OSError, ValueError):
            return False

    def _closed_error(self, method: str) -> BridgeClosed:
        if self._closing:
            reason = f"the tiledesk-rpc client is closed; cannot call {method}"
        else:
            reason = f"the tiledesk-rpc bridge has exited; cannot call {method}"
        return bridge_closed(reason, self._proc.poll(), self._stderr.text())

    def _wait(self, req_id: Any, method: str, future: "concurrent.futures.Future[Any]", timeout: Optional[float]) -> Any:
        limit = self.timeout if timeout is None else timeout
        try:
            return future.result(limit)
        except TiledeskRPCError:
            raise
        except concurrent.futures.TimeoutError:
            if not self._abandon(req_id):
                return future.result(0)  # answered (or failed) just as the timeout expired
            error = CallTimeout(
                -32800,
                f"{method} did not answer within {limit} s; it was cancelled on the bridge",
                {"retryable": True, "id": req_id, "method": method, "timeout": limit},
            )
            if not future.done():
                future.set_exception(error)
            raise error from None
        except BaseException:  # KeyboardInterrupt and the like: stop the work on the bridge too
            self._abandon(req_id)
            raise

    def _abandon(self, req_id: Any) -> bool:
        """Forget a call and cancel it on the bridge; its late answer is swallowed.
        False when it had already been answered or failed."""
        with self._lock:
            if self._pending.pop(req_id, None) is None:
                return False
            if not self._eof:
                self._abandoned.add(req_id)
        self._send_cancel(req_id)
        return True

    def _send_batch(self, items: List[BatchItem[Any]], timeout: Optional[float]) -> None:
        if not items:
            return
        messages = []
        for item in items:
            item.id = self._next_id()
            messages.append(request(item.id, item.method, item.params))
        line = encode(messages)
        if len(line) > self._max_line:
            for item in items:
                item._future.set_exception(line_too_long(len(line), self._max_line, "batch"))
            return
        with self._lock:
            if self._closing or self._eof:
                for item in items:
                    item._future.set_exception(self._closed_error(item.method))
                return
            for item in items:
                self._pending[item.id] = (cast("concurrent.futures.Future[Any]", item._future), item.method)
        try:
            self._write(line + b"\n")
        except (OSError, ValueError):
            with self._lock:
                for item in items:
                    self._pending.pop(item.id, None)
            self._reader.join(2.0)
            for item in items:
                if not item._future.done():
                    item._future.set_exception(self._closed_error(item.method))
            return
        futures = [cast("concurrent.futures.Future[Any]", item._future) for item in items]
        limit = self.timeout if timeout is None else timeout
        try:
            concurrent.futures.wait(futures, limit)
        except BaseException:
            for item in items:
                self._abandon(item.id)
            raise
        for item in items:
            if not item._future.done() and self._abandon(item.id):
                item._future.set_exception(
                    CallTimeout(
                        -32800,
                        f"{item.method} (in a batch) did not answer within {limit} s; it was cancelled on the bridge",
                        {"retryable": True, "id": item.id, "method": item.method, "timeout": limit},
                    )
                )

    def _drain_stderr(self) -> None:
        stream = self._proc.stderr
        if stream is None:
            return
        try:
            while True:
                line = stream.readline(STDERR_MAX_LINE)
                if not line:
                    break
                self._stderr.add(line)
                if self._on_stderr is not None:
                    try:
                        self._on_stderr(line.decode("utf-8", "replace").rstrip("\r\n"))
                    except Exception:  # a failing callback must not stop the draining
                        pass
        except (OSError, ValueError):
            pass

    def _read_stdout(self) -> None:
        stream = self._proc.stdout
        try:
            if stream is not None:
                for raw in iter(stream.readline, b""):
                    raw = raw.strip()
                    if not raw:
                        continue
                    try:
                        message = json.loads(raw)
                    except ValueError:
                        continue  # the contract says this never happens; ignore rather than die
                    if isinstance(message, list):
                        for member in message:
                            self._dispatch(member)
                    else:
                        self._dispatch(message)
        except (OSError, ValueError):
            pass
        finally:
            self._on_eof()

    def _dispatch(self, message: Any) -> None:
        if not isinstance(message, dict) or ("result" not in message and "error" not in message):
            return  # a notification or request from the bridge: nothing waits for it
        req_id = message.get("id")
        try:
            with self._lock:
                slot = self._pending.pop(req_id, None)
                if slot is None:
                    self._abandoned.discard(req_id)  # a late answer to a timed-out call
                    return
        except TypeError:  # an unhashable id: not ours
            return
        future = slot[0]
        if future.done():
            return
        try:
            if "error" in message:
                future.set_exception(error_from_wire(message["error"]))
            else:
                future.set_result(message.get("result"))
        except concurrent.futures.InvalidStateError:  # pragma: no cover - defensive
            pass

    def _on_eof(self) -> None:
        self._stderr_thread.join(1.0)
        if self._proc.poll() is None:
            try:
                self._proc.wait(1.0)
            except subprocess.TimeoutExpired:
                pass
        with self._lock:
            self._eof = True
        if self._closing:
            self._fail_all("the tiledesk-rpc client was closed before the bridge answered")
        else:
            self._fail_all("the tiledesk-rpc bridge exited before answering")

    def _fail_all(self, reason: str) -> None:
        with self._lock:
            pending = list(self._pending.values())
            self._pending.clear()
            self._abandoned.clear()
        if not pending:
            return
        stderr = self._stderr.text()
        returncode = self._proc.poll()
        for future, method in pending:
            if not future.done():
                try:
                    future.set_exception(bridge_closed(f"{reason} {method}", returncode, stderr))
                except concurrent.futures.InvalidStateError:  # pragma: no cover - defensive
                    pass

    def _stop_process(self) -> None:
        """SIGTERM (the bridge then exits after a short grace period), then SIGKILL."""
        try:
            self._proc.terminate()
            self._proc.wait(1.0)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            try:
                self._proc.wait(5.0)
            except subprocess.TimeoutExpired:  # pragma: no cover - an unkillable process
                pass
        except OSError:
            pass
