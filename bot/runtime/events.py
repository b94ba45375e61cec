"""Domain events: how features meet without importing each other.

A feature *publishes* a small frozen fact ("a meeting counted", "a member asked to be
forgotten"); the composition root (:mod:`bot.wiring`) decides, in one table read top to bottom,
who *handles* each one. A publisher never knows its subscribers, so no feature imports another
feature's runtime module.

Handlers run one after the other, in the order the table lists them, and in the publisher's
task: when ``publish`` returns, every handler has run. A failing handler is logged and the next
one still runs; the publisher is not told (the fact it published stays true). Handlers must be
quick and idempotent: a restart may repeat an event that was in flight.

Every subscription row carries a :class:`Delivery`: ``IN_PROCESS`` is all there is today. A
consequence that must happen even after a crash between the publisher's commit and the handler
(lifting an exclusion after a counted meeting) gets a second kind of delivery, carried by the
database outbox inside the publisher's transaction; the table's rows then say which is which.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from bot.core.meeting.effects import ChannelEffect
from bot.core.pseudonyms import Pseudonym
from bot.runtime.live import LiveMeeting

log = logging.getLogger(__name__)


# --- meetings ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeetingStarted:
    """A group's meeting began (the state is committed; its first effects are shown)."""

    meeting_id: int
    group_id: int
    guild_id: int
    channel_id: int
    at: float  # clock timestamp


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class MeetingCounted:
    """A meeting counted (reached its closing, or ran at least 15 minutes).

    Exclusions and concerns are measured in counted meetings; the rotation records who served.
    """

    group_id: int
    guild_id: int
    channel_id: int
    number: int  # this meeting's number: the group's count of held meetings, including it
    at: float  # clock timestamp


# --- members and servers ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberForgotten:
    """A member confirmed ``/privacy forget-me`` in a server; their rows are already deleted.

    Features drop what they hold about the member in memory (a raised hand) or in Discord (a
    rotation role).
    """

    guild_id: int
    who: Pseudonym


@dataclass(frozen=True, slots=True)
class GuildLeft:
    """The bot was removed from a server; its groups' rows are already deleted."""

    guild_id: int


Event = MeetingStarted | MeetingStepped | MeetingCounted | MemberForgotten | GuildLeft
E = TypeVar("E", bound=Event)
Handler = Callable[[E], Awaitable[None]]


class Delivery(Enum):
    """How a subscription is carried."""

    IN_PROCESS = "in-process"  # run now, in memory; lost if the process dies first


@dataclass(frozen=True, slots=True)
class Subscription:
    event: type[Any]
    handler: Callable[[Any], Awaitable[None]]
    delivery: Delivery = Delivery.IN_PROCESS

    @property
    def name(self) -> str:
        return getattr(self.handler, "__qualname__", repr(self.handler))


class EventBus:
    """Delivers each published event to the handlers subscribed to its type, in table order."""

    def __init__(self, table: Sequence[Subscription] = ()) -> None:
        self._table: list[Subscription] = []
        for row in table:
            self.subscribe(row.event, row.handler, row.delivery)

    def subscribe(
        self,
        event: type[E],
        handler: Callable[[E], Awaitable[None]],
        delivery: Delivery = Delivery.IN_PROCESS,
    ) -> None:
        self._table.append(Subscription(event, handler, delivery))

    def table(self) -> tuple[Subscription, ...]:
        """Who handles what, in order (for the notes and the tests)."""
        return tuple(self._table)

    def handlers(self, event: type[Any]) -> list[Callable[[Any], Awaitable[None]]]:
        return [row.handler for row in self._table if row.event is event]

    async def publish(self, event: Event) -> None:
        for row in self._table:
            if row.event is not type(event):
                continue
            try:
                await row.handler(event)
            except Exception:
                log.exception("A handler of %s failed (%s)", type(event).__name__, row.name)
