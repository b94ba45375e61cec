"""Domain events: how features meet without importing each other.

A feature *publishes* a small frozen fact ("a meeting counted", "a member asked to be
forgotten"); the composition root (:mod:`bot.wiring`) decides, in one table read top to bottom,
who *handles* each one. A publisher never knows its subscribers, so no feature imports another
feature's runtime module.

Handlers run one after the other, in the order the table lists them, and in the publisher's
task: when ``publish`` returns, every handler has run. A failing handler is logged and the next
one still runs; the publisher is not told (the fact it published stays true). Handlers must be
quick and idempotent: a restart may repeat an event that was in flight.

Every subscription row carries a :class:`Delivery`. ``IN_PROCESS`` handlers run in memory and
are lost if the process dies first. ``DURABLE`` handlers are for consequences that must happen
even after a crash (lifting an exclusion after a counted meeting, recording who served): the
publisher calls :meth:`EventBus.hold` inside the transaction that makes the event true, which
writes one row per durable subscriber to the event outbox (:mod:`bot.store.event_outbox`), the
event itself as JSON; after the commit :meth:`EventBus.publish` carries them out. Each row is
claimed with a conditional update (one run at a time), deleted when its handler returns, tried
again later with a growing delay when it raises, and carried out at start-up if a crash left it
(:meth:`EventBus.resume`). A durable handler may still run twice (a crash after its own commit,
before the row is deleted), so it must be idempotent for its event: measured by the group and
the meeting's number, never by "whatever happened last".
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import fields
from enum import Enum
from typing import Any, TypeVar

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting.effects import ChannelEffect
from bot.core.pseudonyms import Pseudonym
from bot.errors import StorageUnavailable
from bot.runtime.clock import Clock
from bot.runtime.live import LiveMeeting
from bot.runtime.scheduler import OwnsGroup, Scheduler, every_group
from bot.store.db import Transaction
from bot.store.event_outbox import EventOutboxRepository

log = logging.getLogger(__name__)


# --- meetings ---------------------------------------------------------------------------------


@lazy_dataclass(frozen=True)
class MeetingStarted:
    """A group's meeting began (the state is committed; its first effects are shown)."""

    meeting_id: int
    group_id: int
    guild_id: int
    channel_id: int
    at: float  # clock timestamp


@lazy_dataclass(frozen=True)
class MeetingStepped:
    """A live meeting took a step (it started, moved on, a hand went up, the floor passed …),
    after the step was committed and shown in the channel.

    ``meeting`` is the meeting as it is after the step: read it, never change it (only the
    meeting service does). ``effects`` are the step's channel effects
    (:mod:`bot.core.meeting.effects`). On the last step ``meeting.state.status`` is ``ENDED``
    and the meeting is no longer in :class:`~bot.runtime.live.LiveMeetings`.
    """

    meeting: LiveMeeting
    effects: tuple[ChannelEffect, ...]


@lazy_dataclass(frozen=True)
class MeetingCounted:
    """A meeting counted (reached its closing, or ran at least 15 minutes).

    Exclusions and concerns are measured in counted meetings; the rotation records who served.
    Carried durably: it holds everything its handlers need, nothing from memory.
    """

    group_id: int
    guild_id: int
    channel_id: int
    number: int  # this meeting's number: the group's count of held meetings, including it
    at: float  # clock timestamp
    #: Who held each of the format's roles at the meeting's last step: (role id, holder).
    served: tuple[tuple[str, Pseudonym], ...] = ()

    def served_by_role(self) -> dict[str, Pseudonym]:
        """The first holder of each role."""
        by_role: dict[str, Pseudonym] = {}
        for role, who in self.served:
            by_role.setdefault(role, who)
        return by_role


@lazy_dataclass(frozen=True)
class MeetingClosed:
    """A meeting ended, counted or not; its row is already deleted (published after
    :class:`MeetingCounted` when both are true). A group decision reached while it was under
    way takes effect now."""

    meeting_id: int
    group_id: int
    guild_id: int
    channel_id: int
    held: int  # the group's count of held meetings after it (its number, if it counted)
    counted: bool
    at: float  # clock timestamp


@lazy_dataclass(frozen=True)
class ServiceElected:
    """A business meeting elected ``who`` to the service role ``role``.

    Their term runs to meeting ``until_meeting`` (a term in meetings) or until ``until`` (clock
    time, a term in months); with neither, until someone else is elected. ``at`` is when the
    result was decided (clock time): a later election's result wins. Carried durably: held in
    the transaction that decides the election."""

    group_id: int
    role: str
    who: Pseudonym
    until_meeting: int | None = None
    until: float | None = None
    at: float = 0.0


# --- members and servers ------------------------------------------------------------------------


