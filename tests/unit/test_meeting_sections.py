"""Section by section: questions and their branches, readings and readers, the chair's choice
of text, announcement calls, agenda items, role fallbacks, Back, and refusals."""

from __future__ import annotations

import pytest

from bot.core.formats.plan import AtLimit, CrosstalkMode, SectionKind, Who, WhoKind
from bot.core.meeting import MeetingRunner, Status, WaitingFor
from bot.core.meeting.effects import (
    AgendaItemTimeUp,
    AskChair,
    ChooseText,
    ExplainCrosstalk,
    FellowshipBegins,
    FloorFree,
    FloorGiven,
    FloorWaits,
    MeetingError,
    MeetingRefusal,
    OfferReading,
    PostAgendaItem,
    PostAnnouncementCall,
    PostReading,
    PostSection,
    PostText,
    SetChannelRules,
    TimeUp,
)
from tests.unit.test_meeting_harness import CHAIR, MEMBERS, Meeting

A, B, C = MEMBERS[1:4]

SECTIONS = """\
format: 1
name: Sections
length: 60m
roles:
  chair:
    fallback: any-member
  treasurer:
    rotation: term
    term: 6 months
    fallback: skip
  secretary:
    rotation: term
    term: 6 months
    fallback: chair
texts:
  reflection:
    title: Today's reflection
    one-of: [first, second]
    choose: chair
  first:
    title: The first
    text: One.
  second:
    title: The second
    text: Two.
  long:
    title: A long reading
    text: |
      Paragraph one.

      Paragraph two.

      Paragraph three.
sections:
  - read: reflection
    by: chair
  - read: long
    readers: 2
  - announcements: Announcements now.
    calls: ["From the fellowship?", "Anything else?"]
  - business: Our agenda.
    agenda:
      - item: Treasurer's report
        time: 5m
        by: treasurer
      - item: Minutes
        time: 5m
        by: secretary
      - item: New ideas
  - closing: Goodbye.
"""


def speaker_meeting(answer: bool) -> Meeting:
    meeting = Meeting("speaker-meeting", roles={"chair": [CHAIR], "speaker": [B]})
    while meeting.panel().waiting_for is not WaitingFor.ANSWER:
        if meeting.panel().waiting_for is WaitingFor.READER:
            meeting.call("read_by_chair")
        meeting.call("advance")
    meeting.call("answer_question", "speaker-today", answer)
    return meeting


def test_a_yes_runs_the_yes_branch() -> None:
    meeting = speaker_meeting(True)
    assert meeting.seen(AskChair)[-1].question_id == "speaker-today"
    assert meeting.panel().section_kind is SectionKind.SPEAKER
    given = meeting.seen(FloorGiven)[-1]
    assert given.who == B
    assert given.limit_at == meeting.now.replace(minute=meeting.now.minute + 20)
    assert [note.text[:7] for note in given.notes] == ["About 5", "About a", "That's "]
    meeting.call("done", B)  # one share completes a speaker section
    assert meeting.panel().section_title == "Thanks to the speaker"


def test_a_no_runs_the_no_branch() -> None:
    meeting = speaker_meeting(False)
    assert meeting.panel().section_kind is SectionKind.TOPIC
    meeting.call("advance")
    assert meeting.panel().section_kind is SectionKind.ANNOUNCEMENTS


def test_only_the_question_under_way_can_be_answered() -> None:
    meeting = Meeting("open-discussion")
    with pytest.raises(MeetingError) as refused:
        meeting.call("answer_question", "newcomers", True)
    assert refused.value.reason is MeetingRefusal.NO_QUESTION


def test_the_chair_chooses_todays_text() -> None:
    meeting = Meeting(SECTIONS)
    assert meeting.seen(PostSection)[-1].chunks == ()
    assert meeting.seen(ChooseText) == [ChooseText(0, ("The first", "The second"))]
    assert meeting.panel().waiting_for is WaitingFor.CHOICE
    with pytest.raises(MeetingError) as refused:
        meeting.call("choose_text", 2)
    assert refused.value.reason is MeetingRefusal.BAD_OPTION
    meeting.call("choose_text", 1)
    assert meeting.seen(PostText) == [PostText(0, "The second", ("Two.",))]
    with pytest.raises(MeetingError) as again:
        meeting.call("choose_text", 0)
    assert again.value.reason is MeetingRefusal.NO_CHOICE


