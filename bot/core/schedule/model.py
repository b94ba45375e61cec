"""A group's schedule: its recurring meetings, the wall-clock time they start at in the group's
time zone, and its exceptions (a date with no meeting, a one-off extra meeting).

Times here are *local wall times* (naive): "19:00" means seven in the evening where the group
lives, whatever the offset from UTC is that day. Turning them into instants needs the zone
(a :class:`datetime.tzinfo`), which the caller hands in: this package reads no zone database.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date, datetime, time, timedelta

from bot.core.lazy_dataclasses import lazy_dataclass

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: "the 1st … 4th", and -1 for "the last" (4 or 5 weeks in, depending on the month).
LAST = -1
NTH_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", LAST: "last"}


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


@lazy_dataclass(frozen=True)
class Weekly:
    """On the given weekdays (0 = Monday), every ``every`` weeks counted from the week of
    ``since`` (which matters only when ``every`` is above 1)."""

    days: tuple[int, ...]
    every: int = 1
    since: date | None = None

    def __post_init__(self) -> None:
        if not self.days or any(not 0 <= d <= 6 for d in self.days):
            raise ValueError("a weekly meeting needs at least one weekday")
        if tuple(sorted(set(self.days))) != self.days:
            raise ValueError("weekdays are given once each, Monday first")
        if not 1 <= self.every <= 52:
            raise ValueError("a meeting repeats every 1 to 52 weeks")
        if self.every > 1 and self.since is None:
            raise ValueError("a meeting every few weeks needs the week it counts from")
        # One way to write each rule: weekly needs no first week; the first week is its Monday.
        since = None if self.every == 1 or self.since is None else week_start(self.since)
        object.__setattr__(self, "since", since)

    def matches(self, day: date) -> bool:
        if day.weekday() not in self.days:
            return False
        if self.every == 1 or self.since is None:
            return True
        weeks = (week_start(day) - week_start(self.since)).days // 7
        return weeks % self.every == 0


@lazy_dataclass(frozen=True)
class MonthlyNth:
    """On the n-th given weekday of each month (``LAST``: the last one)."""

    weekday: int
    nths: tuple[int, ...]

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("a weekday is 0 (Monday) to 6 (Sunday)")
        if not self.nths or any(n not in NTH_WORDS for n in self.nths):
            raise ValueError("a monthly meeting is on the first to fourth, or the last, weekday")
        if tuple(sorted(set(self.nths), key=_nth_order)) != self.nths:
            raise ValueError("each week of the month is given once, in order")

    def matches(self, day: date) -> bool:
        if day.weekday() != self.weekday:
            return False
        nth = (day.day - 1) // 7 + 1
        last = (day + timedelta(days=7)).month != day.month
        return nth in self.nths or (last and LAST in self.nths)


def _nth_order(n: int) -> int:
    return 99 if n == LAST else n


Rule = Weekly | MonthlyNth


@lazy_dataclass(frozen=True)
class Recurring:
    """One recurring meeting: when it repeats, and the local time it starts at."""

    rule: Rule
    at: time

    def __post_init__(self) -> None:
        if self.at.tzinfo is not None or self.at.second or self.at.microsecond:
            raise ValueError("a meeting starts at a local hour and minute")


@lazy_dataclass(frozen=True)
class Schedule:
    """The group's meetings, its IANA zone name, and its exceptions.

    ``skips``: local dates with no meeting (every regular meeting that day is off). ``extras``:
    one-off meetings at a local date and time (kept even on a skipped date: they were asked for
    by name)."""

    meetings: tuple[Recurring, ...]
    zone: str
    skips: frozenset[date] = field(default_factory=frozenset)
    extras: tuple[datetime, ...] = ()

    def __post_init__(self) -> None:
        if not self.zone:
            raise ValueError("a schedule has a time zone")
        for extra in self.extras:
            if extra.tzinfo is not None or extra.second or extra.microsecond:
                raise ValueError("an extra meeting is at a local date, hour and minute")
        if tuple(sorted(set(self.extras))) != self.extras:
            raise ValueError("extra meetings are kept in order, once each")

    @property
    def empty(self) -> bool:
        return not self.meetings and not self.extras
