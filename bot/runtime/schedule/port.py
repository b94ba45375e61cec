"""What the schedule asks of the world: Discord's scheduled events and the group's channel
(:class:`SchedulePort`, done by bot/adapters/schedule.py), and the meeting service's start
(:class:`Opener`, handed in by the composition root)."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Protocol

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n import Msg
from bot.runtime.live import LiveMeeting
from bot.store.groups import GroupRecord


class EventStatus(IntEnum):
    """A Discord guild scheduled event's status (Discord's numbers)."""

    SCHEDULED = 1
    ACTIVE = 2
    COMPLETED = 3
    CANCELED = 4


@lazy_dataclass(frozen=True)
class EventPlan:
    """The Discord event for one meeting: its name, words and time (aware instants)."""

    name: str
    description: Msg | str  # the format's own words, or the bot's (in the group's language)
    start: datetime
    end: datetime


class EventsNotAllowed(Exception):
    """Discord refused: the bot lacks the permission to create or edit the server's events."""


class SchedulePort(Protocol):
    async def create_event(self, group: GroupRecord, plan: EventPlan) -> int:
        """Create the server's scheduled event for a meeting; its id. Raises
        :class:`EventsNotAllowed` if the bot may not."""

    async def edit_event(self, group: GroupRecord, event_id: int, plan: EventPlan) -> bool:
        """Move or reword the bot's event; False if it is gone (someone deleted it). Raises
        :class:`EventsNotAllowed`."""

    async def set_status(self, group: GroupRecord, event_id: int, status: EventStatus) -> bool:
        """Start, complete or cancel the bot's event; False if it is gone or can't change so.
        Raises :class:`EventsNotAllowed`."""

    async def tell(self, group: GroupRecord, text: Msg | str) -> None:
        """Post in the group's channel, in the group's language, pinging nobody (never
        raises)."""


class Opener(Protocol):
    """The meeting service's start for a meeting nobody pressed start on."""

    async def start_on_schedule(self, channel_id: int, due: float | None = None) -> LiveMeeting:
        """``due``: the meeting's time (clock seconds): its countdown ends then."""
