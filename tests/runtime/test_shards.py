"""Two sharded "processes" over one database (SHARD_IDS 0-1 and 2-3 of 4): each re-arms and fires
only its own servers' deadlines and carries out only its own groups' outbox rows; work of no
server goes to the one holding shard 0; the shared drains (the event outbox, the decisions'
Discord work) run in both, each on its own groups' rows."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from bot.core.decisions.effects import SendConcernNote
from bot.core.pseudonyms import Pseudonym
from bot.core.shards import Shards, shard_of
from bot.runtime.clock import Clock
from bot.runtime.decisions.engine import Engine
from bot.runtime.decisions.outbox import Work, encode
from bot.runtime.decisions.port import DecisionPort
from bot.runtime.events import Delivery, EventBus, MeetingCounted
from bot.runtime.ownership import Ownership
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.groups import GroupRecord
from bot.store.meetings import MeetingRepository
from tests.support.clock import START, FakeTime

SHARD_COUNT = 4


def guild_on(shard: int) -> int:
    """A server id Discord puts on ``shard`` of 4."""
    return ((1_000_000 + shard) << 22) | 77


@dataclass
class Process:
    """One bot process's share: its ownership, scheduler and event bus (no Discord)."""

    name: str
    ownership: Ownership
    scheduler: Scheduler
    bus: EventBus
    fired: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    counted: list[int] = field(default_factory=list)


def a_process(store: Store, clock: Clock, name: str, ids: tuple[int, ...]) -> Process:
    ownership = Ownership(Shards(SHARD_COUNT, ids), store)
    scheduler = Scheduler(store.deadlines, clock, ownership.owns_deadline)
    bus = EventBus(
        outbox=store.event_outbox, clock=clock, scheduler=scheduler, owns_group=ownership.owns_group
    )
    process = Process(name, ownership, scheduler, bus)

    def recorder(kind: str) -> Any:
        async def fired(payload: Mapping[str, Any]) -> None:
            process.fired.append((kind, payload))

        return fired

    for kind in (
        "test.group",
        "test.meeting",
        "test.channel",
        "privacy.delete",
        "denials.reconcile",
    ):
        scheduler.register(kind, recorder(kind))

    async def meeting_counted(event: MeetingCounted) -> None:
        process.counted.append(event.group_id)

    bus.subscribe(MeetingCounted, meeting_counted, Delivery.DURABLE)
    return process


async def four_groups(store: Store) -> list[GroupRecord]:
    groups = []
    for shard in range(SHARD_COUNT):
        made = await store.groups.create(
            guild_id=guild_on(shard), channel_id=9000 + shard, format_id="open-discussion",
            member_role_id=None, now=START,
        )  # fmt: skip
        assert made is not None
        assert shard_of(made.guild_id, SHARD_COUNT) == shard
        groups.append(made)
    return groups


async def until(condition: Any) -> None:
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 - the schedulers run in this loop
            await asyncio.sleep(0.01)


