"""Walking a paged method (``activity.list``): pages from 0, each ``{count, page, per_page, <items>}``,
until ``count`` items were given. The generated ``iterate`` helpers call these."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, AsyncIterator, Dict, Iterator, List, Optional, Set

if TYPE_CHECKING:
    from ._callers import _AsyncCaller, _SyncCaller

#: The param that picks a page.
PAGE = "page"


class _Walk:
    """Where a walk is: the next page to ask for, the ids given so far, whether it is over."""

    def __init__(self, params: Optional[Dict[str, Any]], items: str) -> None:
        self._params = dict(params or {})
        self._items = items
        self._page = 0
        self._seen: Set[Any] = set()
        self.over = False

    def request(self) -> Dict[str, Any]:
        """The params of the next page."""
        return {**self._params, PAGE: self._page}

    def take(self, answer: Any) -> List[Any]:
        """The new items of a page (an item whose id was given before is left out, as the list
        may have moved between pages); decides whether another page is worth asking for."""
        page: Dict[str, Any] = answer if isinstance(answer, dict) else {}
        items = page.get(self._items)
        items = items if isinstance(items, list) else []
        count, per_page = _number(page.get("count")), _number(page.get("per_page"))
        self._page += 1
        self.over = not items or per_page is None or count is None or self._page * per_page >= count
        fresh = []
        for item in items:
            key = item.get("id") if isinstance(item, dict) else None
            if key is None:
                fresh.append(item)
            elif key not in self._seen:
                self._seen.add(key)
                fresh.append(item)
        return fresh


def _number(value: Any) -> Optional[int]:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def iterate_pages(
    caller: "_SyncCaller", method: str, params: Optional[Dict[str, Any]], items: str, timeout: Optional[float]
) -> Iterator[Any]:
    """Each item of every page of ``method``, asking for a page when the last one is used up."""
    walk = _Walk(params, items)
    while not walk.over:
        yield from walk.take(caller.call(method, walk.request(), timeout=timeout))


async def aiterate_pages(
    caller: "_AsyncCaller", method: str, params: Optional[Dict[str, Any]], items: str, timeout: Optional[float]
) -> AsyncIterator[Any]:
    """The asyncio twin of :func:`iterate_pages`."""
    walk = _Walk(params, items)
    while not walk.over:
        for item in walk.take(await caller.call(method, walk.request(), timeout=timeout)):
            yield item
