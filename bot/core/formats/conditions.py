"""Conditions that decide whether a section runs, and how to evaluate them.

A compiled section's ``condition`` is ``None`` (it always runs) or one of the frozen dataclasses
below. The meeting runner evaluates it with :func:`evaluate` just before the section would start,
passing the facts it knows then (:class:`MeetingFacts`). Evaluation is pure and never raises.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import field

from bot.core.formats.variants import Cycle
from bot.core.lazy_dataclasses import lazy_dataclass


@lazy_dataclass(frozen=True)
class Answer:
    """The chair answered the question of the ``ask`` section with id ``question`` this way."""

    question: str
    expected: bool = True


@lazy_dataclass(frozen=True)
class SwitchOn:
    """The group's switch ``name`` (set by group decision, default in the format) is on."""

    name: str


@lazy_dataclass(frozen=True)
class RoleFilled:
    """Somebody holds the role ``role`` at this meeting (e.g. there is a speaker today)."""

    role: str


@lazy_dataclass(frozen=True)
class OnWeekdays:
    """Today is one of these weekdays (0 = Monday … 6 = Sunday)."""

    days: frozenset[int]


@lazy_dataclass(frozen=True)
class InWeeksOfMonth:
    """Today falls in one of these weeks of its month: 1 = days 1–7 … 5 = days 29–31.

    ``-1`` means "the last such weekday of the month" (fewer than 7 days remain after today),
    so ``{1}`` with a Tuesday meeting is "the first Tuesday of the month".
    """

    weeks: frozenset[int]


@lazy_dataclass(frozen=True)
class InMonths:
    """Today is in one of these months (1 = January … 12 = December)."""

    months: frozenset[int]


@lazy_dataclass(frozen=True)
class TimeLeft:
    """At least ``seconds`` remain before the meeting's planned end."""

    seconds: int


@lazy_dataclass(frozen=True)
class TimeAllows:
    """The section's planned length fits before the meeting's planned end ("if time allows")."""


@lazy_dataclass(frozen=True)
class Declared:
    """Someone said privately, at this meeting, the format's declaration ``id`` (only how many
    said it is known to the condition, never who)."""

    id: str


#: The parts of the day ``time-of-day:`` names, as (from, to) minutes after midnight.
PARTS_OF_DAY: Mapping[str, tuple[int, int]] = {
    "morning": (5 * 60, 12 * 60),
    "afternoon": (12 * 60, 17 * 60),
    "evening": (17 * 60, 22 * 60),
    "night": (22 * 60, 5 * 60),
}


@lazy_dataclass(frozen=True)
class StartsBetween:
    """The meeting began, on the group's clock, at or after ``start`` and before ``end``
    (minutes after midnight). A range past midnight (22:00 to 5:00) wraps; ``end`` 1440 is
    midnight. ``part`` names the part of the day when it was written as one."""

    start: int
    end: int
    part: str = ""


@lazy_dataclass(frozen=True)
class InCycleWeeks:
    """Today falls in one of these weeks of the format's cycle (1 = the first week)."""

    weeks: frozenset[int]
    cycle: Cycle


@lazy_dataclass(frozen=True)
class InMode:
    """The group's mode ``mode`` (chosen by group decision) is one of ``values``."""

    mode: str
    values: frozenset[str]


@lazy_dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


@lazy_dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@lazy_dataclass(frozen=True)
class Not:
    condition: Condition


Condition = (
    Answer
    | SwitchOn
    | RoleFilled
    | OnWeekdays
    | InWeeksOfMonth
    | InMonths
    | TimeLeft
    | TimeAllows
    | Declared
    | StartsBetween
    | InCycleWeeks
    | InMode
    | AllOf
    | AnyOf
    | Not
)


@lazy_dataclass(frozen=True)
class MeetingFacts:
    """What the runner knows when it decides whether a section runs.

    ``answers`` maps an ``ask`` section's id to the chair's answer; a question not (yet) asked is
    missing, and a condition on it is false. ``seconds_left`` is the time until the planned end;
    ``section_seconds`` is the planned length of the section being decided. ``started_minute``
    is when the meeting began on the group's clock (minutes after midnight); ``declared`` how
    many members said each private declaration (never who); ``modes`` the group's modes.
    """

    today: dt.date
    seconds_left: int
    section_seconds: int = 0
    answers: Mapping[str, bool] = field(default_factory=dict)
    switches: Mapping[str, bool] = field(default_factory=dict)
    filled_roles: frozenset[str] = frozenset()
    started_minute: int = 0
    declared: Mapping[str, int] = field(default_factory=dict)
    modes: Mapping[str, str] = field(default_factory=dict)


def week_of_month(day: dt.date) -> int:
    """1 for days 1–7, 2 for 8–14, … 5 for 29–31."""
    return (day.day - 1) // 7 + 1


def is_last_week_of_month(day: dt.date) -> bool:
    """True when the same weekday does not occur again this month."""
    return day.day + 7 > calendar.monthrange(day.year, day.month)[1]


