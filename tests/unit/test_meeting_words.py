"""The words a member sees as a meeting moves through time (bot/adapters/meeting_words.py): the
wording bugs of issue 14's "Time words" and "Words", each as the member reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.adapters import meeting_words as words
from bot.core.formats import load_builtin_format, load_format
from bot.core.formats.plan import SectionKind, Who, WhoKind
from bot.core.formats.render import render
from bot.core.meeting import effects as fx
from bot.core.meeting.time_effects import LateChoice, LateDecided, RunningLate
from bot.core.pseudonyms import Pseudonym

NOW = datetime(2025, 3, 4, 19, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=20)
CHAIR = Who(WhoKind.ROLE, "chair")


def test_an_untimed_silence_never_says_until_nothing() -> None:
    said = words.quiet_words(SectionKind.SILENCE, None, bell=False)
    assert "Until" not in said
    assert said == (
        "Let's take this time in quiet together. The chair will let us know when it's time to "
        "go on."
    )
    timed = words.quiet_words(SectionKind.SILENCE, LATER, bell=True)
    assert (
        timed == f"🔔 Let's take this time in quiet together. Until <t:{int(LATER.timestamp())}:R>."
    )


def test_a_break_is_a_break() -> None:
    said = words.quiet_words(SectionKind.BREAK, LATER, bell=False)
    assert "quiet together" not in said
    assert said == f"Let's take a short break. We'll carry on <t:{int(LATER.timestamp())}:R>."
    assert "call us back" in words.quiet_words(SectionKind.BREAK, None, bell=False)
    assert "meditation" in words.quiet_words(SectionKind.MEDITATION, LATER, bell=False)


def test_next_chair_with_nobody_on_the_rotation_names_nobody() -> None:
    closing = load_builtin_format("open-discussion").text("closing-words")
    assert closing is not None
    values = {"chair": "Robin", "group": "circle room"}
    shown = [render(words.without_next_chair(chunk), values) for chunk in closing.chunks]
    text = "\n".join(shown)
    assert "is on the rotation to chair next time" not in text
    assert "a volunteer from the rotation" not in text
    assert "${" not in text
    assert text.startswith("Thank you, everyone, for sharing and for listening. Thank you, Robin")
    assert "What you heard here stays here." in text
    # Other sentences, and texts without the placeholder, stay as they were.
    assert words.without_next_chair("Hello. Bye!") == "Hello. Bye!"
    assert words.without_next_chair("${next_chair} chairs next time.") == ""


SAYS = """\
format: 1
name: Says
length: 30m
roles:
  secretary:
    title: Secretary
  reader:
    title: Reader
    rotation: on-the-day
    fallback: chair
texts:
  welcome:
    title: A warm welcome
    text: Welcome, everyone.
  promise:
    title: The promise
    text: We come together as equals.
sections:
  - say: welcome
  - say: Thank you for coming.
  - say: The treasurer's report is on the board.
    by: secretary
  - say: Anyone may share a thought here.
    by: volunteer
  - read: promise
    by: reader
  - read: promise
  - closing: Goodbye.
