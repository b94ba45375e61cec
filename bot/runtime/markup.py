"""Discord's text markup, as plain functions (no ``discord`` import): a live countdown in
everyone's own time zone, the short first name the bot uses for a member, and a member's own
words shown back safely."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

#: Clock time -> real time, for countdowns people watch. The identity unless the composition
#: root (bot/wiring.py) says the clock runs at another rate (``CLOCK_RATE``, a rehearsal).
_real_time: Callable[[float], float] = float


def count_down_in_real_time(convert: Callable[[float], float]) -> None:
    """Show every countdown in real seconds, through ``convert`` (the clock's
    ``real_time_of``). Called once, by bot/wiring.py."""
    global _real_time
    _real_time = convert


def when(moment: datetime | None) -> str:
    """A live countdown Discord keeps up to date in everyone's own time zone: to the real
    moment the clock reaches ``moment`` (with ``CLOCK_RATE`` 60, a share ending in 3 clock
    minutes counts down 3 real seconds)."""
    return "" if moment is None else f"<t:{round(_real_time(moment.timestamp()))}:R>"


def first_name(display_name: str) -> str:
    words = display_name.split()
    return (words[0] if words else "someone")[:32]


#: Characters that must never come back from a member's option: controls, zero-width marks and
#: the bidirectional overrides that can make a reply read backwards.
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff`]")
ECHO_LIMIT = 60
MESSAGE_LIMIT = 2000


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """A member's own words, safe to show back to them: invisible and formatting characters
    removed, and cut to ``limit`` characters (a 6,000-character option must never push a
    reply past Discord's 2,000)."""
    text = _INVISIBLE.sub("", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bounded(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Any reply, cut to fit one Discord message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
