"""Progress reports: a call whose params carry ``_meta.progressToken`` gets ``$/progress``
notifications ``{"token", "value": {"done", "total", "action"}}`` while it runs (``team.apply``: at
least one per finished action). The clients choose the token, listen for it, and hand each
``value`` to the caller's callback in the thread or task that waits for the call, never in the
reader, so a callback may take its time or call the client."""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import time
from typing import Any, AsyncIterator, Callable, Dict, Mapping, Optional, TypedDict, Union

from ._notices import Notice, _End
from .errors import InvalidParams

__all__ = ["Progress", "ProgressCallback", "ProgressStream"]


class Progress(TypedDict):
    """One progress report: ``done`` of ``total`` steps finished, the last being ``action`` (for
    ``team.apply``, the roster action just carried out, as its plan lists it)."""

    done: int
    total: int
    action: Dict[str, Any]


#: What a helper taking ``on_progress`` calls with each report.
ProgressCallback = Callable[[Progress], Any]


def with_progress_token(params: Any, token: str) -> Dict[str, Any]:
    """A copy of the params (by name) asking for progress reports under ``token``."""
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise TypeError("a call reporting progress takes its params by name (a dict)")
    meta = params.get("_meta")
    return {**params, "_meta": {**(meta if isinstance(meta, Mapping) else {}), "progressToken": token}}


def refuses_progress(error: Exception) -> bool:
    """True for the answer of a bridge too old to report progress: ``_meta`` is an unknown param."""
    return isinstance(error, InvalidParams) and error._data_get("field") == "_meta"


def _value(item: Union[Notice, _End, None]) -> Optional[Progress]:
    """The report of a queued ``$/progress`` notice; None for the end of the call."""
    if not isinstance(item, tuple):
        return None
    value = item[1].get("value")
    return value if isinstance(value, dict) else {}  # type: ignore[return-value]


def _remaining(deadline: Optional[float]) -> Optional[float]:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


class ProgressInbox:
    """The progress reports of one call of the thread client, queued by the reader."""

    def __init__(self, callback: ProgressCallback) -> None:
        self._queue: "queue.SimpleQueue[Union[Notice, _End, None]]" = queue.SimpleQueue()
        self._callback = callback

    def put(self, item: Union[Notice, _End]) -> None:
        self._queue.put(item)

    def deliver(self, done: "concurrent.futures.Future[Any]", limit: Optional[float]) -> None:
        """Call the callback with each report, in this thread, until the call (``done``, its
        future) has ended or ``limit`` seconds have passed."""
        done.add_done_callback(lambda _: self._queue.put(None))
        deadline = None if limit is None else time.monotonic() + limit
        while True:
            try:
                report = _value(self._queue.get(timeout=_remaining(deadline)))
            except queue.Empty:
                return
            if report is None:
                return
            self._callback(report)


class AsyncProgressInbox:
    """The progress reports of one call of the asyncio client, queued by the reader task."""

    def __init__(self, callback: ProgressCallback) -> None:
        self._queue: "asyncio.Queue[Union[Notice, _End, None]]" = asyncio.Queue()
        self._callback = callback

    def put(self, item: Union[Notice, _End]) -> None:
        self._queue.put_nowait(item)

    async def deliver(self, done: "asyncio.Future[Any]", limit: Optional[float]) -> None:
        """Call the callback with each report until the call has ended or ``limit`` s have passed."""
        done.add_done_callback(lambda _: self._queue.put_nowait(None))
        deadline = None if limit is None else time.monotonic() + limit
        while True:
            try:
                report = _value(await asyncio.wait_for(self._queue.get(), _remaining(deadline)))
            except asyncio.TimeoutError:
                return
            if report is None:
                return
            self._callback(report)


class ProgressStream:
    """The progress of an asyncio call as an async iterator: pass the stream as the call's
    ``on_progress``, run the call as a task, and iterate :meth:`until` it ends::

        progress = ProgressStream()
        applying = asyncio.ensure_future(client.team.apply(roster, on_progress=progress))
        async for report in progress.until(applying):
            print(f"{report['done']}/{report['total']}")
        applied = await applying
    """

    def __init__(self) -> None:
        self._queue: "Optional[asyncio.Queue[Progress]]" = None

    def _reports(self) -> "asyncio.Queue[Progress]":
        if self._queue is None:  # made in the running loop (Python 3.9 binds a queue at creation)
            self._queue = asyncio.Queue()
        return self._queue

    def __call__(self, report: Progress) -> None:
        self._reports().put_nowait(report)

    async def until(self, call: "asyncio.Future[Any]") -> AsyncIterator[Progress]:
        """Each report, until ``call`` (the task running the call) has ended and every report it
        made was given. Leaving the loop early leaves the call running."""
        reports = self._reports()
        while not call.done():
            getter = asyncio.ensure_future(reports.get())
            try:
                await asyncio.wait({getter, call}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                got = getter.done()
                if not got:
                    getter.cancel()  # takes no report: one that came is left for the loop below
            if not got:
                break
            yield getter.result()
        while not reports.empty():
            yield reports.get_nowait()
