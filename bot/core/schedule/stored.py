"""The schedule as it is kept (canonical words and ISO dates, as JSON), and the four changes a group
can make to it, by the same names at ``/group schedule`` and ``/propose change``:

* ``schedule`` — when the group meets ("Tuesdays 19:00", optionally ending with a zone name);
* ``timezone`` — the group's IANA time zone ("America/New_York");
* ``skip`` — a date with no meeting;
* ``extra`` — a one-off extra meeting (a local date and time).

A value is checked and put in its canonical form when it is proposed (:func:`normalise`), so a
decided change always applies (:meth:`StoredSchedule.changed`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.schedule.model import Schedule
from bot.core.schedule.parsing import (
    ScheduleError,
    describe_meetings,
    parse_date,
    parse_local,
    parse_meetings,
    shown,
    split_zone,
)
from bot.core.wording import full_day
from bot.i18n.message import Msg, msg

SCHEDULE, TIMEZONE, SKIP, EXTRA = "schedule", "timezone", "skip", "extra"
SUBJECTS = (SCHEDULE, TIMEZONE, SKIP, EXTRA)
#: The zone a group has until it chooses one (said wherever the schedule is shown).
DEFAULT_ZONE = "UTC"
LOCAL_FORMAT = "%Y-%m-%d %H:%M"
ZONE_EXAMPLES = "`America/New_York`, `Europe/London` or `Asia/Kolkata`"

PASSED = msg("That date has already passed.")

#: Canonical zone name for what someone typed, or None if there is no such zone.
ZoneNames = Callable[[str], str | None]


@lazy_dataclass(frozen=True)
class StoredSchedule:
    meetings: str = ""  # canonical words (parsing them gives the meetings back)
    zone: str = DEFAULT_ZONE
    skips: tuple[str, ...] = ()  # ISO dates, in order
    extras: tuple[str, ...] = ()  # "YYYY-MM-DD HH:MM" local, in order

    def to_json(self) -> str:
        return json.dumps(
            {
                "meetings": self.meetings,
                "zone": self.zone,
                "skips": self.skips,
                "extras": self.extras,
            }
        )

    @classmethod
    def from_json(cls, raw: str) -> StoredSchedule:
        data = json.loads(raw)
        return cls(
            str(data.get("meetings", "")),
            str(data.get("zone", DEFAULT_ZONE)),
            tuple(str(d) for d in data.get("skips", ())),
            tuple(str(d) for d in data.get("extras", ())),
        )

    def schedule(self) -> Schedule:
        meetings = parse_meetings(self.meetings, date.min) if self.meetings else ()
        return Schedule(
            meetings,
            self.zone,
            frozenset(date.fromisoformat(d) for d in self.skips),
            tuple(datetime.strptime(e, LOCAL_FORMAT) for e in self.extras),
        )

    def changed(self, subject: str, value: str) -> StoredSchedule:
        """The schedule after a checked change (see :func:`normalise`)."""
        if subject == SCHEDULE:
            meetings, zone = split_zone(value)
            return replace(self, meetings=meetings, zone=zone or self.zone)
        if subject == TIMEZONE:
            return replace(self, zone=value)
        if subject == SKIP:
            return replace(self, skips=tuple(sorted({*self.skips, value})))
        if subject == EXTRA:
            return replace(self, extras=tuple(sorted({*self.extras, value})))
        raise ValueError(f"not a schedule change: {subject!r}")

    def tidied(self, today: date) -> StoredSchedule:
        """Without exceptions whose day has passed (they have nothing left to say)."""
        return replace(
            self,
            skips=tuple(d for d in self.skips if d >= today.isoformat()),
            extras=tuple(e for e in self.extras if e[:10] >= today.isoformat()),
        )


def zone_or_refuse(raw: str, zones: ZoneNames) -> str:
    name = zones(raw.strip())
    if name is None:
        raise ScheduleError(
            msg(
                "I don't know a time zone called `{name}`. Use a name like {examples} (the list "
                "offers them as you type).",
                name=shown(raw),
                examples=ZONE_EXAMPLES,
            )
        )
    return name


def normalise(subject: str, raw: str, today: date, zones: ZoneNames) -> str:
    """Check a proposed schedule change and return it as it will be kept; a value that can't be
    read raises :class:`ScheduleError` with kind words. ``today`` is the group's local date."""
    if subject == SCHEDULE:
        rest, zone = split_zone(raw)
        words = describe_meetings(parse_meetings(rest, today))
        return words if zone is None else f"{words} {zone_or_refuse(zone, zones)}"
    if subject == TIMEZONE:
        return zone_or_refuse(raw, zones)
    if subject == SKIP:
        day = parse_date(raw, today)
        if day < today:
            raise ScheduleError(PASSED)
        return day.isoformat()
    if subject == EXTRA:
        local = parse_local(raw, today)
        if local.date() < today:
            raise ScheduleError(PASSED)
        return local.strftime(LOCAL_FORMAT)
    raise ValueError(f"not a schedule change: {subject!r}")


def describe(subject: str, value: str) -> Msg:
    """A decided or proposed change in plain words (completes "that the group …"). The
    schedule's own words (``Tuesdays at 19:00``) stay as they are kept: the bot reads them back."""
    if subject == SCHEDULE:
        return msg("meet {value}", value=value)
    if subject == TIMEZONE:
        return msg("keep its schedule in the time zone {value}", value=value)
    if subject == SKIP:
        return msg("have no meeting on {day}", day=full_day(date.fromisoformat(value)))
    if subject == EXTRA:
        local = datetime.strptime(value, LOCAL_FORMAT)
        return msg(
            "hold an extra meeting on {day} at {time}",
            day=full_day(local.date()),
            time=value[11:],
        )
    return msg("change {subject} to {value}", subject=subject, value=value)
