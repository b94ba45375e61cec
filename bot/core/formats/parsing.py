"""Reading the small phrases people write in a format: lengths of time, anchors, terms, days.

Each parser takes what YAML gave (a string, a number, or something else) and returns a value or
raises :func:`invalid`, a pydantic error whose message and hint the loader shows with the line.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from fractions import Fraction
from typing import Any

from pydantic_core import PydanticCustomError

from bot.core.formats.conditions import PARTS_OF_DAY
from bot.core.formats.plan import Anchor, AnchorBase, Term, TermUnit, Threshold
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n.message import Msg, msg, msg_n

DURATION_HINT = msg("write it like 30s, 3m, 1h, 90 seconds or 1 minute 30 seconds")

_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
_FILLER = re.compile(r"[\s,]+|\band\b")

#: Nothing in a meeting format needs more than a year; bigger numbers are surely typos.
MAX_SECONDS = 366 * 86400


def invalid(message: Msg | str, hint: Msg | str = "", **extra: object) -> PydanticCustomError:
    """An error for the loader: ``message`` and ``hint`` are shown to the group."""
    return PydanticCustomError("format", "{message}", {"message": message, "hint": hint, **extra})


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 40 else text[:37] + "…'"


def parse_duration(value: Any) -> int:
    """``30s``, ``3m``, ``1h``, ``90 seconds``, ``1 minute 30 seconds``, ``1h30m`` -> seconds."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise invalid(msg("{shown} is not a length of time", shown=_shown(value)), DURATION_HINT)
    if isinstance(value, int | float):
        if value == 0:
            return 0
        raise invalid(
            msg("{shown} needs a unit", shown=_shown(value)),
            msg("write {value}m for minutes or {value}s for seconds", value=f"{value:g}"),
        )
    text = value.strip().lower()
    if text in {"0", "none", "zero"}:
        return 0
    if re.fullmatch(r"\d+(\.\d+)?", text):
        raise invalid(
            msg("'{text}' needs a unit", text=text),
            msg("write {text}m for minutes or {text}s for seconds", text=text),
        )
    total = 0.0
    position = 0
    found = False
    for match in _AMOUNT.finditer(text):
        gap = text[position : match.start()]
        if _FILLER.sub("", gap):
            break
        unit = _UNITS.get(match.group(2))
        if unit is None:
            raise invalid(msg("'{unit}' is not a unit of time", unit=match.group(2)), DURATION_HINT)
        total += float(match.group(1)) * unit
        position = match.end()
        found = True
    if not found or _FILLER.sub("", text[position:]):
        raise invalid(msg("{shown} is not a length of time", shown=_shown(value)), DURATION_HINT)
    if total > MAX_SECONDS:
        raise invalid(
            msg("{shown} is far too long", shown=_shown(value)),
            msg("a format deals in seconds to hours"),
        )
    return round(total)


