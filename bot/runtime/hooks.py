"""In-process notifications between features, so one feature never imports another's cog.

The meeting runtime announces when a group's meeting has *counted* (reached its closing or ran
at least 15 minutes) — exclusions and concerns are measured in counted meetings, the rotation
records who served. Subscribers must be quick and idempotent: a restart may repeat a
notification that was in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MeetingCounted:
    group_id: int
    guild_id: int
    channel_id: int
    number: int  # this meeting's number: the group's count of held meetings, including it
    at: float  # clock timestamp


@dataclass(frozen=True, slots=True)
class MeetingStarted:
    group_id: int
    guild_id: int
    channel_id: int
    at: float


MeetingCountedHandler = Callable[[MeetingCounted], Awaitable[None]]
MeetingStartedHandler = Callable[[MeetingStarted], Awaitable[None]]


class Hooks:
    def __init__(self) -> None:
        self.meeting_counted: list[MeetingCountedHandler] = []
        self.meeting_started: list[MeetingStartedHandler] = []

    async def counted(self, event: MeetingCounted) -> None:
        for handler in self.meeting_counted:
            try:
                await handler(event)
            except Exception:
                log.exception("A meeting-counted handler failed")

    async def started(self, event: MeetingStarted) -> None:
        for handler in self.meeting_started:
            try:
                await handler(event)
            except Exception:
                log.exception("A meeting-started handler failed")
