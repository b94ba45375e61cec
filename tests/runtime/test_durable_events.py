"""Durable delivery (Delivery.DURABLE): what follows a meeting is written to the event outbox in
the meeting's own transaction and carried out exactly once, even when the process dies between
the commit and the handler. A "crash" here is a new bus (and services) over the same database:
nothing in memory survives, only the rows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.core.decisions import effects as fx
from bot.runtime.clock import Clock
from bot.runtime.events import (
    OUTBOX_DEADLINE,
    Delivery,
    EventBus,
    MeetingClosed,
    MeetingCounted,
)
from bot.runtime.formats import FormatLibrary
from bot.runtime.locks import GroupLocks
from bot.runtime.meetings import MeetingService
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.groups import GroupRecord, GroupRepository
from bot.store.meetings import MeetingRepository
from tests.runtime.test_decisions_service import (
    CHANNEL,
    GUILD,
    Bench,
    FakeTime,
    User,
    build,
    give_chances,
    propose_and_second,
)
from tests.runtime.test_meetings_service import ANA, BO, CY
from tests.runtime.test_meetings_service import CHANNEL as ROOM
from tests.runtime.test_meetings_service import Bench as MeetingBench
from tests.runtime.test_meetings_service import FakeTime as MeetingTime

START = 1_800_000_000.0


class Recorder:
    """A durable handler that notes every event it is given (and fails when told to)."""

    def __init__(self, failures: int = 0, *, dies: bool = False) -> None:
        self.seen: list[Any] = []
        self.failures = failures
        self.dies = dies

    async def meeting_counted(self, event: MeetingCounted) -> None:
        if self.dies:  # the process is killed while the handler runs: nothing more happens
            raise asyncio.CancelledError
        if self.failures:
            self.failures -= 1
            raise RuntimeError("Discord is away for a moment")
        self.seen.append(event)


async def a_group(store: Store) -> GroupRecord:
    made = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert made is not None
    return made


def durable_bus(store: Store, clock: Clock, handler: Recorder) -> tuple[EventBus, Scheduler]:
    scheduler = Scheduler(store.deadlines, clock)
    bus = EventBus(outbox=store.event_outbox, clock=clock, scheduler=scheduler)
    bus.subscribe(MeetingCounted, handler.meeting_counted, Delivery.DURABLE)
    return bus, scheduler


def counted(group: GroupRecord, number: int, *served: tuple[str, str]) -> MeetingCounted:
    return MeetingCounted(group.id, GUILD, CHANNEL, number, START, tuple(served))  # type: ignore[arg-type]


async def outbox_rows(store: Store) -> int:
    return int(await store.db.fetchval("SELECT count(*) FROM event_outbox"))


# --- the bus ------------------------------------------------------------------------------------


async def test_a_commit_then_a_crash_is_carried_out_once_by_the_next_process(
    store: Store,
) -> None:
    group = await a_group(store)
    clock = Clock(rate=1.0, anchor=START, real_time=FakeTime())
    before, _ = durable_bus(store, clock, Recorder())
    event = counted(group, 4, ("chair", "k" * 64))
    async with store.db.transaction() as tx:
        await GroupRepository.count_meeting(tx, group.id)
        await before.hold(tx, event)
    # … and the process dies here, before publish: nothing ran.
    assert await outbox_rows(store) == 1

    handler = Recorder()
    after, _ = durable_bus(store, clock, handler)  # the next process
    assert await after.resume() == 1
    assert handler.seen == [event]  # everything it needs came from the row
    assert handler.seen[0].served_by_role() == {"chair": "k" * 64}
    assert await outbox_rows(store) == 0
    assert await after.resume() == 0
    assert len(handler.seen) == 1


async def test_two_paths_racing_for_the_same_row_run_it_once(store: Store) -> None:
    group = await a_group(store)
    clock = Clock(rate=1.0, anchor=START, real_time=FakeTime())
    handler = Recorder()
    bus, _ = durable_bus(store, clock, handler)
    async with store.db.transaction() as tx:
        held = await bus.hold(tx, counted(group, 1))
    await asyncio.gather(bus.publish(counted(group, 1), held), bus.resume(), bus.carry_out(held))
    assert len(handler.seen) == 1
    assert await outbox_rows(store) == 0


async def test_a_failing_handler_is_retried_later_even_after_a_restart(store: Store) -> None:
    group = await a_group(store)
    time = FakeTime()
    clock = Clock(rate=1.0, anchor=START, real_time=time)
    handler = Recorder(failures=2)
    bus, scheduler = durable_bus(store, clock, handler)
    await bus.publish(counted(group, 2))  # written in a transaction of its own, then carried out
    assert handler.seen == []
    assert await outbox_rows(store) == 1
    retry = await store.deadlines.get(OUTBOX_DEADLINE, "retry")
    assert retry is not None
    assert retry.due_at == pytest.approx(clock.timestamp() + 5)  # the first back-off

    # A restart before the retry: the next process re-arms it from the scheduler's table.
    again = Recorder(failures=1)
    bus, scheduler = durable_bus(store, clock, again)
    await scheduler.start()
    try:
        assert await bus.resume() == 0  # not due yet
        time.now += 5
        await scheduler.refresh_all()
        await until(lambda: retry_armed(store, attempts=2))  # failed again, and said when
        row = await store.db.fetchone("SELECT attempts, due_at FROM event_outbox")
        assert row is not None
        assert row["attempts"] == 2
        assert row["due_at"] == pytest.approx(clock.timestamp() + 10)  # the delay grows
        time.now += 10
        await scheduler.refresh_all()
        await until(lambda: outbox_empty(store))  # carried out: its row is deleted after
    finally:
        await scheduler.stop()
    assert [e.number for e in again.seen] == [2]
    assert await outbox_rows(store) == 0


async def until(condition: Callable[[], Awaitable[bool]], limit: float = 60.0) -> None:
    """Until ``condition`` holds: done as soon as it does (generous for a loaded machine)."""
    async with asyncio.timeout(limit):
        while not await condition():  # noqa: ASYNC110 - polling the database
            await asyncio.sleep(0.01)


async def retry_armed(store: Store, *, attempts: int) -> bool:
    """The handler's failure is written (the row let go after ``attempts`` tries) and the
    scheduler's retry deadline is on that row's new due time: the bus is done with it."""
    row = await store.db.fetchone("SELECT attempts, due_at, claim FROM event_outbox")
    retry = await store.deadlines.get(OUTBOX_DEADLINE, "retry")
    return (
        row is not None
        and row["attempts"] >= attempts
        and row["claim"] is None
        and retry is not None
        and retry.due_at == row["due_at"]
    )


async def outbox_empty(store: Store) -> bool:
    return await outbox_rows(store) == 0


def test_only_plain_facts_can_be_durable() -> None:
    bus = EventBus()
    with pytest.raises(ValueError, match="outbox"):
        bus.subscribe(MeetingCounted, Recorder().meeting_counted, Delivery.DURABLE)


# --- the meeting service writes them in its own transaction ------------------------------------


async def test_a_counted_meeting_leaves_its_consequences_in_the_outbox(store: Store) -> None:
    time = MeetingTime()
    bench = MeetingBench(store, time)
    handler = Recorder(dies=True)  # the first process dies before the handler is done
    bench.bus = bus = EventBus(outbox=store.event_outbox, clock=bench.clock)
    bus.subscribe(MeetingCounted, handler.meeting_counted, Delivery.DURABLE)
    service = MeetingService(
        store=store, clock=bench.clock, scheduler=Scheduler(store.deadlines, bench.clock),
        formats=FormatLibrary(store), live=bench.live, locks=GroupLocks(), bus=bus,
        port=bench.port,
    )  # fmt: skip
    group = await bench.group()
    live = await service.start(ROOM, ANA, 11)
    for number, who in enumerate((ANA, BO, CY), start=11):
        service.seen(live, who, number)  # three members take part, as their presses would
        await service.act(live, lambda r, s, now, who=who: r.raise_hand(s, who, now))
    time.now += 20 * 60
    with pytest.raises(asyncio.CancelledError):
        await service.act(live, lambda r, s, now: r.end(s, now))
    assert handler.seen == []
    assert await store.meetings.all() == []  # the meeting's end is committed
    rows = await store.db.fetchall("SELECT event, payload FROM event_outbox")
    assert [row["event"] for row in rows] == ["MeetingCounted"]
    assert ANA in rows[0]["payload"]  # who chaired, as a coded key: all the rotation needs

    handler = Recorder()
    after = EventBus(outbox=store.event_outbox, clock=bench.clock)
    after.subscribe(MeetingCounted, handler.meeting_counted, Delivery.DURABLE)
    await after.resume()
    (event,) = handler.seen
    assert (event.group_id, event.number) == (group.id, 1)
    assert event.served_by_role()["chair"] == ANA
    assert await outbox_rows(store) == 0


async def test_a_start_cut_short_before_its_panel_gets_one_on_resume(store: Store) -> None:
    time = MeetingTime()
    first = MeetingBench(store, time)
    first.port.panel_id = None  # the panel was never posted (the process died first)
    await first.group()
    await first.service.start(ROOM, ANA, 11)
    (record,) = await store.meetings.all()
    assert record.panel_message_id is None

    again = MeetingBench(store, time)
    await again.service.load_all()
    await again.service.resume_all()
    assert again.port.panels == 1
    (record,) = await store.meetings.all()
    assert record.panel_message_id == 9001
    third = MeetingBench(store, time)
    await third.service.load_all()
    await third.service.resume_all()
    assert third.port.panels == 0  # it has one now


# --- exclusions: a decision reached during a meeting starts when it closes ------------------


class Group:
    """The decision service and a durable bus over one database, as one process has them."""

    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        self.bus = EventBus(outbox=bench.store.event_outbox, clock=bench.clock)
        self.bus.subscribe(MeetingCounted, bench.service.meeting_counted, Delivery.DURABLE)
        self.bus.subscribe(MeetingClosed, bench.service.meeting_closed, Delivery.DURABLE)

    async def meeting_starts(self) -> int:
        async with self.bench.store.db.transaction() as tx:
            made = await MeetingRepository.create(
                tx, group_id=self.bench.group.id, format_ref="open-discussion", state="{}",
                now=self.bench.clock.timestamp(),
            )  # fmt: skip
        assert made is not None
        return made

    async def meeting_ends(self, meeting_id: int, *, counts: bool, crash: bool = False) -> int:
        """What the meeting service does when a meeting ends: one transaction, then publish
        (unless the process dies first)."""
        group = self.bench.group
        async with self.bench.store.db.transaction() as tx:
            await MeetingRepository.delete(tx, meeting_id)
            if counts:
                held = await GroupRepository.count_meeting(tx, group.id)
            else:
                held = await GroupRepository.held_in(tx, group.id)
            events: list[MeetingCounted | MeetingClosed] = []
            if counts:
                events.append(MeetingCounted(group.id, GUILD, CHANNEL, held, 0.0))
            events.append(MeetingClosed(meeting_id, group.id, GUILD, CHANNEL, held, counts, 0.0))
            written = [(event, await self.bus.hold(tx, event)) for event in events]
        if not crash:
            for event, ids in written:
                await self.bus.publish(event, ids)
        return held


async def decided_during_a_meeting(bench: Bench, group: Group) -> tuple[User, int]:
    d = bench.discord
    voters = [d.add(n) for n in range(1, 6)]
    target = d.add(9)
    await give_chances(bench, voters[0], voters[1], target)
    pid = await propose_and_second(bench, voters[2], voters[3], target)
    await bench.advance(12 * 3600)
    for voter in voters[:3]:
        await bench.service.cast(pid, voter, fx.Choice.YES)
    meeting = await group.meeting_starts()
    await bench.advance(24 * 3600)  # the vote closes while the meeting is under way
    return target, meeting


@pytest.fixture
async def decisions(tmp_path: Path) -> AsyncIterator[Bench]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    bench = build(store, FakeTime())
    bench.group = await a_group(store)
    await bench.scheduler.start()
    yield bench
    await bench.scheduler.stop()
    await store.close()


async def test_a_vote_during_a_meeting_applies_when_it_closes_and_lifts_once(
    decisions: Bench,
) -> None:
    bench, d = decisions, decisions.discord
    group = Group(bench)
    target, meeting = await decided_during_a_meeting(bench, group)
    assert d.kinds()[-2:] == ["AnnounceResult", "SendExclusionNotice"]
    (notice,) = d.tasks(fx.SendExclusionNotice)
    assert notice.after_this_meeting
    assert d.tasks(fx.ApplyExclusion) == []  # they stay in the meeting under way

    held = await group.meeting_ends(meeting, counts=True, crash=True)  # kill -9 right after
    assert d.tasks(fx.ApplyExclusion) == []
    restarted = Group(build_again(bench))
    await restarted.bus.resume()
    await asyncio.sleep(0)
    assert len(restarted.bench.discord.tasks(fx.ApplyExclusion)) == 1
    exclusion = await bench.store.decisions.exclusion(
        bench.group.id, d.pseudonyms.of(GUILD, target.id)
    )
    assert exclusion is not None
    assert (exclusion.started, exclusion.first_meeting) == (True, held + 1)

    # A repeat of the same events (a crash after the handlers' commits) changes nothing.
    await restarted.bus.publish(MeetingCounted(bench.group.id, GUILD, CHANNEL, held, 0.0))
    await restarted.bus.publish(
        MeetingClosed(meeting, bench.group.id, GUILD, CHANNEL, held, True, 0)
    )
    assert len(restarted.bench.discord.tasks(fx.ApplyExclusion)) == 1
    assert restarted.bench.discord.tasks(fx.RemoveExclusion) == []

    # The one meeting they sit out: it lifts, once, even if delivered twice.
    nxt = await restarted.meeting_starts()
    await restarted.meeting_ends(nxt, counts=True)
    await restarted.bus.publish(MeetingCounted(bench.group.id, GUILD, CHANNEL, held + 1, 0.0))
    tasks = restarted.bench.discord.tasks
    assert (len(tasks(fx.RemoveExclusion)), len(tasks(fx.SendWelcomeBack))) == (1, 1)
    assert await bench.rows("exclusions") == 0
    assert await bench.rows("event_outbox") == 0


def build_again(bench: Bench) -> Bench:
    """The next process: the same database, nothing in memory."""
    again = build(bench.store, bench.time)
    again.group = bench.group
    again.discord.people.update(bench.discord.people)
    return again


async def test_a_meeting_that_does_not_count_still_releases_the_decision(
    decisions: Bench,
) -> None:
    bench, d = decisions, decisions.discord
    group = Group(bench)
    target, meeting = await decided_during_a_meeting(bench, group)
    before = await bench.store.groups.by_id(bench.group.id)
    assert before is not None
    await group.meeting_ends(meeting, counts=False)
    assert len(d.tasks(fx.ApplyExclusion)) == 1
    exclusion = await bench.store.decisions.exclusion(
        bench.group.id, d.pseudonyms.of(GUILD, target.id)
    )
    assert exclusion is not None
    assert exclusion.first_meeting == before.meetings_held + 1  # the next one to start
    nxt = await group.meeting_starts()
    await group.meeting_ends(nxt, counts=True)
    assert len(d.tasks(fx.RemoveExclusion)) == 1  # one meeting, not two


async def test_a_rejoin_before_the_meeting_closes_does_not_shut_them_out(
    decisions: Bench,
) -> None:
    bench, d = decisions, decisions.discord
    target, _ = await decided_during_a_meeting(bench, Group(bench))
    await bench.service.member_joined(GUILD, target)
    assert d.tasks(fx.ApplyExclusion) == []
