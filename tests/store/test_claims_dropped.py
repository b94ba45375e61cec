"""A live process whose claims connection drops (issue 19, hardening): the server lets go of
every claim silently, so the process notices, re-takes them on a new connection, and leaves to
the other process any it can't re-take: its scheduler neither completes nor reschedules that
deadline. A server that can't be reached while claiming is told to the host once, and the work
waits. Closing after the connection was killed is quiet."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import pytest

from bot.errors import StorageUnavailable
from bot.runtime.clock import Clock
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.postgres import PostgresDatabase
from tests.store.test_scheduler import wait_for
from tests.support.clock import FakeTime

ADVISORY = "FROM pg_locks WHERE locktype = 'advisory'"


@pytest.fixture
def two(two_stores: tuple[Store, Store]) -> tuple[Store, Store]:
    return two_stores


def pg(store: Store) -> PostgresDatabase:
    assert isinstance(store.db, PostgresDatabase)
    return store.db


async def holder_pid(store: Store) -> int:
    """The server process of the store's claims connection (the one holding advisory locks)."""
    pids = await store.db.fetchall(f"SELECT DISTINCT pid {ADVISORY}")
    (row,) = pids
    return int(row["pid"])


async def kill_session(survivor: Store, pid: int) -> None:
    """An operator (or a network cut) ends one session; the process itself lives on."""
    assert await survivor.db.fetchval("SELECT pg_terminate_backend($1::integer)", (pid,))
    async with asyncio.timeout(10):
        while await survivor.db.fetchval(  # noqa: ASYNC110
            f"SELECT count(*) {ADVISORY} AND pid = $1::integer", (pid,)
        ):
            await asyncio.sleep(0.02)


async def test_a_dropped_connection_takes_its_claims_again(two: tuple[Store, Store]) -> None:
    first, second = two
    assert await first.db.hold("deadlines", 7)
    assert await first.db.hold("deadlines", 7)  # counted twice, as the server counts it
    assert await first.db.hold("event_outbox", 3)
    await kill_session(second, await holder_pid(first))
    # Noticed at once (no call of the first's needed): every claim is taken again.
    async with asyncio.timeout(10):
        while await second.db.fetchval(f"SELECT count(*) {ADVISORY}") < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    assert not await second.db.hold("deadlines", 7)
    assert not await second.db.hold("event_outbox", 3)
    assert await first.db.still_holds("deadlines", 7)
    await first.db.let_go("deadlines", 7)
    assert not await second.db.hold("deadlines", 7)  # still held once more
    await first.db.let_go("deadlines", 7)
    assert await second.db.hold("deadlines", 7)


async def test_a_claim_taken_meanwhile_is_lost_and_left_to_the_other(
    two: tuple[Store, Store],
) -> None:
    first, second = two
    assert await first.db.hold("deadlines", 7)
    pid = await holder_pid(first)
    # The first can't reach the server for a moment: the other takes the work in between.
    url, pg(first).url = pg(first).url, "postgresql://nobody@/gone?host=/nonexistent"
    await kill_session(second, pid)
    assert await second.db.hold("deadlines", 7)
    pg(first).url = url
    assert not await first.db.still_holds("deadlines", 7)  # lost: not the first's any more
    await first.db.let_go("deadlines", 7)  # forgets it without touching the other's claim
    assert not await first.db.hold("deadlines", 7)
    await second.db.let_go("deadlines", 7)
    assert await first.db.hold("deadlines", 7)


async def test_the_scheduler_leaves_a_lost_deadline_to_the_process_that_took_it(
    two: tuple[Store, Store], caplog: pytest.LogCaptureFixture
) -> None:
    first, second = two
    time = FakeTime()
    started, release = asyncio.Event(), asyncio.Event()
    fired: list[Mapping[str, Any]] = []

    async def slow(payload: Mapping[str, Any]) -> None:
        started.set()
        await release.wait()
        fired.append(payload)

    scheduler = Scheduler(first.deadlines, Clock(real_time=time))
    scheduler.register("meeting.end", slow)
    await first.deadlines.upsert("meeting.end", "7:end", time.now - 1, {"meeting": 7})
    await scheduler.start()
    try:
        await asyncio.wait_for(started.wait(), 10)  # the first is carrying it out …
        pid = await holder_pid(first)
        url, pg(first).url = pg(first).url, "postgresql://nobody@/gone?host=/nonexistent"
        await kill_session(second, pid)  # … its connection drops, and the other takes it
        (deadline,) = await second.deadlines.all()
        assert await second.deadlines.claim(deadline)
        pg(first).url = url
        release.set()
        await wait_for(lambda: fired == [{"meeting": 7}])
        await wait_for(lambda: scheduler.settled(time.now))
        # The first did not complete it (nor reschedule it): the row is the other's to finish.
        assert await second.deadlines.all() == [deadline]
        assert "Another process took over a deadline" in caplog.text
        assert await second.deadlines.complete(deadline)
        await second.deadlines.let_go(deadline)
    finally:
        await scheduler.stop()


async def test_an_unreachable_server_while_claiming_is_told_once_and_the_work_waits(
    two: tuple[Store, Store], caplog: pytest.LogCaptureFixture
) -> None:
    first, second = two
    time = FakeTime()
    fired: list[Mapping[str, Any]] = []

    async def handler(payload: Mapping[str, Any]) -> None:
        fired.append(payload)

    scheduler = Scheduler(first.deadlines, Clock(real_time=time))
    scheduler.register("meeting.end", handler)
    first.db.when_writable_again(scheduler.carry_on)  # as bot/wiring.py does
    await first.deadlines.upsert("meeting.end", "7:end", time.now - 1, {"meeting": 7})
    # Claims were held before (a holder exists), then the server can't be reached.
    assert await first.db.hold("other", 1)
    url, pg(first).url = pg(first).url, "postgresql://nobody@/gone?host=/nonexistent"
    await kill_session(second, await holder_pid(first))
    caplog.set_level(logging.INFO)
    with pytest.raises(StorageUnavailable):
        await first.db.hold("deadlines", 1)
    await scheduler.start()
    try:
        for _ in range(3):  # tried again and again while the server is away …
            await wait_for(lambda: scheduler.settled(time.now))
            time.now += 5
            scheduler._wake.set()
        assert fired == []
        assert scheduler.pending_count == 1
        told = [r for r in caplog.records if "PostgreSQL database" in r.getMessage()]
        assert len(told) == 1  # … told once
        assert told[0].levelno == logging.ERROR
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r not in told]
        pg(first).url = url  # it answers again: the work is carried out
        await wait_for(lambda: fired == [{"meeting": 7}], 15)
        await wait_for(lambda: scheduler.pending_count == 0)
        assert "answers again" in caplog.text
    finally:
        await scheduler.stop()


async def test_closing_after_the_connection_was_killed_is_quiet(two: tuple[Store, Store]) -> None:
    first, second = two
    assert await first.db.hold("deadlines", 7)
    pid = await holder_pid(first)
    pg(first).url = "postgresql://nobody@/gone?host=/nonexistent"  # nor can it come back
    pooled = int(await first.db.fetchval("SELECT pg_backend_pid()"))
    await kill_session(second, pooled)  # the pool's session too
    await kill_session(second, pid)
    await first.close()  # no BrokenPipeError, nothing raised
    assert await second.db.hold("deadlines", 7)
