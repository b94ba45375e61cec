from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.runtime.clock import Clock
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.db import Database
from tests.support.clock import FakeTime
from tests.support.scheduling import committed


@pytest.fixture
async def store(where: Path | Database) -> Store:
    store = Store(where)
    await store.open()
    yield store
    await store.close()


async def wait_for(condition: Any, limit: float = 30.0) -> None:
    """Until ``condition`` holds: done as soon as it does (generous for a loaded machine)."""
    async with asyncio.timeout(limit):
        while not condition():  # noqa: ASYNC110 - polling a plain predicate
            await asyncio.sleep(0.01)


async def test_restart_rearms_every_deadline_without_a_cap(store: Store) -> None:
    """500 deadlines scheduled, the process 'restarts', all 500 fire (past due: at once)."""
    time = FakeTime()
    first = Scheduler(store.deadlines, Clock(real_time=time))
    for n in range(500):
        await first.schedule("exclusion.lift", f"x{n}", time.now + 60 + n, {"n": n})
    # A new scheduler over the same table, as after kill -9; by now everything is past due.
    time.now += 10_000
    fired: list[int] = []

    async def handler(payload: Mapping[str, Any]) -> None:
        fired.append(payload["n"])

    second = Scheduler(store.deadlines, Clock(real_time=time))
    second.register("exclusion.lift", handler)
    await second.start()
    await second.start()  # safe to call twice
    await wait_for(lambda: len(fired) >= 500, limit=120)  # 500 commits; slow under load
    # The last handler has run; its deadline row is deleted just after it returns (committed:
    # a read on the store's own connection would see the delete before its commit).
    async with asyncio.timeout(30):
        while await committed_rows(store, "SELECT 1 FROM deadlines"):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    await second.stop()
    assert sorted(fired) == list(range(500))
    assert await store.deadlines.all() == []


async def test_fires_when_due_with_a_fast_clock(store: Store) -> None:
    clock = Clock(rate=10_000)  # one clock hour is 0.36 real seconds
    fired = asyncio.Event()

    async def handler(payload: Mapping[str, Any]) -> None:
        fired.set()

    scheduler = Scheduler(store.deadlines, clock)
    scheduler.register("vote.close", handler)
    await scheduler.start()
    await scheduler.schedule("vote.close", "p1", clock.timestamp() + 3600, {})
    async with asyncio.timeout(3):
        await fired.wait()
    await scheduler.stop()


async def test_one_failing_item_never_stops_the_others(store: Store) -> None:
    time = FakeTime()
    scheduler = Scheduler(store.deadlines, Clock(real_time=time))
    done: list[str] = []

    async def handler(payload: Mapping[str, Any]) -> None:
        if payload["fail"]:
            raise LookupError("member gone")
        done.append(payload["name"])

    scheduler.register("job", handler)
    await scheduler.schedule("job", "a", time.now - 1, {"fail": True, "name": "a"})
    await scheduler.schedule("job", "b", time.now - 1, {"fail": False, "name": "b"})
    await scheduler.start()
    await wait_for(lambda: done == ["b"])
    # b's row is deleted just after its handler returns: stop once the table says so.
    async with asyncio.timeout(30):
        while await committed_rows(store, "SELECT 1 FROM deadlines WHERE key = 'b'"):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    await scheduler.stop()
    remaining = await store.deadlines.all()
    assert [(d.key, d.attempts) for d in remaining] == [("a", 1)]
    assert remaining[0].due_at > time.now  # retried later, not in a hot loop


async def test_rescheduling_replaces_the_pending_deadline(store: Store) -> None:
    time = FakeTime()
    scheduler = Scheduler(store.deadlines, Clock(real_time=time))
    fired: list[str] = []

    async def handler(payload: Mapping[str, Any]) -> None:
        fired.append(payload["v"])

    scheduler.register("job", handler)
    await scheduler.start()
    await scheduler.schedule("job", "k", time.now + 100, {"v": "old"})
    await scheduler.schedule("job", "k", time.now + 200, {"v": "new"})
    await scheduler.schedule("job", "gone", time.now + 50, {"v": "cancelled"})
    await scheduler.cancel("job", "gone")
    assert scheduler.pending_count == 1
    time.now += 300
    await scheduler.schedule("job", "nudge", time.now + 10_000, {"v": "later"})  # wakes the loop
    await wait_for(lambda: fired == ["new"])
    await scheduler.stop()


async def test_unknown_kinds_are_kept_for_later(store: Store) -> None:
    time = FakeTime()
    scheduler = Scheduler(store.deadlines, Clock(real_time=time))
    await scheduler.schedule("not.loaded", "k", time.now - 5, {})
    await scheduler.start()
    await asyncio.sleep(0.05)
    await scheduler.stop()
    assert len(await store.deadlines.all()) == 1


def test_clock_runs_at_its_rate_from_its_anchor() -> None:
    time = FakeTime(1000.0)
    clock = Clock(rate=60, anchor=1000.0, real_time=time)
    time.now = 1010.0
    assert clock.timestamp() == 1000.0 + 600.0
    assert clock.real_seconds_until(1000.0 + 1200.0) == pytest.approx(10.0)
    assert clock.real_seconds_until(0) == 0
    assert clock.now().tzinfo is not None


async def committed_rows(store: Store, sql: str) -> list[object]:
    """Rows as committed. SQLite: through a connection of its own (the store's one connection
    sees its own uncommitted writes). PostgreSQL: any pooled connection sees committed rows only."""
    if store.db.backend == "sqlite":
        return list(committed(store.db.path, sql))
    return list(await store.db.fetchall(sql))
