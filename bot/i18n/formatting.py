"""Dates, times, durations and lists in a language's own way, through Babel (CLDR data).

Times shown with Discord's timestamp markup (``<t:…:F>``, bot/runtime/markup.py) are already
shown in each reader's own language and zone by Discord; these are for everything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.lists import format_list

Width = Literal["full", "long", "medium", "short"]


def when(
    locale: str, moment: datetime, *, zone: tzinfo | None = None, width: Width = "long"
) -> str:
    """A date and time: ``5 de marzo de 2026, 19:00:00 …`` (``width`` as Babel's)."""
    return format_datetime(moment, width, tzinfo=zone, locale=locale)


def day(locale: str, moment: date, *, width: Width = "full") -> str:
    """A date: ``jeudi 5 mars 2026``."""
    return format_date(moment, width, locale=locale)


def clock(locale: str, moment: time | datetime, *, zone: tzinfo | None = None) -> str:
    """A time of day, short: ``19:00`` or ``7:00 PM``."""
    return format_time(moment, "short", tzinfo=zone, locale=locale)


def duration(locale: str, length: timedelta | float, *, width: Width = "long") -> str:
    """A length of time, rounded to its largest unit: ``5 minutos``, ``1 heure``."""
    span = length if isinstance(length, timedelta) else timedelta(seconds=length)
    babel_width: Literal["narrow", "short", "medium", "long"] = "long" if width == "full" else width
    return format_timedelta(span, threshold=1, format=babel_width, locale=locale)


def listing(locale: str, items: Iterable[str], *, style: str = "standard") -> str:
    """Words joined as the language joins them: ``a, b y c``; ``style="or"``: ``a, b ou c``."""
    return format_list(list(items), style=style, locale=locale)  # type: ignore[arg-type]
