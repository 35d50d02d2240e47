"""Notifications from the bridge and who they are for.

Besides answers, the bridge sends notifications while work goes on: ``$/progress`` for a call
that asked for progress reports (its ``params._meta.progressToken``), and the notifications of a
subscription (``team.changed``, ``team.watchError``), each naming its ``subscription``. The
client hands each one to the listener of its :data:`Route`; a notification nobody listens for is
ignored.
"""

from __future__ import annotations

import asyncio
import queue
from typing import Any, Callable, Dict, Optional, Protocol, Tuple, Union

from .errors import BridgeClosed, InternalError

#: The notification carrying a progress report: ``{"token", "value"}``.
PROGRESS = "$/progress"

#: Who a notification is for: ``("token", T)`` for a progress report, ``("subscription", S)`` for
#: the notifications of a subscription.
Route = Tuple[str, Any]

#: A notification as its listener gets it: ``(method, params)``.
Notice = Tuple[str, Dict[str, Any]]


class _End:
    """What a listener gets when the bridge has gone: nothing more will come."""

    def __repr__(self) -> str:
        return "END"


END = _End()

#: Takes each notice of its route (in the client's reader), then :data:`END` if the bridge goes first.
Listener = Callable[[Union[Notice, _End]], None]


class _Listening(Protocol):
    def _listen(self, route: Route, listener: "Listener") -> None: ...

    def _unlisten(self, route: Route) -> None: ...

    def _closed_error(self, method: str) -> BridgeClosed: ...


def route_of(message: Dict[str, Any]) -> Optional[Route]:
    """The route of a notification, or None when it is for nobody."""
    params = message.get("params")
    method = message.get("method")
    if not isinstance(params, dict) or not isinstance(method, str):
        return None
    if method == PROGRESS:
        return ("token", params.get("token"))
    if "subscription" in params:
        return ("subscription", params["subscription"])
    return None


class Subscription:
    """The notifications of one subscription, in the order the bridge sent them: what a method
    answering ``{"subscription": id, ...}`` sends afterwards, each naming that id. The client
    starts listening when the answer arrives, before it reads another line, so none is missed."""

    def __init__(self, client: "_Listening", method: str) -> None:
        #: the subscription's id, as the bridge named it (None until the method answered)
        self.id: Optional[Union[str, int]] = None
        #: the method's answer: the first state of what is watched
        self.answer: Dict[str, Any] = {}
        self.method = method
        self._client = client

    def _put(self, item: Union[Notice, _End]) -> None:
        raise NotImplementedError

    def _answered(self, answer: Any) -> None:
        """The method's answer, in the reader: listen for the subscription it names."""
        subscription = answer.get("subscription") if isinstance(answer, dict) else None
        if isinstance(subscription, (str, int)) and not isinstance(subscription, bool):
            self.id, self.answer = subscription, answer
            self._client._listen(("subscription", subscription), self._put)

    def _check_started(self, answer: Any) -> None:
        """Raise when the method answered without a usable subscription id."""
        if self.id is None:
            raise InternalError(-32603, f"{self.method} answered without a subscription id", {"retryable": False, "result": answer})

    def _notice(self, item: Union[Notice, _End]) -> Notice:
        if isinstance(item, _End):
            raise self._client._closed_error(self.method)
        return item

    def cancel(self) -> None:
        """Stop listening; notifications still queued are dropped."""
        if self.id is not None:
            self._client._unlisten(("subscription", self.id))


class ThreadSubscription(Subscription):
    """A subscription of the thread client: :meth:`next` blocks."""

    def __init__(self, client: "_Listening", method: str) -> None:
        super().__init__(client, method)
        self._queue: "queue.SimpleQueue[Union[Notice, _End]]" = queue.SimpleQueue()

    def _put(self, item: Union[Notice, _End]) -> None:
        self._queue.put(item)

    def next(self) -> Notice:
        """The next notification; raises BridgeClosed once the bridge has gone."""
        return self._notice(self._queue.get())


class AsyncSubscription(Subscription):
    """A subscription of the asyncio client: :meth:`next` is awaited."""

    def __init__(self, client: "_Listening", method: str) -> None:
        super().__init__(client, method)
        self._queue: "asyncio.Queue[Union[Notice, _End]]" = asyncio.Queue()

    def _put(self, item: Union[Notice, _End]) -> None:
        self._queue.put_nowait(item)

    async def next(self) -> Notice:
        """The next notification; raises BridgeClosed once the bridge has gone."""
        return self._notice(await self._queue.get())
