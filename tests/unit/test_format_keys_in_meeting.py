"""Keys of the format language at work in a meeting (the core replayed step by step with a fake
clock), with the words a member then reads: `starts-at`, `time-left-notes`, `keep-lines`,
`recite`, `reply-limit`, `breakout`, `topic`/`chosen-by`, `milestones` and `private-requests`.
Each test fails without its key's effect (formats/README.md, "Every key …")."""

from __future__ import annotations

from datetime import timedelta

from bot.adapters import meeting_words as words
from bot.adapters.meeting_time import section_prompts
from bot.core.formats.plan import SectionKind, WhoKind
from bot.core.meeting.effects import ExplainCrosstalk, MeetingNote, PostSection
from bot.core.meeting.time_effects import CountdownBegins
from bot.i18n import render
from bot.runtime.meetings.requests import Chooser
from tests.unit.test_meeting_harness import CHAIR, MEMBERS, T0, Meeting
from tests.unit.test_meeting_waits import Timed


def fmt(top: str, sections: str) -> str:
    return f"format: 1\nname: Keys\n{top}sections:\n{sections}  - closing: Thank you.\n"


def posted(meeting: Meeting, kind: SectionKind) -> PostSection:
    return next(p for p in meeting.seen(PostSection) if p.kind is kind)


# --- starts-at --------------------------------------------------------------------------------

STARTS_AT = fmt("length: 60m\nstarts-at: 19:30\n", "  - say: Welcome, everyone.\n")


def test_a_meeting_opened_before_its_starts_at_begins_at_that_time() -> None:
    early = Timed(STARTS_AT, start=T0)  # opened at 19:00 for 19:30
    (countdown,) = early.seen(CountdownBegins)
    assert countdown.begins_at == T0 + timedelta(minutes=30)
    assert early.seen(PostSection) == []
    said = words.countdown_words(countdown.begins_at, [], readings=False)
    assert said.startswith(f"We'll begin <t:{int(countdown.begins_at.timestamp())}:R>")
    early.wait(29 * 60)
    assert early.seen(PostSection) == []  # never early
    early.wait(60)
    assert [p.title for p in early.seen(PostSection)] == ["From the chair"]
    assert early.state.started_at == T0 + timedelta(minutes=30)
    assert early.state.planned_end == T0 + timedelta(minutes=90)

    # Opened after the time, or long before it: at once, as without the key.
    for opened in (T0 + timedelta(minutes=35), T0 - timedelta(hours=2)):
        at_once = Timed(STARTS_AT, start=opened)
        assert at_once.seen(CountdownBegins) == []
        assert at_once.state.started_at == opened
    # Without `starts-at:`, a meeting opened at 19:00 begins at 19:00.
    plain = Timed(STARTS_AT.replace("starts-at: 19:30\n", ""), start=T0)
    assert plain.state.started_at == T0


# --- time-left-notes, left --------------------------------------------------------------------

NOTES = fmt(
    "length: 30m\ntime-left-notes:\n  - 10m\n  - left: 5m\n"
    "    say: Five minutes left. We'll move to the closing soon.\n",
    "  - share: The floor is open.\n",
)


def test_time_left_notes_come_at_the_time_left() -> None:
    meeting = Meeting(NOTES)
    meeting.wait(29 * 60)
    notes = [(minutes / 60, note.text) for minutes, note in meeting.seen_at(MeetingNote)]
    assert notes == [
        (20.0, "About 10 minutes left in our meeting."),
        (25.0, "Five minutes left. We'll move to the closing soon."),
    ]


# --- keep-lines and recite --------------------------------------------------------------------

POEM = """\
texts:
  a-short-poem:
    keep-lines: true
    text: |
      Here we sit,
      and here we listen.
  a-paragraph:
    text: |
      Here we sit,
      and here we listen.
"""
SAID = fmt(
    f"length: 30m\n{POEM}",
    "  - read: a-short-poem\n    by: chair\n    offer: false\n"
    "  - read: a-paragraph\n    by: chair\n    offer: false\n"
    "  - recite: a-short-poem\n",
)


def test_keep_lines_keeps_a_poems_line_breaks_when_it_is_read() -> None:
    meeting = Meeting(SAID)
    poem = posted(meeting, SectionKind.READ)
    assert poem.chunks == ("Here we sit,\nand here we listen.",)
    meeting.call("advance")
    prose = [p for p in meeting.seen(PostSection) if p.kind is SectionKind.READ][-1]
    assert prose.chunks == ("Here we sit, and here we listen.",)  # lines joined, as in an email


