"""Small pieces of wording many messages share, as :class:`~bot.i18n.Msg` values (pure: no
locale, no clock): days and months by name, a date said the group's way, and "a, b and c".

They are messages like any other (in ``rotation.po``), so each language says a date and a list
its own way ("martes 14 de mayo", "mardi 14 mai"), and a private reply can carry one to be
rendered in the member's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.i18n.message import Msg, msg

WEEKDAYS = (
    msg("Monday"),
    msg("Tuesday"),
    msg("Wednesday"),
    msg("Thursday"),
    msg("Friday"),
    msg("Saturday"),
    msg("Sunday"),
)
MONTHS = (
    msg("January"),
    msg("February"),
    msg("March"),
    msg("April"),
    msg("May"),
    msg("June"),
    msg("July"),
    msg("August"),
    msg("September"),
    msg("October"),
    msg("November"),
    msg("December"),
)


def day_and_month(moment: date) -> Msg:
    """ "Tuesday 14 May"."""
    return msg(
        "{weekday} {day} {month}",
        weekday=WEEKDAYS[moment.weekday()],
        day=moment.day,
        month=MONTHS[moment.month - 1],
    )


def day_month_year(moment: date) -> Msg:
    """ "14 May 2026"."""
    return msg(
        "{day} {month} {year}", day=moment.day, month=MONTHS[moment.month - 1], year=moment.year
    )


def full_day(moment: date) -> Msg:
    """ "Tuesday 14 May 2026"."""
    return msg(
        "{weekday} {day} {month} {year}",
        weekday=WEEKDAYS[moment.weekday()],
        day=moment.day,
        month=MONTHS[moment.month - 1],
        year=moment.year,
    )


def day_and_time(moment: datetime) -> Msg:
    """ "Tuesday 14 May at 19:00" (the wall time given, on a 24-hour clock)."""
    clock = f"{moment:%H:%M}"
    return msg("{date} at {time}", date=day_and_month(moment), time=clock)


def and_list(items: Sequence[Msg | str]) -> Msg | str:
    """ "a", "a and b", "a, b and c"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return msg("{first} and {second}", first=items[0], second=items[1])
    return msg("{first}, {rest}", first=items[0], rest=and_list(items[1:]))


def then(first: Msg | str, more: Msg | str) -> Msg:
    """Two whole sentences (or more), one after the other on the same line."""
    return msg("{first} {more}", first=first, more=more)
