"""A disk that fills while the bot runs (SQLite's SQLITE_FULL, made here with
``PRAGMA max_page_count``): the write is rolled back whole and becomes the project's own
:class:`StorageUnavailable` (a kind answer for members); the host is told ONCE, naming DATA_DIR
and the fix; the first write that lands again says so once and carries on with what waited; the
deadlines that came due meanwhile stay pending and are carried out then."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.errors import StorageUnavailable
from bot.logs import _DiskFullToldOnce
from bot.runtime import scheduler as scheduler_module
from bot.runtime.clock import Clock
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store import db as db_module
from bot.store.db import Database, storage_problem

BIG = "x" * 3000


@pytest.fixture
async def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Store]:
    monkeypatch.setattr(db_module, "ROOM_CHECK_SECONDS", 3600.0)  # no probe: the test decides
    store = Store(tmp_path / "data" / "peercircle.sqlite3")
    await store.open()
    await store.db.execute("CREATE TABLE notes (text TEXT)")
    yield store
    await store.close()


async def fill(db: Database) -> None:
    """The disk is full: the file can't grow by a single page."""
    pages = await db.fetchval("PRAGMA page_count")
    await db.conn.execute(f"PRAGMA max_page_count = {int(pages)}")


async def make_room(db: Database) -> None:
    await db.conn.execute("PRAGMA max_page_count = 1000000")


def lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == level and r.name == db_module.__name__
    ]


async def test_a_full_disk_is_one_line_a_kind_error_and_nothing_half_saved(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    db = store.db
    await db.execute("INSERT INTO notes VALUES ('kept')")
    resumed: list[str] = []

    async def carry_on() -> None:
        resumed.append("carried on")

    db.when_writable_again(carry_on)
    await fill(db)
    caplog.set_level(logging.INFO)

    async def write_a_lot() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes VALUES ('half')")  # fits in a page …
            for _ in range(20):
                await tx.execute("INSERT INTO notes VALUES (?)", (BIG,))  # … these don't

    for _ in range(3):
        with pytest.raises(StorageUnavailable) as refused:
            await write_a_lot()
    assert refused.value.user_message.startswith("I couldn't save that just now")
    assert "nothing changed" in refused.value.user_message
    assert storage_problem(refused.value.__cause__) == 13  # SQLITE_FULL
    assert not db.writable
    # Nothing of any attempt was kept; reads go on; the connection is usable.
    assert [tuple(r) for r in await db.fetchall("SELECT text FROM notes")] == [("kept",)]
    assert not db.conn.in_transaction
    (told,) = lines(caplog, logging.ERROR)  # once, not once per write
    assert str(db.path.parent) in told
    assert "DATA_DIR" in told
    assert "free some space" in told
    assert resumed == []

    await make_room(db)
    await db.execute("INSERT INTO notes VALUES (?)", (BIG,))
    await asyncio.sleep(0)  # the callbacks run after the write's lock is released
    await asyncio.sleep(0)
    assert db.writable
    assert resumed == ["carried on"]
    (again,) = lines(caplog, logging.WARNING)
    assert "works again" in again
    assert len(lines(caplog, logging.ERROR)) == 1
    assert await db.fetchval("SELECT count(*) FROM notes") == 2


async def test_a_write_too_big_for_the_room_is_rolled_back(store: Store) -> None:
    """Rolled back whole (by SQLite or by us), never left open: the next write works."""
    db = store.db
    await fill(db)
    with pytest.raises(StorageUnavailable):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes VALUES (?)", (BIG * 5,))
    assert not db.conn.in_transaction
    await make_room(db)
    await db.execute("INSERT INTO notes VALUES ('after')")
    assert [tuple(r) for r in await db.fetchall("SELECT text FROM notes")] == [("after",)]


async def test_other_errors_are_not_mistaken_for_a_full_disk(store: Store) -> None:
    with pytest.raises(sqlite3.OperationalError):
        await store.db.execute("INSERT INTO no_such_table VALUES (1)")
    assert store.db.writable


async def test_the_room_check_finds_room_by_itself(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = store.db
    monkeypatch.setattr(db_module, "ROOM_CHECK_SECONDS", 0.01)
    await fill(db)
    with pytest.raises(StorageUnavailable):
        await db.execute("INSERT INTO notes VALUES (?)", (BIG * 20,))
    assert not db.writable
    await make_room(db)  # nobody writes: the check does
    async with asyncio.timeout(2):
        while not db.writable:  # noqa: ASYNC110 - the check runs on its own
            await asyncio.sleep(0.01)


async def test_a_deadline_due_while_the_disk_is_full_is_carried_out_later(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(scheduler_module, "STORAGE_WAIT", 0.02)
    db = store.db
    clock = Clock(rate=1.0)
    scheduler = Scheduler(store.deadlines, clock)
    done: list[Mapping[str, Any]] = []

    async def handler(payload: Mapping[str, Any]) -> None:
        await db.execute("INSERT INTO notes VALUES (?)", (BIG * 4,))  # the deadline's work
        done.append(payload)

    scheduler.register("test.work", handler)
    db.when_writable_again(scheduler.carry_on)
    await scheduler.schedule("test.work", "one", clock.timestamp(), {"n": 1})
    await fill(db)
    caplog.set_level(logging.INFO)
    await scheduler.start()
    try:
        await asyncio.sleep(0.2)  # due, tried several times, refused each time
        assert done == []
        assert scheduler.pending_count == 1
        assert await store.deadlines.get("test.work", "one") is not None  # still pending
        await make_room(db)
        async with asyncio.timeout(2):
            while not done:  # noqa: ASYNC110 - the scheduler's loop carries it out
                await asyncio.sleep(0.01)
        assert done == [{"n": 1}]
        async with asyncio.timeout(2):
            while await store.deadlines.get("test.work", "one") is not None:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    finally:
        await scheduler.stop()
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info and _DiskFullToldOnce().filter(r)]


def test_the_log_drops_a_repeat_of_a_refused_write() -> None:
    told = _DiskFullToldOnce()

    def record(error: BaseException) -> logging.LogRecord:
        return logging.LogRecord(
            "x", logging.ERROR, "f", 1, "failed", (), (type(error), error, None)
        )

    wrapped = RuntimeError("a command failed")
    wrapped.__cause__ = StorageUnavailable("the disk is full")
    assert not told.filter(record(StorageUnavailable("the disk is full")))
    assert not told.filter(record(wrapped))
    assert told.filter(record(ValueError("a real bug")))
