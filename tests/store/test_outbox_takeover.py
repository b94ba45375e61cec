"""Outbox work claimed across processes on PostgreSQL (issue 19): two bot processes with the
same shards — one dying, another taking over — carry out a decision's Discord work and a
rotation announcement once. A live process's claim (``Database.hold``, an advisory lock of its
session) keeps the other off; when the process dies, the server lets go and the other takes
the work over."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, cast

import pytest

import bot.app  # noqa: F401 - imports every module that registers a table
from bot.core.decisions.effects import SendConcernNote
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.runtime.clock import Clock
from bot.runtime.decisions.engine import Delivery, Engine
from bot.runtime.decisions.outbox import Work, encode
from bot.runtime.decisions.port import DecisionPort
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.rotation import RotationService
from bot.runtime.rotation.port import Person, RotationPort
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.groups import GroupRecord
from bot.store.postgres import PostgresDatabase
from tests.runtime.test_rotation_service import (
    CHANNEL,
    GUILD,
    START,
    Bench,
    FakeDiscord,
    everyone_joins,
)
from tests.support.clock import FakeTime


@pytest.fixture
async def two(two_stores: tuple[Store, Store]) -> tuple[Store, Store, GroupRecord]:
    """Two processes' stores on one PostgreSQL database, and a group."""
    first, second = two_stores
    group = await first.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert group is not None
    return first, second, group


async def dies(survivor: Store, dying: Store) -> None:
    """The other process is killed: its database sessions end, and with them its claims (as the
    server does when a process dies; asked here from the survivor's side). A dead process never
    connects again (a live one whose connection dropped re-takes its claims:
    tests/store/test_claims_dropped.py), so the dying one's server address leads nowhere."""
    assert isinstance(dying.db, PostgresDatabase)
    dying.db.url = "postgresql://nobody@/gone?host=/nonexistent"
    others = "FROM pg_locks WHERE locktype = 'advisory' AND pid != pg_backend_pid()"
    assert await survivor.db.fetchval(f"SELECT count(pg_terminate_backend(pid)) {others}") == 1
    async with asyncio.timeout(10):
        while await survivor.db.fetchval(f"SELECT count(*) {others}"):  # noqa: ASYNC110
            await asyncio.sleep(0.02)  # the server ends the session in a moment


class Gate:
    """A Discord call that starts and waits (the process holding it is busy, or hangs)."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.finished = 0

    async def through(self) -> None:
        self.started.set()
        await self.release.wait()
        self.finished += 1


class WorkPort:
    """The decisions' Discord port as the outbox uses it: notes the work it carried out."""

    def __init__(self, gate: Gate | None = None) -> None:
        self.gate = gate
        self.done: list[int] = []

    async def ready(self) -> None:
        return None

    async def carry_out(self, group: GroupRecord, work: Work, hint: object) -> None:
        if self.gate is not None:
            await self.gate.through()
        self.done.append(group.id)


def engine(store: Store, port: WorkPort) -> Engine:
    clock = Clock(rate=1.0, anchor=START, real_time=FakeTime())
    return Engine(
        store=store,
        clock=clock,
        scheduler=Scheduler(store.deadlines, clock),
        port=cast(DecisionPort, port),
    )


async def outbox(store: Store) -> int:
    return int(await store.db.fetchval("SELECT count(*) FROM decision_outbox"))


async def test_decision_work_is_carried_out_once_when_a_process_dies_holding_it(
    two: tuple[Store, Store, GroupRecord],
) -> None:
    first, second, group = two
    async with first.decisions.transaction() as t:
        item = await t.enqueue(group.id, encode(Work(SendConcernNote(Pseudonym("ab" * 32), "g"))))
    gate = Gate()
    hung = WorkPort(gate)
    holding = asyncio.create_task(engine(first, hung).drain({}))
    await gate.started.wait()  # the first process is carrying it out …

    taker = WorkPort()
    taking_over = engine(second, taker)
    assert await taking_over.deliver([item], {}) == {item: Delivery.PENDING}
    assert taker.done == []
    assert await outbox(second) == 1  # … so the other keeps off

    await dies(second, first)  # the first process is killed mid-work
    assert await taking_over.deliver([item], {}) == {item: Delivery.DONE}
    assert taker.done == [group.id]
    assert await outbox(second) == 0
    await taking_over.drain({})  # a later drain finds nothing: done once
    assert taker.done == [group.id]
    holding.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holding
    assert gate.finished == 0  # the dead process never finished it


