"""The term an elected member serves: its end, in months or in meetings."""

from __future__ import annotations

import calendar
from datetime import date, datetime, tzinfo

from bot.core.formats.plan import Term, TermUnit


def term_ends(start: date, term: Term) -> date | None:
    """The day a term in months ends (the same day of the month, or the month's last day);
    ``None`` for a term counted in meetings."""
    if term.unit is not TermUnit.MONTHS:
        return None
    months = start.month - 1 + term.count
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def term_ends_at(now: datetime, term: Term, zone: tzinfo) -> datetime | None:
    """When a term in months that begins ``now`` ends: at midnight where the group is (``zone``,
    its schedule's time zone), on the day :func:`term_ends` gives from the group's own date
    today; ``None`` for a term counted in meetings."""
    ends = term_ends(now.astimezone(zone).date(), term)
    return None if ends is None else datetime(ends.year, ends.month, ends.day, tzinfo=zone)
