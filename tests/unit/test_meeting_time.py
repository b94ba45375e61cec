"""Meeting time: time boxes, wall-clock anchors, "if time allows", reserved tail segments,
pauses, stale deadlines, and resuming after a restart — all with a fake clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.core.formats import load_format
from bot.core.formats.plan import Order, Sharers
from bot.core.meeting import MeetingRunner, MeetingState, WaitingFor
from bot.core.meeting.effects import (
    ArmMeetingDeadline,
    BellEnd,
    FloorFree,
    FloorGiven,
    FloorWaits,
    HandLowered,
    MeetingDeadlineKind,
    MeetingEnded,
    MeetingError,
    MeetingNote,
    MeetingRefusal,
    Notice,
    NoticeKind,
    PhaseBegins,
    PostSection,
    SectionsSkipped,
    SectionTimeUp,
)
from bot.core.meeting.time_effects import (
    AwaitingStart,
    LateChoice,
    LateDecided,
    OfferMoveOn,
    RunningLate,
)
from tests.unit.test_meeting_harness import CHAIR, MEMBERS, T0, Meeting

A, B, C, D = MEMBERS[1:5]

ANCHORS = """\
format: 1
name: Anchors
length: 60m
share:
  limit: 3m
  warn: [1m, time]
sections:
  - say: Welcome to ${group}.
  - read: A short text for the chair to read.
    time: 2m
  - share: The floor is open.
    order: chair-picks
    until: ":50"
    then:
      - after: 10m
        order: hands
        who-shares: not-yet-shared
  - say: Announcements.
  - closing: Thank you for coming.
    starts: end - 5m
