"""Time in the room (bot/core/meeting/waits.py, countdown.py): the ``before:`` countdown and
readers who offer during it, ``starts:`` moments awaited, the chair asked when running late,
Move on when a sharing section's time is up, placeholders never read aloud — on the fake clock
of the meeting harness (every step through JSON, timers checked against the state)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from bot.core.formats import load_format
from bot.core.meeting import MeetingRunner, MeetingSetup, MeetingState, countdown
from bot.core.meeting.countdown import NotNow, TimeRefusal
from bot.core.meeting.effects import (
    ChannelEffect,
    Effect,
    FloorGiven,
    MeetingDeadlineKind,
    OfferReading,
    PostReading,
    PostSection,
    ShareNote,
    TimeUp,
)
from bot.core.meeting.flow import Outcome
from bot.core.meeting.time_effects import (
    AwaitingStart,
    CountdownBegins,
    LateChoice,
    LateDecided,
    OfferMoveOn,
    PlaceholderLeftOut,
    ReaderOffered,
    RunningLate,
)
from tests.unit.test_meeting_harness import CHAIR, MEMBERS, T0, Meeting

A, B, C = MEMBERS[1:4]
SECTION = MeetingDeadlineKind.SECTION

COUNTDOWN = """\
format: 1
name: Countdown
length: 60m
before:
  countdown: 5m
  say: We'll begin in a few minutes.
  recruit-readers: true
texts:
  ours:
    title: Our group's reading
    placeholder: true
    text: "[Your group's own reading goes here.]"
  promise:
    title: The promise
    text: We come together as equals.
sections:
  - say: Welcome.
  - read: ours
  - read: promise
  - read: |
      The first of two short paragraphs.

      The second of two short paragraphs.
    title: Two voices
    readers: 2
  - share: The floor is open.
    until: end - 5m
  - closing: Thank you for coming.
