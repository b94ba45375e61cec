"""Meetings at run time (see :mod:`bot.runtime.meetings.service`)."""

from bot.runtime.meetings.service import (
    FormatDefaults,
    MeetingPort,
    MeetingService,
    RoleSource,
    StarterChairs,
    SteppedIn,
    SwitchSource,
)

__all__ = [
    "FormatDefaults",
    "MeetingPort",
    "MeetingService",
    "RoleSource",
    "StarterChairs",
    "SteppedIn",
    "SwitchSource",
]