def test_a_reading_split_among_two_readers() -> None:
    meeting = Meeting(SECTIONS)
    meeting.call("advance")
    assert meeting.seen(OfferReading)[-1] == OfferReading(1, "A long reading", 1, 2)
    meeting.call("take_reading", A)
    with pytest.raises(MeetingError) as twice:
        meeting.call("take_reading", A)
    assert twice.value.reason is MeetingRefusal.ALREADY_READING
    assert meeting.seen(OfferReading)[-1].part == 2
    meeting.call("read_by_chair")
    readings = meeting.seen(PostReading)
    assert [(r.part, r.reader) for r in readings] == [(1, A), (2, None)]
    assert "Paragraph one." in readings[0].chunks[0]
    assert "Paragraph three." in readings[1].chunks[-1]
    with pytest.raises(MeetingError) as over:
        meeting.call("take_reading", B)
    assert over.value.reason is MeetingRefusal.NO_READING


def test_announcements_make_each_call_in_turn() -> None:
    meeting = Meeting(SECTIONS)
    meeting.call("advance")
    meeting.call("advance")
    assert meeting.seen(PostAnnouncementCall) == [
        PostAnnouncementCall(2, 0, ("From the fellowship?",))
    ]
    meeting.call("advance")
    assert meeting.seen(PostAnnouncementCall)[-1].chunks == ("Anything else?",)
    meeting.call("advance")
    assert meeting.panel().section_kind is SectionKind.BUSINESS


def test_agenda_items_follow_role_fallbacks_and_their_time_boxes() -> None:
    meeting = Meeting(SECTIONS)
    for _ in range(4):
        meeting.call("advance")
    items = meeting.seen(PostAgendaItem)
    # No treasurer today, and the role says to skip: the first item is the minutes,
    # presented by the chair because there is no secretary either.
    assert [(i.title, i.leader) for i in items] == [("Minutes", Who(WhoKind.ROLE, "chair"))]
    meeting.wait(301)
    assert meeting.seen(AgendaItemTimeUp) == [AgendaItemTimeUp(3, 1)]
    meeting.call("advance")
    assert meeting.seen(PostAgendaItem)[-1].ends_at is None
    meeting.call("advance")
    assert meeting.panel().section_kind is SectionKind.CLOSING


def test_a_missing_chair_lets_any_member_step_in() -> None:
    meeting = Meeting(SECTIONS, roles={})
    assert meeting.seen(PostSection)[0].leader == Who(WhoKind.VOLUNTEER)
    meeting.call("set_role_holders", "chair", [C])  # someone stepped in
    meeting.call("choose_text", 0)
    meeting.call("advance")
    meeting.call("advance")
    assert meeting.seen(PostSection)[-1].leader == Who(WhoKind.ROLE, "chair")


def test_back_starts_the_previous_section_again() -> None:
    meeting = Meeting(SECTIONS)
    with pytest.raises(MeetingError) as first:
        meeting.call("back")
    assert first.value.reason is MeetingRefusal.NOTHING_BEFORE
    meeting.call("advance")
    meeting.call("back")
    assert [p.index for p in meeting.seen(PostSection)] == [0, 1, 0]
    assert meeting.seen(ChooseText)[-1].index == 0


def test_hand_back_returns_the_floor_to_the_chair() -> None:
    meeting = Meeting("business-meeting")
    while meeting.panel().section_title != "A closing round":
        meeting.call("advance")  # through the agenda, item by item
    assert len(meeting.seen(PostAgendaItem)) == 4  # no treasurer: that report is skipped
    meeting.call("join", A)
    meeting.call("join", B)
    meeting.wait(31)
    assert meeting.seen(TimeUp)[-1].action is AtLimit.HAND_BACK
    assert meeting.seen(FloorFree)[-1].waits_for is FloorWaits.CHAIR
    assert meeting.panel().waiting_for is WaitingFor.CHAIR
    meeting.call("call_next")
    assert meeting.panel().sharer == B