async def test_two_processes_draining_at_once_carry_out_each_item_once(
    two: tuple[Store, Store, GroupRecord],
) -> None:
    first, second, group = two
    items = []
    for key in range(6):
        async with first.decisions.transaction() as t:
            work = Work(SendConcernNote(Pseudonym(f"{key:02x}" * 32), "g"))
            items.append(await t.enqueue(group.id, encode(work)))
    ports = [WorkPort(), WorkPort()]
    engines = [engine(first, ports[0]), engine(second, ports[1])]
    # Both processes believe the group is theirs (a takeover's overlap) and drain together.
    await asyncio.gather(*(each.drain({}) for each in engines), *(e.drain({}) for e in engines))
    assert len(ports[0].done) + len(ports[1].done) == len(items)
    assert await outbox(first) == 0


class HeldAnnouncements:
    """The rotation's Discord side, whose channel posts hang behind a gate."""

    def __init__(self, inner: FakeDiscord, gate: Gate) -> None:
        self._inner = inner
        self._gate = gate

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def announce(
        self,
        group: GroupRecord,
        text: str,
        *,
        key: str,
        ping: Sequence[Person],
        ask_for_meeting: int | None,
    ) -> bool:
        await self._gate.through()
        return await self._inner.announce(
            group, text, key=key, ping=ping, ask_for_meeting=ask_for_meeting
        )


def rotation(store: Store, port: RotationPort | FakeDiscord) -> RotationService:
    clock = Clock(rate=1.0, anchor=START, real_time=FakeTime())
    return RotationService(
        store=store,
        clock=clock,
        formats=FormatLibrary(store),
        meetings=LiveMeetings(),
        locks=GroupLocks(),
        port=cast(RotationPort, port),
        scheduler=Scheduler(store.deadlines, clock),
    )


async def test_a_rotation_announcement_is_posted_once_when_a_process_dies_holding_it(
    two: tuple[Store, Store, GroupRecord],
) -> None:
    first, second, group = two
    clock = Clock(rate=1.0, anchor=START, real_time=FakeTime())
    discord = FakeDiscord(Pseudonymizer(b"r" * 32))
    bench = Bench(first, clock, discord, rotation(first, discord), LiveMeetings(), group.id)
    people = await everyone_joins(bench, 4)
    discord.announce_failures = 1  # the post fails: the announcement waits for a retry
    await bench.hold_meeting(people[0])
    assert await first.db.fetchval("SELECT count(*) FROM rotation_announcements") == 1
    posts = len(discord.posts)

    gate = Gate()
    hung = rotation(first, cast(RotationPort, HeldAnnouncements(discord, gate)))
    holding = asyncio.create_task(hung._serving._c.announcer.drain())
    await gate.started.wait()  # the first process is posting it …
    taking_over = rotation(second, discord)
    await taking_over._serving._c.announcer.drain()
    assert len(discord.posts) == posts  # … so the other keeps off

    await dies(second, first)
    await taking_over._serving._c.announcer.drain()
    assert len(discord.posts) == posts + 1
    assert await second.db.fetchval("SELECT count(*) FROM rotation_announcements") == 0
    holding.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holding
    assert gate.finished == 0
    for service in (bench.service, hung, taking_over):
        await service.close()


async def test_decision_work_taken_over_while_a_live_process_was_cut_off_is_left_to_the_other(
    two: tuple[Store, Store, GroupRecord],
) -> None:
    """The first process lives on, but its claims session is cut and the other takes the work
    over before the first can claim it again: the first saves no outcome (neither done nor a
    retry); the other carries it out and marks it done, once."""
    first, second, group = two
    async with first.decisions.transaction() as t:
        item = await t.enqueue(group.id, encode(Work(SendConcernNote(Pseudonym("ab" * 32), "g"))))
    gate = Gate()
    holding = asyncio.create_task(engine(first, WorkPort(gate)).deliver([item], {}))
    await gate.started.wait()  # the first is carrying it out …
    assert isinstance(first.db, PostgresDatabase)
    url = first.db.url
    await dies(second, first)  # … its session is cut, and it can't reach the server a moment
    assert await second.db.hold("decision_outbox", item)  # the other takes the work over
    first.db.url = url  # the first reaches the server again and finishes the call
    gate.release.set()
    assert await holding == {item: Delivery.PENDING}  # not its outcome to save
    assert gate.finished == 1
    assert await outbox(second) == 1  # not marked done by the first
    row = await second.db.fetchone("SELECT attempts FROM decision_outbox WHERE id = ?", (item,))
    assert row is not None
    assert row["attempts"] == 0  # nor given a retry
    await second.db.let_go("decision_outbox", item)
    taker = WorkPort()
    assert await engine(second, taker).deliver([item], {}) == {item: Delivery.DONE}
    assert taker.done == [group.id]
    assert await outbox(second) == 0
