"""Deadlines of different groups run side by side (issue 18, B6); those of one group run one
after another in due order; a bounded number at once; ``stop`` lets a handler under way finish."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest

import bot.runtime.scheduler as scheduler_module
from bot.runtime.clock import Clock
from bot.runtime.scheduler import NO_GROUP, Scheduler, lane_of
from bot.store import Store
from bot.store.deadlines import DeadlineRecord
from tests.store.test_scheduler import committed_rows, wait_for
from tests.support.clock import FakeTime


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    yield store
    await store.close()


class Tracker:
    """Handlers that record when they begin and end, and wait for a gate to open."""

    def __init__(self) -> None:
        self.began: list[str] = []
        self.ended: list[str] = []
        self.gate = asyncio.Event()
        self.running: set[str] = set()
        self.most_at_once = 0

    async def handler(self, payload: Mapping[str, Any]) -> None:
        name = str(payload["name"])
        self.began.append(name)
        self.running.add(name)
        self.most_at_once = max(self.most_at_once, len(self.running))
        try:
            await self.gate.wait()
            await asyncio.sleep(0.01)
        finally:
            self.running.discard(name)
        if payload.get("fail"):
            raise LookupError("member gone")
        self.ended.append(name)


async def settle(scheduler: Scheduler, time: FakeTime, store: Store) -> None:
    """Until everything due has been carried out and its row's removal committed."""
    await wait_for(lambda: scheduler.settled(time.now))
    async with asyncio.timeout(30):
        while await committed_rows(store, f"SELECT 1 FROM deadlines WHERE due_at <= {time.now}"):  # noqa: ASYNC110
            await asyncio.sleep(0.01)


def test_a_deadline_runs_in_the_lane_of_the_group_its_payload_names() -> None:
    def lane(payload: Mapping[str, Any]) -> object:
        return lane_of(DeadlineRecord(1, "k", "1", 0.0, payload, 0))

    assert lane({"group_id": 7, "at": 1.0}) == lane({"group": 7}) == ("group", 7)
    assert lane({"meeting": 3, "key": "end"}) == lane({"rotation": 9, "meeting": 3})
    assert lane({"channel": 5}) != lane({"meeting": 5})
    assert lane({}) == lane({"table": "x"}) == NO_GROUP


async def test_two_groups_slow_deadlines_run_side_by_side(store: Store) -> None:
    time = FakeTime()
    scheduler = Scheduler(store.deadlines, Clock(real_time=time))
    track = Tracker()
    scheduler.register("job", track.handler)
    await scheduler.schedule("job", "a", time.now - 2, {"group_id": 1, "name": "a"})
    await scheduler.schedule("job", "b", time.now - 1, {"group_id": 2, "name": "b"})
    await scheduler.start()
    try:
        # Both begin while neither can finish: they overlap.
        await wait_for(lambda: sorted(track.began) == ["a", "b"])
        assert track.ended == []
        assert scheduler.in_flight == 2
        track.gate.set()
        await settle(scheduler, time, store)
    finally:
        await scheduler.stop()
    assert sorted(track.ended) == ["a", "b"]
    assert await store.deadlines.all() == []


async def test_one_groups_deadlines_never_overlap_and_keep_their_order(store: Store) -> None:
    time = FakeTime()
    scheduler = Scheduler(store.deadlines, Clock(real_time=time))
    track = Tracker()
    track.gate.set()
    other = Tracker()
    other.gate.set()
    scheduler.register("job", track.handler)
    scheduler.register("other", other.handler)
    # Scheduled out of order; due in the order of their names. No payload group: one lane too.
    for n in (4, 0, 3, 1, 2):
        await scheduler.schedule("job", f"m{n}", time.now - 10 + n, {"meeting": 1, "name": n})
        await scheduler.schedule("job", f"s{n}", time.now - 10 + n, {"name": f"s{n}"})
    await scheduler.schedule("other", "x", time.now - 5, {"meeting": 2, "name": "x"})
    await scheduler.start()
    try:
        await wait_for(lambda: len(track.ended) == 10 and other.ended == ["x"])
        await settle(scheduler, time, store)
    finally:
        await scheduler.stop()
    assert [n for n in track.ended if isinstance(n, str) and n.isdigit()] == list("01234")
    assert [n for n in track.ended if n.startswith("s")] == [f"s{n}" for n in range(5)]
    assert track.most_at_once == 2  # the meeting's lane and the no-group lane, never more


async def test_an_earlier_deadline_can_cancel_a_later_one_of_its_group(store: Store) -> None:
    time = FakeTime()
    scheduler = Scheduler(store.deadlines, Clock(real_time=time))
    fired: list[str] = []

    async def first(payload: Mapping[str, Any]) -> None:
        fired.append("first")
        await scheduler.cancel("second", "k")  # e.g. the meeting ended early
        await scheduler.schedule("second", "later", time.now + 100, {"meeting": 1})

    async def second(payload: Mapping[str, Any]) -> None:
        fired.append(f"second {payload.get('n')}")

    scheduler.register("first", first)
    scheduler.register("second", second)
    await scheduler.schedule("first", "k", time.now - 2, {"meeting": 1})
    await scheduler.schedule("second", "k", time.now - 1, {"meeting": 1, "n": 1})
    await scheduler.start()
    try:
        await wait_for(lambda: fired == ["first"])
        await settle(scheduler, time, store)
    finally:
        await scheduler.stop()
    assert fired == ["first"]
    assert [(d.kind, d.key) for d in await store.deadlines.all()] == [("second", "later")]


