"""A group's schedule (pure): recurring meetings in the group's own time zone, exceptions, and
the next meetings from a given instant, daylight-saving changes handled deliberately
(see :mod:`bot.core.schedule.occurrences`). The zone itself (a ``tzinfo``) is handed in by the
runtime, which reads the zone database; nothing here does."""

from bot.core.schedule.model import (
    LAST,
    WEEKDAYS,
    MonthlyNth,
    Recurring,
    Schedule,
    Weekly,
    week_start,
)
from bot.core.schedule.occurrences import (
    Occurrence,
    instant,
    next_occurrence,
    next_occurrences,
    upcoming_skips,
    would_meet_on,
)
from bot.core.schedule.parsing import (
    ScheduleError,
    describe_meetings,
    hhmm,
    parse_date,
    parse_local,
    parse_meetings,
    parse_time,
    split_zone,
)
from bot.core.schedule.stored import EXTRA, SCHEDULE, SKIP, SUBJECTS, TIMEZONE, StoredSchedule

__all__ = [
    "EXTRA",
    "LAST",
    "SCHEDULE",
    "SKIP",
    "SUBJECTS",
    "TIMEZONE",
    "WEEKDAYS",
    "MonthlyNth",
    "Occurrence",
    "Recurring",
    "Schedule",
    "ScheduleError",
    "StoredSchedule",
    "Weekly",
    "describe_meetings",
    "hhmm",
    "instant",
    "next_occurrence",
    "next_occurrences",
    "parse_date",
    "parse_local",
    "parse_meetings",
    "parse_time",
    "split_zone",
    "upcoming_skips",
    "week_start",
    "would_meet_on",
]