@lazy_dataclass(frozen=True)
class MemberForgotten:
    """A member confirmed ``/privacy forget-me`` in a server; their rows are already deleted.

    Features drop what they hold about the member in memory (a raised hand) or in Discord (a
    rotation role).
    """

    guild_id: int
    who: Pseudonym


@lazy_dataclass(frozen=True)
class GuildLeft:
    """The bot was removed from a server; its groups' rows are already deleted."""

    guild_id: int


Event = (
    MeetingStarted
    | MeetingStepped
    | MeetingCounted
    | MeetingClosed
    | MemberForgotten
    | GuildLeft
    | ServiceElected
)
E = TypeVar("E", bound=Event)
Handler = Callable[[E], Awaitable[None]]

#: The events that can be carried durably: small facts of plain values, with a ``group_id``.
DURABLE_EVENTS: Mapping[str, type[Any]] = {
    cls.__name__: cls for cls in (MeetingCounted, MeetingClosed, ServiceElected)
}


def encode(event: Any) -> dict[str, Any]:
    """A durable event as JSON (tuples become lists)."""

    def plain(value: Any) -> Any:
        if isinstance(value, tuple):
            return [plain(item) for item in value]
        if value is None or isinstance(value, bool | int | float | str):
            return value
        raise TypeError(f"{type(value).__name__} cannot be carried durably")

    return {f.name: plain(getattr(event, f.name)) for f in fields(event)}


def decode(name: str, payload: Mapping[str, Any]) -> Any:
    """The event :func:`encode` wrote (lists become tuples again)."""

    def frozen(value: Any) -> Any:
        return tuple(frozen(item) for item in value) if isinstance(value, list) else value

    return DURABLE_EVENTS[name](**{key: frozen(value) for key, value in payload.items()})


class Delivery(Enum):
    """How a subscription is carried."""

    IN_PROCESS = "in-process"  # run now, in memory; lost if the process dies first
    #: written to the event outbox in the publisher's transaction; carried out after the
    #: commit, and again after a restart until its handler has returned once
    DURABLE = "durable"


@lazy_dataclass(frozen=True)
class Subscription:
    event: type[Any]
    handler: Callable[[Any], Awaitable[None]]
    delivery: Delivery = Delivery.IN_PROCESS

    @property
    def name(self) -> str:
        return getattr(self.handler, "__qualname__", repr(self.handler))


#: The scheduler's deadline that retries failed durable deliveries (and survives a restart).
OUTBOX_DEADLINE = "events.outbox"
OUTBOX_KEY = "retry"
#: Real seconds before a failed durable handler runs again: 5 s, 10 s, 20 s … at most an hour.
RETRY_BASE = 5.0
RETRY_MAX = 3600.0