"""


def test_say_is_headed_by_its_texts_title_or_by_who_says_it() -> None:
    plan = load_format(SAYS)
    assert [s.title for s in plan.sections[:4]] == [
        "A warm welcome",  # say: <text-name> takes the text's title
        "From the chair",
        "From the secretary",  # not "From the chair" when by: names another role
        "From a member",
    ]


def post(plan_index: int, leader: Who, chunks: tuple[str, ...] = ("words",)) -> fx.PostSection:
    return fx.PostSection(plan_index, SectionKind.READ, "The promise", leader, chunks, None)


def test_a_reading_led_by_a_role_nobody_took_names_no_chair() -> None:
    plan = load_format(SAYS)
    nobody: tuple[Pseudonym, ...] = ()
    heading, job = words.section_begins(plan, post(4, CHAIR), lambda role: nobody, "Robin")
    assert heading == "**The promise**"  # not "— with Robin" while the job is on offer
    assert job == "Reader"
    taken = (Pseudonym("someone"),)
    heading, job = words.section_begins(plan, post(4, CHAIR), lambda role: taken, "Robin")
    assert job is None
    chaired, _ = words.section_begins(plan, post(1, CHAIR), lambda role: nobody, "Robin")
    assert chaired == "**The promise** — with Robin"


def test_an_offered_reading_is_one_message_not_a_bare_heading_first() -> None:
    plan = load_format(SAYS)
    volunteer = Who(WhoKind.VOLUNTEER)
    heading, job = words.section_begins(plan, post(5, volunteer, ()), lambda role: (), "Robin")
    assert (heading, job) == (None, None)  # the offer that follows carries the title


def test_a_heading_says_until_only_with_a_deadline() -> None:
    assert words.section_heading("Sharing") == "**Sharing**"
    assert words.section_heading("Sharing", ends_at=LATER).endswith(
        f"· until <t:{int(LATER.timestamp())}:R>"
    )
    assert words.section_heading("Together", together=True) == "**Together** — all together"


def test_the_countdown_says_when_and_how_to_begin_now() -> None:
    said = words.countdown_words(LATER, ["We'll begin in a few minutes."], readings=True)
    assert said.startswith("We'll begin in a few minutes.\n\n")
    assert f"<t:{int(LATER.timestamp())}:R> (at <t:{int(LATER.timestamp())}:t>)" in said
    assert "**Start now**" in said
    assert "offer" in said
    assert "like to read" not in words.countdown_words(LATER, [], readings=False)


def test_an_awaited_moment_says_what_comes_at_what_time() -> None:
    said = words.awaiting_words("Sharing", LATER)
    assert said.startswith("We're a little ahead of time. **Sharing** begins at <t:")
    assert "**Begin now**" in said


def test_running_late_words() -> None:
    asked = RunningLate(
        1,
        "Sharing",
        room=15 * 60,
        planned=30 * 60,
        shorter=120,
        choices=(LateChoice.SHORTER, LateChoice.AS_IS, LateChoice.SKIP),
        decide_by=LATER,
    )
    said = words.late_words(asked)
    assert "**Sharing** was planned for about 30 minutes" in said
    assert "there are about 15 minutes left for it" in said
    assert "we'll go on with shorter shares (2 minutes each)" in said
    labels = [words.late_label(c, 120, asked.room) for c in asked.choices]
    assert labels == ["Shorter shares (2 minutes)", "Share as usual", "Leave it out today"]
    none_left = words.late_words(
        RunningLate(
            1, "Sharing", 0, 30 * 60, None, (LateChoice.SKIP, LateChoice.AS_IS), decide_by=LATER
        )
    )
    assert "there's no time left for **Sharing**" in none_left
    assert none_left.endswith("we'll leave it out today.")
    decided = LateDecided(1, "Sharing", LateChoice.SHORTER, True, 120, LATER)
    assert words.late_decided_words(decided).startswith(
        "Nobody answered, so shorter shares in **Sharing**, 2 minutes each"
    )
    skip = LateDecided(1, "Sharing", LateChoice.SKIP, False, None, None)
    assert words.late_decided_words(skip) == (
        "The chair chose: we'll leave **Sharing** out today, to keep our time."
    )
    assert "None" not in words.late_decided_words(
        LateDecided(1, "Sharing", LateChoice.AS_IS, False, None, LATER)
    )


def test_the_chair_is_told_privately_a_placeholder_was_left_out() -> None:
    note = words.placeholder_note("Our group's reading", SectionKind.READ, True, 4242)
    assert note.startswith(
        "This reading is still the format's placeholder, so I left it out of the meeting: "
        "**Our group's reading** in <#4242>."
    )
    assert "/format upload" in note
    part = words.placeholder_note("Sharing", SectionKind.SHARE, False, 4242)
    assert "the part itself went on" in part


def test_move_on_words_are_kind_to_the_sharer() -> None:
    said = words.move_on_words()
    assert "when the current share comes to a close" in said
    assert "**Move on**" in said