def test_crosstalk_explanations_come_when_the_policy_changes() -> None:
    meeting = Meeting("check-in-check-out")
    meeting.call("advance")
    meeting.call("join", A)
    meeting.call("done", A)  # A is the whole circle: the round is over
    assert meeting.panel().section_title == "Open discussion"
    modes = [e.mode for e in meeting.seen(ExplainCrosstalk)]
    assert modes == [CrosstalkMode.NOT_ALLOWED, CrosstalkMode.ENCOURAGED]
    assert len(meeting.seen(SetChannelRules)) == 1


def test_fellowship_follows_the_close() -> None:
    meeting = Meeting("speaker-meeting")
    meeting.call("end")
    assert meeting.seen(FellowshipBegins) == []  # ended early: no closing, no fellowship
    meeting = Meeting("open-discussion")
    while not meeting.ended:
        if meeting.panel().waiting_for is WaitingFor.ANSWER:
            meeting.call("answer_question", "newcomers", False)
        else:
            meeting.call("advance")
    fellowship = meeting.seen(FellowshipBegins)
    assert len(fellowship) == 1
    assert fellowship[0].mode is CrosstalkMode.ALLOWED


def test_the_wrong_plan_and_an_ended_meeting_are_refused() -> None:
    meeting = Meeting("open-discussion")
    other = MeetingRunner(Meeting("speaker-meeting").plan)
    with pytest.raises(MeetingError) as wrong:
        other.advance(meeting.state, meeting.now)
    assert wrong.value.reason is MeetingRefusal.WRONG_FORMAT
    meeting.call("end")
    assert meeting.state.status is Status.ENDED
    for operation, args in [("advance", ()), ("raise_hand", (A,)), ("resume", ())]:
        with pytest.raises(MeetingError) as ended:
            meeting.call(operation, *args)
        assert ended.value.reason is MeetingRefusal.ENDED


def test_naive_times_are_a_programming_error() -> None:
    meeting = Meeting("open-discussion")
    with pytest.raises(ValueError, match="timezone-aware"):
        meeting.runner.advance(meeting.state, meeting.now.replace(tzinfo=None))


def test_render_values_name_nobody() -> None:
    meeting = Meeting("open-discussion", number=112)
    values = meeting.runner.render_values(meeting.state)
    assert values == {
        "weekday": "Tuesday",
        "date": "4 March",
        "time": "19:00",
        "end_time": "20:00",
        "meeting_number": "112",
        "meeting_length": "60 minutes",
        "share_limit": "3 minutes",
    }


def test_a_speaker_found_on_the_day_gets_the_floor_and_early_hands_wait() -> None:
    meeting = Meeting("speaker-meeting")  # nobody has taken the speaker role yet
    meeting.call("raise_hand", A)  # for the sharing later
    while meeting.panel().waiting_for is not WaitingFor.ANSWER:
        if meeting.panel().waiting_for is WaitingFor.READER:
            meeting.call("read_by_chair")
        meeting.call("advance")
    meeting.call("answer_question", "speaker-today", True)
    assert meeting.seen(PostSection)[-1].leader == Who(WhoKind.VOLUNTEER)
    assert meeting.panel().sharer is None  # A's hand is for later, not for the speaker's slot
    assert meeting.panel().waiting_for is WaitingFor.CHAIR
    meeting.call("set_role_holders", "speaker", [B])
    assert meeting.panel().sharer == B
    meeting.call("done", B)
    meeting.call("advance")  # thanks to the speaker
    meeting.call("advance")  # announcements
    assert meeting.panel().sharer == A


def test_a_chosen_reading_is_then_offered_to_volunteers() -> None:
    meeting = Meeting(
        SECTIONS.replace("  - read: reflection\n    by: chair\n", "  - read: reflection\n")
    )
    meeting.call("choose_text", 0)
    assert meeting.seen(OfferReading) == [OfferReading(0, "Today's reflection", 1, 1)]
    meeting.call("take_reading", A)
    assert meeting.seen(PostReading)[-1].chunks == ("One.",)