"""


class Timed(Meeting):
    """The harness, opened with the countdown (``/meeting start``), with the time operations."""

    def __init__(self, plan: str, **kwargs: object) -> None:
        super().__init__(plan, **kwargs)  # type: ignore[arg-type]
        self.armed.clear()
        self.log.clear()
        self.runner = MeetingRunner(self.plan)
        setup = MeetingSetup(number=12, roles={"chair": [CHAIR]})
        state, effects = countdown.open_meeting(self.runner, self.now, setup)
        self._apply(state, effects)

    def time(self, op: Callable[..., Outcome], *args: object) -> tuple[Effect, ...]:
        return do(self, op, *args)


def do(meeting: Meeting, op: Callable[..., Outcome], *args: object) -> tuple[Effect, ...]:
    """Run a time operation of :mod:`bot.core.meeting.countdown` and store the result."""
    state, effects = op(meeting.runner, meeting._counted(), *args, meeting.now)
    meeting._apply(state, effects)
    return effects


def titles(meeting: Meeting) -> list[str]:
    return [post.title for post in meeting.seen(PostSection)]


# --- the countdown ---------------------------------------------------------------------------


def test_the_countdown_comes_first_and_the_meeting_begins_when_it_ends() -> None:
    meeting = Timed(COUNTDOWN)
    (shown,) = meeting.seen(CountdownBegins)
    assert shown.begins_at == T0 + timedelta(minutes=5)
    assert shown.chunks == ("We'll begin in a few minutes.",)
    # Readers are asked for the real readings; a placeholder is never offered.
    assert shown.readings == ((2, "The promise"), (3, "Two voices"))
    assert titles(meeting) == []
    assert meeting.armed == {(SECTION, "wait0"): T0 + timedelta(minutes=5)}  # durable
    meeting.wait(5 * 60)
    assert titles(meeting) == ["From the chair"]
    state = meeting.state
    assert state.waiting is None
    # The meeting's clock counts from its real start: the planned end is an hour from then.
    assert state.started_at == T0 + timedelta(minutes=5)
    assert state.planned_end == T0 + timedelta(minutes=65)


def test_the_chair_can_start_at_once() -> None:
    meeting = Timed(COUNTDOWN)
    meeting.wait(70)
    meeting.time(countdown.start_now)
    assert titles(meeting) == ["From the chair"]
    assert meeting.state.started_at == T0 + timedelta(seconds=70)
    assert (SECTION, "wait0") not in meeting.armed  # the countdown's deadline is gone
    with pytest.raises(NotNow) as again:
        meeting.time(countdown.start_now)
    assert again.value.reason is TimeRefusal.BEGUN


def test_next_during_the_countdown_starts_the_meeting_too() -> None:
    meeting = Timed(COUNTDOWN)
    meeting.call("advance")
    assert titles(meeting) == ["From the chair"]


def test_readers_offer_during_the_countdown_and_read_when_it_comes() -> None:
    meeting = Timed(COUNTDOWN)
    meeting.time(countdown.offer_to_read, 2, A)
    assert meeting.seen(ReaderOffered) == [ReaderOffered(2, "The promise", A)]
    with pytest.raises(NotNow) as twice:
        meeting.time(countdown.offer_to_read, 2, A)
    assert twice.value.reason is TimeRefusal.ALREADY_OFFERED
    with pytest.raises(NotNow) as taken:
        meeting.time(countdown.offer_to_read, 2, B)
    assert taken.value.reason is TimeRefusal.READING_TAKEN
    with pytest.raises(NotNow) as placeholder:
        meeting.time(countdown.offer_to_read, 1, B)
    assert placeholder.value.reason is TimeRefusal.NO_SUCH_READING
    meeting.time(countdown.offer_to_read, 3, B)  # one of the two parts
    assert meeting.state.recruits == ((2, A), (3, B))
    meeting.time(countdown.start_now)
    with pytest.raises(NotNow) as late:
        meeting.time(countdown.offer_to_read, 3, C)
    assert late.value.reason is TimeRefusal.NOT_BEFORE

    meeting.call("advance")  # the placeholder reading is left out: on to the promise
    assert meeting.seen(PlaceholderLeftOut) == [
        PlaceholderLeftOut(1, "Our group's reading", whole=True)
    ]
    read = meeting.seen(PostReading)[-1]
    assert (read.title, read.reader, read.chunks) == (
        "The promise",
        A,
        ("We come together as equals.",),
    )
    assert meeting.seen(OfferReading) == []  # no offer: it was taken before the start
    meeting.call("advance")  # two voices: B reads the first part, the second is offered
    assert meeting.seen(PostReading)[-1].reader == B
    assert meeting.seen(OfferReading)[-1] == OfferReading(3, "Two voices", 2, 2)
    meeting.call("take_reading", C)
    assert meeting.seen(PostReading)[-1].reader == C
    assert meeting.state.recruits == ()


def test_a_kill_during_the_countdown_resumes_it() -> None:
    meeting = Timed(COUNTDOWN)
    meeting.wait(60)
    stored = MeetingState.from_json(meeting.stored)  # a restart reads the row back
    _, effects = meeting.runner.resumed_after_restart(stored, meeting.now)
    assert any(
        getattr(e, "key", None) == "wait0" and getattr(e, "at", None) == T0 + timedelta(minutes=5)
        for e in effects
    )


def test_a_meeting_stored_before_these_fields_reads_back() -> None:
    meeting = Timed(COUNTDOWN)
    meeting.time(countdown.start_now)
    data = json.loads(meeting.stored)
    for name in ("waiting", "late", "late_asked", "shorter", "recruits"):
        assert name not in data  # left out at their default: an older bot reads it too
    assert MeetingState.from_json(json.dumps(data)) == meeting.state


# --- moments awaited ---------------------------------------------------------------------------

AWAITED = """\
format: 1
name: Awaited
length: 60m
sections:
  - say: Welcome.
  - silence: 1m
  - share: The floor is open.
    starts: start + 20m
    until: end - 5m
  - closing: Thank you for coming.
