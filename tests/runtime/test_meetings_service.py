"""The meeting service on a real database and scheduler with a fake Discord side (its port):
start, act, count, resume after a restart, forget-me — no Discord involved."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.core.meeting import Status, countdown
from bot.core.meeting import effects as fx
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import NoGroupHere, NotAllowed
from bot.runtime.clock import Clock
from bot.runtime.events import (
    EventBus,
    MeetingCounted,
    MeetingStarted,
    MeetingStepped,
    MemberForgotten,
)
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import CHAIR, CHAIR_AWAY_SECONDS, LiveMeeting, LiveMeetings, StartingRoles
from bot.runtime.locks import GroupLocks
from bot.runtime.meetings import CannotPost, MeetingService, SteppedIn, Unshown
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.groups import GroupRecord
from tests.support.clock import FakeTime
from tests.support.scheduling import carried_out_by

CHAIR_CHECK = fx.MeetingDeadlineKind.CHAIR_CHECK
GUILD, CHANNEL = 7001, 7002
START = 1_800_000_000.0
KEY = Pseudonymizer(b"a test key that is long enough!!")
ANA, BO, CY = (KEY.of(GUILD, n) for n in (11, 12, 13))


@dataclass
class FakePresenter:
    """The meeting port: records what would be shown in the channel. ``refusing``: Discord
    refuses every post in the channel (a permission taken away); ``posted_before_refusing``
    messages of the first refused effect went out before that."""

    shown: list[fx.ChannelEffect] = field(default_factory=list)
    panels: int = 0
    forgotten: list[Pseudonym] = field(default_factory=list)
    panel_id: int | None = 9001
    refusing: bool = False
    posted_before_refusing: int = 0
    told_room: int = 0
    told_chair: int = 0

    async def open_panel(self, live: LiveMeeting) -> int | None:
        self.panels += 1
        return self.panel_id

    async def show(self, live: LiveMeeting, effects: Sequence[fx.ChannelEffect]) -> Unshown | None:
        for index, effect in enumerate(effects):
            if self.refusing and not isinstance(effect, fx.UpdatePanel):
                posted, self.posted_before_refusing = self.posted_before_refusing, 0
                return Unshown(index, posted, ("Send Messages",))
            self.shown.append(effect)
        return None

    async def cannot_post(self, live: LiveMeeting, missing: tuple[str, ...]) -> None:
        self.told_room += 1

    async def tell_chair(self, live: LiveMeeting, missing: tuple[str, ...]) -> bool:
        self.told_chair += 1
        return True

    def forget(self, live: LiveMeeting, who: Pseudonym) -> None:
        self.forgotten.append(who)

    def kinds(self) -> list[str]:
        return [type(effect).__name__ for effect in self.shown]


@dataclass
class Rotation:
    """A role source that names someone else as chair, with time to arrive."""

    chair: Pseudonym
    grace: float

    async def roles_for_meeting(self, group: GroupRecord, starter: Pseudonym) -> StartingRoles:
        return StartingRoles({CHAIR: [self.chair]}, chair_arrives_within=self.grace)


@dataclass
class Switches:
    values: Mapping[str, bool]
    asked: int = 0

    async def switches(self, group: GroupRecord) -> Mapping[str, bool]:
        self.asked += 1
        return self.values


class Bench:
    def __init__(self, store: Store, time: FakeTime, **sources: Any) -> None:
        self.store = store
        self.time = time
        self.clock = Clock(rate=1.0, anchor=START, real_time=time)
        self.scheduler = Scheduler(store.deadlines, self.clock)
        self.live = LiveMeetings()
        self.port = FakePresenter()
        self.bus = EventBus()
        self.events: list[Any] = []
        for event in (MeetingStarted, MeetingStepped, MeetingCounted):
            self.bus.subscribe(event, self._record)
        self.service = MeetingService(
            store=store,
            clock=self.clock,
            scheduler=self.scheduler,
            formats=FormatLibrary(store),
            live=self.live,
            locks=GroupLocks(),
            bus=self.bus,
            port=self.port,
            **sources,
        )

    async def _record(self, event: Any) -> None:
        self.events.append(event)

    def events_of(self, kind: type[Any]) -> list[Any]:
        return [event for event in self.events if isinstance(event, kind)]

    async def group(self) -> GroupRecord:
        created = await self.store.groups.create(
            guild_id=GUILD,
            channel_id=CHANNEL,
            format_id="open-discussion",
            member_role_id=None,
            now=START,
        )
        assert created is not None
        return created

    async def rows(self, table: str) -> int:
        return int(await self.store.db.fetchval(f"SELECT count(*) FROM {table}"))

    async def to_sharing(self, live: LiveMeeting) -> None:
        """Press Next until the floor opens for sharing."""
        for _ in range(30):
            if any(isinstance(e, fx.PhaseBegins | fx.FloorFree) for e in self.port.shown):
                return
            await self.service.act(live, lambda r, s, now: r.advance(s, now))
        raise AssertionError("the format never reached its sharing")


async def test_a_meeting_starts_once_and_tells_the_features(store: Store, time: FakeTime) -> None:
    bench = Bench(store, time)
    await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    assert live.chairs == (ANA,)  # with no rotation, whoever starts chairs
    assert live.panel_message_id == 9001
    assert await bench.rows("meetings") == 1
    assert bench.live.in_channel(CHANNEL) is live
    assert [type(e) for e in bench.events] == [MeetingStepped, MeetingStarted]
    assert bench.port.kinds()[:1] == ["CountdownBegins"]  # the format's `before:` countdown
    assert await bench.rows("deadlines") > 0  # … ends by itself, even after a restart
    await bench.service.act(live, lambda r, s, now: countdown.start_now(r, s, now))
    assert "PostSection" in bench.port.kinds()
    with pytest.raises(NotAllowed, match="already under way"):
        await bench.service.start(CHANNEL, BO, 12)
    assert await bench.rows("meetings") == 1


async def test_no_group_no_meeting(store: Store, time: FakeTime) -> None:
    bench = Bench(store, time)
    with pytest.raises(NoGroupHere):
        await bench.service.start(CHANNEL, ANA, 11)
    assert await bench.rows("meetings") == 0


async def test_the_rotations_chair_has_time_to_arrive(store: Store, time: FakeTime) -> None:
    switches = Switches({})
    bench = Bench(store, time, roles=Rotation(BO, grace=180.0), switches=switches)
    await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    assert live.chairs == (BO,)
    assert switches.asked == 1
    with pytest.raises(NotAllowed):
        bench.service.require_chair(live, ANA)
    time.now += CHAIR_AWAY_SECONDS + 60  # the usual two minutes are not enough today
    with pytest.raises(NotAllowed, match="a moment ago"):
        await bench.service.step_in(live, ANA)
    time.now += 180
    await bench.service.step_in(live, ANA)  # the chair is asked first, and has a minute
    time.now += 61
    await bench.service.act(live, lambda r, s, now: r.deadline_passed(s, CHAIR_CHECK, "chair", now))
    assert live.chairs == (ANA,)


async def test_a_counted_meeting_is_numbered_and_forgotten(store: Store, time: FakeTime) -> None:
    bench = Bench(store, time)
    group = await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    bench.service.seen(live, BO, 12)  # three members take part
    bench.service.seen(live, CY, 13)
    time.now += 20 * 60  # at least 15 minutes: the meeting counts
    await bench.service.act(live, lambda r, s, now: r.end(s, now))
    assert live.state.status is Status.ENDED
    assert bench.live.running() == []
    assert await bench.rows("meetings") == 0
    assert await bench.rows("deadlines") == 0  # every timer went with the meeting
    (counted,) = bench.events_of(MeetingCounted)
    assert (counted.group_id, counted.number) == (group.id, 1)
    assert bench.events_of(MeetingStepped)[-1].meeting.state.status is Status.ENDED
    refreshed = await store.groups.by_id(group.id)
    assert refreshed is not None
    assert refreshed.meetings_held == 1
    with pytest.raises(NotAllowed, match="ended"):
        await bench.service.act(live, lambda r, s, now: r.advance(s, now))


async def test_a_short_meeting_does_not_count(store: Store, time: FakeTime) -> None:
    bench = Bench(store, time)
    group = await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    await bench.service.act(live, lambda r, s, now: r.end(s, now))
    assert bench.events_of(MeetingCounted) == []
    refreshed = await store.groups.by_id(group.id)
    assert refreshed is not None
    assert refreshed.meetings_held == 0


async def test_hands_and_the_floor_then_forget_me(store: Store, time: FakeTime) -> None:
    bench = Bench(store, time)
    await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    await bench.to_sharing(live)
    await bench.service.act(live, lambda r, s, now: r.raise_hand(s, BO, now))
    await bench.service.act(live, lambda r, s, now: r.raise_hand(s, CY, now))
    given = [e.who for e in bench.port.shown if isinstance(e, fx.FloorGiven)]
    assert given == [BO]
    live.names[BO] = 12
    await bench.service.forget_member(MemberForgotten(GUILD, BO))
    assert BO not in live.names
    assert bench.port.forgotten == [BO]
    # Off the floor and out of the line; the next hand gets the floor.
    assert [e.who for e in bench.port.shown if isinstance(e, fx.FloorGiven)] == [BO, CY]
    panel = live.runner.describe(live.state, bench.clock.now())
    assert panel.sharer == CY
    assert BO not in panel.waiting


async def test_a_refusal_changes_nothing(store: Store, time: FakeTime) -> None:
    bench = Bench(store, time)
    await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    before = await store.db.fetchval("SELECT state FROM meetings")
    steps = len(bench.events_of(MeetingStepped))
    with pytest.raises(NotAllowed, match="first part"):
        await bench.service.act(live, lambda r, s, now: r.back(s, now))
    assert await store.db.fetchval("SELECT state FROM meetings") == before
    assert len(bench.events_of(MeetingStepped)) == steps


async def test_after_a_restart_the_meeting_goes_on(store: Store, time: FakeTime) -> None:
    first = Bench(store, time)
    await first.group()
    live = await first.service.start(CHANNEL, ANA, 11)
    await first.service.act(live, lambda r, s, now: r.advance(s, now))
    section = live.state.step

    again = Bench(store, time)  # a new process: nothing in memory
    assert await again.service.load_all() == 1
    resumed = again.live.in_channel(CHANNEL)
    assert resumed is not None
    assert resumed.id == live.id
    assert resumed.state.step == section
    assert resumed.chairs == (ANA,)
    await again.service.resume_all()
    notices = [e.kind for e in again.port.shown if isinstance(e, fx.Notice)]
    assert fx.NoticeKind.RESUMED_AFTER_RESTART in notices


async def test_a_section_deadline_moves_the_meeting_on(store: Store, time: FakeTime) -> None:
    bench = Bench(store, time)
    await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    pending = await store.deadlines.all()
    assert pending, "a timed format arms its deadlines with the state"
    assert all(d.kind.startswith("meeting.") for d in pending)
    first = min(pending, key=lambda d: d.due_at)
    before = live.state
    time.now = first.due_at + 1
    await bench.scheduler.start()
    try:
        for _ in range(1000):  # up to 10 s on a busy machine; done as soon as it holds
            if live.state is not before:
                break
            await _tick()
    finally:
        await bench.scheduler.stop()
    assert live.state is not before  # the deadline fired through the same path as a press


async def _tick() -> None:
    await asyncio.sleep(0.01)


# --- promises that hold: counting, and the chair away only when really away -----------------


async def end_after(bench: Bench, live: LiveMeeting, minutes: int) -> fx.MeetingEnded:
    bench.time.now += minutes * 60
    await bench.service.act(live, lambda r, s, now: r.end(s, now))
    (ended,) = [e for e in bench.port.shown if isinstance(e, fx.MeetingEnded)]
    return ended


async def test_one_member_alone_does_not_count(store: Store, time: FakeTime) -> None:
    bench = Bench(store, time)
    group = await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    bench.service.seen(live, ANA, 11)  # the same member, pressing again and again
    await bench.to_sharing(live)
    ended = await end_after(bench, live, 40)
    assert (ended.counted, ended.too_few, ended.too_short) == (False, True, False)
    assert bench.events_of(MeetingCounted) == []
    refreshed = await store.groups.by_id(group.id)
    assert refreshed is not None
    assert refreshed.meetings_held == 0


async def test_three_members_but_fourteen_minutes_does_not_count(
    store: Store, time: FakeTime
) -> None:
    bench = Bench(store, time)
    await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    bench.service.seen(live, BO, 12)
    bench.service.seen(live, CY, 13)
    ended = await end_after(bench, live, 14)
    assert (ended.counted, ended.too_few, ended.too_short) == (False, False, True)
    assert bench.events_of(MeetingCounted) == []


async def test_only_the_number_of_members_is_stored_and_a_restart_keeps_it(
    store: Store, time: FakeTime
) -> None:
    first = Bench(store, time)
    await first.group()
    live = await first.service.start(CHANNEL, ANA, 11)
    first.service.seen(live, BO, 12)
    await first.service.act(live, lambda r, s, now: r.advance(s, now))
    stored = str(await store.db.fetchval("SELECT state FROM meetings"))
    assert '"participants":2' in stored
    assert BO not in stored  # who took part is never stored, only how many

    again = Bench(store, time)  # a restart: the set is gone, the number is not
    await again.service.load_all()
    resumed = again.live.in_channel(CHANNEL)
    assert resumed is not None
    assert resumed.participants == 2
    again.service.seen(resumed, BO, 12)  # counted again after the restart: the kinder side
    assert resumed.participants == 3
    ended = await end_after(again, resumed, 20)
    assert ended.counted
    assert len(again.events_of(MeetingCounted)) == 1


async def test_a_chair_who_posted_recently_cannot_be_taken_over(
    store: Store, time: FakeTime
) -> None:
    bench = Bench(store, time)
    await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    await bench.service.activity(CHANNEL + 1, ANA)  # no meeting there: nothing happens
    for _ in range(3):
        time.now += CHAIR_AWAY_SECONDS - 10
        await bench.service.activity(CHANNEL, BO)  # someone else's post: no sign of the chair
        await bench.service.activity(CHANNEL, ANA)  # the chair posts (or speaks in voice)
    with pytest.raises(NotAllowed, match="a moment ago"):
        await bench.service.step_in(live, BO)
    assert live.chairs == (ANA,)
    assert not any(isinstance(e, fx.ChairAsked) for e in bench.port.shown)


async def test_an_away_chair_is_asked_and_keeps_the_chair_by_answering(
    store: Store, time: FakeTime
) -> None:
    bench = Bench(store, time)
    await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    time.now += CHAIR_AWAY_SECONDS + 1
    assert await bench.service.step_in(live, BO) is SteppedIn.ASKED
    assert next(e for e in bench.port.shown if isinstance(e, fx.ChairAsked)).by == BO
    assert live.chairs == (ANA,)  # nothing handed over yet
    with pytest.raises(NotAllowed, match="just asked the chair"):
        await bench.service.step_in(live, CY)
    with pytest.raises(NotAllowed, match="for today's chair"):
        await bench.service.chair_answers(live, CY)
    time.now += 30
    await bench.service.activity(CHANNEL, ANA)  # the chair posts: that is an answer
    assert fx.ChairStays((ANA,), BO) in bench.port.shown
    kinds = {d.kind for d in await store.deadlines.all()}
    assert CHAIR_CHECK.value not in kinds  # the durable deadline went with the question
    assert live.chairs == (ANA,)


async def test_with_no_answer_within_a_minute_the_member_chairs_even_after_a_restart(
    store: Store, time: FakeTime
) -> None:
    first = Bench(store, time)
    await first.group()
    live = await first.service.start(CHANNEL, ANA, 11)
    time.now += CHAIR_AWAY_SECONDS + 1
    await first.service.step_in(live, BO)
    (check,) = [d for d in await store.deadlines.all() if d.kind == CHAIR_CHECK.value]

    again = Bench(store, time)  # the bot restarts during the minute
    await again.service.load_all()
    await again.service.resume_all()
    resumed = again.live.in_channel(CHANNEL)
    assert resumed is not None
    time.now = check.due_at + 1
    await again.scheduler.start()
    try:
        # The check's handler has returned: its step committed, shown, and noted.
        await carried_out_by(again.scheduler, store, time.now)
    finally:
        await again.scheduler.stop()
    assert resumed.chairs == (BO,)
    assert fx.ChairHandedOver(BO, (ANA,)) in again.port.shown
    # The chair is back: they take the chair again at once.
    assert await again.service.step_in(resumed, ANA) is SteppedIn.BACK
    assert resumed.chairs == (ANA,)
    assert fx.ChairTakenBack(ANA, (BO,)) in again.port.shown


async def test_words_discord_refuses_pause_the_meeting_and_are_shown_once_on_resume(
    store: Store, time: FakeTime
) -> None:
    bench = Bench(store, time)
    await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    await bench.service.act(live, lambda r, s, now: countdown.start_now(r, s, now))
    bench.port.refusing = True
    bench.port.posted_before_refusing = 1  # one message goes out, then Discord says no
    with pytest.raises(CannotPost) as paused:
        await bench.service.act(live, lambda r, s, now: r.advance(s, now))
    assert paused.value.new
    assert "**Send Messages**" in paused.value.user_message
    assert bench.port.told_room == 1
    assert live.state.status is Status.PAUSED
    assert live.state.cannot_post
    held = [h.kind for h in live.state.held]
    assert held  # the words not shown are kept, in order
    assert await bench.rows("deadlines") == 0  # nothing moves on while the room can't be told
    shown_before = list(bench.port.shown)

    # Next is refused while paused, with the same true words (and no second note to the chair).
    with pytest.raises(CannotPost) as again:
        await bench.service.act(live, lambda r, s, now: r.advance(s, now))
    assert not again.value.new

    # A kill -9 now: the meeting comes back paused, with its words.
    after = Bench(store, time)
    assert await after.service.load_all() == 1
    back = after.live.in_channel(CHANNEL)
    assert back is not None
    assert back.state.status is Status.PAUSED
    assert [h.kind for h in back.state.held] == held
    await after.service.resume_all()
    assert fx.Notice(fx.NoticeKind.RESTARTED_PAUSED) in after.port.shown

    # Resume while Discord still refuses: still paused, still holding the same words.
    after.port.refusing = True
    with pytest.raises(CannotPost):
        await after.service.act(back, lambda r, s, now: r.resume(s, now))
    assert [h.kind for h in back.state.held] == held

    # Permission given back: resuming shows exactly the held words, once, then goes on.
    after.port.refusing = False
    await after.service.act(back, lambda r, s, now: r.resume(s, now))
    again_shown = [e for e in after.port.shown if isinstance(e, fx.ShowAgain)]
    assert [type(e.effect).__name__ for e in again_shown] == held
    assert again_shown[0].posted == 1  # the message already posted is left out
    assert back.state.status is Status.RUNNING
    assert back.state.held == ()
    assert await after.rows("deadlines") > 0
    assert bench.port.shown == shown_before  # the first process showed nothing more