def parse_quiet_length(value: Any) -> int | None:
    """A duration, or ``untimed`` (the chair ends it) -> ``None``."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "untimed"):
        return None
    seconds = parse_duration(value)
    if seconds == 0:
        raise invalid(
            msg("a timed silence needs a length"), msg("write a length like 1m, or 'untimed'")
        )
    return seconds


@lazy_dataclass(frozen=True)
class LimitRange:
    """A share limit written as a range, ``3m-5m``: the share may last up to ``high`` seconds,
    and a gentle note comes at ``low``."""

    low: int
    high: int


_RANGE = re.compile(r"^(.+?)\s*(?:-|–|—|\bto\b)\s*(.+)$")
_BARE_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_TRAILING_UNIT = re.compile(r"[a-z]+$")
RANGE_HINT = msg("write a range like 3m-5m or 3 to 5 minutes: the gentle note at 3, the limit at 5")


def parse_limit(value: Any) -> int | LimitRange | None:
    """A share limit: a duration, a range (``3m-5m``, ``3–5 minutes``, ``3 to 5 minutes``), or
    ``none`` / ``no limit`` / ``0`` for no limit."""
    if value is None or (isinstance(value, str) and value.strip().lower() in {"none", "no limit"}):
        return None
    if isinstance(value, str) and (found := _RANGE.match(value.strip().lower())):
        return _limit_range(found.group(1).strip(), found.group(2).strip())
    seconds = parse_duration(value)
    return seconds or None


def _limit_range(low_text: str, high_text: str) -> LimitRange:
    unit = _TRAILING_UNIT.search(high_text)
    if _BARE_NUMBER.match(low_text) and unit is not None:
        low_text = f"{low_text} {unit.group(0)}"  # "3–5 minutes": the 3 is minutes too
    low, high = parse_duration(low_text), parse_duration(high_text)
    if not 0 < low < high:
        raise invalid(
            msg("'{low}' to '{high}' is not a range of time", low=low_text, high=high_text),
            RANGE_HINT,
        )
    return LimitRange(low, high)


ANCHOR_HINT = msg(
    "write it like 'end - 10m', 'start + 45m', '10m before the end', ':50' or '19:50'"
)
_RELATIVE = re.compile(r"^(start|end)\s*([+-])\s*(.+)$")
_WORDY = re.compile(r"^(.+?)\s+(before|after)\s+(?:the\s+)?(start|end)$")
_CLOCK = re.compile(r"^:([0-5]\d)$")
_TIME_OF_DAY = re.compile(r"^(\d{1,2}):([0-5]\d)\s*(am|pm|a\.m\.|p\.m\.)?$")


def parse_time_of_day(value: Any) -> tuple[int, int] | None:
    """``19:50``, ``7:50 pm``, ``07:50`` -> (hour, minute); ``None`` if it is not a time of day.
    Raises :func:`invalid` for an hour or minute that does not exist (``25:00``, ``13:00 pm``)."""
    if not isinstance(value, str):
        return None
    found = _TIME_OF_DAY.match(value.strip().lower())
    if found is None:
        return None
    hour, minute, half = int(found.group(1)), int(found.group(2)), found.group(3)
    if half is not None:
        if not 1 <= hour <= 12:
            raise invalid(
                msg("{shown} is not a time of day", shown=_shown(value)),
                msg("write it like 7:50 pm or 19:50"),
            )
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23:
        raise invalid(
            msg("{shown} is not a time of day", shown=_shown(value)),
            msg("write it like 19:50 (0:00 to 23:59)"),
        )
    return hour, minute


def parse_clock_time(value: Any) -> int:
    """A time of day, ``19:00`` or ``7 pm``-style ``7:00 pm`` -> minutes after midnight."""
    found = parse_time_of_day(value)
    if found is None:
        raise invalid(
            msg("{shown} is not a time of day", shown=_shown(value)),
            msg("write it like 19:00 or 7:00 pm"),
        )
    return found[0] * 60 + found[1]


def parse_anchor(value: Any) -> Anchor:
    """A moment in the meeting: ``end - 10m``, ``start + 45m``, ``10m before the end``, ``:50``,
    ``19:50``."""
    if not isinstance(value, str):
        raise invalid(
            msg("{shown} is not a moment in the meeting", shown=_shown(value)), ANCHOR_HINT
        )
    text = value.strip().lower()
    if text in {"start", "end", "the end", "the start"}:
        return Anchor(AnchorBase.END if text.endswith("end") else AnchorBase.START, 0)
    if clock := _CLOCK.match(text):
        return Anchor(AnchorBase.CLOCK, 0, int(clock.group(1)))
    if (time_of_day := parse_time_of_day(text)) is not None:
        return Anchor(AnchorBase.CLOCK, 0, time_of_day[1], hour=time_of_day[0])
    if relative := _RELATIVE.match(text):
        base, sign, amount = relative.groups()
    elif wordy := _WORDY.match(text):
        amount, direction, base = wordy.groups()
        sign = "-" if direction == "before" else "+"
    else:
        raise invalid(
            msg("{shown} is not a moment in the meeting", shown=_shown(value)), ANCHOR_HINT
        )
    seconds = parse_duration(amount)
    if base == "end" and sign == "+":
        raise invalid(
            msg("a moment after the end is never reached"),
            msg("count back from the end: 'end - 10m'"),
        )
    if base == "start" and sign == "-":
        raise invalid(msg("a moment before the start is never reached"), msg("use 'start + 5m'"))
    return Anchor(
        AnchorBase.END if base == "end" else AnchorBase.START, -seconds if sign == "-" else seconds
    )


WARN_HINT = msg("write '1m' (a minute left), 'time' (at the limit) or '30s over' (after the limit)")


def parse_warning_offset(value: Any) -> int:
    """When a share note comes, relative to the limit: ``1m`` / ``1m left`` -> -60, ``time`` -> 0,
    ``30s over`` / ``+30s`` -> 30."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"time", "at the limit", "limit", "at limit", "0"}:
            return 0
        for suffix in (" over", " after", " overtime"):
            if text.endswith(suffix):
                return parse_duration(text.removesuffix(suffix))
        if text.startswith("+"):
            return parse_duration(text[1:])
        for suffix in (" left", " before", " remaining"):
            text = text.removesuffix(suffix)
        return -parse_duration(text)
    if value == 0 and not isinstance(value, bool):
        return 0
    try:
        return -parse_duration(value)
    except PydanticCustomError:
        raise invalid(
            msg("{shown} is not a time for a share note", shown=_shown(value)), WARN_HINT
        ) from None


