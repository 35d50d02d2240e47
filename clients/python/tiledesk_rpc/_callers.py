"""What the generated helpers in ``_api.py`` and the hand-written ones in ``_streams.py`` and
``_paging.py`` need from the object they call through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Optional, Protocol

if TYPE_CHECKING:
    from ._batch import BatchItem
    from ._notices import AsyncSubscription, ThreadSubscription
    from ._progress import ProgressCallback


class _SyncCaller(Protocol):
    def call(
        self, method: str, params: Any = None, timeout: Optional[float] = None, on_progress: "Optional[ProgressCallback]" = None
    ) -> Any: ...


class _AsyncCaller(Protocol):
    def call(
        self, method: str, params: Any = None, timeout: Optional[float] = None, on_progress: "Optional[ProgressCallback]" = None
    ) -> Awaitable[Any]: ...


class _BatchCaller(Protocol):
    def call(self, method: str, params: Any = None) -> "BatchItem[Any]": ...


class _SyncSubscriber(_SyncCaller, Protocol):
    def subscribe(self, method: str, params: Any = None, timeout: Optional[float] = None) -> "ThreadSubscription": ...


class _AsyncSubscriber(_AsyncCaller, Protocol):
    def subscribe(self, method: str, params: Any = None, timeout: Optional[float] = None) -> "Awaitable[AsyncSubscription]": ...
