"""One clock timeline across restarts, on a real database: a restart at the same rate continues
the same sped-up timeline (as it always has), and a new CLOCK_RATE on an existing DATA_DIR
carries on from where the clock was, at the new rate, without a jump."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runtime.clock import LEGACY_ANCHOR, Clock, ClockBase, carry_on
from bot.store import Store

T0 = 1_800_000_000.0


class RealTime:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = Store(tmp_path / "db.sqlite3")
    await opened.open()
    yield opened
    await opened.close()


async def run(store: Store, real: RealTime, rate: float) -> Clock:
    """A start of the bot: a new clock, continued from the database (as setup_hook does)."""
    clock = Clock(rate=rate, real_time=real)
    await clock.keep_one_timeline(store.meta)
    return clock


async def test_a_first_start_reads_real_time(store: Store) -> None:
    real = RealTime()
    clock = await run(store, real, rate=60)
    assert clock.timestamp() == T0
    real.now += 10
    assert clock.timestamp() == T0 + 600


async def test_a_restart_at_the_same_rate_continues_the_same_timeline(store: Store) -> None:
    real = RealTime()
    await run(store, real, rate=60)
    real.now += 100  # 10 s running, then down (kill -9), then started again
    clock = await run(store, real, rate=60)
    assert clock.timestamp() == T0 + 100 * 60  # as before: the timeline ran on meanwhile


async def test_a_new_rate_never_jumps_the_clock(store: Store) -> None:
    real = RealTime()
    first = await run(store, real, rate=60)
    real.now += 100
    where = first.timestamp()  # the old timeline, now
    for rate in (1.0, 600.0, 5.0):
        deadline = where + 1200  # e.g. a meeting's section ends in 20 clock minutes
        clock = await run(store, real, rate=rate)
        assert clock.timestamp() == pytest.approx(where)  # no jump, either way
        # The meeting keeps its remaining time, counted at the new rate.
        assert clock.real_seconds_until(deadline) == pytest.approx((deadline - where) / rate)
        real.now += 2
        where += 2 * rate
        assert clock.timestamp() == pytest.approx(where)
    # And back to a rate used before: still no jump.
    clock = await run(store, real, rate=60)
    assert clock.timestamp() == pytest.approx(where)


async def test_an_earlier_versions_anchor_is_carried_on(store: Store) -> None:
    real = RealTime()
    await store.meta.put({LEGACY_ANCHOR: repr(T0 - 1000)})
    clock = await run(store, real, rate=10)
    assert clock.timestamp() == T0 - 1000 + 1000 * 10  # that version's timeline, unchanged
    real.now += 5
    again = await run(store, real, rate=20)
    assert again.timestamp() == pytest.approx(T0 - 1000 + 1000 * 10 + 5 * 10)


def test_carry_on_is_plain_arithmetic() -> None:
    assert carry_on(None, None, 3.0, 50.0) == ClockBase(50.0, 50.0, 3.0)
    stored = ClockBase(1000.0, 100.0, 2.0)
    assert carry_on(stored, None, 2.0, 150.0) is stored
    assert carry_on(stored, None, 5.0, 150.0) == ClockBase(1100.0, 150.0, 5.0)