_TERM = re.compile(r"^(\d+)\s*(meetings?|months?|years?)$")
TERM_HINT = msg("write it like '4 meetings', '3 months' or '1 year'")


def parse_term(value: Any) -> Term:
    """A term of service: ``4 meetings``, ``3 months`` or ``1 year`` (twelve months)."""
    match = _TERM.match(value.strip().lower()) if isinstance(value, str) else None
    if match is None or int(match.group(1)) < 1:
        raise invalid(msg("{shown} is not a term", shown=_shown(value)), TERM_HINT)
    count, unit = int(match.group(1)), match.group(2)
    if unit.startswith("meeting"):
        return Term(count, TermUnit.MEETINGS)
    months = count * 12 if unit.startswith("year") else count
    if months > 60:
        raise invalid(
            msg("{shown} is a very long term", shown=_shown(value)),
            msg("a term is at most 5 years"),
        )
    return Term(months, TermUnit.MONTHS)


_MEMBERSHIP = re.compile(r"^(\d+)\s*(days?|weeks?|months?|years?)$")
MEMBERSHIP_HINT = msg("write it like '90 days', '6 weeks', '3 months' or '1 year'")
_MEMBERSHIP_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def parse_membership(value: Any) -> int:
    """How long someone has been in the group: ``90 days``, ``6 weeks``, ``3 months`` (30 days
    each), ``1 year`` (365 days) -> seconds. At most ten years."""
    match = _MEMBERSHIP.match(value.strip().lower()) if isinstance(value, str) else None
    if match is None:
        try:
            return parse_duration(value)  # "90d", "12w", "1 week 3 days"
        except PydanticCustomError:
            raise invalid(
                msg("{shown} is not a length of membership", shown=_shown(value)), MEMBERSHIP_HINT
            ) from None
    days = int(match.group(1)) * _MEMBERSHIP_DAYS[match.group(2).rstrip("s")]
    if days > 3650:
        raise invalid(msg("{shown} is far too long", shown=_shown(value)), msg("ten years at most"))
    return days * 86400


_EVERY = re.compile(r"^(\d+)(?:\s*meetings?)?$")
EVERY_HINT = msg(
    "write a number of meetings, like  at-most-every: 3  (once in every three meetings)"
)


def parse_every(value: Any) -> int:
    """``at-most-every``: a number of meetings, ``3`` or ``3 meetings``; 2 to 52."""
    if isinstance(value, bool):
        raise invalid(msg("{shown} is not a number of meetings", shown=_shown(value)), EVERY_HINT)
    text = str(value).strip().lower() if isinstance(value, int | str) else ""
    match = _EVERY.match(text)
    if match is None:
        raise invalid(msg("{shown} is not a number of meetings", shown=_shown(value)), EVERY_HINT)
    count = int(match.group(1))
    if count < 2:
        raise invalid(
            msg_n(
                "at most once every {n} meeting is no limit at all",
                "at most once every {n} meetings is no limit at all",
                count,
            ),
            msg("leave at-most-every out, or write 2 or more (2 means never twice in a row)"),
        )
    if count > 52:
        raise invalid(
            msg("once every {count} meetings is too long a wait", count=count),
            msg("52 meetings at most"),
        )
    return count


def _names(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_DAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_DAYS.update({name.lower(): i for i, name in enumerate(calendar.day_abbr)})
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_WEEKS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}


