"""Conditions at the meeting: each key of ``if:`` changes which sections a meeting runs, decided
when the meeting reaches the section — the meeting core replayed with a fake clock.

Most meetings here go through :class:`tests.unit.test_meeting_harness.Meeting`, which stores the
state as JSON after every step (as after a restart); private declarations are held in memory
only, so :class:`InMemory` keeps the state the way the runtime does between operations.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from bot.core.formats import FormatError, check_format, load_format
from bot.core.formats.describe import preview_lines
from bot.core.formats.plan import CompiledFormat
from bot.core.formats.variants import mode_key
from bot.core.meeting import MeetingRunner, MeetingSetup, MeetingState, Status
from bot.core.meeting.effects import Effect, FloorGiven, PostSection
from tests.unit.test_meeting_harness import CHAIR, MEMBERS, T0, Meeting

A, B, C, D, E = MEMBERS[1:6]


def fmt(sections: str, top: str = "") -> str:
    return f"format: 1\nname: Conditions\nlength: 60m\n{top}sections:\n{sections}"


def said(effects: list[PostSection]) -> list[str]:
    """The words of each section posted, in order (a ``say:`` section's text)."""
    return [e.chunks[0] for e in effects if e.chunks]


def run_through(meeting: Meeting) -> list[str]:
    """The chair presses Next until the meeting ends; the words of every section that ran."""
    for _ in range(40):
        if meeting.ended:
            break
        meeting.call("advance")
    assert meeting.ended
    return said(meeting.seen(PostSection))


# --- who holds a role today ------------------------------------------------------------------

ROLES = fmt(
    """\
  - say: Welcome.
  - say: Our speaker shares today.
    if: {someone-is: speaker}
  - say: No speaker today, so we share together.
    if: {nobody-is: speaker}
  - closing: Goodbye.
""",
    top="roles:\n  speaker: on-the-day\n",
)


def test_someone_is_and_nobody_is_follow_who_holds_the_role_today() -> None:
    with_speaker = Meeting(ROLES, roles={"chair": [CHAIR], "speaker": [B]})
    assert run_through(with_speaker) == ["Welcome.", "Our speaker shares today.", "Goodbye."]
    without = Meeting(ROLES)
    assert run_through(without) == [
        "Welcome.",
        "No speaker today, so we share together.",
        "Goodbye.",
    ]


# --- the calendar, on the group's own clock --------------------------------------------------

CALENDAR = fmt(
    """\
  - say: Welcome.
  - say: Tuesday words.
    if: {weekday: tuesday}
  - say: Wednesday words.
    if: {weekday: wed}
  - say: First Tuesday of the month.
    if: {week-of-month: first}
  - say: Last week of the month.
    if: {week-of-month: last}
  - say: Spring words.
    if: {month: [mar, apr, may]}
  - say: Winter words.
    if: {month: december}
  - closing: Goodbye.
"""
)


def test_weekday_week_of_month_and_month_are_the_groups_own_date() -> None:
    # 23:30 on Tuesday 4 March in New York is already Wednesday 5 March in UTC: the group's
    # date decides (the runtime passes `now` in the group's time zone).
    new_york = timezone(timedelta(hours=-5))
    late_tuesday = datetime(2025, 3, 4, 23, 30, tzinfo=new_york)
    assert late_tuesday.astimezone(UTC).weekday() == 2
    meeting = Meeting(CALENDAR, start=late_tuesday)
    assert run_through(meeting) == [
        "Welcome.",
        "Tuesday words.",
        "First Tuesday of the month.",
        "Spring words.",
        "Goodbye.",
    ]
    last_wednesday_of_december = datetime(2025, 12, 31, 19, 0, tzinfo=UTC)
    assert run_through(Meeting(CALENDAR, start=last_wednesday_of_december)) == [
        "Welcome.",
        "Wednesday words.",
        "Last week of the month.",
        "Winter words.",
        "Goodbye.",
    ]


# --- the time left, and conditions combined --------------------------------------------------

TIMED = fmt(
    """\
  - share: The floor is open.
    time: 30m
  - say: A note on our history, with time to spare.
    if: {time-left: 35m}
  - say: Either weekend or plenty of time.
    if:
      any:
        - weekday: [sat, sun]
        - time-left: 35m
  - say: Not in March, and time left.
    if:
      all:
        - not: {month: march}
        - time-left: 10m
  - say: Not a weekend.
    if:
      not: {weekday: [sat, sun]}
  - closing: Goodbye.
"""
)


def test_time_left_all_any_and_not_are_decided_when_the_section_comes() -> None:
    early = Meeting(TIMED)
    early.call("advance")  # sharing ends early: 60 minutes are nearly all left
    assert early.section() is not None
    assert run_through(early) == [
        "The floor is open.",
        "A note on our history, with time to spare.",
        "Either weekend or plenty of time.",
        "Not a weekend.",  # a Tuesday in March: "not in March" does not hold
        "Goodbye.",
    ]
    late = Meeting(TIMED, start=datetime(2025, 4, 5, 19, 0, tzinfo=UTC))  # a Saturday in April
    late.wait(30 * 60)  # sharing ran its 30 minutes: 30 are left when the note would come
    assert run_through(late) == [
        "The floor is open.",
        "Either weekend or plenty of time.",  # not 35 minutes, but a Saturday
        "Not in March, and time left.",
        "Goodbye.",
    ]


# --- switches ---------------------------------------------------------------------------------

SWITCHED = fmt(
    """\
  - say: Welcome.
  - say: The long reading.
    if: {switch: long-reading}
  - say: The short reading.
    if: {switch-off: long-reading}
  - say: Hold mode is off.
    if: {switch-off: quiet-chat}
  - closing: Goodbye.
""",
    top=(
        "switches:\n  long-reading: {on: false, about: Read the long one.}\n"
        "  quiet-chat: {on: true}\n"
    ),
)


def test_a_switch_on_or_off_runs_or_skips_its_sections() -> None:
    by_default = Meeting(SWITCHED)  # the format's defaults: long-reading off, quiet-chat on
    assert run_through(by_default) == ["Welcome.", "The short reading.", "Goodbye."]
    decided = Meeting(SWITCHED, switches={"long-reading": True, "quiet-chat": False})
    assert run_through(decided) == [
        "Welcome.",
        "The long reading.",
        "Hold mode is off.",
        "Goodbye.",
    ]


# --- the time of day --------------------------------------------------------------------------

CLOCKED = fmt(
    """\
  - say: Welcome.
  - say: Good morning.
    if: {time-of-day: morning}
  - say: Good evening.
    if: {time-of-day: [evening, night]}
  - say: From six on.
    if: {after: "18:00"}
  - say: Before noon.
    if: {before: "12:00"}
  - say: Late night, past midnight.
    if: {after: "22:00", before: "2:00"}
  - closing: Goodbye.
"""
)


def test_time_of_day_after_and_before_read_when_the_meeting_began() -> None:
    morning = Meeting(CLOCKED, start=T0.replace(hour=7))
    assert run_through(morning) == ["Welcome.", "Good morning.", "Before noon.", "Goodbye."]
    evening = Meeting(CLOCKED, start=T0.replace(hour=19))
    evening.wait(3 * 3600)  # the meeting's start decides: 22:00 later changes nothing
    assert run_through(evening) == ["Welcome.", "Good evening.", "From six on.", "Goodbye."]
    # 0:30 in Sydney (UTC+11) is 13:30 UTC the day before: the group's clock decides.
    sydney = datetime(2025, 3, 5, 0, 30, tzinfo=timezone(timedelta(hours=11)))
    assert run_through(Meeting(CLOCKED, start=sydney)) == [
        "Welcome.",
        "Good evening.",
        "Before noon.",
        "Late night, past midnight.",
        "Goodbye.",
    ]


# --- the week of a cycle ----------------------------------------------------------------------

CYCLED = fmt(
    """\
  - say: Welcome.
  - say: Step study week.
    if: {week-of-cycle: [1, 3]}
  - say: Tradition week.
    if: {week-of-cycle: 2}
  - closing: Goodbye.
""",
    top="cycle:\n  weeks: 4\n  from: 2025-01-06\n",
)


def test_week_of_cycle_counts_weeks_from_the_cycles_date() -> None:
    # 6 January 2025 begins week 1; 4 March is 57 days on: week 9 overall, week 1 of its cycle.
    assert run_through(Meeting(CYCLED)) == ["Welcome.", "Step study week.", "Goodbye."]
    next_week = Meeting(CYCLED, start=T0 + timedelta(days=7))
    assert run_through(next_week) == ["Welcome.", "Tradition week.", "Goodbye."]
    fourth = Meeting(CYCLED, start=T0 + timedelta(days=21))
    assert run_through(fourth) == ["Welcome.", "Goodbye."]
    before_it_began = Meeting(CYCLED, start=datetime(2025, 1, 1, 19, tzinfo=UTC))
    assert run_through(before_it_began) == ["Welcome.", "Goodbye."]  # the cycle's week 4


# --- the group's modes ------------------------------------------------------------------------

MODED = fmt(
    """\
  - say: Welcome.
  - say: Let's choose a topic.
    if: {mode: {sharing: topic}}
  - say: Our speaker today.
    if: {mode: {sharing: [speaker, step-study]}}
  - closing: Goodbye.
""",
    top=(
        "modes:\n  sharing:\n    choices: [topic, speaker, step-study]\n"
        "    about: What kind of sharing meeting we hold.\n"
    ),
)


def test_a_mode_runs_the_sections_for_the_groups_choice() -> None:
    assert run_through(Meeting(MODED)) == ["Welcome.", "Let's choose a topic.", "Goodbye."]
    chosen = Meeting(MODED, switches={mode_key("sharing", "step-study"): True})
    assert run_through(chosen) == ["Welcome.", "Our speaker today.", "Goodbye."]


# --- private declarations ---------------------------------------------------------------------


class InMemory:
    """A meeting whose state stays in memory between operations, as the runtime keeps it."""

    def __init__(self, plan: CompiledFormat) -> None:
        self.runner = MeetingRunner(plan)
        self.now = T0
        self.state, effects = self.runner.start(T0, MeetingSetup(1, {"chair": [CHAIR]}))
        self.log: list[Effect] = list(effects)

    def __call__(self, operation: str, *args: Any, **kwargs: Any) -> None:
        self.now += timedelta(seconds=5)
        self.state, effects = getattr(self.runner, operation)(self.state, *args, self.now, **kwargs)
        self.log += effects

    def said(self) -> list[str]:
        return said([e for e in self.log if isinstance(e, PostSection)])


DECLARED = fmt(
    """\
  - say: Welcome.
  - say: A special welcome to anyone in their first month.
    if: {someone-declared: newcomer}
  - say: Step discussion.
    if: {someone-declared: worked-step}
  - say: Open discussion.
    if: {nobody-declared: worked-step}
  - closing: Goodbye.
""",
    top=(
        "declarations:\n  newcomer: I'm new (under 30 days)\n"
        "  worked-step: {words: I've worked this step}\n"
    ),
)


def test_someone_declared_counts_private_declarations_never_who() -> None:
    plan = load_format(DECLARED)
    room = InMemory(plan)
    room("say_privately", B, "newcomer", on=True)
    room("say_privately", C, "worked-step", on=True)
    room("say_privately", C, "worked-step", on=False)  # pressed again: taken back
    room("say_privately", D, "worked-step", on=True)
    room("say_privately", D, "no-such-thing", on=True)  # not the format's: nothing changes
    assert room.state.declared.said == (("newcomer", B), ("worked-step", D))
    stored = room.state.to_json()
    assert "declared" not in json.loads(stored)
    assert B not in stored
    assert "newcomer" not in stored
    assert MeetingState.from_json(stored).declared.said == ()  # a restart forgets it
    while room.state.status is not Status.ENDED:
        room("advance")
    assert room.said() == [
        "Welcome.",
        "A special welcome to anyone in their first month.",
        "Step discussion.",
        "Goodbye.",
    ]
    forgotten = InMemory(plan)
    forgotten("say_privately", D, "worked-step", on=True)
    forgotten("forget", D)  # forget-me during the meeting: what D said goes with them
    assert forgotten.state.declared.said == ()
    nobody = InMemory(plan)
    while nobody.state.status is not Status.ENDED:
        nobody("advance")
    assert nobody.said() == ["Welcome.", "Open discussion.", "Goodbye."]
    preview = "\n".join(preview_lines(plan))
    assert "“I'm new (under 30 days)”" in preview
    assert "Only when someone has said privately “I've worked this step”" in preview


# --- share limits sized to the time left ------------------------------------------------------

FAIR = fmt(
    """\
  - share: The floor is open.
    time: 12m
    fair-share: {min: 2m}
  - closing: Goodbye.
""",
    top="share:\n  limit: 5m\n",
)


def test_fair_share_divides_the_time_left_among_those_waiting() -> None:
    meeting = Meeting(FAIR)
    for who in (A, B):
        meeting.call("raise_hand", who)
    first = meeting.seen(FloorGiven)[-1]
    assert first.who == A  # 12 minutes for one: the usual 5 minutes hold
    assert first.limit_at == meeting.now + timedelta(minutes=5)
    for who in (C, D, E):
        meeting.call("raise_hand", who)
    meeting.wait(60)
    meeting.call("done", A)  # 11 minutes left, B and three more waiting: 11 ÷ 4 = 2m 45s
    given = meeting.seen(FloorGiven)[-1]
    assert given.who == B
    assert given.limit_at == meeting.now + timedelta(minutes=2, seconds=30)  # a half minute
    meeting.wait(8 * 60)
    meeting.call("done", B)  # 3 minutes left for three: the shortest, 2 minutes, holds
    given = meeting.seen(FloorGiven)[-1]
    assert given.limit_at == meeting.now + timedelta(minutes=2)
    preview = "\n".join(preview_lines(meeting.plan))
    assert "shared among those waiting, at least 2 minutes each" in preview


# --- what the checker says ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("top", "condition", "message"),
    [
        ("", "{someone-declared: newcomer}", "there is no declaration called 'newcomer'"),
        ("", "{week-of-cycle: 2}", "week-of-cycle: needs the cycle it counts in"),
        (
            "cycle: {weeks: 2, from: 2025-01-06}\n",
            "{week-of-cycle: 3}",
            "the cycle has 2 weeks, so week 3 never comes",
        ),
        ("", "{mode: {sharing: topic}}", "there is no mode called 'sharing'"),
        (
            "modes:\n  sharing: {choices: [topic, speaker]}\n",
            "{mode: {sharing: step}}",
            "'step' is not one of the choices of the mode 'sharing'",
        ),
        ("", "{time-of-day: dusk}", "'dusk' is not a part of the day"),
        ("", "{time-of-day: '19:00'}", "'19:00' is a clock time, not a part of the day"),
        ("", "{after: '18:00', before: '18:00'}", "after: and before: are the same time"),
        ("", "{after: soon}", "'soon' is not a time of day"),
        (
            "modes:\n  sharing: {choices: [topic, speaker]}\n",
            "{mode: {sharing: topic}, not: {mode: {sharing: topic}}}",
            "this section can never run",
        ),
    ],
)
def test_the_checker_says_what_is_wrong_with_a_variant(
    top: str, condition: str, message: str
) -> None:
    source = fmt(f"  - say: Sometimes.\n    if: {condition}\n  - closing: Bye.\n", top=top)
    with pytest.raises(FormatError) as refused:
        load_format(source)
    shown = str(refused.value)
    assert message in shown, shown