"""


def test_a_starts_moment_is_awaited_and_the_room_is_told() -> None:
    meeting = Meeting(AWAITED)
    meeting.call("advance")
    meeting.wait(60)  # the silence ends at 1 minute: sharing is 19 minutes away
    (awaiting,) = meeting.seen(AwaitingStart)
    assert awaiting == AwaitingStart(2, "Sharing", T0 + timedelta(minutes=20))
    assert meeting.panel().section_index is None
    meeting.wait(18 * 60)
    assert titles(meeting)[-1] != "Sharing"  # never early
    meeting.wait(60)
    assert titles(meeting)[-1] == "Sharing"
    assert [t for t, p in meeting.seen_at(PostSection) if p.title == "Sharing"] == [20 * 60.0]


def test_the_chair_may_begin_an_awaited_section_sooner() -> None:
    meeting = Meeting(AWAITED)
    meeting.call("advance")
    meeting.wait(60)
    meeting.call("advance")  # Next, or Begin now
    assert titles(meeting)[-1] == "Sharing"
    assert meeting.state.waiting is None


# --- running late ------------------------------------------------------------------------------

LATE = """\
format: 1
name: Running late
length: 40m
share:
  limit: 4m
  when-busy:
    - waiting: 3
      limit: 2m
sections:
  - say: Welcome.
    time: 5m
  - share: The floor is open.
    until: end - 5m
  - closing: Thank you for coming.
"""


def late_meeting(minutes: int) -> Meeting:
    meeting = Meeting(LATE)
    meeting.wait(minutes * 60)  # the welcome runs long
    meeting.call("advance")
    return meeting


def test_running_late_the_chair_is_asked_before_sharing_is_cut_short() -> None:
    meeting = late_meeting(20)
    (asked,) = meeting.seen(RunningLate)
    assert (asked.room, asked.planned, asked.shorter) == (15 * 60, 30 * 60, 120)
    assert asked.choices == (LateChoice.SHORTER, LateChoice.AS_IS, LateChoice.SKIP)
    assert asked.decide_by == meeting.now + timedelta(minutes=2)
    assert "Sharing" not in titles(meeting)  # nothing begins before the chair answers
    do(meeting, countdown.decide_late, LateChoice.SHORTER)
    (decided,) = meeting.seen(LateDecided)
    assert (decided.choice, decided.by_default, decided.shorter) == (
        LateChoice.SHORTER,
        False,
        120,
    )
    assert decided.ends_at == T0 + timedelta(minutes=35)  # the closing keeps its 5 minutes
    assert meeting.seen(PostSection)[-1].ends_at == T0 + timedelta(minutes=35)
    meeting.call("raise_hand", A)
    given = meeting.seen(FloorGiven)[-1]
    assert given.limit_at == meeting.now + timedelta(minutes=2)  # shorter shares


def test_with_no_answer_the_proposal_holds() -> None:
    meeting = late_meeting(20)
    meeting.wait(121)
    (decided,) = meeting.seen(LateDecided)
    assert (decided.choice, decided.by_default) == (LateChoice.SHORTER, True)
    assert titles(meeting)[-1] == "Sharing"


def test_the_chair_may_leave_sharing_out() -> None:
    meeting = late_meeting(20)
    do(meeting, countdown.decide_late, LateChoice.SKIP)
    assert meeting.seen(LateDecided)[-1].choice is LateChoice.SKIP
    assert titles(meeting)[-1] == "Closing"


def test_a_little_late_is_not_worth_asking_about() -> None:
    meeting = late_meeting(6)
    assert meeting.seen(RunningLate) == []
    assert titles(meeting)[-1] == "Sharing"


def test_a_pause_while_asked_moves_the_time_to_answer() -> None:
    meeting = late_meeting(20)
    meeting.call("pause")
    meeting.wait(10 * 60)
    meeting.call("resume")
    late = meeting.state.late
    assert late is not None
    assert late.until == meeting.now + timedelta(minutes=2)  # the chair's two minutes, still
    do(meeting, countdown.decide_late, LateChoice.AS_IS)
    with pytest.raises(NotNow) as settled:
        do(meeting, countdown.decide_late, LateChoice.SKIP)
    assert settled.value.reason is TimeRefusal.NOT_ASKED


ELASTIC = """\
format: 1
name: Elastic
length: 40m
sections:
  - say: Welcome.
    time: 5m
  - share: The floor is open.
  - closing: Thank you for coming.
    time: 10m