"""


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return T0.replace(hour=hour, minute=minute, second=second)


def titles(meeting: Meeting) -> list[str]:
    return [post.title for post in meeting.seen(PostSection)]


def to_sharing(meeting: Meeting) -> None:
    meeting.call("advance")
    meeting.call("advance")
    assert meeting.panel().section_index == 2


# --- time boxes and anchors ------------------------------------------------------------------


def test_a_time_box_on_a_reading_only_tells_the_chair() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 20))
    meeting.call("advance")
    meeting.wait(125)
    assert meeting.seen(SectionTimeUp) == [SectionTimeUp(1, moving_on=False)]
    assert meeting.panel().section_index == 1  # the chair moves on when the reading is done


def test_a_wall_clock_anchor_ends_sharing_after_the_current_share() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 20))
    to_sharing(meeting)
    assert meeting.seen(PostSection)[-1].ends_at == at(19, 50)
    meeting.wait(28 * 60)  # 19:48:00
    meeting.call("raise_hand", A)
    meeting.call("raise_hand", B)
    meeting.call("pick", A)
    meeting.wait(150)  # 19:50:30 — the anchor passed while A shares
    step = meeting.state.step
    assert step is not None
    assert meeting.seen(OfferMoveOn)[-1] == OfferMoveOn(2, step.run)  # the chair may move on
    assert meeting.panel().sharer == A
    meeting.call("done", A)
    assert meeting.panel().section_index == 3  # B is not called: the section is over
    assert B not in [g.who for g in meeting.seen(FloorGiven)]


def test_a_clock_anchor_is_the_next_time_the_clock_shows_that_minute() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 50, 30))
    to_sharing(meeting)
    # ":50" would be 20:50, but the closing must start 5 minutes before the end (20:45:30).
    assert meeting.seen(PostSection)[-1].ends_at == at(20, 45, 30)


def test_a_later_sections_start_anchor_moves_the_meeting_there() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 50, 30))
    to_sharing(meeting)
    meeting.call("raise_hand", A)
    meeting.call("pick", A)
    meeting.wait(55 * 60)  # past 20:45:30; A is still sharing (their note said "time")
    assert meeting.panel().sharer == A
    meeting.call("done", A)
    assert meeting.seen(SectionsSkipped) == [SectionsSkipped((3,))]
    assert titles(meeting)[-1] == "Closing"


def test_an_anchor_already_passed_skips_straight_to_it() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 20))
    meeting.wait(56 * 60)  # the chair forgot to press Next for a long time
    assert meeting.seen(SectionTimeUp) == [SectionTimeUp(0, moving_on=True)]
    assert meeting.seen(SectionsSkipped) == [SectionsSkipped((1, 2, 3))]
    assert titles(meeting) == ["From the chair", "Closing"]


def test_turn_taking_changes_inside_the_section() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 20))
    to_sharing(meeting)
    assert meeting.seen(FloorFree)[-1].waits_for is FloorWaits.HANDS  # nobody waits yet
    for who in (A, B, C):
        meeting.call("raise_hand", who)
    assert meeting.panel().waiting_for is WaitingFor.CHAIR  # the chair calls on people
    assert meeting.panel().sharer is None
    meeting.call("pick", B)
    meeting.wait(60)
    meeting.call("done", B)
    meeting.call("raise_hand", B)
    assert meeting.panel().sharer is None  # still the chair's call
    meeting.wait(10 * 60)
    assert meeting.seen(PhaseBegins) == [PhaseBegins(2, 1, Order.HANDS, Sharers.NOT_YET_SHARED)]
    assert meeting.seen(HandLowered)[-1].who == B  # B shared already: this part is for others
    assert meeting.panel().sharer == A  # hands now move by themselves
    with pytest.raises(MeetingError) as refused:
        meeting.call("raise_hand", B)
    assert refused.value.reason is MeetingRefusal.ONLY_NOT_YET_SHARED


def test_the_reserved_tail_is_for_those_who_have_not_shared() -> None:
    meeting = Meeting("open-discussion")
    while meeting.panel().section_title != "Sharing":
        if meeting.panel().waiting_for is WaitingFor.ANSWER:
            meeting.call("answer_question", "newcomers", False)
        else:
            meeting.call("advance")
    meeting.call("raise_hand", A)
    meeting.call("done", A)
    meeting.call("raise_hand", B)
    meeting.call("raise_hand", A)  # a second share, later
    meeting.wait(60)
    meeting.call("done", B)
    assert meeting.panel().sharer == A
    meeting.call("done", A)
    meeting.wait(50 * 60)  # 19:51: the last ten minutes
    assert meeting.seen(MeetingNote)[-1].text.startswith("Ten minutes left")
    assert meeting.panel().section_title == "Time for those who haven't shared"
    with pytest.raises(MeetingError) as refused:
        meeting.call("raise_hand", A)
    assert refused.value.reason is MeetingRefusal.ONLY_NOT_YET_SHARED
    meeting.call("raise_hand", C)
    assert meeting.panel().sharer == C
    meeting.call("done", C)
    meeting.wait(6 * 60)  # 19:57: the tail ends
    assert meeting.panel().section_title == "Collection"


def test_if_time_allows_runs_the_second_round_only_with_time_left() -> None:
    on_time = Meeting("peer-support-circle")
    late = Meeting("peer-support-circle")
    for meeting in (on_time, late):
        meeting.call("advance")
        meeting.call("advance")  # introductions
        meeting.call("advance")  # first round
        meeting.call("join", A)
        assert meeting.panel().sharer == A
    on_time.call("done", A)  # the round is complete at 19:00
    assert on_time.panel().section_title == "Second round"
    late.call("extend", 60 * 60)
    late.call("extend", 10 * 60)  # A shares until 20:15: 15 minutes left, not 20
    late.wait(75 * 60)
    late.call("done", A)
    assert late.panel().section_title == "Closing"


def test_quiet_sections_end_with_their_bell() -> None:
    meeting = Meeting("meditation-and-sharing", roles={"chair": [CHAIR]})
    meeting.call("advance")
    meeting.wait(120)
    assert meeting.panel().section_title == "Meditation"  # the guide's fallback: the host
    meeting.wait(20 * 60)
    assert meeting.seen(BellEnd)[-1] == BellEnd(2, bell=True)
    assert meeting.panel().section_title == "Today's reflection"


# --- pauses ----------------------------------------------------------------------------------


def test_a_pause_moves_share_and_box_clocks_but_not_anchors() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 20))
    to_sharing(meeting)
    meeting.call("raise_hand", A)
    meeting.call("pick", A)
    limit = meeting.panel().share_ends_at
    assert limit is not None
    meeting.wait(60)
    meeting.call("pause")
    assert meeting.armed == {}
    with pytest.raises(MeetingError) as paused:
        meeting.call("advance")
    assert paused.value.reason is MeetingRefusal.PAUSED
    meeting.call("raise_hand", B)
    meeting.wait(5 * 60)
    meeting.call("done", A)
    meeting.call("pick", B)
    assert meeting.panel().sharer is None  # nobody new gets the floor during a pause
    meeting.call("resume")
    assert meeting.seen(Notice)[-2:] == [Notice(NoticeKind.PAUSED), Notice(NoticeKind.RESUMED)]
    assert meeting.panel().sharer == B
    assert meeting.panel().section_ends_at == at(19, 50)  # the anchor did not move


def test_a_pause_during_a_share_keeps_the_time_left() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 20))
    to_sharing(meeting)
    meeting.call("raise_hand", A)
    meeting.call("pick", A)
    meeting.wait(60)
    before = meeting.panel().share_seconds_left
    meeting.call("pause")
    meeting.wait(300)
    meeting.call("resume")
    assert meeting.panel().share_seconds_left == before == 120


# --- stale and early deadlines ---------------------------------------------------------------


def test_stale_timers_are_ignored() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 20))
    to_sharing(meeting)
    meeting.call("raise_hand", A)
    meeting.call("pick", A)
    old_share = [key for key in meeting.armed if key[0] is MeetingDeadlineKind.SHARE_NOTE]
    old_section = [key for key in meeting.armed if key[0] is MeetingDeadlineKind.SECTION]
    assert old_share
    assert old_section
    meeting.call("done", A)
    meeting.call("advance")
    meeting.wait(24 * 60)  # past every old deadline
    stored = meeting.stored
    for kind, key in [
        *old_share,
        *old_section,
        ("no-such-kind", "x"),
        (MeetingDeadlineKind.PHASE, "zz"),
    ]:
        assert meeting.fire(kind, key) == ()
    assert meeting.stored == stored


def test_an_early_timer_is_armed_again() -> None:
    meeting = Meeting("open-discussion")
    (kind, key), due = next(iter(meeting.armed.items()))
    stored = meeting.stored
    assert meeting.fire(kind, key) == (ArmMeetingDeadline(kind, key, due),)
    assert meeting.stored == stored


def test_timers_of_an_ended_meeting_are_ignored() -> None:
    meeting = Meeting("open-discussion")
    armed = list(meeting.armed)
    meeting.call("end")
    meeting.wait(3600)
    for kind, key in armed:
        assert meeting.fire(kind, key) == ()


# --- restarts --------------------------------------------------------------------------------


def test_a_restart_mid_share_resumes_the_floor_queue_and_time() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 20))
    to_sharing(meeting)
    for who in (A, B, C):
        meeting.call("raise_hand", who)
    meeting.call("pick", B)
    meeting.wait(70)
    before = meeting.panel()
    stored, armed = meeting.stored, dict(meeting.armed)

    # A new process: a freshly loaded plan, the state from its JSON, the clock moved on.
    runner = MeetingRunner(load_format(ANCHORS))
    state = MeetingState.from_json(stored)
    now = meeting.now + timedelta(seconds=20)
    same, effects = runner.resumed_after_restart(state, now)
    assert same == state
    assert {(e.kind, e.key): e.at for e in effects if isinstance(e, ArmMeetingDeadline)} == armed
    assert Notice(NoticeKind.RESUMED_AFTER_RESTART) in effects
    after = runner.describe(state, now)
    assert (after.sharer, after.waiting) == (B, (A, C))
    assert after.share_ends_at == before.share_ends_at
    assert after.share_seconds_left == (before.share_seconds_left or 0) - 20


# --- counting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "members", "counted"),
    [(5, 3, False), (14, 3, False), (15, 3, True), (40, 3, True), (40, 2, False), (40, 1, False)],
)
def test_a_meeting_counts_after_15_minutes_with_three_members(
    minutes: int, members: int, counted: bool
) -> None:
    meeting = Meeting("open-discussion")
    meeting.took_part |= set(MEMBERS[:members])
    meeting.wait(minutes * 60)
    meeting.call("end")
    assert meeting.seen(MeetingEnded) == [
        MeetingEnded(counted, reached_closing=False, too_short=minutes < 15, too_few=members < 3)
    ]


def test_reaching_the_closing_early_is_not_enough_to_count() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 20))
    meeting.took_part |= set(MEMBERS[:3])
    for _ in range(4):
        meeting.call("advance")
    assert meeting.seen(AwaitingStart)[-1].at == at(20, 15)  # it never starts early …
    meeting.call("advance")  # … unless the chair goes on
    assert titles(meeting)[-1] == "Closing"
    meeting.call("advance")
    assert meeting.seen(MeetingEnded) == [
        MeetingEnded(counted=False, reached_closing=True, too_short=True)
    ]


def test_going_back_after_an_anchor_is_not_cut_short() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 20))
    to_sharing(meeting)
    meeting.wait(31 * 60)  # 19:51: past ":50", nobody sharing: on to the announcements
    assert meeting.panel().section_index == 3
    meeting.call("back")  # the chair wants one more share
    assert meeting.panel().section_index == 2
    assert meeting.panel().section_ends_at == at(20, 15)  # only the closing's start limits it


def test_moving_forward_past_an_until_that_has_passed_skips_that_section() -> None:
    meeting = Meeting(ANCHORS, start=at(19, 20))
    to_sharing(meeting)
    meeting.wait(31 * 60)  # 19:51: on to the announcements
    meeting.call("back")
    meeting.call("back")  # the reading, again
    meeting.call("advance")  # sharing ended at :50: there is no time left for it
    asked = meeting.seen(RunningLate)[-1]  # the chair is asked before it is dropped
    assert (asked.index, asked.room, asked.choices) == (2, 0, (LateChoice.SKIP, LateChoice.AS_IS))
    assert meeting.panel().section_index is None
    meeting.wait(121)  # no answer: the proposal holds
    assert meeting.seen(LateDecided)[-1].choice is LateChoice.SKIP
    assert meeting.seen(LateDecided)[-1].by_default
    assert meeting.panel().section_index == 3
