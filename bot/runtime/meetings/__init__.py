"""Meetings at run time (see :mod:`bot.runtime.meetings.service`)."""

from bot.runtime.meetings.port import (
    FormatDefaults,
    MeetingPort,
    RoleSource,
    StarterChairs,
    SwitchSource,
    Unshown,
)
from bot.runtime.meetings.refusals import CannotPost
from bot.runtime.meetings.service import MeetingService, SteppedIn

__all__ = [
    "CannotPost",
    "FormatDefaults",
    "MeetingPort",
    "MeetingService",
    "RoleSource",
    "StarterChairs",
    "SteppedIn",
    "SwitchSource",
    "Unshown",
]
