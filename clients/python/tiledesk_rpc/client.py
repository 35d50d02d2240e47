"""The thread-safe client: spawns the bridge and talks line-delimited JSON-RPC 2.0 to it."""

from __future__ import annotations

import concurrent.futures
import subprocess
import threading
from types import TracebackType
from typing import Any, Dict, Generic, List, Optional, Type, TypeVar, cast

from ._api import SyncGroups
from ._base import OnAnswer, _BaseBridge
from ._batch import Batch, BatchItem
from ._common import STDERR_MAX_LINE, cancel_line, encode
from ._notices import ThreadSubscription
from ._progress import ProgressCallback, ProgressInbox, refuses_progress, with_progress_token
from .errors import BridgeClosed, BridgeNotFound, InvalidParams, TiledeskRPCError

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
        self._client._send_cancel(self.id)
        return True

    def __repr__(self) -> str:
        return f"<PendingCall {self.method} id={self.id} {'done' if self.done() else 'pending'}>"


class TiledeskRPC(SyncGroups, _BaseBridge):
    """A ``tiledesk-rpc`` bridge process and a JSON-RPC client for it.

    ::

        with TiledeskRPC(sandbox=True) as client:
            for teammate in client.team.list():
                print(teammate["role"], teammate["id_user"]["email"])

    Args:
        binary: the bridge executable; default ``$TILEDESK_RPC_BIN``, else
            ``tiledesk-rpc`` on PATH (:class:`~tiledesk_rpc.BridgeNotFound` otherwise).
        sandbox: serve everything from the bridge's in-memory Tiledesk (``TILEDESK_SANDBOX=1``).
        api_url: ``TILEDESK_API_URL``, the API root (default ``https://api.tiledesk.com/v3``).
        token: ``TILEDESK_TOKEN``, a Tiledesk JWT.
        email, password: ``TILEDESK_EMAIL`` / ``TILEDESK_PASSWORD``; the bridge signs in once.
        project_id: ``TILEDESK_PROJECT_ID``, the default project of calls that name none.
        log_level: ``TILEDESK_LOG_LEVEL``: ``error``, ``warn``, ``info`` or ``debug`` (stderr).
        upstream_timeout: ``TILEDESK_TIMEOUT``, the bridge's limit per upstream HTTP attempt (s).
        retries: ``TILEDESK_RETRIES``, extra upstream attempts for retryable failures.
        max_rate: ``TILEDESK_MAX_RATE``, upstream requests per second at most.
        timeout: the default client-side timeout of each call in seconds (``None``: wait forever).
        inherit_settings: pass the caller's ``TILEDESK_*`` variables on to the bridge (the
            default); the arguments above win over them. With ``sandbox=True`` the ones naming a
            server or an account (URL, token, e-mail, password, project) are never passed on.
        env: more environment variables for the bridge (a ``None`` value removes one). Beside
            the settings, the bridge gets only the basics (PATH, HOME, LANG, proxies, TLS, ...).
        extra_args: more command-line flags, e.g. ``["--max-concurrency", "4"]``.
        close_timeout: how long :meth:`close` waits for the bridge to exit before killing it.
        on_stderr: called with each line the bridge writes to stderr (from a background
            thread); the client always keeps the last lines for error messages.

    The constructor starts the bridge and waits for its answer to a ``ping``, so a setting the
    bridge refuses raises :class:`~tiledesk_rpc.ConfigurationError` (with the bridge's own
    message) here, not at the first call. The client is thread-safe: any number of threads may
    call at once; a reader thread matches responses to calls by id.
    """

    _proc: "subprocess.Popen[bytes]"

    def _launch(self) -> None:
        self._write_lock = threading.Lock()
        self._close_lock = threading.Lock()
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
        try:
            self.submit("ping")._future.result()  # however long the bridge takes to start
        except BridgeClosed as exc:
            self.close()
            raise self._start_failure(exc) from None
        except BaseException:
            self.close()
            raise

    # -- public API ---------------------------------------------------------------------------

    def call(
        self, method: str, params: Any = None, timeout: Optional[float] = None, on_progress: Optional[ProgressCallback] = None
    ) -> Any:
        """Call ``method`` with ``params`` (a dict, a list, or ``None`` for none) and return its result.

        Raises the :class:`~tiledesk_rpc.TiledeskRPCError` subclass matching the error code;
        :class:`~tiledesk_rpc.CallTimeout` when ``timeout`` (default: the client's) expires,
        after cancelling the call on the bridge; :class:`~tiledesk_rpc.BridgeClosed` when the
        bridge is gone.

        ``on_progress`` asks for progress reports (``_meta.progressToken`` is added to the params,
        which must then be a dict) and is called with each in this thread while the call runs;
        an exception it raises cancels the call and is raised here. A bridge too old to report
        progress answers the call without reports.
        """
        if on_progress is None:
            return self.submit(method, params).result(timeout)
        token = self._progress_token()
        inbox = ProgressInbox(on_progress)
        self._listen(("token", token), inbox.put)
        try:
            pending = self.submit(method, with_progress_token(params, token))
            return self._wait(pending.id, method, pending._future, timeout, inbox)
        except InvalidParams as exc:
            if not refuses_progress(exc):
                raise
        finally:
            self._unlisten(("token", token))
        return self.submit(method, params).result(timeout)

    def subscribe(self, method: str, params: Any = None, timeout: Optional[float] = None) -> ThreadSubscription:
        """Call a method that answers ``{"subscription": id, ...}`` (``team.watch``) and return the
        subscription: its answer, and the notifications naming it, in order (``next()``). Ending
        it on the bridge (``team.unwatch``) is the caller's part; ``cancel()`` stops listening."""
        subscription = ThreadSubscription(self, method)
        answer = self._submit(method, params, subscription._answered).result(timeout)
        subscription._check_started(answer)
        return subscription

    def submit(self, method: str, params: Any = None) -> PendingCall[Any]:
        """Send a call without waiting; returns a :class:`PendingCall` to wait on or cancel."""
        return self._submit(method, params)

    def _submit(self, method: str, params: Any, on_answer: Optional[OnAnswer] = None) -> PendingCall[Any]:
        req_id, line = self._request_line(method, params)
        future: "concurrent.futures.Future[Any]" = concurrent.futures.Future()
        self._register(req_id, future, method, on_answer)
        try:
            self._write(line)
        except (OSError, ValueError) as exc:
            self._forget([req_id])
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
            if self._close_stdin(wait):
                try:
                    self._proc.wait(wait)
                except subprocess.TimeoutExpired:
                    self._stop_process()
            else:
                self._stop_process()
                self._close_stdin(2.0)  # the stuck write has failed by now
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

    # -- I/O ------------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        stdin = self._proc.stdin
        if stdin is None:
            raise ValueError("no stdin")
        with self._write_lock:
            stdin.write(data)
            stdin.flush()

    def _close_stdin(self, wait: float) -> bool:
        """Close the bridge's stdin once no write is under way; False when one still was after ``wait`` s."""
        if not self._write_lock.acquire(timeout=wait):
            return False
        try:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        except (OSError, ValueError):
            pass
        finally:
            self._write_lock.release()
        return True

    def _send_cancel(self, req_id: Any) -> None:
        try:
            self._write(cancel_line(req_id))
        except (OSError, ValueError):
            pass

    def _wait(
        self,
        req_id: Any,
        method: str,
        future: "concurrent.futures.Future[Any]",
        timeout: Optional[float],
        progress: Optional[ProgressInbox] = None,
    ) -> Any:
        limit = self.timeout if timeout is None else timeout
        if progress is not None:
            try:
                progress.deliver(future, limit)
            except BaseException:  # the callback failed or was interrupted: stop the call too
                self._abandon(req_id)
                raise
        try:
            return future.result(0 if progress is not None else limit)
        except TiledeskRPCError:
            raise
        except concurrent.futures.TimeoutError:
            if not self._abandon(req_id):
                return future.result(0)  # answered (or failed) just as the timeout expired
            error = self._timeout_error(method, req_id, limit)
            if not future.done():
                future.set_exception(error)
            raise error from None
        except BaseException:  # KeyboardInterrupt and the like: stop the work on the bridge too
            self._abandon(req_id)
            raise

    def _send_batch(self, items: List[BatchItem[Any]], timeout: Optional[float]) -> None:
        if not items:
            return
        line = self._batch_line(items)
        if line is None:
            return
        try:
            self._write(line)
        except (OSError, ValueError):
            self._reader.join(2.0)
            self._batch_unsent(items)
            return
        futures = [cast("concurrent.futures.Future[Any]", item._future) for item in items]
        limit = self.timeout if timeout is None else timeout
        try:
            concurrent.futures.wait(futures, limit)
        except BaseException:
            self._abandon_all(item.id for item in items)
            raise
        self._batch_timed_out(items, limit)

    def _drain_stderr(self) -> None:
        stream = self._proc.stderr
        if stream is None:
            return
        try:
            for line in iter(lambda: stream.readline(STDERR_MAX_LINE), b""):
                self._stderr_line(line)
        except (OSError, ValueError):
            pass

    def _read_stdout(self) -> None:
        stream = self._proc.stdout
        try:
            if stream is not None:
                for raw in iter(stream.readline, b""):
                    self._handle_line(raw)
        except (OSError, ValueError):
            pass
        finally:
            self._stderr_thread.join(1.0)
            if self._proc.poll() is None:
                try:
                    self._proc.wait(1.0)
                except subprocess.TimeoutExpired:
                    pass
            self._mark_eof()

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
