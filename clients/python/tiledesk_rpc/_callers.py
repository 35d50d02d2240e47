"""What the generated helpers in ``_api.py`` need from the object they call through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Optional, Protocol

if TYPE_CHECKING:
    from ._batch import BatchItem


class _SyncCaller(Protocol):
    def call(self, method: str, params: Any = None, timeout: Optional[float] = None) -> Any: ...


class _AsyncCaller(Protocol):
    def call(self, method: str, params: Any = None, timeout: Optional[float] = None) -> Awaitable[Any]: ...


class _BatchCaller(Protocol):
    def call(self, method: str, params: Any = None) -> "BatchItem[Any]": ...
