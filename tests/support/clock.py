"""A real-time source the test moves by hand, for :class:`bot.runtime.clock.Clock`."""

from __future__ import annotations

#: The moment every fake clock starts at, unless a test says otherwise.
START = 1_800_000_000.0


class FakeTime:
    """``Clock(real_time=FakeTime())``: time stands still until the test sets ``now``."""

    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now
