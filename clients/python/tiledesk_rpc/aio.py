"""The asyncio client: the same API as :class:`~tiledesk_rpc.TiledeskRPC`, awaited."""

from __future__ import annotations

import asyncio
import itertools
import json
from types import TracebackType
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Set, Tuple, Type

from ._api import AsyncAuthAPI, AsyncProjectAPI, AsyncTeamAPI, AsyncUserAPI
from ._batch import AsyncBatch, BatchItem
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
from .errors import BridgeClosed, BridgeNotFound, CallTimeout, error_from_wire

__all__ = ["AsyncTiledeskRPC"]

_READ_CHUNK = 1 << 16


class AsyncTiledeskRPC:
    """A ``tiledesk-rpc`` bridge driven from asyncio::

        async with AsyncTiledeskRPC(sandbox=True) as client:
            team = await client.team.list()

    Takes the same arguments as :class:`~tiledesk_rpc.TiledeskRPC`. The process starts
    on ``async with``, :meth:`start` or the first call; :meth:`aclose` stops it. Use
    one instance from one event loop; any number of tasks may call at once.
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
        self._pending: Dict[Any, Tuple["asyncio.Future[Any]", str]] = {}
        self._abandoned: Set[Any] = set()
        self._ids = itertools.count(1)
        self._closing = False
        self._eof = False
        self._stderr = StderrTail()
        self._proc: Optional[asyncio.subprocess.Process] = None
        self._start_task: Optional["asyncio.Future[None]"] = None
        self._reader_task: Optional["asyncio.Task[None]"] = None
        self._stderr_task: Optional["asyncio.Task[None]"] = None
        self._drain_lock: Optional[asyncio.Lock] = None

        self.user = AsyncUserAPI(self)
        """``user.get``, ``user.update``"""
        self.project = AsyncProjectAPI(self)
        """``project.list``"""
        self.team = AsyncTeamAPI(self)
        """``team.list``, ``team.get``, ``team.get_by_user``, ``team.me``, ``team.invite``,
        ``team.update``, ``team.update_me``, ``team.leave``, ``team.restore``"""
        self.auth = AsyncAuthAPI(self)
        """``auth.signin``"""

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> "AsyncTiledeskRPC":
        """Start the bridge process (done by ``async with`` and the first call)."""
        if self._closing:
            raise bridge_closed("the tiledesk-rpc client is closed", None, self._stderr.text())
        if self._start_task is None:
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

    async def aclose(self, timeout: Optional[float] = None) -> Optional[int]:
        """Close the bridge's stdin and wait for it to finish its calls and exit.

        After ``timeout`` seconds (default :attr:`close_timeout`) it is sent SIGTERM, one
        second later killed. Unanswered calls fail with :class:`~tiledesk_rpc.BridgeClosed`.
        Safe to call more than once. Returns the exit status.
        """
        self._closing = True
        if self._start_task is not None:
            try:
                await asyncio.shield(self._start_task)
            except BridgeNotFound:
                return None
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

    async def call(self, method: str, params: Any = None, timeout: Optional[float] = None) -> Any:
        """Call ``method`` with ``params`` and return its result (see :meth:`TiledeskRPC.call`).

        Cancelling the awaiting task also cancels the call on the bridge.
        """
        req_id, future = await self._submit(method, params)
        return await self._wait(req_id, method, future, timeout)

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

    @property
    def closed(self) -> bool:
        """True after :meth:`aclose`, or once the bridge has exited."""
        return self._closing or self._eof

    @property
    def stderr_tail(self) -> str:
        """The last lines the bridge wrote to stderr."""
        return self._stderr.text()

    # -- internals ----------------------------------------------------------------------------

    def _closed_error(self, method: str) -> BridgeClosed:
        if self._closing:
            reason = f"the tiledesk-rpc client is closed; cannot call {method}"
        else:
            reason = f"the tiledesk-rpc bridge has exited; cannot call {method}"
        return bridge_closed(reason, self.returncode, self._stderr.text())

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

    async def _submit(self, method: str, params: Any) -> Tuple[int, "asyncio.Future[Any]"]:
        await self.start()
        req_id = next(self._ids)
        line = encode(request(req_id, method, params))
        if len(line) > self._max_line:
            raise line_too_long(len(line), self._max_line)
        if self._closing or self._eof:
            raise self._closed_error(method)
        future: "asyncio.Future[Any]" = asyncio.get_running_loop().create_future()
        self._pending[req_id] = (future, method)
        try:
            await self._write(line + b"\n", method)
        except asyncio.CancelledError:  # cancelled while waiting to flush: the bridge may have it
            self._abandon(req_id)
            raise
        except BaseException:
            self._pending.pop(req_id, None)
            raise
        return req_id, future

    async def _wait(self, req_id: Any, method: str, future: "asyncio.Future[Any]", timeout: Optional[float]) -> Any:
        limit = self.timeout if timeout is None else timeout
        try:
            await asyncio.wait({future}, timeout=limit)
        except asyncio.CancelledError:
            self._abandon(req_id)
            raise
        if future.done():
            return future.result()
        self._abandon(req_id)
        future.cancel()
        raise CallTimeout(
            -32800,
            f"{method} did not answer within {limit} s; it was cancelled on the bridge",
            {"retryable": True, "id": req_id, "method": method, "timeout": limit},
        )

    def _abandon(self, req_id: Any) -> bool:
        if self._pending.pop(req_id, None) is None:
            return False
        if not self._eof:
            self._abandoned.add(req_id)
        self._send_cancel(req_id)
        return True

    async def _send_batch(self, items: List[BatchItem[Any]], timeout: Optional[float]) -> None:
        if not items:
            return
        await self.start()
        futures: List["asyncio.Future[Any]"] = [item._future for item in items]  # type: ignore[misc]
        messages = []
        for item in items:
            item.id = next(self._ids)
            messages.append(request(item.id, item.method, item.params))
        line = encode(messages)
        try:
            if len(line) > self._max_line:
                for future in futures:
                    future.set_exception(line_too_long(len(line), self._max_line, "batch"))
                return
            if self._closing or self._eof:
                for item, future in zip(items, futures):
                    future.set_exception(self._closed_error(item.method))
                return
            for item, future in zip(items, futures):
                self._pending[item.id] = (future, item.method)
            try:
                await self._write(line + b"\n", "a batch")
            except BridgeClosed:
                for item, future in zip(items, futures):
                    self._pending.pop(item.id, None)
                    if not future.done():
                        future.set_exception(self._closed_error(item.method))
                return
            limit = self.timeout if timeout is None else timeout
            try:
                await asyncio.wait(futures, timeout=limit)
            except asyncio.CancelledError:
                for item in items:
                    self._abandon(item.id)
                raise
            for item, future in zip(items, futures):
                if not future.done() and self._abandon(item.id):
                    future.set_exception(
                        CallTimeout(
                            -32800,
                            f"{item.method} (in a batch) did not answer within {limit} s; it was cancelled on the bridge",
                            {"retryable": True, "id": item.id, "method": item.method, "timeout": limit},
                        )
                    )
        finally:
            for future in futures:  # errors are read from the handles; don't log them as unretrieved
                if future.done() and not future.cancelled():
                    future.exception()

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

    def _stderr_line(self, line: bytes) -> None:
        self._stderr.add(line)
        if self._on_stderr is not None:
            try:
                self._on_stderr(line[:STDERR_MAX_LINE].decode("utf-8", "replace").rstrip("\r"))
            except Exception:
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
            if buffer.strip():
                self._handle_line(bytes(buffer))
        except (OSError, ValueError):
            pass
        finally:
            await self._on_eof()

    def _handle_line(self, raw: bytes) -> None:
        raw = raw.strip()
        if not raw:
            return
        try:
            message = json.loads(raw)
        except ValueError:
            return
        for member in message if isinstance(message, list) else [message]:
            self._dispatch(member)

    def _dispatch(self, message: Any) -> None:
        if not isinstance(message, dict) or ("result" not in message and "error" not in message):
            return
        req_id = message.get("id")
        try:
            slot = self._pending.pop(req_id, None)
        except TypeError:
            return
        if slot is None:
            self._abandoned.discard(req_id)
            return
        future = slot[0]
        if future.done():
            return
        if "error" in message:
            future.set_exception(error_from_wire(message["error"]))
        else:
            future.set_result(message.get("result"))

    async def _on_eof(self) -> None:
        if self._stderr_task is not None:
            await asyncio.wait({self._stderr_task}, timeout=1.0)
        if self._proc is not None and self._proc.returncode is None:
            try:
                await asyncio.wait_for(self._proc.wait(), 1.0)
            except asyncio.TimeoutError:
                pass
        self._eof = True
        if self._closing:
            self._fail_all("the tiledesk-rpc client was closed before the bridge answered")
        else:
            self._fail_all("the tiledesk-rpc bridge exited before answering")

    def _fail_all(self, reason: str) -> None:
        pending = list(self._pending.values())
        self._pending.clear()
        self._abandoned.clear()
        if not pending:
            return
        stderr = self._stderr.text()
        for future, method in pending:
            if not future.done():
                future.set_exception(bridge_closed(f"{reason} {method}", self.returncode, stderr))

    async def _stop_process(self, proc: asyncio.subprocess.Process) -> None:
        try:
            proc.terminate()
        except ProcessLookupError:
            return
        try:
            await asyncio.wait_for(proc.wait(), 1.0)
            return
        except asyncio.TimeoutError:
            pass
        try:
            proc.kill()
        except ProcessLookupError:
            return
        try:
            await asyncio.wait_for(proc.wait(), 5.0)
        except asyncio.TimeoutError:  # pragma: no cover - an unkillable process
            pass
