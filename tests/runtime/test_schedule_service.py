"""The schedule service on a real database, scheduler and meeting service, with a fake Discord
side: a New York group's Tuesday 19:00 meeting opens itself at the right instant on both sides of
the March change, never twice, not hours late; its Discord event is made, moved, cancelled for a
skipped date, live while the meeting runs and completed at its close; without the permission the
group is told once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.decisions.effects import Choice
from bot.core.formats import load_builtin_format
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.core.schedule.stored import StoredSchedule
from bot.errors import InvalidInput, NotAllowed
from bot.runtime.clock import Clock
from bot.runtime.events import EventBus, MeetingClosed
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import CHAIR, LiveMeetings, StartingRoles
from bot.runtime.locks import GroupLocks
from bot.runtime.meetings import MeetingService
from bot.runtime.schedule import EventPlan, EventsNotAllowed, EventStatus, ScheduleService, texts
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.groups import GroupRecord
from bot.store.schedules import OPEN_DEADLINE, SYNC_DEADLINE, changed_in
from tests.runtime.test_decisions_service import CHANNEL as DECISION_CHANNEL
from tests.runtime.test_decisions_service import GUILD as DECISION_GUILD
from tests.runtime.test_decisions_service import START as DECISION_START
from tests.runtime.test_decisions_service import Bench as DecisionBench
from tests.runtime.test_decisions_service import build as decisions_bench
from tests.runtime.test_meetings_service import FakePresenter
from tests.support.clock import FakeTime

GUILD, CHANNEL = 7101, 7102
KEY = Pseudonymizer(b"a test key that is long enough!!")
BO = KEY.of(GUILD, 12)
#: Tuesday 9 March 2027, noon in New York (EST, UTC-5); the clocks go forward on the 14th.
MONDAY_BEFORE = datetime(2027, 3, 9, 17, 0, tzinfo=UTC).timestamp()
FIRST = datetime(2027, 3, 10, 0, 0, tzinfo=UTC)  # Tue 9 March 19:00 EST
SECOND = datetime(2027, 3, 16, 23, 0, tzinfo=UTC)  # Tue 16 March 19:00 EDT
THIRD = datetime(2027, 3, 23, 23, 0, tzinfo=UTC)


@dataclass
class FakeEvents:
    """The schedule port: the server's events as Discord would keep them."""

    allowed: bool = True
    events: dict[int, dict[str, Any]] = field(default_factory=dict)
    told: list[str] = field(default_factory=list)

    def _check(self) -> None:
        if not self.allowed:
            raise EventsNotAllowed

    async def create_event(self, group: GroupRecord, plan: EventPlan) -> int:
        self._check()
        event_id = 500 + len(self.events)
        self.events[event_id] = {"start": plan.start, "name": plan.name, "status": 1}
        return event_id

    async def edit_event(self, group: GroupRecord, event_id: int, plan: EventPlan) -> bool:
        self._check()
        if event_id not in self.events:
            return False
        self.events[event_id].update(start=plan.start, name=plan.name)
        return True

    async def set_status(self, group: GroupRecord, event_id: int, status: EventStatus) -> bool:
        self._check()
        self.events[event_id]["status"] = int(status)
        return True

    async def tell(self, group: GroupRecord, text: str) -> None:
        self.told.append(text)

    def with_status(self, status: EventStatus) -> list[datetime]:
        return [e["start"] for e in self.events.values() if e["status"] == status]


@dataclass
class AnnouncedChair:
    """The rotation announced Bo as the next chair."""

    async def roles_for_meeting(
        self, group: GroupRecord, starter: Pseudonym | None
    ) -> StartingRoles:
        return StartingRoles({CHAIR: [BO]})


