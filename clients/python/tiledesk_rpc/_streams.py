"""The helpers that answer with a stream rather than one result, written by hand; the generated
group classes mix them in. ``client.team.watch()``: the team's changes as the bridge finds them.

``team.watch`` answers ``{"subscription", "teammates", "invitations"}`` and then, each time a poll
finds a difference, the bridge sends ``team.changed`` ``{"subscription", "project_id",
"changes"}``; a failed poll is reported once per streak as ``team.watchError`` ``{"subscription",
"error"}`` and polling goes on. ``team.unwatch`` ``{"subscription"}`` ends it.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, AsyncIterator, Dict, Iterator, List, Literal, Optional, Type, TypedDict, Union

from ._notices import AsyncSubscription, Notice, ThreadSubscription
from .errors import BridgeClosed, WatchError
from .types import Invitation, Teammate

if TYPE_CHECKING:
    from ._callers import _AsyncSubscriber, _SyncSubscriber

__all__ = ["TeamChange", "FieldChange", "ChangeKind", "TeamView", "TeamWatch", "AsyncTeamWatch"]

WATCH = "team.watch"
UNWATCH = "team.unwatch"
WATCH_ERROR = "team.watchError"

#: What happened to someone: a teammate ``joined``, ``left`` or was ``updated``; an invitation
#: was sent (``invited``) or is gone (``invitation_removed``: accepted or cancelled).
ChangeKind = Literal["joined", "left", "updated", "invited", "invitation_removed"]

#: One field of an ``updated`` teammate: its value before and after.
FieldChange = TypedDict("FieldChange", {"from": Any, "to": Any})


class _TeamChangeRequired(TypedDict):
    kind: ChangeKind


class TeamChange(_TeamChangeRequired, total=False):
    """One change a poll found: the ``teammate`` (as it is now, or was when it left) or the
    ``invitation`` it concerns; for ``updated``, the ``fields`` that changed (role, status,
    trashed, user_available, profileStatus, presence status, isBusy, max_assigned_chat)."""

    teammate: Teammate
    invitation: Invitation
    fields: Dict[str, FieldChange]


def _by_id(records: Any) -> Dict[str, Any]:
    return {str(r.get("id") or r.get("_id")): r for r in records if isinstance(r, dict)} if isinstance(records, list) else {}


class TeamView:
    """The team as a watch last saw it: ``teammates`` and pending ``invitations`` by id, as the
    watch's answer gave them, then as of each poll whose changes the watch has begun to give (all
    the changes one poll found are applied together, when the first of them is given)."""

    def __init__(self) -> None:
        #: the watch's subscription id (None until it started)
        self.subscription: Optional[Union[str, int]] = None
        #: teammate id → teammate
        self.teammates: Dict[str, Teammate] = {}
        #: invitation id → pending invitation
        self.invitations: Dict[str, Invitation] = {}

    def _started(self, subscription: Union[ThreadSubscription, AsyncSubscription]) -> None:
        self.subscription = subscription.id
        self.teammates = _by_id(subscription.answer.get("teammates"))
        self.invitations = _by_id(subscription.answer.get("invitations"))

    def _changes(self, notice: Notice) -> List[TeamChange]:
        """The changes of a notification (each applied to the view); raises :class:`WatchError`
        for a failed poll."""
        method, params = notice
        if method == WATCH_ERROR:
            error = params.get("error")
            error = error if isinstance(error, dict) else {}
            raise WatchError(error.get("code", -32603), str(error.get("message", "")), error.get("data"), self.subscription)
        changes = params.get("changes")
        changes = [c for c in changes if isinstance(c, dict)] if isinstance(changes, list) else []
        for change in changes:
            self._apply(change)
        return changes  # type: ignore[return-value]

    def _apply(self, change: Dict[str, Any]) -> None:
        kind = change.get("kind")
        records = self.invitations if kind in ("invited", "invitation_removed") else self.teammates
        record = change.get("invitation" if records is self.invitations else "teammate")
        if not isinstance(record, dict):
            return
        key = str(record.get("id") or record.get("_id"))
        if kind in ("left", "invitation_removed"):
            records.pop(key, None)
        else:
            records[key] = record  # type: ignore[assignment]


def _watch_params(project_id: Optional[str], interval: Optional[float]) -> Dict[str, Any]:
    return {k: v for k, v in (("project_id", project_id), ("interval", interval)) if v is not None}


class TeamWatch(TeamView):
    """``team.watch`` for the thread client: iterate to get each change as the bridge finds it
    (blocking between polls); the view (:attr:`teammates`, :attr:`invitations`) follows.

    Leaving the loop (``break``, ``return``, an exception of your own) unwatches, as do
    :meth:`close` and leaving a ``with`` block. A failed poll raises :class:`~tiledesk_rpc.WatchError`
    from the loop and the watch goes on: catch it and iterate again. When the bridge exits, the
    loop raises :class:`~tiledesk_rpc.BridgeClosed`.
    """

    def __init__(self, client: "_SyncSubscriber", params: Dict[str, Any], timeout: Optional[float]) -> None:
        super().__init__()
        self._client = client
        self._timeout = timeout
        self._closed = False
        self._subscription = client.subscribe(WATCH, params, timeout)
        self._started(self._subscription)

    def __iter__(self) -> Iterator[TeamChange]:
        if self._closed:
            return
        try:
            while True:
                yield from self._changes(self._subscription.next())
        except GeneratorExit:  # the loop was left
            self.close()
            raise

    def close(self) -> None:
        """Unwatch (``team.unwatch``); nothing to do once the bridge is gone. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._subscription.cancel()
        try:
            self._client.call(UNWATCH, {"subscription": self.subscription}, timeout=self._timeout)
        except BridgeClosed:
            pass

    def __enter__(self) -> "TeamWatch":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()


