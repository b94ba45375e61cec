"""When the group meets next: its schedule turned into instants, daylight-saving changes included.

A meeting keeps its *wall-clock* time: a 19:00 meeting is at 19:00 local time before and after a
daylight-saving change (so its UTC instant moves by the change). On the change day itself, two
wall times need a rule, and these are deliberate (PEP 495's ``fold=0``, with any zone):

* **A time that doesn't exist** (clocks jump forward over it, e.g. 02:30 on the spring change in
  New York): the meeting is held as far after the jump as it was into the gap — 02:30 becomes
  03:30 new time, the moment a clock that had not jumped would show 02:30.
  :attr:`Occurrence.shifted` says so.
* **A time that happens twice** (clocks go back over it, e.g. 01:30 on the autumn change): the
  meeting is at the *first* 01:30 (still summer time), once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.schedule.model import Schedule

#: How far ahead to look for meetings (a schedule whose meetings are all skipped finds none).
HORIZON_DAYS = 800


@lazy_dataclass(frozen=True, order=True)
class Occurrence:
    """One meeting: its instant (aware, UTC) and the local wall time it was scheduled for."""

    at: datetime
    local: datetime
    extra: bool = False
    shifted: bool = False  # the wall time didn't exist that day (see the module's note)


def instant(local: datetime, zone: tzinfo) -> tuple[datetime, bool]:
    """The UTC instant of a local wall time, and whether it fell in a daylight-saving gap."""
    at = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    back = at.astimezone(zone).replace(tzinfo=None)
    return at, back != local


def _on(day: date, schedule: Schedule, extras: dict[date, list[datetime]]) -> Iterator[Occurrence]:
    if day not in schedule.skips:
        for meeting in schedule.meetings:
            if meeting.rule.matches(day):
                yield Occurrence(datetime.min, datetime.combine(day, meeting.at))
    for local in extras.get(day, ()):
        yield Occurrence(datetime.min, local, extra=True)


def next_occurrences(
    schedule: Schedule, zone: tzinfo, after: datetime, count: int = 1
) -> list[Occurrence]:
    """The next ``count`` meetings strictly after the instant ``after`` (aware), in order; two
    meetings at the same instant are one. Fewer if the schedule runs out within
    :data:`HORIZON_DAYS`."""
    if after.tzinfo is None:
        raise ValueError("'after' is an instant: give it a time zone")
    if count < 1:
        return []
    extras: dict[date, list[datetime]] = {}
    for local in schedule.extras:
        extras.setdefault(local.date(), []).append(local)
    first = after.astimezone(zone).date() - timedelta(days=1)
    found: dict[datetime, Occurrence] = {}
    complete_after: date | None = None
    for offset in range(HORIZON_DAYS):
        day = first + timedelta(days=offset)
        if complete_after is not None and day > complete_after:
            break
        for candidate in _on(day, schedule, extras):
            at, shifted = instant(candidate.local, zone)
            if at > after and at not in found:
                found[at] = Occurrence(at, candidate.local, candidate.extra, shifted)
        if complete_after is None and len(found) >= count:
            complete_after = day + timedelta(days=1)  # a day more: any later wall time sorts in
    return [found[at] for at in sorted(found)][:count]


def next_occurrence(schedule: Schedule, zone: tzinfo, after: datetime) -> Occurrence | None:
    found = next_occurrences(schedule, zone, after, 1)
    return found[0] if found else None


def upcoming_skips(schedule: Schedule, zone: tzinfo, after: datetime) -> list[date]:
    """The dates with no meeting from ``after``'s local date on, in order."""
    today = after.astimezone(zone).date()
    return sorted(day for day in schedule.skips if day >= today)


def would_meet_on(schedule: Schedule, day: date) -> bool:
    """Does a regular meeting fall on this local date (ignoring skips)?"""
    return any(meeting.rule.matches(day) for meeting in schedule.meetings)