class Bench:
    def __init__(self, store: Store, time: FakeTime, **roles: Any) -> None:
        self.store, self.time = store, time
        self.clock = Clock(rate=1.0, anchor=time.now, real_time=time)
        self.scheduler = Scheduler(store.deadlines, self.clock)
        self.live = LiveMeetings()
        formats = FormatLibrary(store)
        self.meetings = MeetingService(
            store=store,
            clock=self.clock,
            scheduler=self.scheduler,
            formats=formats,
            live=self.live,
            locks=GroupLocks(),
            bus=EventBus(),
            port=FakePresenter(),
            **roles,
        )
        self.port = FakeEvents()
        self.service = ScheduleService(
            store=store,
            clock=self.clock,
            scheduler=self.scheduler,
            formats=formats,
            live=self.live,
            locks=GroupLocks(),
            port=self.port,
            opener=self.meetings,
        )

    async def group(self, words: str = "Tuesdays 19:00 America/New_York") -> GroupRecord:
        group = await self.store.groups.create(
            guild_id=GUILD,
            channel_id=CHANNEL,
            format_id="open-discussion",
            member_role_id=None,
            now=self.time.now,
        )
        assert group is not None
        stored = self.service.for_setup(words, None)
        assert stored is not None
        await self.service.keep(group, stored)
        return group

    async def opens_at(self) -> datetime | None:
        """The time of the next meeting the bot will open (its deadline comes the format's
        `before:` countdown earlier, so the countdown ends as the meeting is due)."""
        pending = [d for d in await self.store.deadlines.all() if d.kind == OPEN_DEADLINE]
        if not pending:
            return None
        meeting_at = float(pending[0].payload["at"])
        countdown = load_builtin_format("open-discussion").before_start
        assert countdown is not None
        assert pending[0].due_at == meeting_at - countdown.countdown_seconds
        return datetime.fromtimestamp(meeting_at, tz=UTC)

    async def run_due(self) -> None:
        """Carry out every schedule deadline due at the fake time (through the scheduler), and
        let the handlers finish: nothing due for a few polls in a row."""
        await self.scheduler.start()
        try:
            quiet = 0
            for _ in range(300):
                await asyncio.sleep(0.01)
                due = [
                    d
                    for d in await self.store.deadlines.all()
                    if d.due_at <= self.time.now and d.kind in (OPEN_DEADLINE, SYNC_DEADLINE)
                ]
                quiet = 0 if due else quiet + 1
                if quiet >= 5:
                    break
        finally:
            await self.scheduler.stop()

    async def meetings_held(self) -> int:
        return int(await self.store.db.fetchval("SELECT count(*) FROM meetings"))


async def test_the_meeting_opens_itself_at_seven_in_new_york_across_the_change(
    store: Store,
) -> None:
    time = FakeTime(MONDAY_BEFORE)
    bench = Bench(store, time)
    group = await bench.group()
    await bench.run_due()
    assert await bench.opens_at() == FIRST
    assert bench.port.with_status(EventStatus.SCHEDULED) == [FIRST]

    time.now = FIRST.timestamp()
    await bench.run_due()
    live = bench.live.in_channel(CHANNEL)
    assert live is not None
    assert live.chairs == ()  # nobody announced: the group is asked for a volunteer
    assert bench.port.told == [texts.ASK_FOR_A_CHAIR]
    assert bench.port.with_status(EventStatus.ACTIVE) == [FIRST]
    assert await bench.opens_at() == SECOND  # 19:00 EDT after the change: an hour earlier in UTC

    # The meeting ends: its event is completed and the next one is made.
    await bench.meetings.act(live, lambda r, s, now: r.end(s, now))
    await bench.service.meeting_closed(
        MeetingClosed(live.id, group.id, GUILD, CHANNEL, 0, False, time.now)
    )
    assert bench.port.with_status(EventStatus.COMPLETED) == [FIRST]
    assert bench.port.with_status(EventStatus.SCHEDULED) == [SECOND]


async def test_a_meeting_under_way_is_never_started_twice(store: Store) -> None:
    time = FakeTime(MONDAY_BEFORE)
    bench = Bench(store, time)
    await bench.group()
    await bench.run_due()
    # Someone starts by hand a few minutes early (or a crash came after the bot's own start).
    time.now = FIRST.timestamp() - 300
    await bench.meetings.start(CHANNEL, BO, 12)
    time.now = FIRST.timestamp()
    await bench.run_due()
    assert await bench.meetings_held() == 1
    assert bench.port.told == []
    assert await bench.opens_at() == SECOND
    row = await store.schedules.get((await bench.store.groups.by_channel(CHANNEL)).id)  # type: ignore[union-attr]
    assert row is not None
    assert row.opened_at == FIRST.timestamp()


async def test_the_rotations_chair_chairs_a_meeting_that_opens_itself(store: Store) -> None:
    time = FakeTime(MONDAY_BEFORE)
    bench = Bench(store, time, roles=AnnouncedChair())
    await bench.group()
    await bench.run_due()
    time.now = FIRST.timestamp()
    await bench.run_due()
    live = bench.live.in_channel(CHANNEL)
    assert live is not None
    assert live.chairs == (BO,)
    assert bench.port.told == []  # no call for a volunteer


async def test_a_meeting_hours_late_is_not_opened(store: Store) -> None:
    time = FakeTime(MONDAY_BEFORE)
    bench = Bench(store, time)
    await bench.group()
    await bench.run_due()
    time.now = FIRST.timestamp() + 2 * 3600  # the bot was offline at seven
    await bench.run_due()
    assert await bench.meetings_held() == 0
    assert await bench.opens_at() == SECOND


