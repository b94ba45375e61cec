"""The group's schedule: its meetings open themselves, and Discord's Events list shows the next."""

from bot.runtime.schedule.port import (
    EventPlan,
    EventsNotAllowed,
    EventStatus,
    Opener,
    SchedulePort,
)
from bot.runtime.schedule.service import ScheduleService, ScheduleView

__all__ = [
    "EventPlan",
    "EventStatus",
    "EventsNotAllowed",
    "Opener",
    "SchedulePort",
    "ScheduleService",
    "ScheduleView",
]