@pytest.mark.parametrize(
    ("top", "message"),
    [
        ("declarations:\n  newcomer: " + "x" * 81 + "\n", "a button holds 80"),
        ("modes:\n  sharing: {choices: [topic, speaker], default: step}\n", "is not one of"),
        ("cycle: {weeks: 4, from: next monday}\n", "is not a date"),
        ("cycle: {weeks: 1, from: 2025-01-06}\n", "1 is too small here: at least 2"),
        ("share:\n  fair-share: {min: 2m, by: everyone}\n", "choose one of: present, waiting"),
    ],
)
def test_the_checker_reads_the_variants_parts(top: str, message: str) -> None:
    with pytest.raises(FormatError) as refused:
        load_format(fmt("  - closing: Bye.\n", top=top))
    assert message in str(refused.value), str(refused.value)


def test_too_many_declarations_for_the_panel_are_refused() -> None:
    many = "".join(f"  d{n}: Said {n}\n" for n in range(6))
    with pytest.raises(FormatError):
        load_format(fmt("  - closing: Bye.\n", top=f"declarations:\n{many}"))
    five = "".join(f"  d{n}: Said {n}\n" for n in range(5))
    plan, _ = check_format(fmt("  - closing: Bye.\n", top=f"declarations:\n{five}"))
    assert len(plan.variants.declarations) == 5
