"""The one clock. Nothing else in the bot reads ``time.time()`` or ``datetime.now()``.

``CLOCK_RATE`` speeds time up for rehearsals and black-box tests: at rate 60 an hour-long meeting
takes a minute. Clock time is ``anchor + (real - anchor) * rate``; the anchor is stored in the
database, so a restart continues the same sped-up timeline instead of jumping back to the present.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime


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
        self.anchor = real_time() if anchor is None else anchor

    def continue_from(self, anchor: float) -> None:
        """Carry on the sped-up timeline a previous run started (its stored anchor)."""
        self.anchor = anchor

    def timestamp(self) -> float:
        """Clock time in Unix seconds."""
        return self.anchor + (self._real_time() - self.anchor) * self.rate

    def now(self) -> datetime:
        """Clock time as an aware UTC datetime: the ``now`` every core operation is given."""
        return datetime.fromtimestamp(self.timestamp(), tz=UTC)

    def real_seconds_until(self, clock_timestamp: float) -> float:
        """How long to really sleep until the clock reaches ``clock_timestamp`` (0 if past)."""
        return max(0.0, (clock_timestamp - self.timestamp()) / self.rate)