async def test_two_processes_each_fire_only_their_own_servers_deadlines(store: Store) -> None:
    groups = await four_groups(store)
    past = START - 60
    for group in groups:  # every kind of pointer a deadline's payload holds to its server
        await store.deadlines.upsert("test.group", str(group.id), past, {"group_id": group.id})
        await store.deadlines.upsert(
            "test.channel", str(group.id), past, {"channel": group.channel_id}
        )
        async with store.db.transaction() as tx:
            meeting = await MeetingRepository.create(
                tx, group_id=group.id, format_ref="open-discussion", state="{}", now=START
            )
        await store.deadlines.upsert("test.meeting", f"{meeting}:x", past, {"meeting": meeting})
    await store.deadlines.upsert("privacy.delete", "t:1", past, {"table": "t", "match": {"id": 1}})
    await store.deadlines.upsert("denials.reconcile", "hourly", START + 3600, {})

    clock = Clock(rate=1.0, anchor=START, real_time=FakeTime())
    low = a_process(store, clock, "low", (0, 1))
    high = a_process(store, clock, "high", (2, 3))
    assert low.ownership.home
    assert not high.ownership.home
    await low.scheduler.start()
    await high.scheduler.start()
    try:
        await until(lambda: len(low.fired) == 7 and len(high.fired) == 6)
        await asyncio.sleep(0.05)  # and nothing more
    finally:
        await low.scheduler.stop()
        await high.scheduler.stop()

    def servers(process: Process) -> set[int]:
        found = set()
        for kind, payload in process.fired:
            if kind == "test.group":
                found.add(groups[[g.id for g in groups].index(payload["group_id"])].guild_id)
            elif kind == "test.channel":
                found.add(guild_on(payload["channel"] - 9000))
        return found

    assert servers(low) == {guild_on(0), guild_on(1)}
    assert servers(high) == {guild_on(2), guild_on(3)}
    assert sum(kind == "test.meeting" for kind, _ in low.fired) == 2
    assert sum(kind == "test.meeting" for kind, _ in high.fired) == 2
    # Work of no server (a retention deletion) is done once, by the process holding shard 0.
    assert [kind for kind, _ in low.fired].count("privacy.delete") == 1
    assert "privacy.delete" not in [kind for kind, _ in high.fired]
    # A shared drain (one row for every process) is re-armed in both; not due yet, so unfired.
    assert low.scheduler.pending_count == high.scheduler.pending_count == 1
    assert not await store.deadlines.overdue(float("inf"), {"test.group", "test.channel"})
    # Each process's health counts its own overdue work: here only the shared drain, later.
    assert await low.scheduler.overdue(START) == await high.scheduler.overdue(START) == 0
    assert await high.scheduler.overdue(START + 7200) == 1


async def test_two_processes_each_carry_out_only_their_own_groups_outbox_rows(
    store: Store,
) -> None:
    groups = await four_groups(store)
    clock = Clock(rate=1.0, anchor=START, real_time=FakeTime())
    writer = a_process(store, clock, "writer", (0, 1))
    for group in groups:  # written as each meeting closed; then both processes died
        event = MeetingCounted(group.id, group.guild_id, group.channel_id, 1, START, ())
        async with store.db.transaction() as tx:
            await writer.bus.hold(tx, event)
    low = a_process(store, clock, "low", (0, 1))
    high = a_process(store, clock, "high", (2, 3))
    assert await high.bus.resume() == 2
    assert sorted(high.counted) == [groups[2].id, groups[3].id]
    assert await low.bus.resume() == 2
    assert sorted(low.counted) == [groups[0].id, groups[1].id]
    assert await store.event_outbox.count() == 0
    assert await high.bus.resume() == await low.bus.resume() == 0  # nothing done twice


class WorkPort:
    """The decisions' Discord port, as far as the outbox drain uses it: notes whose work ran."""

    def __init__(self) -> None:
        self.groups: list[int] = []

    async def ready(self) -> None:
        return None

    async def carry_out(self, group: GroupRecord, work: Work, hint: object) -> None:
        self.groups.append(group.id)


async def test_two_processes_each_drain_only_their_own_groups_decision_work(
    store: Store,
) -> None:
    groups = await four_groups(store)
    for group in groups:  # a kind note queued for each group; then both processes died
        async with store.decisions.transaction() as t:
            await t.enqueue(group.id, encode(Work(SendConcernNote(Pseudonym("ab" * 32), "g"))))
    clock = Clock(rate=1.0, anchor=START, real_time=FakeTime())
    ran = {}
    for name, ids in (("high", (2, 3)), ("low", (0, 1))):
        process = a_process(store, clock, name, ids)
        port = WorkPort()
        engine = Engine(
            store=store,
            clock=clock,
            scheduler=process.scheduler,
            port=cast(DecisionPort, port),
            owns_group=process.ownership.owns_group,
        )
        await engine.drain({})
        ran[name] = port.groups
    assert sorted(ran["high"]) == [groups[2].id, groups[3].id]
    assert sorted(ran["low"]) == [groups[0].id, groups[1].id]
    assert await store.db.fetchval("SELECT count(*) FROM decision_outbox") == 0