async def test_a_failing_group_never_stops_the_others(store: Store) -> None:
    time = FakeTime()
    scheduler = Scheduler(store.deadlines, Clock(real_time=time))
    track = Tracker()
    track.gate.set()
    scheduler.register("job", track.handler)
    await scheduler.schedule("job", "bad", time.now - 3, {"group_id": 1, "name": "bad", "fail": 1})
    await scheduler.schedule("job", "next", time.now - 2, {"group_id": 1, "name": "next"})
    for n in range(5):
        await scheduler.schedule("job", f"g{n}", time.now - 1, {"group_id": 10 + n, "name": n})
    await scheduler.start()
    try:
        await wait_for(lambda: len(track.ended) == 6)
        await settle(scheduler, time, store)
    finally:
        await scheduler.stop()
    assert sorted(map(str, track.ended)) == ["0", "1", "2", "3", "4", "next"]
    (left,) = await store.deadlines.all()
    assert (left.key, left.attempts) == ("bad", 1)
    assert left.due_at == time.now + scheduler_module.RETRY_BASE  # retried later, not at once


async def test_at_most_a_bounded_number_run_at_once(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler_module, "IN_FLIGHT", 4)
    time = FakeTime()
    scheduler = Scheduler(store.deadlines, Clock(real_time=time))
    track = Tracker()
    scheduler.register("job", track.handler)
    for n in range(12):
        payload = {"group_id": n, "name": str(n)}
        await scheduler.schedule("job", f"k{n:02}", time.now - 20 + n, payload)
    await scheduler.start()
    try:
        await wait_for(lambda: len(track.began) == 4)
        await asyncio.sleep(0.05)  # the loop had time to start more, and did not
        assert track.began == ["0", "1", "2", "3"]  # the soonest due first
        track.gate.set()
        await wait_for(lambda: len(track.ended) == 12)
        await settle(scheduler, time, store)
    finally:
        await scheduler.stop()
    assert track.most_at_once == 4


async def test_one_at_a_time_kinds_share_one_lane(store: Store) -> None:
    time = FakeTime()
    scheduler = Scheduler(store.deadlines, Clock(real_time=time))
    track = Tracker()
    track.gate.set()
    scheduler.register("sync", track.handler, one_at_a_time=True)
    for n in range(4):
        await scheduler.schedule("sync", str(n), time.now - 5 + n, {"group_id": n, "name": str(n)})
    await scheduler.start()
    try:
        await wait_for(lambda: len(track.ended) == 4)
        await settle(scheduler, time, store)
    finally:
        await scheduler.stop()
    assert track.ended == ["0", "1", "2", "3"]
    assert track.most_at_once == 1


async def test_stop_lets_a_handler_under_way_finish_its_transaction(store: Store) -> None:
    time = FakeTime()
    scheduler = Scheduler(store.deadlines, Clock(real_time=time))
    inside, release = asyncio.Event(), asyncio.Event()
    began: list[int] = []

    async def handler(payload: Mapping[str, Any]) -> None:
        began.append(int(payload["group_id"]))
        async with store.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO deadlines (kind, key, due_at, payload) VALUES ('note', ?, 1e12, '{}')",
                (str(payload["group_id"]),),
            )
            inside.set()
            await release.wait()

    scheduler.register("job", handler)
    await scheduler.schedule("job", "a", time.now - 2, {"group_id": 1})
    # Due next in the same group, waiting its turn when the bot stops: it must not begin.
    await scheduler.schedule("job", "b", time.now - 1, {"group_id": 1})
    await scheduler.start()
    async with asyncio.timeout(30):
        await inside.wait()
    stopping = asyncio.create_task(scheduler.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()  # waits for the handler inside its transaction
    release.set()
    async with asyncio.timeout(30):
        await stopping
    assert began == [1]
    rows = await committed_rows(store, "SELECT kind, key FROM deadlines ORDER BY kind, key")
    assert [tuple(r) for r in rows] == [("job", "b"), ("note", "1")]  # committed, a carried out
    # The store is usable: no transaction was left open.
    async with store.db.transaction() as tx:
        await tx.execute("DELETE FROM deadlines WHERE kind = 'note'")


async def test_a_cancel_arriving_with_a_wake_is_kept(store: Store) -> None:
    """The scheduler's sleep is cancelled (at stop) in the same moment something wakes it: the
    cancel must stand. (``asyncio.wait_for`` on 3.11 returned normally then, the cancel lost.)"""
    time = FakeTime()
    scheduler = Scheduler(store.deadlines, Clock(real_time=time))
    scheduler.register("job", Tracker().handler)
    await scheduler.schedule("job", "later", time.now + 100, {"group_id": 1})  # a timed sleep
    for _ in range(20):
        sleeping = asyncio.create_task(scheduler._sleep_until_next())
        await asyncio.sleep(0)  # it is waiting now
        scheduler._wake.set()
        sleeping.cancel()
        await asyncio.sleep(0.01)
        assert sleeping.cancelled()
