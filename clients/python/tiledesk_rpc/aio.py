"""The asyncio client: the same API as :class:`~tiledesk_rpc.TiledeskRPC`, awaited."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any, Dict, List, Optional, Type

from ._api import AsyncGroups
from ._base import OnAnswer, _BaseBridge
from ._batch import AsyncBatch, BatchItem
from ._common import STDERR_MAX_LINE, bridge_closed, cancel_line, encode
from ._notices import AsyncSubscription
from ._progress import AsyncProgressInbox, ProgressCallback, refuses_progress, with_progress_token
from .errors import BridgeClosed, BridgeNotFound, InvalidParams

__all__ = ["AsyncTiledeskRPC"]

_READ_CHUNK = 1 << 16


class AsyncTiledeskRPC(AsyncGroups, _BaseBridge):
    """A ``tiledesk-rpc`` bridge driven from asyncio::

        async with AsyncTiledeskRPC(sandbox=True) as client:
            team = await client.team.list()

    Takes the same arguments as :class:`~tiledesk_rpc.TiledeskRPC`. The process starts
    on ``async with``, :meth:`start` or the first call (a setting the bridge refuses raises
    :class:`~tiledesk_rpc.ConfigurationError` there); :meth:`aclose` stops it. Use one
    instance from one event loop; any number of tasks may call at once.
    """

    def _launch(self) -> None:
        self._proc: Optional[asyncio.subprocess.Process] = None
        self._start_task: Optional["asyncio.Future[None]"] = None
        self._reader_task: Optional["asyncio.Task[None]"] = None
        self._stderr_task: Optional["asyncio.Task[None]"] = None
        self._drain_lock: Optional[asyncio.Lock] = None

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> "AsyncTiledeskRPC":
        """Start the bridge process and check it accepted its settings (done by ``async with``
        and the first call)."""
        if self._start_task is None:
            if self._closing:
                raise bridge_closed("the tiledesk-rpc client is closed", None, self._stderr.text())
            self._start_task = asyncio.ensure_future(self._spawn())
        await asyncio.shield(self._start_task)
        return self

    async def _spawn(self) -> None:
        self._drain_lock = asyncio.Lock()
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *self.args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self.env,
            )
        except OSError as exc:
            raise BridgeNotFound(f"could not start {self.binary!r}: {exc}") from exc
        loop = asyncio.get_running_loop()
        self._stderr_task = loop.create_task(self._drain_stderr())
        self._reader_task = loop.create_task(self._read_stdout())
        try:
            _, future = await self._submit("ping", None)
            await future  # however long the bridge takes to start
        except BridgeClosed as exc:
            await self.aclose()
            raise self._start_failure(exc) from None
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self, timeout: Optional[float] = None) -> Optional[int]:
        """Close the bridge's stdin and wait for it to finish its calls and exit.

        After ``timeout`` seconds (default :attr:`close_timeout`) it is sent SIGTERM, one
        second later killed. Unanswered calls fail with :class:`~tiledesk_rpc.BridgeClosed`.
        Safe to call more than once. Returns the exit status.
        """
        self._closing = True
        starting = self._start_task
        if starting is not None and not starting.done() and asyncio.current_task() is not starting:
            await asyncio.wait({starting})  # its failure, if any, is the caller's of start()
        proc = self._proc
        if proc is None:
            return None
        wait = self.close_timeout if timeout is None else timeout
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except (OSError, RuntimeError):
                pass
        try:
            await asyncio.wait_for(proc.wait(), wait)
        except asyncio.TimeoutError:
            await self._stop_process(proc)
        for task in (self._reader_task, self._stderr_task):
            if task is not None and not task.done():
                done, _ = await asyncio.wait({task}, timeout=2.0)
                if not done:  # a grandchild still holds the pipe open
                    task.cancel()
        self._fail_all("the tiledesk-rpc client was closed before the bridge answered")
        return proc.returncode

    async def __aenter__(self) -> "AsyncTiledeskRPC":
        return await self.start()

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        pid = self._proc.pid if self._proc is not None else None
        state = "closed" if self.closed else ("running" if pid else "not started")
        return f"<AsyncTiledeskRPC pid={pid} {state} {self.binary!r}>"

    # -- public API ---------------------------------------------------------------------------

    async def call(
        self, method: str, params: Any = None, timeout: Optional[float] = None, on_progress: Optional[ProgressCallback] = None
    ) -> Any:
        """Call ``method`` with ``params`` and return its result (see :meth:`TiledeskRPC.call`;
        ``on_progress`` is called in this task). Cancelling the awaiting task also cancels the
        call on the bridge.
        """
        await self.start()
        if on_progress is None:
            req_id, future = await self._submit(method, params)
            return await self._wait(req_id, method, future, timeout)
        token = self._progress_token()
        inbox = AsyncProgressInbox(on_progress)
        self._listen(("token", token), inbox.put)
        try:
            req_id, future = await self._submit(method, with_progress_token(params, token))
            return await self._wait(req_id, method, future, timeout, inbox)
        except InvalidParams as exc:
            if not refuses_progress(exc):
                raise
        finally:
            self._unlisten(("token", token))
        return await self.call(method, params, timeout)

    async def subscribe(self, method: str, params: Any = None, timeout: Optional[float] = None) -> AsyncSubscription:
        """Call a method that answers ``{"subscription": id, ...}`` and return the subscription
        (see :meth:`TiledeskRPC.subscribe`); its ``next()`` is awaited."""
        await self.start()
        subscription = AsyncSubscription(self, method)
        req_id, future = await self._submit(method, params, subscription._answered)
        answer = await self._wait(req_id, method, future, timeout)
        subscription._check_started(answer)
        return subscription

    async def notify(self, method: str, params: Any = None) -> None:
        """Send a notification (no id, no answer)."""
        await self.start()
        message: Dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        await self._write(encode(message) + b"\n", method)

    def batch(self, timeout: Optional[float] = None) -> AsyncBatch:
        """Collect calls into one JSON-RPC batch, sent when the ``async with`` block ends."""
        return AsyncBatch(self, timeout)

    async def ping(self, *, timeout: Optional[float] = None) -> Dict[str, Any]:
        """``ping``: answers ``{}`` when the bridge is alive."""
        return await self.call("ping", None, timeout)  # type: ignore[no-any-return]

    async def discover(self, *, timeout: Optional[float] = None) -> Dict[str, Any]:
        """``rpc.discover``: the bridge's OpenRPC document."""
        return await self.call("rpc.discover", None, timeout)  # type: ignore[no-any-return]

    @property
    def pid(self) -> Optional[int]:
        """The bridge's process id (None before it started)."""
        return self._proc.pid if self._proc is not None else None

    @property
    def returncode(self) -> Optional[int]:
        """The bridge's exit status, or None while it runs."""
        return self._proc.returncode if self._proc is not None else None

    # -- I/O ------------------------------------------------------------------------------------

    async def _write(self, data: bytes, method: str) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or self._eof or self._closing:
            raise self._closed_error(method)
        try:
            proc.stdin.write(data)
            assert self._drain_lock is not None
            async with self._drain_lock:  # Python 3.9 does not allow concurrent drain() calls
                await proc.stdin.drain()
        except (OSError, RuntimeError) as exc:
            if self._reader_task is not None:
                await asyncio.wait({self._reader_task}, timeout=2.0)
            raise self._closed_error(method) from exc

    def _send_cancel(self, req_id: Any) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or self._eof:
            return
        try:
            proc.stdin.write(cancel_line(req_id))  # buffered by the transport; no drain needed
        except (OSError, RuntimeError):
            pass

    async def _submit(self, method: str, params: Any, on_answer: Optional[OnAnswer] = None) -> "tuple[int, asyncio.Future[Any]]":
        req_id, line = self._request_line(method, params)
        future: "asyncio.Future[Any]" = asyncio.get_running_loop().create_future()
        self._register(req_id, future, method, on_answer)
        try:
            await self._write(line, method)
        except asyncio.CancelledError:  # cancelled while waiting to flush: the bridge may have it
            self._abandon(req_id)
            raise
        except BaseException:
            self._forget([req_id])
            raise
        return req_id, future

    async def _wait(
        self,
        req_id: Any,
        method: str,
        future: "asyncio.Future[Any]",
        timeout: Optional[float],
        progress: Optional[AsyncProgressInbox] = None,
    ) -> Any:
        limit = self.timeout if timeout is None else timeout
        try:
            if progress is not None:
                await progress.deliver(future, limit)
            else:
                await asyncio.wait({future}, timeout=limit)
        except BaseException:  # cancelled, or the progress callback failed: stop the call too
            self._abandon(req_id)
            raise
        if future.done():
            return future.result()
        self._abandon(req_id)
        future.cancel()
        raise self._timeout_error(method, req_id, limit)

    async def _send_batch(self, items: List[BatchItem[Any]], timeout: Optional[float]) -> None:
        if not items:
            return
        await self.start()
        try:
            line = self._batch_line(items)
            if line is None:
                return
            try:
                await self._write(line, "a batch")
            except BridgeClosed:
                self._batch_unsent(items)
                return
            limit = self.timeout if timeout is None else timeout
            try:
                await asyncio.wait([item._future for item in items], timeout=limit)  # type: ignore[misc]
            except asyncio.CancelledError:
                self._abandon_all(item.id for item in items)
                raise
            self._batch_timed_out(items, limit)
        finally:
            for item in items:  # errors are read from the handles; don't log them as unretrieved
                if item._future.done() and not item._future.cancelled():
                    item._future.exception()

    async def _drain_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        stream = self._proc.stderr
        pending = b""
        try:
            while True:
                chunk = await stream.read(_READ_CHUNK)
                if not chunk:
                    break
                pending += chunk
                *lines, pending = pending.split(b"\n")
                if len(pending) > STDERR_MAX_LINE:
                    lines.append(pending)
                    pending = b""
                for line in lines:
                    self._stderr_line(line)
            if pending:
                self._stderr_line(pending)
        except (OSError, ValueError):
            pass

    async def _read_stdout(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        stream = self._proc.stdout
        buffer = bytearray()
        scanned = 0
        try:
            while True:
                chunk = await stream.read(_READ_CHUNK)
                if not chunk:
                    break
                buffer += chunk
                while True:
                    end = buffer.find(b"\n", scanned)
                    if end < 0:
                        scanned = len(buffer)
                        break
                    line = bytes(buffer[:end])
                    del buffer[: end + 1]
                    scanned = 0
                    self._handle_line(line)
            self._handle_line(bytes(buffer))
        except (OSError, ValueError):
            pass
        finally:
            if self._stderr_task is not None:
                await asyncio.wait({self._stderr_task}, timeout=1.0)
            if self._proc.returncode is None:
                try:
                    await asyncio.wait_for(self._proc.wait(), 1.0)
                except asyncio.TimeoutError:
                    pass
            self._mark_eof()

    async def _stop_process(self, proc: asyncio.subprocess.Process) -> None:
        """SIGTERM (the bridge then exits after a short grace period), then SIGKILL."""
        for stop, grace in ((proc.terminate, 1.0), (proc.kill, 5.0)):
            try:
                stop()
            except ProcessLookupError:
                return
            try:
                await asyncio.wait_for(proc.wait(), grace)
                return
            except asyncio.TimeoutError:
                pass
