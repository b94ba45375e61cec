"""Whole meetings replayed in the core with a fake clock: every built-in format, start to end.

Six pseudonymous members; the first is the chair of the day. Readings are offered and taken,
hands are raised, shares are timed with their warnings, someone passes, the chair answers the
questions, the closing is posted, and the meeting counts (it ran over 15 minutes, and more
than three members took part).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.formats import builtin_formats
from bot.core.formats.plan import Order, SectionKind, Sharers
from bot.core.meeting import WaitingFor
from bot.core.meeting.effects import (
    AskChair,
    BellEnd,
    BellStart,
    EndedBy,
    FloorEnded,
    FloorGiven,
    MeetingEnded,
    MeetingError,
    MeetingRefusal,
    OfferReading,
    PostReading,
    PostSection,
    ShareNote,
    TimeUp,
)
from bot.core.meeting.time_effects import PlaceholderLeftOut
from tests.unit.test_meeting_harness import CHAIR, MEMBERS, Meeting

SHARERS = MEMBERS[1:]


def share_through(meeting: Meeting, answers: dict[str, bool]) -> None:
    """Run the sharing section under way: everyone raises a hand (or joins the round); the first
    sharer of the meeting runs over the limit, the second passes, the others share briefly."""
    state = meeting.state
    assert state.step is not None
    run = state.step.run
    section = meeting.section()
    assert section is not None
    assert section.sharing is not None
    for who in SHARERS:
        member = meeting.state.floor.member(who)
        if section.sharing.phases[0].sharers is Sharers.NOT_YET_SHARED and member and member.shares:
            continue  # this part is for those who have not shared
        meeting.call("raise_hand", who, first_time=who == SHARERS[-1])
    for _ in range(40):
        step = meeting.state.step
        if meeting.ended or step is None or step.run != run:
            return
        panel = meeting.panel()
        holder = panel.sharer
        if holder is None:
            if panel.waiting and panel.waiting_for is WaitingFor.CHAIR:
                meeting.call("call_next")
            else:
                meeting.wait(20)
                meeting.call("advance")
            continue
        if not meeting.seen(TimeUp) and panel.share_ends_at is not None:
            limit = section.sharing.timer
            meeting.wait(panel.share_seconds_left or 0)
            meeting.wait(limit.grace_seconds + 1)
        elif not any(e.why is EndedBy.PASSED for e in meeting.seen(FloorEnded)):
            if meeting.runner.plan.sections[step.index].sharing is not None and any(
                p.pass_allowed for p in section.sharing.phases
            ):
                meeting.call("pass_turn", holder)
                continue
            meeting.wait(30)
        else:
            meeting.wait(30)
        if meeting.panel().sharer == holder:
            meeting.call("done", holder)
    raise AssertionError("the sharing section never ended")


def drive(meeting: Meeting, answers: dict[str, bool] | None = None) -> None:
    """Play the chair and the members through the whole meeting."""
    answers = answers or {}
    for _ in range(200):
        if meeting.ended:
            return
        section = meeting.section()
        assert section is not None
        waiting_for = meeting.panel().waiting_for
        if waiting_for is WaitingFor.CHOICE:
            meeting.call("choose_text", 0)
        elif waiting_for is WaitingFor.ANSWER:
            assert section.question is not None
            meeting.call("answer_question", section.question.id, answers.get("default", True))
        elif waiting_for is WaitingFor.READER:
            readers = len(meeting.state.step.readers) if meeting.state.step else 0
            meeting.call("take_reading", SHARERS[readers % len(SHARERS)])
            meeting.wait(45)
        elif section.sharing is not None:
            share_through(meeting, answers)
        elif section.quiet is not None and section.quiet.length_seconds:
            meeting.wait(section.quiet.length_seconds)
        else:
            meeting.wait(30)
            if section.kind is SectionKind.CLOSING and meeting.minutes < 16:
                meeting.wait((16 - meeting.minutes) * 60)  # no hurry: a meeting that counts
            meeting.call("advance")
    raise AssertionError("the meeting never ended")


@pytest.mark.parametrize("format_id", sorted(builtin_formats()))
def test_every_builtin_format_runs_from_start_to_end(format_id: str) -> None:
    meeting = Meeting(
        format_id,
        roles={"chair": [CHAIR], "speaker": [MEMBERS[2]], "meditation-guide": [MEMBERS[3]]},
    )
    plan = meeting.plan
    drive(meeting)

    ended = meeting.seen(MeetingEnded)
    assert ended == [MeetingEnded(counted=True, reached_closing=True)]
    kinds = [post.kind for post in meeting.seen(PostSection)]
    assert kinds[-1] is SectionKind.CLOSING
    timed = [s for s in plan.sections if s.sharing and s.sharing.timer.warnings]
    if timed:
        assert meeting.seen(FloorGiven)
        assert meeting.seen(ShareNote), "a share ran over and was given its warnings"
    if any(s.sharing and any(p.pass_allowed for p in s.sharing.phases) for s in plan.sections):
        assert any(end.why is EndedBy.PASSED for end in meeting.seen(FloorEnded))
    if any(s.reading and s.reading.offer and s.condition is None for s in plan.sections):
        assert meeting.seen(OfferReading)
        assert any(post.reader in SHARERS for post in meeting.seen(PostReading))
    if any(s.question for s in plan.sections):
        assert meeting.seen(AskChair)
    if any(s.quiet and s.quiet.bell_at_start for s in plan.sections):
        assert any(bell.bell for bell in meeting.seen(BellStart))
        assert any(bell.bell for bell in meeting.seen(BellEnd))
    # Nothing about the members survives the meeting.
    stored = meeting.stored
    assert all(member not in stored for member in MEMBERS)
    assert meeting.armed == {}


def test_open_discussion_in_detail() -> None:
    meeting = Meeting("open-discussion")
    posts = meeting.seen(PostSection)
    assert [p.title for p in posts] == ["Welcome"]
    meeting.wait(20)
    meeting.call("advance")  # a moment of silence, 30 seconds, without bells
    assert meeting.seen(BellStart)[-1].bell is False
    meeting.wait(30)  # ends by itself
    assert meeting.seen(BellEnd)
    # "Our group's reading" is still the format's placeholder: never read aloud; the chair
    # is told privately.
    assert meeting.seen(PlaceholderLeftOut) == [
        PlaceholderLeftOut(2, "Our group's reading", whole=True)
    ]
    assert meeting.seen(OfferReading)[-1].title == "How we share"
    meeting.call("take_reading", MEMBERS[4])
    assert meeting.seen(PostReading)[-1].reader == MEMBERS[4]
    with pytest.raises(MeetingError) as taken:
        meeting.call("take_reading", MEMBERS[5])
    assert taken.value.reason is MeetingRefusal.NO_READING
    meeting.call("advance")
    meeting.call("raise_hand", MEMBERS[1])  # early: kept for when sharing opens
    meeting.call("answer_question", "newcomers", True)
    assert meeting.seen(PostSection)[-1].title == "A welcome to newcomers"
    meeting.call("raise_hand", MEMBERS[5], first_time=True)
    meeting.call("advance")
    meeting.call("advance")  # announcements -> sharing
    given = meeting.seen(FloorGiven)
    assert [g.who for g in given] == [MEMBERS[5]]  # the first-timer goes first
    assert given[0].limit_at == meeting.now + timedelta(minutes=3)
    assert meeting.panel().waiting == (MEMBERS[1],)
    meeting.wait(200)
    notes = [n.text for n in meeting.seen(ShareNote)]
    assert notes == [
        "About a minute left — no rush, just so you know.",
        "That's time — thank you. Take a moment to finish your thought.",
    ]
    meeting.wait(15)  # the 30-second grace ends: the time note was said, nothing more
    assert meeting.seen(TimeUp)[-1].said is True
    meeting.call("done", MEMBERS[5])
    assert meeting.panel().sharer == MEMBERS[1]
    assert meeting.panel().section_kind is SectionKind.SHARE
    assert meeting.panel().order is Order.HANDS
