"""The one clock. Nothing else in the bot reads ``time.time()`` or ``datetime.now()``.

``CLOCK_RATE`` speeds time up for rehearsals and black-box tests: at rate 60 an hour-long meeting
takes a minute. Clock time is ``base + (real - base_real) * rate``: a clock reading, the real
time it was taken at, and the rate since. They are stored in the database (``meta``), so a
restart continues the same sped-up timeline instead of jumping back to the present; and when the
rate changes on an existing ``DATA_DIR``, the clock carries on from where the old timeline is
now, at the new rate — it never jumps, so a meeting under way keeps its remaining time and no
deadline fires early. (A first start reads ``base = base_real = now``: clock time is real time.)
"""

from __future__ import annotations

import functools
import time
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, timezone, tzinfo
from typing import Protocol

from bot.core.lazy_dataclasses import lazy_dataclass

#: ``meta`` keys: an earlier version's anchor (clock = real time at that moment), and the base.
LEGACY_ANCHOR = "clock_anchor"
BASE_CLOCK, BASE_REAL, BASE_RATE = "clock_base", "clock_base_real", "clock_rate"


@lazy_dataclass(frozen=True, slots=True)
class ClockBase:
    """A clock reading, the real time it was taken at, and the rate the clock runs at since."""

    clock: float
    real: float
    rate: float

    def reading(self, real: float) -> float:
        return self.clock + (real - self.real) * self.rate


def carry_on(
    stored: ClockBase | None, legacy_anchor: float | None, rate: float, real_now: float
) -> ClockBase:
    """The base for this run, continuing the timeline a previous run left.

    Same rate: the same timeline. A new rate: from where the old timeline is now, at the new
    rate. Nothing stored but an earlier version's anchor: its timeline, at this rate (as that
    version did). Nothing at all: real time.
    """
    if stored is None:
        start = real_now if legacy_anchor is None else legacy_anchor
        return ClockBase(start, start, rate)
    if stored.rate == rate:
        return stored
    return ClockBase(stored.reading(real_now), real_now, rate)


class Meta(Protocol):
    """The ``meta`` table (bot/store/meta.py)."""

    async def get(self, key: str) -> str | None: ...

    async def put(self, values: dict[str, str]) -> None: ...


class Clock:
    def __init__(
        self,
        rate: float = 1.0,
        anchor: float | None = None,
        real_time: Callable[[], float] = time.time,
    ) -> None:
        if rate <= 0:
            raise ValueError("the clock rate must be above 0")
        self.rate = rate
        self._real_time = real_time
        start = real_time() if anchor is None else anchor
        self.base = ClockBase(start, start, rate)

    def continue_from(self, base: ClockBase) -> None:
        """Carry on from this base (at this clock's rate, see :func:`carry_on`)."""
        self.base = ClockBase(base.clock, base.real, self.rate)

    async def keep_one_timeline(self, meta: Meta) -> None:
        """At start-up: continue the timeline stored in ``meta`` (see :func:`carry_on`), and
        store this run's base."""
        values = [await meta.get(key) for key in (BASE_CLOCK, BASE_REAL, BASE_RATE)]
        stored = None
        if all(value is not None for value in values):
            stored = ClockBase(*(float(str(value)) for value in values))
        legacy = await meta.get(LEGACY_ANCHOR)
        base = carry_on(
            stored, None if legacy is None else float(legacy), self.rate, self._real_time()
        )
        self.continue_from(base)
        if base != stored:
            await meta.put(
                {
                    BASE_CLOCK: repr(base.clock),
                    BASE_REAL: repr(base.real),
                    BASE_RATE: repr(base.rate),
                }
            )

    def timestamp(self) -> float:
        """Clock time in Unix seconds."""
        return self.base.reading(self._real_time())

    def now(self) -> datetime:
        """Clock time as an aware UTC datetime: the ``now`` every core operation is given."""
        return datetime.fromtimestamp(self.timestamp(), tz=UTC)

    def real_seconds_until(self, clock_timestamp: float) -> float:
        """How long to really sleep until the clock reaches ``clock_timestamp`` (0 if past)."""
        return max(0.0, (clock_timestamp - self.timestamp()) / self.rate)

    def real_time_of(self, clock_timestamp: float) -> float:
        """The real Unix time at which the clock shows ``clock_timestamp``: what a countdown
        shown to people must count to, when the clock runs faster than real time."""
        return self.base.real + (clock_timestamp - self.base.clock) / self.rate


# --- time zones: the one place that reads the zone database ------------------------------------
# (``tzdata`` is a dependency, so the IANA names work where the system has no zone files.)


@functools.cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def zone_name(raw: str) -> str | None:
    """The IANA name of a time zone as typed ("america/new_york", "UTC"), or None."""
    return _zone_names().get(raw.strip().lower().replace(" ", "_"))


def zone_names() -> list[str]:
    """Every IANA zone name, sorted (for autocompletion)."""
    return sorted(_zone_names().values())


def time_zone(name: str) -> tzinfo:
    """The zone for a name :func:`zone_name` accepted (UTC for one that has since vanished)."""
    known = zone_name(name)
    return UTC if known is None else zoneinfo.ZoneInfo(known)


def local_time(moment: datetime, zone: tzinfo) -> datetime:
    """``moment`` as the wall clock in ``zone`` shows it, at that instant's fixed offset from
    UTC: the same instant, its weekday, date and hour read where the group is, and adding a
    duration to it adds exactly that much real time (even across a daylight-saving change)."""
    here = moment.astimezone(zone)
    offset = here.utcoffset()
    return here if offset is None else here.replace(tzinfo=timezone(offset))