def parse_weekdays(value: Any) -> frozenset[int]:
    return _parse_names(
        value,
        _DAYS,
        (msg("{shown} is not a day of the week"), msg("the list of days of the week is empty")),
        msg("write days like monday or [tue, thu]"),
    )


def parse_months(value: Any) -> frozenset[int]:
    return _parse_names(
        value,
        _MONTHS,
        (msg("{shown} is not a month"), msg("the list of months is empty")),
        msg("write months like december or [jun, jul]"),
    )


def parse_weeks(value: Any) -> frozenset[int]:
    return _parse_names(
        value,
        _WEEKS,
        (msg("{shown} is not a week of the month"), msg("the list of weeks of the month is empty")),
        msg("write first, second … fifth or last"),
        numbers=True,
    )


def _parse_names(
    value: Any, table: dict[str, int], said: tuple[Msg, Msg], hint: Msg, *, numbers: bool = False
) -> frozenset[int]:
    found: set[int] = set()
    not_one, empty = said
    for item in _names(value):
        is_week_number = isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= 5
        if is_week_number and numbers:
            found.add(item)
            continue
        key = item.strip().lower().rstrip(".") if isinstance(item, str) else None
        if key is None or key not in table:
            raise invalid(msg(not_one.msgid, shown=_shown(item)), hint)
        found.add(table[key])
    if not found:
        raise invalid(empty, hint)
    return frozenset(found)


MAJORITY = Threshold(Fraction(1, 2), strictly_more=True)
_THRESHOLDS = {
    "majority": MAJORITY,
    "two-thirds": Threshold(Fraction(2, 3), strictly_more=False),
    "three-quarters": Threshold(Fraction(3, 4), strictly_more=False),
    "unanimous": Threshold(Fraction(1), strictly_more=False),
}


def parse_threshold(value: Any) -> Threshold:
    """``majority`` (more than half), ``two-thirds``, ``three-quarters``, ``unanimous``, ``60%``."""
    hint = msg("write majority, two-thirds, three-quarters, unanimous, or a share like 60%")
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _THRESHOLDS:
            return _THRESHOLDS[text]
        if (percent := re.fullmatch(r"(\d{1,3})\s*%", text)) and 1 <= int(percent.group(1)) <= 100:
            return Threshold(Fraction(int(percent.group(1)), 100), strictly_more=False)
    raise invalid(msg("{shown} is not a voting threshold", shown=_shown(value)), hint)


PARTS_OF_DAY_HINT = msg(
    "write morning, afternoon, evening or night, or a list like [morning, evening]"
)


def parse_parts_of_day(value: Any) -> tuple[str, ...]:
    """``evening`` or ``[morning, evening]`` -> the parts named (see the guide for the hours)."""
    found: list[str] = []
    for item in _names(value):
        key = item.strip().lower() if isinstance(item, str) else None
        if key is None or key not in PARTS_OF_DAY:
            if isinstance(item, str) and parse_time_of_day(item) is not None:
                raise invalid(
                    msg("{shown} is a clock time, not a part of the day", shown=_shown(item)),
                    msg("for a clock time, write  after: 18:00  or  before: 12:00  in the if:"),
                )
            raise invalid(
                msg("{shown} is not a part of the day", shown=_shown(item)), PARTS_OF_DAY_HINT
            )
        if key not in found:
            found.append(key)
    if not found:
        raise invalid(msg("the list of parts of the day is empty"), PARTS_OF_DAY_HINT)
    return tuple(found)


def parse_cycle_weeks(value: Any) -> frozenset[int]:
    """``2`` or ``[1, 3]`` -> the weeks of the cycle (checked against ``cycle:`` later)."""
    found: set[int] = set()
    for item in _names(value):
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 52:
            raise invalid(
                msg("{shown} is not a week of the cycle", shown=_shown(item)),
                msg("write a week number like 2, or a list like [1, 3]"),
            )
        found.add(item)
    if not found:
        raise invalid(msg("the list of weeks is empty"), msg("write a week number like 2"))
    return frozenset(found)


def parse_date(value: Any) -> dt.date:
    """``2026-01-05`` -> a date."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise invalid(
        msg("{shown} is not a date", shown=_shown(value)),
        msg("write it like 2026-01-05 (year-month-day)"),
    )