class AsyncTeamWatch(TeamView):
    """``team.watch`` for the asyncio client: ``async for change in client.team.watch()``.

    The watch starts on ``async with``, :meth:`start` or the first iteration. Leaving the loop
    unwatches (soon after: Python closes an abandoned async generator in a task; ``async with``
    or :meth:`aclose` unwatch at once). Errors as for :class:`TeamWatch`.
    """

    def __init__(self, client: "_AsyncSubscriber", params: Dict[str, Any], timeout: Optional[float]) -> None:
        super().__init__()
        self._client = client
        self._params = params
        self._timeout = timeout
        self._closed = False
        self._subscription: Optional[AsyncSubscription] = None

    async def start(self) -> "AsyncTeamWatch":
        """Subscribe (once): the view holds the team as the watch's answer gave it."""
        if self._subscription is None:
            self._subscription = await self._client.subscribe(WATCH, self._params, self._timeout)
            self._started(self._subscription)
        return self

    def __aiter__(self) -> AsyncIterator[TeamChange]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[TeamChange]:
        if self._closed:
            return
        subscription = self._subscription or (await self.start())._subscription
        assert subscription is not None
        try:
            while True:
                for change in self._changes(await subscription.next()):
                    yield change
        except GeneratorExit:  # the loop was left
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Unwatch; see :meth:`TeamWatch.close`."""
        if self._closed:
            return
        self._closed = True
        if self._subscription is None:
            return
        self._subscription.cancel()
        try:
            await self._client.call(UNWATCH, {"subscription": self.subscription}, timeout=self._timeout)
        except BridgeClosed:
            pass

    async def __aenter__(self) -> "AsyncTeamWatch":
        return await self.start()

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.aclose()


class TeamStreams:
    """``client.team.watch()`` of the thread client."""

    __slots__ = ()
    _c: "_SyncSubscriber"

    def watch(self, project_id: Optional[str] = None, *, interval: Optional[float] = None, timeout: Optional[float] = None) -> TeamWatch:
        """Watch the team: the bridge polls it every ``interval`` seconds (default 30, at least 5)
        and the returned :class:`TeamWatch` gives each change it finds::

            with client.team.watch(interval=10) as watch:
                for change in watch:
                    print(change["kind"], len(watch.teammates))

        Subscribes at once (an error of ``team.watch`` is raised here). ``timeout`` bounds the
        subscribing and unsubscribing calls, not the wait for changes.

        JSON-RPC ``team.watch``, then ``team.changed`` / ``team.watchError``; ``team.unwatch``.
        """
        return TeamWatch(self._c, _watch_params(project_id, interval), timeout)


class AsyncTeamStreams:
    """``client.team.watch()`` of the asyncio client."""

    __slots__ = ()
    _c: "_AsyncSubscriber"

    def watch(
        self, project_id: Optional[str] = None, *, interval: Optional[float] = None, timeout: Optional[float] = None
    ) -> AsyncTeamWatch:
        """Watch the team (see :meth:`TeamStreams.watch`): ``async for change in client.team.watch()``.
        Subscribes on ``async with``, ``start()`` or the first iteration.

        JSON-RPC ``team.watch``, then ``team.changed`` / ``team.watchError``; ``team.unwatch``.
        """
        return AsyncTeamWatch(self._c, _watch_params(project_id, interval), timeout)
