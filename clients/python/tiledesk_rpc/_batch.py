"""JSON-RPC batches: collect calls, send them as one array line, read each result from its handle."""

from __future__ import annotations

import asyncio
import concurrent.futures
from types import TracebackType
from typing import TYPE_CHECKING, Any, Dict, Generic, List, Optional, Type, TypeVar

from ._api import BatchGroups
from ._base import AnyFuture
from ._common import encode, request

if TYPE_CHECKING:
    from .aio import AsyncTiledeskRPC
    from .client import TiledeskRPC

T = TypeVar("T")

class BatchItem(Generic[T]):
    """The handle of one call in a batch, like a finished future once the batch was sent.

    ``result()`` returns the call's result or raises its error
    (a :class:`~tiledesk_rpc.TiledeskRPCError` subclass); ``exception()`` returns the
    error or ``None``; ``done()`` says whether the outcome is known.
    """

    __slots__ = ("id", "method", "params", "_future")

    def __init__(self, method: str, params: Any, future: AnyFuture) -> None:
        #: the JSON-RPC id, assigned when the batch is sent
        self.id: Optional[int] = None
        self.method = method
        self.params = params
        self._future = future

    def done(self) -> bool:
        """True once the batch was answered (or failed) for this call."""
        return self._future.done()

    def _check_done(self) -> None:
        if not self._future.done():
            raise RuntimeError(f"the batch holding {self.method} has not been sent yet (leave its `with` block first)")

    def result(self) -> T:
        """The call's result; raises its error instead when it failed."""
        self._check_done()
        return self._future.result()  # type: ignore[no-any-return]

    def exception(self) -> Optional[BaseException]:
        """The call's error, or ``None`` when it succeeded."""
        self._check_done()
        return self._future.exception()

    @property
    def ok(self) -> bool:
        """True when the call succeeded."""
        return self.done() and not self._future.cancelled() and self._future.exception() is None

    def __repr__(self) -> str:
        if not self.done():
            state = "pending"
        elif self._future.cancelled():
            state = "not sent"
        elif self._future.exception() is not None:
            state = f"error={self._future.exception()!r}"
        else:
            state = f"result={self._future.result()!r}"
        return f"<BatchItem {self.method} id={self.id} {state}>"


class _BatchBase(BatchGroups):
    def __init__(self, timeout: Optional[float]) -> None:
        self.timeout = timeout
        self._items: List[BatchItem[Any]] = []
        self._sent = False
        self._mount_groups()

    def _new_future(self) -> AnyFuture:
        raise NotImplementedError

    def call(self, method: str, params: Any = None) -> BatchItem[Any]:
        """Add a call to the batch; returns its handle. Params are checked for JSON now."""
        if self._sent:
            raise RuntimeError("this batch was already sent")
        encode(request(0, method, params))  # fail now, not on send, for non-JSON params
        item: BatchItem[Any] = BatchItem(method, params, self._new_future())
        self._items.append(item)
        return item

    def ping(self) -> BatchItem[Dict[str, Any]]:
        """Add ``ping`` (answers ``{}``)."""
        return self.call("ping")

    def discover(self) -> BatchItem[Dict[str, Any]]:
        """Add ``rpc.discover`` (the OpenRPC document)."""
        return self.call("rpc.discover")

    @property
    def items(self) -> List[BatchItem[Any]]:
        """The handles, in the order the calls were added."""
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def _abandon(self) -> None:
        self._sent = True
        for item in self._items:
            item._future.cancel()


class Batch(_BatchBase):
    """Calls collected for one JSON-RPC batch, sent when the ``with`` block ends::

        with client.batch() as batch:
            team = batch.team.list()
            me = batch.user.get()
        print(team.result(), me.result())

    Leaving the block with an exception sends nothing (the handles are cancelled).
    Errors of single calls never escape the block: read them from the handles.
    """

    def __init__(self, client: "TiledeskRPC", timeout: Optional[float] = None) -> None:
        super().__init__(timeout)
        self._client = client

    def _new_future(self) -> AnyFuture:
        return concurrent.futures.Future()

    def send(self) -> List[BatchItem[Any]]:
        """Send the batch and wait for its answer (done on leaving the ``with`` block)."""
        if self._sent:
            raise RuntimeError("this batch was already sent")
        self._sent = True
        self._client._send_batch(self._items, self.timeout)
        return self.items

    def __enter__(self) -> "Batch":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        if exc_type is not None:
            self._abandon()
        elif not self._sent:
            self.send()


class AsyncBatch(_BatchBase):
    """The asyncio twin of :class:`Batch`; use ``async with client.batch() as batch:``."""

    def __init__(self, client: "AsyncTiledeskRPC", timeout: Optional[float] = None) -> None:
        super().__init__(timeout)
        self._client = client

    def _new_future(self) -> AnyFuture:
        return asyncio.get_running_loop().create_future()

    async def send(self) -> List[BatchItem[Any]]:
        """Send the batch and wait for its answer (done on leaving the ``async with`` block)."""
        if self._sent:
            raise RuntimeError("this batch was already sent")
        self._sent = True
        await self._client._send_batch(self._items, self.timeout)
        return self.items

    async def __aenter__(self) -> "AsyncBatch":
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        if exc_type is not None:
            self._abandon()
        elif not self._sent:
            await self.send()
