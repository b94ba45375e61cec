"""Promises that hold, in the core: a meeting counts only when it really happened (long enough,
and enough different members took part), and the chair is asked before anyone takes over."""

from __future__ import annotations

import pytest

from bot.core.formats import FormatError, load_format
from bot.core.meeting import MeetingRunner, MeetingState
from bot.core.meeting.effects import (
    ChairAsked,
    ChairHandedOver,
    ChairStays,
    ChairTakenBack,
    MeetingDeadlineKind,
    MeetingEnded,
    MeetingError,
    MeetingRefusal,
)
from tests.unit.test_meeting_harness import CHAIR, MEMBERS, Meeting

HELPER, OTHER = MEMBERS[1], MEMBERS[2]
CHECK = (MeetingDeadlineKind.CHAIR_CHECK, "chair")

SMALL = """\
format: 1
name: Small circle
length: 30m
{counts}
sections:
  - say: Welcome.
  - share: Sharing.
  - closing: Thank you.
"""


def alone_to_the_end(meeting: Meeting, *, minutes_each: int = 1) -> None:
    for _ in range(10):
        if meeting.ended:
            return
        meeting.wait(minutes_each * 60)
        meeting.call("advance")


# --- counting ---------------------------------------------------------------------------------


def test_one_member_alone_pressing_next_to_the_end_does_not_count() -> None:
    meeting = Meeting("open-discussion")
    alone_to_the_end(meeting, minutes_each=5)
    assert meeting.minutes >= 15
    (ended,) = meeting.seen(MeetingEnded)
    assert ended.reached_closing
    assert (ended.counted, ended.too_short, ended.too_few) == (False, False, True)


def test_three_members_for_fourteen_minutes_do_not_count_fifteen_do() -> None:
    short = Meeting("open-discussion")
    short.took_part |= {HELPER, OTHER}
    short.wait(14 * 60)
    short.call("end")
    assert short.seen(MeetingEnded)[0].too_short

    full = Meeting("open-discussion")
    full.call("raise_hand", HELPER)  # refused or not, an action by a member counts them
    full.took_part.add(OTHER)
    full.wait(15 * 60)
    full.call("end")
    assert full.seen(MeetingEnded) == [MeetingEnded(counted=True, reached_closing=False)]


def test_the_number_of_members_is_all_the_state_keeps() -> None:
    meeting = Meeting("open-discussion")
    meeting.took_part |= {HELPER, OTHER}
    meeting.wait(60)
    meeting.call("advance")
    assert meeting.state.participants == 3
    assert HELPER not in meeting.stored
    assert OTHER not in meeting.stored
    # The runtime never hands in a smaller number (a restart starts its count from zero).
    assert meeting.runner.with_participants(meeting.state, 1).participants == 3


def test_the_format_sets_the_thresholds() -> None:
    plan = load_format(SMALL.format(counts="counts: {minutes: 5, members: 2}"))
    assert (plan.counts.seconds, plan.counts.members) == (300, 2)
    meeting = Meeting(plan)
    meeting.took_part.add(HELPER)
    alone_to_the_end(meeting, minutes_each=2)
    assert meeting.seen(MeetingEnded)[0].counted
    # A format shorter than 15 minutes counts after its whole length by default.
    assert load_format(SMALL.format(counts="").replace("30m", "10m")).counts.seconds == 600


@pytest.mark.parametrize(
    ("counts", "line"),
    [
        ("counts: {minutes: 45}", 4),  # longer than the meeting
        ("counts:\n  members: 1", 5),  # one person alone never makes a meeting
        ("counts:\n  minutes: 2", 5),
        ("counts:\n  people: 3", 5),
    ],
)
def test_wrong_thresholds_are_explained_on_their_line(counts: str, line: int) -> None:
    with pytest.raises(FormatError) as raised:
        load_format(SMALL.format(counts=counts))
    assert f"format.yaml:{line}:" in str(raised.value)


# --- the chair, away or back ------------------------------------------------------------------


def test_the_chair_is_asked_first_and_keeps_the_chair_by_answering() -> None:
    meeting = Meeting("open-discussion")
    meeting.call("ask_chair", HELPER)
    assert meeting.seen(ChairAsked)[0].chairs == (CHAIR,)
    assert CHECK in meeting.armed  # a durable deadline, a minute away
    with pytest.raises(MeetingError) as twice:
        meeting.call("ask_chair", OTHER)
    assert twice.value.reason is MeetingRefusal.CHAIR_ASKED
    meeting.wait(30)
    meeting.call("chair_here")
    assert meeting.seen(ChairStays) == [ChairStays((CHAIR,), HELPER)]
    assert CHECK not in meeting.armed
    meeting.wait(60)
    assert meeting.state.chairs == (CHAIR,)
    assert meeting.fire(*CHECK) == ()  # a stale deadline changes nothing


def test_with_no_answer_the_member_who_offered_chairs_and_the_chair_can_come_back() -> None:
    meeting = Meeting("open-discussion")
    meeting.call("ask_chair", HELPER)
    meeting.wait(59)
    assert meeting.state.chairs == (CHAIR,)
    meeting.wait(2)
    assert meeting.seen(ChairHandedOver) == [ChairHandedOver(HELPER, (CHAIR,))]
    assert meeting.state.chairs == (HELPER,)
    with pytest.raises(MeetingError) as refused:
        meeting.call("take_chair_back", OTHER)
    assert refused.value.reason is MeetingRefusal.NOT_STOOD_IN_FOR
    meeting.call("take_chair_back", CHAIR)
    assert meeting.seen(ChairTakenBack) == [ChairTakenBack(CHAIR, (HELPER,))]
    assert meeting.state.chairs == (CHAIR,)
    assert meeting.state.stood_in_for == ()


def test_the_question_survives_a_restart() -> None:
    meeting = Meeting("open-discussion")
    meeting.call("ask_chair", HELPER)
    state = MeetingState.from_json(meeting.stored)  # a new process
    runner = MeetingRunner(meeting.plan)
    _, effects = runner.resumed_after_restart(state, meeting.now)
    assert any(getattr(e, "kind", None) is CHECK[0] for e in effects)
    meeting.wait(61)
    assert meeting.state.chairs == (HELPER,)


def test_a_member_who_leaves_withdraws_their_offer() -> None:
    meeting = Meeting("open-discussion")
    meeting.call("ask_chair", HELPER)
    meeting.call("leave", HELPER)
    assert meeting.state.chair_check is None
    meeting.wait(120)
    assert meeting.state.chairs == (CHAIR,)


def test_nobody_is_asked_when_nobody_chairs_and_the_end_forgets_it_all() -> None:
    meeting = Meeting("open-discussion", roles={})
    with pytest.raises(MeetingError) as refused:
        meeting.call("ask_chair", HELPER)
    assert refused.value.reason is MeetingRefusal.NO_CHAIR_TO_ASK
    other = Meeting("open-discussion")
    other.call("ask_chair", HELPER)
    other.wait(61)
    other.call("end")
    assert other.state.chair_check is None
    assert other.state.stood_in_for == ()
    assert CHAIR not in other.stored
    assert HELPER not in other.stored