async def test_the_event_moves_with_the_schedule_and_is_cancelled_for_a_skipped_date(
    store: Store,
) -> None:
    time = FakeTime(MONDAY_BEFORE)
    bench = Bench(store, time)
    await bench.group()
    await bench.run_due()
    (first_id,) = bench.port.events
    await bench.service.change_before_first_meeting(CHANNEL, "skip", "2027-03-09")
    await bench.run_due()
    assert bench.port.events[first_id]["status"] == EventStatus.CANCELED
    assert bench.port.with_status(EventStatus.SCHEDULED) == [SECOND]
    assert await bench.opens_at() == SECOND
    await bench.service.change_before_first_meeting(CHANNEL, "schedule", "Wednesdays 18:30")
    await bench.run_due()
    wednesday = datetime(2027, 3, 10, 23, 30, tzinfo=UTC)  # Wed 10 March 18:30 EST
    assert bench.port.with_status(EventStatus.SCHEDULED) == [wednesday]
    assert len(bench.port.events) == 2  # moved, not made again
    view = await bench.service.view(CHANNEL)
    assert [o.at for o in view.upcoming[:2]] == [
        wednesday,
        datetime(2027, 3, 17, 22, 30, tzinfo=UTC),
    ]


async def test_without_the_permission_the_schedule_works_and_the_group_is_told_once(
    store: Store,
) -> None:
    time = FakeTime(MONDAY_BEFORE)
    bench = Bench(store, time)
    bench.port.allowed = False
    await bench.group()
    await bench.run_due()
    await bench.service.change_before_first_meeting(CHANNEL, "extra", "2027-03-12 18:00")
    await bench.run_due()
    assert bench.port.told == [texts.NO_EVENTS_PERMISSION]
    assert await bench.opens_at() == datetime(2027, 3, 10, 0, 0, tzinfo=UTC)
    time.now = FIRST.timestamp()
    await bench.run_due()
    assert bench.live.under_way(CHANNEL)


async def test_setup_words_and_who_may_change_the_schedule(store: Store) -> None:
    time = FakeTime(MONDAY_BEFORE)
    bench = Bench(store, time)
    with pytest.raises(InvalidInput, match="time zone"):
        bench.service.for_setup("Tuesdays 19:00", None)
    with pytest.raises(InvalidInput, match="morning or the evening"):
        bench.service.for_setup("Tuesdays 7", "Europe/London")
    assert bench.service.for_setup(None, "asia/kolkata") == StoredSchedule(zone="Asia/Kolkata")
    group = await bench.group()
    await store.db.execute("UPDATE groups SET meetings_held = 1 WHERE id = ?", (group.id,))
    with pytest.raises(NotAllowed, match="/propose change"):
        await bench.service.change_before_first_meeting(CHANNEL, "skip", "2027-03-16")
    # A group decision writes the change with the sync deadline, in the decision's transaction.
    async with store.db.transaction() as tx:
        sync = await changed_in(tx, group.id, "skip", "2027-03-16", time.now)
    assert sync == (SYNC_DEADLINE, str(group.id))
    row = await store.schedules.get(group.id)
    assert row is not None
    assert row.spec.skips == ("2027-03-16",)
    await bench.run_due()
    assert await bench.opens_at() == FIRST


@pytest.fixture
async def decided(tmp_path: Path) -> AsyncIterator[DecisionBench]:
    """The decisions service's own bench (tests/runtime/test_decisions_service.py)."""
    store = Store(tmp_path / "decisions.sqlite3")
    await store.open()
    made = await store.groups.create(
        guild_id=DECISION_GUILD, channel_id=DECISION_CHANNEL, format_id="open-discussion",
        member_role_id=None, now=DECISION_START,
    )  # fmt: skip
    assert made is not None
    bench = decisions_bench(store, FakeTime())
    bench.group = made
    await bench.scheduler.start()
    yield bench
    await bench.scheduler.stop()
    await store.close()


async def test_a_group_changes_its_schedule_by_majority(decided: DecisionBench) -> None:
    bench = decided
    """``/propose change`` with ``what: schedule``: the words are checked when proposed, and the
    carried change is kept with the schedule's sync deadline, in the decision's transaction."""
    d, store = bench.discord, bench.store
    people = [d.add(n) for n in range(1, 5)]
    subjects = {c.subject for c in await bench.service.change_choices(DECISION_CHANNEL)}
    assert {"schedule", "timezone", "skip", "extra"} <= subjects
    with pytest.raises(InvalidInput, match="morning or the evening"):
        await bench.service.propose_change(DECISION_CHANNEL, people[0], "schedule", "Tuesdays 7")
    with pytest.raises(InvalidInput, match="time zone called"):
        await bench.service.propose_change(DECISION_CHANNEL, people[0], "timezone", "Mars/Base")
    proposed = await bench.service.propose_change(
        DECISION_CHANNEL, people[0], "schedule", "thursdays 6:30pm Europe/London"
    )
    await bench.service.second(proposed.proposal_id, people[1])
    await bench.advance(1)
    for person in people[:3]:
        await bench.service.cast(proposed.proposal_id, person, Choice.YES)
    await bench.advance(24 * 3600)
    row = await store.schedules.get(bench.group.id)
    assert row is not None
    assert (row.spec.meetings, row.spec.zone) == ("Thursdays at 18:30", "Europe/London")
    pending = {(x.kind, x.key) for x in await store.deadlines.all()}
    assert (SYNC_DEADLINE, str(bench.group.id)) in pending
