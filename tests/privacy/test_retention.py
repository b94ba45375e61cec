"""Retention as durable deadlines: with the clock fast-forwarded, nothing outlives its purpose.

A feature says "delete this row at T" (``retention.delete_at``); a table may also declare an
``expires_at`` column, swept every hour of clock time as a safety net for a lost deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.core.pseudonyms import Pseudonymizer
from bot.runtime.clock import Clock
from bot.runtime.events import EventBus
from bot.runtime.privacy import DELETE_KIND, SWEEP_EVERY, SWEEP_KIND, PrivacyService
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.privacy import REGISTRY, KeptTable, Registry, RegistryError, in_group
from tests.support.clock import FakeTime

START = 1_800_000_000.0
GUILD = 330_000_000_000_000_001

#: A table some future feature might add: a pseudonym, and a time after which it means nothing.
SCRATCH = """
CREATE TABLE scratch_notes (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    holder      TEXT    NOT NULL,
    expires_at  REAL    NOT NULL
) STRICT
"""
SCRATCH_ENTRY = KeptTable(
    table="scratch_notes",
    people=("holder",),
    scope=in_group("group_id"),
    one="scratch note",
    many="scratch notes",
    until="deleted when it expires",
    expires_at="expires_at",
)


class Bench:
    def __init__(self, store: Store, time: FakeTime) -> None:
        self.store = store
        self.time = time
        self.registry = Registry([*REGISTRY, SCRATCH_ENTRY])
        self.scheduler = Scheduler(store.deadlines, Clock(real_time=time))
        self.privacy = PrivacyService(
            store,
            Pseudonymizer(b"a test key that is long enough!!"),
            Clock(real_time=time),
            self.scheduler,
            EventBus(),
            self.registry,
        )

    async def count(self, table: str) -> int:
        return int(await self.store.db.fetchval(f"SELECT count(*) FROM {table}"))

    async def advance(self, seconds: float) -> None:
        """Fast-forward the clock and wake the scheduler (a cancel of nothing wakes it)."""
        self.time.now += seconds
        await self.scheduler.cancel("test.nudge", "-")

    async def until(self, condition: Callable[[], Awaitable[bool]], limit: float = 60.0) -> None:
        """Until ``condition`` holds (done as soon as it does; generous for a loaded machine)."""
        async with asyncio.timeout(limit):
            while not await condition():  # noqa: ASYNC110 - polling the database
                await asyncio.sleep(0.01)

    async def caught_up(self) -> bool:
        """The scheduler has finished everything due: no deadline row is due any more. (A
        handler's row goes, or moves on, only after the handler's own work is committed.)"""
        return all(d.due_at > self.time.now for d in await self.store.deadlines.all())


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    await store.db.execute(SCRATCH)
    bench = Bench(store, FakeTime())
    yield bench
    await bench.scheduler.stop()
    await store.close()


async def add_group(bench: Bench) -> int:
    async with bench.store.db.transaction() as tx:
        return await tx.insert(
            "INSERT INTO groups (guild_id, channel_id, format_id, created_at) "
            "VALUES (?, 1, 'open-discussion', ?)",
            (GUILD, START),
        )


async def add_format(bench: Bench, group_id: int) -> int:
    async with bench.store.db.transaction() as tx:
        return await tx.insert(
            "INSERT INTO group_formats (group_id, label, source, status, uploaded_at) "
            "VALUES (?, 'draft', 'format: 1', 'candidate', ?)",
            (group_id, START),
        )


async def add_note(bench: Bench, group_id: int, expires_at: float) -> int:
    async with bench.store.db.transaction() as tx:
        return await tx.insert(
            "INSERT INTO scratch_notes (group_id, holder, expires_at) VALUES (?, ?, ?)",
            (group_id, "ab" * 32, expires_at),
        )


async def test_nothing_outlives_its_purpose(bench: Bench) -> None:
    group = await add_group(bench)
    first, second = await add_format(bench, group), await add_format(bench, group)
    retention = bench.privacy.retention
    await retention.delete_at("group_formats", {"id": first}, START + 100)
    await retention.delete_at("group_formats", {"id": second}, START + 50)
    # Changed its mind: the newer deadline replaces the pending one.
    await retention.delete_at("group_formats", {"id": second}, START + 2 * SWEEP_EVERY)
    lost = await add_note(bench, group, START + 300)  # its own deadline was lost in a crash
    await add_note(bench, group, START + 5 * SWEEP_EVERY)
    await bench.scheduler.start()
    await retention.arm_sweep()

    await asyncio.sleep(0.05)
    assert await formats_is(bench, 2)  # nothing is due yet
    assert await notes_is(bench, 2)

    await bench.advance(150)
    await bench.until(lambda: formats_is(bench, 1))
    assert await notes_is(bench, 2)  # the sweep runs hourly, not on every wake-up

    await bench.advance(SWEEP_EVERY)  # the hourly sweep finds the note with the lost deadline
    await bench.until(lambda: notes_is(bench, 1))
    assert await bench.store.db.fetchval("SELECT id FROM scratch_notes") != lost

    await bench.advance(SWEEP_EVERY)
    await bench.until(lambda: formats_is(bench, 0))
    for _ in range(4):
        await bench.advance(SWEEP_EVERY)
    await bench.until(lambda: notes_is(bench, 0))
    await bench.until(bench.caught_up)  # the sweep that deleted it has armed the next one

    # Every purpose-bound row is gone; the only deadline left is the next hourly sweep.
    pending = await bench.store.deadlines.all()
    assert [(d.kind, d.key) for d in pending] == [(SWEEP_KIND, "expired")]
    assert pending[0].due_at > bench.time.now


async def formats_is(bench: Bench, wanted: int) -> bool:
    return await bench.count("group_formats") == wanted


async def notes_is(bench: Bench, wanted: int) -> bool:
    return await bench.count("scratch_notes") == wanted


async def test_a_deletion_survives_a_restart_and_fires_at_once_if_overdue(bench: Bench) -> None:
    group = await add_group(bench)
    row = await add_format(bench, group)
    await bench.privacy.retention.delete_at("group_formats", {"id": row}, START + 60)
    # "kill -9": a new scheduler and service over the same database, long after the deadline.
    bench.time.now += 10_000
    restarted = Bench(bench.store, bench.time)
    await restarted.scheduler.start()
    try:
        await restarted.until(lambda: formats_is(restarted, 0))
        await restarted.until(restarted.caught_up)  # the deletion's deadline is marked done
        assert [d.kind for d in await bench.store.deadlines.all()] == []
    finally:
        await restarted.scheduler.stop()


async def test_a_deletion_can_be_cancelled_and_never_names_a_person(bench: Bench) -> None:
    group = await add_group(bench)
    row = await add_format(bench, group)
    retention = bench.privacy.retention
    await retention.delete_at("group_formats", {"id": row}, START + 60)
    await retention.cancel("group_formats", {"id": row})
    assert await bench.store.deadlines.get(DELETE_KIND, f"group_formats:id={row}") is None
    with pytest.raises(RegistryError, match="not registered"):
        await retention.delete_at("sqlite_master", {"id": 1}, START)
    with pytest.raises(RegistryError, match="never by a coded key"):
        await retention.delete_at("scratch_notes", {"holder": "ab" * 32}, START)
    with pytest.raises(RegistryError, match="never by a coded key"):
        await retention.delete_at("group_formats", {}, START)
    with pytest.raises(RegistryError, match="no column"):
        await bench.privacy.data.delete_rows("group_formats", {"nope": 1})