def test_recite_is_said_all_together_in_the_room() -> None:
    meeting = Meeting(SAID)
    meeting.call("advance")
    meeting.call("advance")
    recite = posted(meeting, SectionKind.RECITE)
    assert recite.leader.kind is WhoKind.EVERYONE
    assert recite.chunks == ("Here we sit,\nand here we listen.",)
    heading, job = words.section_begins(
        meeting.plan, recite, lambda role: meeting.state.holders(role), "Robin"
    )
    assert heading == "**A short poem** — all together"  # not "— with Robin"
    assert job is None


# --- reply-limit ------------------------------------------------------------------------------


def test_a_reply_limit_is_named_when_responses_begin() -> None:
    share = (
        "  - share: The floor is open.\n    time: 10m\n"
        "    crosstalk:\n      policy: encouraged\n      reply-limit: 1m\n"
    )
    meeting = Meeting(fmt("length: 30m\n", share))
    (explained,) = meeting.seen(ExplainCrosstalk)
    assert explained.chunks == (
        "From here on, responses are welcome. Please keep each to about 1 minute so everyone "
        "has room.",
    )
    without = Meeting(fmt("length: 30m\n", share.replace("      reply-limit: 1m\n", "")))
    assert "about 1 minute" not in without.seen(ExplainCrosstalk)[0].chunks[0]


# --- breakout, topic, milestones, private-requests: what the room is told ---------------------

ROOM = fmt(
    "length: 60m\nroles:\n  secretary:\n    title: Secretary\n",
    "  - topic: Let's choose a topic.\n    chosen-by: secretary\n"
    "  - topic: Any ideas?\n    chosen-by: everyone\n"
    "  - milestones: Is anyone celebrating a milestone today?\n"
    "  - breakout: We'll split into small groups.\n    group-size: 3\n    time: 15m\n"
    "  - introductions: Let's say our first names.\n"
    "  - check-in: How are you arriving?\n    private-requests: false\n",
)


def prompts(meeting: Meeting) -> list[tuple[str, list[str]]]:
    post = meeting.seen(PostSection)[-1]
    return [
        (said, [f"{action}:{label}" for action, _, label, _ in specs])
        for said, specs in section_prompts(meeting.plan, meeting.state, post)
    ]


def test_each_part_says_how_members_take_part_and_nothing_untrue() -> None:
    meeting = Meeting(ROOM, roles={"chair": [], "secretary": []})
    # Nobody is secretary today: the chair chooses.
    assert prompts(meeting) == [
        (
            "When the chair is ready, **Choose the topic** posts it here.",
            ["topic:Choose the topic"],
        )
    ]
    secretary = Meeting(ROOM, roles={"chair": [CHAIR], "secretary": [MEMBERS[1]]})
    assert (
        prompts(secretary)[0][0]
        == "When our secretary is ready, **Choose the topic** posts it here."
    )
    meeting.call("advance")
    assert prompts(meeting) == [
        (
            "Anyone may suggest a topic: press **Suggest a topic** and it's posted here, "
            "without your name.",
            ["topic:Suggest a topic"],
        )
    ]
    meeting.call("advance")
    milestone = render("en", words.MILESTONE_PROMPT)
    assert prompts(meeting) == [(milestone, ["milestone:Mark a milestone"])]
    assert "without your name" in milestone
    meeting.call("advance")
    ((said, buttons),) = prompts(meeting)
    ends = meeting.seen(PostSection)[-1].ends_at
    assert ends == meeting.now + timedelta(minutes=15)
    assert said == (
        "Discord doesn't let me open breakout rooms, so I haven't split anyone up. Groups of "
        f"about 3 can meet in the server's voice channels or threads and come back here "
        f"<t:{int(ends.timestamp())}:R> — or we can stay together and take this time as a pause."
    )
    assert buttons == []
    meeting.call("advance")  # introductions: private requests are on by default
    ask = render("en", words.ASK_PROMPT)
    assert prompts(meeting) == [(ask, ["ask:Tell the chair privately"])]
    meeting.call("advance")  # `private-requests: false`
    assert prompts(meeting) == []


def test_the_words_a_request_becomes() -> None:
    assert words.topic_words("gratitude", Chooser("secretary")) == (
        "**Today's topic**, chosen by our secretary: gratitude"
    )
    assert words.topic_words("gratitude", Chooser()) == (
        "**Today's topic**, chosen by the chair: gratitude"
    )
    assert words.topic_words("gratitude", Chooser("secretary"), locale="es") == (
        "**El tema de hoy**, elegido por quien hace de secretary: gratitude"
    )
    assert words.topic_words("gratitude", None) == "**A topic suggested:** gratitude"
    assert words.milestone_words("one year") == (
        "🎉 A member is celebrating a milestone today: one year. Congratulations — we're so "
        "glad you're here."
    )
    assert words.milestone_words("").startswith("🎉 A member is celebrating a milestone today.")
    note = words.chair_request_words("Please call on me.", "Sharing", 42)
    assert note.endswith("nobody else has seen them:\n> Please call on me.")
    assert "<#42>" in note
