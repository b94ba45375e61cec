"""Dates, times, durations and lists in a language's own way, through Babel (CLDR data).

Times shown with Discord's timestamp markup (``<t:…:F>``, bot/runtime/markup.py) are already
shown in each reader's own language and zone by Discord; these are for everything else.

Babel is imported on first use, not at start-up (issue 18, item 4): it is a few milliseconds the
bot doesn't need until it writes its first date or list.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

Width = Literal["full", "long", "medium", "short"]


def when(
    locale: str, moment: datetime, *, zone: tzinfo | None = None, width: Width = "long"
) -> str:
    """A date and time: ``5 de marzo de 2026, 19:00:00 …`` (``width`` as Babel's)."""
    from babel.dates import format_datetime

    return format_datetime(moment, width, tzinfo=zone, locale=locale)


def day(locale: str, moment: date, *, width: Width = "full") -> str:
    """A date: ``jeudi 5 mars 2026``."""
    from babel.dates import format_date

    return format_date(moment, width, locale=locale)


def clock(locale: str, moment: time | datetime, *, zone: tzinfo | None = None) -> str:
    """A time of day, short: ``19:00`` or ``7:00 PM``."""
    from babel.dates import format_time

    return format_time(moment, "short", tzinfo=zone, locale=locale)


def duration(locale: str, length: timedelta | float, *, width: Width = "long") -> str:
    """A length of time, rounded to its largest unit: ``5 minutos``, ``1 heure``."""
    from babel.dates import format_timedelta

    span = length if isinstance(length, timedelta) else timedelta(seconds=length)
    babel_width: Literal["narrow", "short", "medium", "long"] = "long" if width == "full" else width
    return format_timedelta(span, threshold=1, format=babel_width, locale=locale)


def listing(locale: str, items: Iterable[str], *, style: str = "standard") -> str:
    """Words joined as the language joins them: ``a, b y c``; ``style="or"``: ``a, b ou c``."""
    from babel.lists import format_list

    return format_list(list(items), style=style, locale=locale)  # type: ignore[arg-type]
