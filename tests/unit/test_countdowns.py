"""Countdowns people watch count real seconds, even when the clock runs faster (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.runtime import markup
from bot.runtime.clock import Clock, ClockBase


@pytest.fixture
def restore_markup() -> Iterator[None]:
    yield
    markup.count_down_in_real_time(float)


def test_at_real_speed_a_countdown_is_the_moment_itself() -> None:
    moment = datetime(2026, 3, 3, 19, 5, tzinfo=UTC)
    assert markup.when(moment) == f"<t:{int(moment.timestamp())}:R>"
    assert markup.when(None) == ""


def test_a_rehearsal_clock_counts_down_in_real_seconds(restore_markup: None) -> None:
    real_start = 1_800_000_000.0
    clock = Clock(rate=60)
    clock.continue_from(ClockBase(clock=1_900_000_000.0, real=real_start, rate=60))
    markup.count_down_in_real_time(clock.real_time_of)
    # Three clock minutes after the clock read 1_900_000_000 is three real seconds later.
    share_ends = datetime.fromtimestamp(1_900_000_000.0 + 180, tz=UTC)
    assert markup.when(share_ends) == f"<t:{int(real_start + 3)}:R>"