class EventBus:
    """Delivers each published event to the handlers subscribed to its type, in table order.

    Durable subscriptions need the event outbox, the clock and the scheduler (for retries);
    ``ready`` is awaited before carrying out rows left from before a restart (Discord must be
    connected first).
    """

    def __init__(
        self,
        table: Sequence[Subscription] = (),
        *,
        outbox: EventOutboxRepository | None = None,
        clock: Clock | None = None,
        scheduler: Scheduler | None = None,
        ready: Callable[[], Awaitable[Any]] | None = None,
        owns_group: OwnsGroup = every_group,
    ) -> None:
        self._owns_group = owns_group  # sharded: only this process's groups' rows
        self._table: list[Subscription] = []
        self._outbox = outbox
        self._clock = clock or Clock()
        self._scheduler = scheduler
        self._ready = ready
        #: This process's claim on the rows it carries out (a dead process's claims lapse).
        self._token = secrets.randbits(62)
        #: Rows claimed here whose release or removal the disk refused (full): given back, to
        #: run again, once writes work (:meth:`resume`).
        self._unreleased: set[int] = set()
        if scheduler is not None and outbox is not None:
            scheduler.register(OUTBOX_DEADLINE, self._retry)
        for row in table:
            self.subscribe(row.event, row.handler, row.delivery)

    def subscribe(
        self,
        event: type[E],
        handler: Callable[[E], Awaitable[None]],
        delivery: Delivery = Delivery.IN_PROCESS,
    ) -> None:
        row = Subscription(event, handler, delivery)
        if delivery is Delivery.DURABLE:
            if self._outbox is None:
                raise ValueError("durable delivery needs the event outbox")
            if DURABLE_EVENTS.get(event.__name__) is not event:
                raise ValueError(f"{event.__name__} cannot be carried durably")
            if any(r.event is event and r.name == row.name for r in self._durable(event)):
                raise ValueError(f"{row.name} is already subscribed to {event.__name__}")
        self._table.append(row)

    def table(self) -> tuple[Subscription, ...]:
        """Who handles what, in order (for the notes and the tests)."""
        return tuple(self._table)

    def handlers(self, event: type[Any]) -> list[Callable[[Any], Awaitable[None]]]:
        return [row.handler for row in self._table if row.event is event]

    def _durable(self, event: type[Any]) -> list[Subscription]:
        return [r for r in self._table if r.event is event and r.delivery is Delivery.DURABLE]

    async def hold(
        self, tx: Transaction, event: MeetingCounted | MeetingClosed | ServiceElected
    ) -> list[int]:
        """Write the event's durable deliveries inside the publisher's transaction (they exist
        exactly when the change that caused them does); hand the ids to :meth:`publish`."""
        rows = self._durable(type(event))
        if not rows or self._outbox is None:
            return []
        payload, due = encode(event), self._clock.timestamp()
        return [
            await self._outbox.add_in(
                tx,
                group_id=event.group_id,
                subscriber=row.name,
                event=type(event).__name__,
                payload=payload,
                due_at=due,
            )
            for row in rows
        ]

    async def publish(self, event: Event, held: Sequence[int] | None = None) -> None:
        """Run the in-process handlers, then carry out the durable ones ``held`` wrote (without
        ``held``, they are written first, in a transaction of their own)."""
        for row in self._table:
            if row.event is not type(event) or row.delivery is not Delivery.IN_PROCESS:
                continue
            try:
                await row.handler(event)
            except Exception:
                log.exception("A handler of %s failed (%s)", type(event).__name__, row.name)
        durable = self._durable(type(event))
        if not durable or self._outbox is None:
            return
        if held is None:
            held = [
                await self._outbox.add(
                    group_id=getattr(event, "group_id"),  # noqa: B009 - durable events have it
                    subscriber=row.name,
                    event=type(event).__name__,
                    payload=encode(event),
                    due_at=self._clock.timestamp(),
                )
                for row in durable
            ]
        await self.carry_out(held)

    async def carry_out(self, ids: Sequence[int]) -> None:
        """Run each row's handler once: claim it, run it, delete it (or retry it later)."""
        outbox = self._outbox
        if outbox is None:
            return
        for row_id in ids:
            try:
                claimed = await outbox.claim(row_id, self._token)
            except StorageUnavailable:
                return  # the rows wait; carried out once the disk takes writes (resume)
            if not claimed:
                continue  # done already, or being carried out right now
            row = await outbox.get(row_id)
            if row is None:
                continue
            handler = next(
                (
                    s.handler
                    for s in self._durable(DURABLE_EVENTS.get(row.event, type(None)))
                    if s.name == row.subscriber
                ),
                None,
            )
            if handler is None:
                log.warning("Nobody handles %s (%s) any more", row.event, row.subscriber)
                await outbox.done(row_id)
                continue
            try:
                await handler(decode(row.event, row.payload))
            except asyncio.CancelledError:
                # Stopping mid-handler: give the row back, so it runs again (here or next start).
                await outbox.release(row_id, self._clock.timestamp())
                raise
            except Exception:
                delay = min(RETRY_MAX, RETRY_BASE * 2**row.attempts)
                log.exception(
                    "A durable handler of %s failed (%s); trying again in %.0f s",
                    row.event,
                    row.subscriber,
                    delay,
                )
                try:
                    await outbox.release(row_id, self._clock.timestamp() + delay * self._clock.rate)
                    await self._arm_retry()
                except StorageUnavailable:
                    self._unreleased.add(row_id)
                continue
            try:
                await outbox.done(row_id)
            except StorageUnavailable:
                self._unreleased.add(row_id)  # done, not yet removed: runs again (idempotent)

    async def resume(self) -> int:
        """At start-up (Discord connected): carry out what a crash or a stop left behind; the
        number of rows found."""
        if self._outbox is None:
            return 0
        if self._ready is not None:
            await self._ready()
        for row_id in sorted(self._unreleased):
            await self._outbox.release(row_id, self._clock.timestamp())
            self._unreleased.discard(row_id)
        due = [
            row
            for row in await self._outbox.due(self._clock.timestamp())
            if await self._owns_group(row.group_id)
        ]
        if due:
            log.info("Carrying out %d consequence(s) left from before", len(due))
        await self.carry_out([row.id for row in due])
        await self._arm_retry()
        return len(due)

    async def _retry(self, payload: Mapping[str, Any]) -> None:
        await self.resume()

    async def _arm_retry(self) -> None:
        """Keep the scheduler's deadline on the next row that waits to be tried again."""
        if self._outbox is None or self._scheduler is None:
            return
        after = await self._outbox.next_due(after=self._clock.timestamp())
        if after is not None:
            await self._scheduler.schedule(OUTBOX_DEADLINE, OUTBOX_KEY, after, {})