"""


def test_an_open_ended_share_late_ends_in_time_for_the_closing() -> None:
    meeting = Meeting(ELASTIC)
    meeting.wait(20 * 60)
    meeting.call("advance")
    (asked,) = meeting.seen(RunningLate)
    assert asked.choices == (LateChoice.AS_IS, LateChoice.SKIP)  # no shorter limit here
    assert asked.room == 10 * 60
    meeting.wait(121)
    assert meeting.seen(PostSection)[-1].ends_at == T0 + timedelta(minutes=30)


# --- Move on -------------------------------------------------------------------------------


def test_the_chair_is_offered_to_move_on_when_time_is_up_mid_share() -> None:
    meeting = Meeting(LATE)
    meeting.call("advance")
    meeting.call("raise_hand", A)
    meeting.wait(36 * 60)  # A shares on past the section's end (at-limit: note)
    step = meeting.state.step
    assert step is not None
    assert meeting.seen(OfferMoveOn) == [OfferMoveOn(1, step.run)]
    assert meeting.panel().sharer == A
    with pytest.raises(NotNow) as stale:
        countdown.move_on(meeting.runner, meeting.state, step.run - 1, meeting.now)
    assert stale.value.reason is TimeRefusal.MOVED_ON
    do(meeting, countdown.move_on, step.run)
    assert titles(meeting)[-1] == "Closing"


# --- placeholders and the deadline shown -------------------------------------------------------

WORDS = """\
format: 1
name: Words
length: 60m
texts:
  intro:
    placeholder: true
    text: "[How your group opens its sharing goes here.]"
sections:
  - say: Welcome.
  - silence:
    text: A moment of quiet.
  - share: intro
  - closing: Thank you for coming.
    starts: end - 5m
"""


def test_a_placeholder_in_a_section_that_runs_is_not_read() -> None:
    meeting = Meeting(WORDS)
    meeting.call("advance")
    meeting.call("advance")
    share = meeting.seen(PostSection)[-1]
    assert (share.title, share.chunks) == ("Sharing", ())
    assert meeting.seen(PlaceholderLeftOut) == [PlaceholderLeftOut(2, "Sharing", whole=False)]


def test_only_a_sections_own_deadline_is_shown() -> None:
    meeting = Meeting(WORDS)
    welcome = meeting.seen(PostSection)[0]
    assert welcome.ends_at is None  # not "until" the closing, 55 minutes away
    meeting.call("advance")
    silence = meeting.seen(PostSection)[-1]
    assert silence.ends_at is None  # an untimed silence: the chair ends it
    meeting.call("advance")
    share = meeting.seen(PostSection)[-1]
    assert share.ends_at == T0 + timedelta(minutes=55)  # sharing fills the time until then


def test_times_are_aware() -> None:
    plan = load_format(COUNTDOWN)
    with pytest.raises(ValueError, match="timezone-aware"):
        countdown.open_meeting(MeetingRunner(plan), datetime(2025, 3, 4, 19), MeetingSetup(1))


ESCALATION = """\
format: 1
name: Escalation
length: 30m
share:
  limit: 3m
  warn: [1m, time, 1m over]
  at-limit: note
sections:
  - share: The floor is open.
    until: end - 5m
  - closing: Thank you for coming.
"""


def test_a_share_past_its_limit_gets_the_formats_gentle_steps_in_order() -> None:
    meeting = Meeting(ESCALATION)
    meeting.call("raise_hand", A)
    meeting.wait(30 * 60)  # A never presses Done
    steps = [
        (round(t - meeting.seen(FloorGiven)[0].limit_at.timestamp() + T0.timestamp()), e)
        for t, e in meeting.seen_at(ChannelEffect)
        if isinstance(e, ShareNote | TimeUp | OfferMoveOn)
    ]
    assert [(t, type(e).__name__) for t, e in steps] == [
        (-60, "ShareNote"),  # a minute left
        (0, "ShareNote"),  # time
        (0, "TimeUp"),  # at-limit: note (already said: nothing more is posted)
        (60, "ShareNote"),  # a minute over
        (25 * 60 - 180, "OfferMoveOn"),  # the section's end: the chair may move on
    ]
    assert meeting.panel().sharer == A  # nobody cut off, and nobody new called
