"""Claims across processes on PostgreSQL, after review: a claim whose row can't be read is let
go; a timer whose row moved under it is re-read and fired at once, not held back; a new record
for a held-back timer ends the hold-back; an unreachable server fails claims at once instead of
queueing a connect attempt per claim; a plain SQL error is not told as the server being away."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import asyncpg
import pytest

from bot.errors import StorageUnavailable
from bot.runtime.clock import Clock
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.deadlines import Claim, DeadlineRecord
from tests.store.test_claims_dropped import holder_pid, kill_session, pg
from tests.store.test_scheduler import wait_for
from tests.support.clock import FakeTime


@pytest.fixture
def two(two_stores: tuple[Store, Store]) -> tuple[Store, Store]:
    return two_stores


class Fired:
    def __init__(self) -> None:
        self.payloads: list[Mapping[str, Any]] = []

    async def __call__(self, payload: Mapping[str, Any]) -> None:
        self.payloads.append(payload)


async def test_a_claim_whose_row_cant_be_read_is_let_go(
    two: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two
    await first.deadlines.upsert("meeting.end", "7:end", 100.0, {"meeting": 7})
    (deadline,) = await first.deadlines.all()

    async def cannot_read(kind: str, key: str) -> DeadlineRecord | None:
        raise StorageUnavailable("ConnectionDoesNotExistError")

    monkeypatch.setattr(first.deadlines, "get", cannot_read)
    with pytest.raises(StorageUnavailable):
        await first.deadlines.claim(deadline)
    assert pg(first)._claims.held == frozenset()  # not counted, so not re-taken on reconnect
    assert await second.deadlines.claim(deadline) is Claim.TAKEN  # the other may take it
    await second.deadlines.let_go(deadline)


async def test_a_timer_whose_row_moved_is_read_again_and_fired_at_once(
    two: tuple[Store, Store],
) -> None:
    first, second = two
    time = FakeTime()
    fired = Fired()
    scheduler = Scheduler(first.deadlines, Clock(real_time=time))
    scheduler.register("meeting.end", fired)
    await first.deadlines.upsert("meeting.end", "7:end", time.now + 10, {"meeting": 7})
    await scheduler.start()  # armed at +10
    try:
        # The meeting's own commit moves it earlier (its refresh not yet arrived) …
        await second.deadlines.upsert("meeting.end", "7:end", time.now + 5, {"meeting": 7, "n": 2})
        (moved,) = await second.deadlines.all()
        assert await second.deadlines.claim(moved) is Claim.TAKEN
        await second.deadlines.let_go(moved)
        time.now += 20
        scheduler._wake.set()
        # … the stale record's claim sees the row moved: re-read, and due, so fired now (not
        # held back as if another process held it).
        await wait_for(lambda: fired.payloads == [{"meeting": 7, "n": 2}], 10)
        await wait_for(lambda: scheduler.pending_count == 0)
        assert await first.deadlines.all() == []
    finally:
        await scheduler.stop()


async def test_a_claim_on_a_moved_row_says_so(two: tuple[Store, Store]) -> None:
    first, second = two
    await first.deadlines.upsert("meeting.end", "7:end", 100.0, {"meeting": 7})
    (armed,) = await first.deadlines.all()
    await first.deadlines.upsert("meeting.end", "7:end", 50.0, {"meeting": 7})
    assert await first.deadlines.claim(armed) is Claim.MOVED
    assert [bool(c) for c in Claim] == [True, False, False]  # true only when taken
    (moved,) = await first.deadlines.all()
    assert await second.deadlines.claim(moved) is Claim.TAKEN  # the first let go
    assert await first.deadlines.claim(moved) is Claim.HELD_ELSEWHERE
    await second.deadlines.let_go(moved)


async def test_a_new_record_ends_the_hold_back_for_another_processs_claim(
    two: tuple[Store, Store],
) -> None:
    first, second = two
    time = FakeTime()
    fired = Fired()
    scheduler = Scheduler(first.deadlines, Clock(real_time=time))
    scheduler.register("meeting.end", fired)
    await first.deadlines.upsert("meeting.end", "7:end", time.now - 1, {"meeting": 7})
    (deadline,) = await first.deadlines.all()
    assert await second.deadlines.claim(deadline)  # the other process is firing it
    await scheduler.start()
    try:
        await wait_for(lambda: scheduler.settled(time.now))  # held back: another holds it
        await second.deadlines.let_go(deadline)
        await scheduler.refresh_all()  # the same row read again: still held back
        await asyncio.sleep(0.1)
        assert fired.payloads == []
        # A new record for it (the meeting moved the timer): no longer held back.
        await scheduler.schedule("meeting.end", "7:end", time.now - 0.5, {"meeting": 7, "n": 2})
        await wait_for(lambda: fired.payloads == [{"meeting": 7, "n": 2}], 10)
    finally:
        await scheduler.stop()


async def test_claims_fail_at_once_while_the_server_is_away(
    two: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two
    db = pg(first)
    assert await db.hold("deadlines", 1)
    db.url = "postgresql://nobody@/gone?host=/nonexistent"
    await kill_session(second, await holder_pid(first))
    with pytest.raises(StorageUnavailable):
        await db.hold("deadlines", 2)  # the server is away: told once, the reach check looks
    assert not db.writable
    assert db._reach_check is not None
    db._reach_check.cancel()  # (its own connect attempts are not the ones counted here)
    tries: list[int] = []
    connect = db._claims._connect

    async def counted() -> asyncpg.Connection:
        tries.append(1)
        return await connect()

    monkeypatch.setattr(db._claims, "_connect", counted)
    for row in range(3, 8):  # while away: no connect attempt per claim, no queue behind them
        with pytest.raises(StorageUnavailable):
            await db.hold("deadlines", row)
        with pytest.raises(StorageUnavailable):
            await db.still_holds("deadlines", 1)
    await db.let_go("deadlines", 1)
    assert tries == []


async def test_a_plain_sql_error_in_a_claim_is_not_told_as_the_server_away(
    two: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    first, _ = two
    db = pg(first)

    async def broken(table: str, row_id: int) -> bool:
        raise asyncpg.exceptions.UndefinedFunctionError("no such function")

    monkeypatch.setattr(db._claims, "hold", broken)
    caplog.set_level(logging.INFO)
    with pytest.raises(asyncpg.exceptions.UndefinedFunctionError):
        await db.hold("deadlines", 1)
    assert db.writable
    assert "PostgreSQL database" not in caplog.text


async def test_claims_queued_when_the_server_goes_away_fail_without_each_connecting(
    two: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = two
    db = pg(first)
    tries: list[int] = []
    connect = db._claims._connect

    async def away() -> asyncpg.Connection:
        tries.append(1)
        await asyncio.sleep(0.2)  # (a connect timeout, shortened)
        raise ConnectionRefusedError("the server is away")

    monkeypatch.setattr(db._claims, "_connect", away)
    lanes = await asyncio.gather(
        *(db.hold("deadlines", row) for row in range(1, 7)), return_exceptions=True
    )
    assert [type(result) for result in lanes] == [StorageUnavailable] * 6
    assert tries == [1]  # one attempt; the lanes queued behind it failed at once
    monkeypatch.setattr(db._claims, "_connect", connect)  # it answers again:
    await wait_for(lambda: db.writable, 15)  # the reach check saw it
    assert await db.hold("deadlines", 1)