def evaluate(condition: Condition | None, facts: MeetingFacts) -> bool:
    """Whether a section with this condition runs, given ``facts``."""
    match condition:
        case None:
            return True
        case Answer(question, expected):
            return facts.answers.get(question) is expected
        case SwitchOn(name):
            return bool(facts.switches.get(name, False))
        case RoleFilled(role):
            return role in facts.filled_roles
        case OnWeekdays(days):
            return facts.today.weekday() in days
        case InWeeksOfMonth(weeks):
            return week_of_month(facts.today) in weeks or (
                -1 in weeks and is_last_week_of_month(facts.today)
            )
        case InMonths(months):
            return facts.today.month in months
        case TimeLeft(seconds):
            return facts.seconds_left >= seconds
        case TimeAllows():
            return facts.seconds_left >= facts.section_seconds
        case Declared(declaration):
            return facts.declared.get(declaration, 0) > 0
        case StartsBetween(start, end):
            minute = facts.started_minute
            return start <= minute < end if start <= end else minute >= start or minute < end
        case InCycleWeeks(weeks, cycle):
            return cycle.week(facts.today) in weeks
        case InMode(mode, values):
            return facts.modes.get(mode) in values
        case AllOf(conditions):
            return all(evaluate(c, facts) for c in conditions)
        case AnyOf(conditions):
            return any(evaluate(c, facts) for c in conditions)
        case Not(inner):
            return not evaluate(inner, facts)
    return False  # pragma: no cover — every kind is matched above


def describe(condition: Condition | None) -> str:
    """The condition in plain words, for previews ("only if the chair answers yes to …")."""
    match condition:
        case None:
            return "always"
        case Answer(question, expected):
            return f"if the answer to “{question}” is {'yes' if expected else 'no'}"
        case SwitchOn(name):
            return f"when the group's switch “{name}” is on"
        case RoleFilled(role):
            return f"when someone is the {role.replace('-', ' ')}"
        case OnWeekdays(days):
            return "on " + _join([calendar.day_name[d] for d in sorted(days)])
        case InWeeksOfMonth(weeks):
            names = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
            return "in the " + _join([names[w] for w in sorted(weeks, key=_week_sort)]) + " week"
        case InMonths(months):
            return "in " + _join([calendar.month_name[m] for m in sorted(months)])
        case TimeLeft(seconds):
            return f"when at least {seconds // 60} minutes are left"
        case TimeAllows():
            return "if time allows"
        case Declared(declaration):
            return f"when someone has said privately “{declaration}”"
        case StartsBetween(start, end, part):
            return "when the meeting begins " + _clock_range(start, end, part)
        case InCycleWeeks(weeks, cycle):
            numbers = _join([str(w) for w in sorted(weeks)])
            since = f"{cycle.since.day} {cycle.since:%B %Y}"
            return f"in week {numbers} of every {cycle.weeks} (counted from {since})"
        case InMode(mode, values):
            return f"when the group's choice of “{mode}” is " + _join(sorted(values))
        case AllOf(conditions):
            return " and ".join(describe(c) for c in conditions)
        case AnyOf(conditions):
            return "either " + " or ".join(describe(c) for c in conditions)
        case Not(SwitchOn(name)):
            return f"when the group's switch “{name}” is off"
        case Not(RoleFilled(role)):
            return f"when nobody is the {role.replace('-', ' ')}"
        case Not(Declared(declaration)):
            return f"when nobody has said privately “{declaration}”"
        case Not(inner):
            return f"unless {describe(inner).removeprefix('if ').removeprefix('when ')}"
    return "sometimes"  # pragma: no cover


def clock(minute: int) -> str:
    """Minutes after midnight as a time of day, like 18:00."""
    return f"{minute // 60 % 24:d}:{minute % 60:02d}"


def _clock_range(start: int, end: int, part: str) -> str:
    if part:
        return f"in the {part} ({clock(start)}–{clock(end)})"
    if end >= 24 * 60:
        return f"at {clock(start)} or later"
    if start == 0:
        return f"before {clock(end)}"
    return f"between {clock(start)} and {clock(end)}"


def _week_sort(week: int) -> int:
    return 99 if week == -1 else week


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def conjuncts(condition: Condition | None) -> tuple[Condition, ...]:
    """The parts of a condition that must all hold (flattening nested ``AllOf``)."""
    if condition is None:
        return ()
    if isinstance(condition, AllOf):
        return tuple(part for inner in condition.conditions for part in conjuncts(inner))
    return (condition,)


def contradiction(condition: Condition | None) -> str | None:
    """Why this condition can never be true, for the simple cases a group can write by accident.

    Looks at the parts that must all hold: the same question answered both yes and no, a thing
    required and ruled out at once, or calendar requirements with nothing in common.
    """
    parts = conjuncts(condition)
    required = {p for p in parts if not isinstance(p, Not)}
    for part in parts:
        if isinstance(part, Not) and part.condition in required:
            return f"it needs both “{describe(part.condition)}” and the opposite"
    answers: dict[str, bool] = {}
    for part in parts:
        if isinstance(part, Answer):
            if answers.get(part.question, part.expected) != part.expected:
                return f"it needs the answer to “{part.question}” to be both yes and no"
            answers[part.question] = part.expected
    for kind, attribute in ((OnWeekdays, "days"), (InMonths, "months")):
        sets = [getattr(p, attribute) for p in parts if isinstance(p, kind)]
        if len(sets) > 1 and not frozenset.intersection(*sets):
            return "its calendar requirements have no day in common"
    modes: dict[str, frozenset[str]] = {}
    for part in parts:
        if isinstance(part, InMode):
            both = modes.get(part.mode, part.values) & part.values
            if not both:
                return f"it needs the group's choice of “{part.mode}” to be two things at once"
            modes[part.mode] = both
    return None
