"""The format preview's small words as messages (bot/i18n), rendered in the reader's language:
who leads a part, a moment in the meeting, and when a part runs ("Only if …").

They mirror the English of ``Who.describe``, ``Anchor.describe`` and ``conditions.describe``
(still used for the format checker's own English notes). The group's own words — a role's
title, a question, a switch or a choice's name — are shown as the format wrote them.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.formats import conditions
from bot.core.formats.conditions import (
    AllOf,
    Answer,
    AnyOf,
    Condition,
    Declared,
    InCycleWeeks,
    InMode,
    InMonths,
    InWeeksOfMonth,
    Not,
    OnWeekdays,
    RoleFilled,
    StartsBetween,
    SwitchOn,
    TimeAllows,
    TimeLeft,
    clock,
    conjuncts,
)
from bot.core.formats.headings import heading_said
from bot.core.formats.roles import who_said
from bot.core.formats.timing import anchor_said
from bot.core.wording import MONTHS, WEEKDAYS, day_month_year
from bot.i18n.message import Msg, msg, msg_n

__all__ = [
    "anchor_said",
    "condition_said",
    "contradiction_said",
    "heading_said",
    "only_said",
    "who_said",
]

_WEEKS = {
    1: msg("first"),
    2: msg("second"),
    3: msg("third"),
    4: msg("fourth"),
    5: msg("fifth"),
    -1: msg("last"),
}


def _or(items: Sequence[Msg | str]) -> Msg | str:
    """ "a", "a or b", "a, b or c"."""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return msg("{first} or {second}", first=items[0], second=items[1])
    return msg("{first}, {rest}", first=items[0], rest=_or(items[1:]))


def _and(items: Sequence[Msg | str]) -> Msg | str:
    """ "a and b and c": conditions that must all hold."""
    said = items[0]
    for item in items[1:]:
        said = msg("{first} and {then}", first=said, then=item)
    return said


def condition_said(condition: Condition | None) -> Msg | str:
    """When a part runs, as a clause: "if the answer to “…” is yes", "on Monday or Friday"."""
    match condition:
        case None:
            return msg("always")
        case Answer(question, True):
            return msg("if the answer to “{question}” is yes", question=question)
        case Answer(question, False):
            return msg("if the answer to “{question}” is no", question=question)
        case SwitchOn(name):
            return msg("when the group's switch “{name}” is on", name=name)
        case RoleFilled(role):
            return msg("when someone is the {role}", role=role.replace("-", " "))
        case OnWeekdays(days):
            return msg("on {days}", days=_or([WEEKDAYS[d] for d in sorted(days)]))
        case InWeeksOfMonth(weeks):
            order = sorted(weeks, key=lambda w: 99 if w == -1 else w)
            return msg("in the {weeks} week", weeks=_or([_WEEKS[w] for w in order]))
        case InMonths(months):
            return msg("in {months}", months=_or([MONTHS[m - 1] for m in sorted(months)]))
        case TimeLeft(seconds):
            return msg_n(
                "when at least {n} minute is left",
                "when at least {n} minutes are left",
                seconds // 60,
            )
        case TimeAllows():
            return msg("if time allows")
        case Declared(declaration):
            return msg("when someone has said privately “{words}”", words=declaration)
        case StartsBetween(start, end, part):
            return _starts(start, end, part)
        case InCycleWeeks(weeks, cycle):
            return msg_n(
                "in week {weeks} of every {n} (counted from {since})",
                "in week {weeks} of every {n} (counted from {since})",
                cycle.weeks,
                weeks=_or([str(w) for w in sorted(weeks)]),
                since=day_month_year(cycle.since),
            )
        case InMode(mode, values):
            return msg(
                "when the group's choice of “{mode}” is {values}",
                mode=mode,
                values=_or(sorted(values)),
            )
        case AllOf(conditions):
            return _and([condition_said(c) for c in conditions])
        case AnyOf(conditions):
            return msg("either {choices}", choices=_either([condition_said(c) for c in conditions]))
        case Not(SwitchOn(name)):
            return msg("when the group's switch “{name}” is off", name=name)
        case Not(RoleFilled(role)):
            return msg("when nobody is the {role}", role=role.replace("-", " "))
        case Not(Declared(declaration)):
            return msg("when nobody has said privately “{words}”", words=declaration)
        case Not(inner):
            return msg("unless {condition}", condition=_unless(inner))
    return msg("sometimes")  # pragma: no cover


def _either(items: Sequence[Msg | str]) -> Msg | str:
    said = items[0]
    for item in items[1:]:
        said = msg("{first} or {second}", first=said, second=item)
    return said


def _unless(inner: Condition) -> Msg | str:
    """The condition after "unless": without its own "if" or "when"."""
    match inner:
        case Answer(question, True):
            return msg("the answer to “{question}” is yes", question=question)
        case Answer(question, False):
            return msg("the answer to “{question}” is no", question=question)
        case TimeAllows():
            return msg("time allows")
        case TimeLeft(seconds):
            return msg_n(
                "at least {n} minute is left", "at least {n} minutes are left", seconds // 60
            )
    return condition_said(inner)


def _starts(start: int, end: int, part: str) -> Msg:
    if part:
        return msg(
            "when the meeting begins in the {part} ({start}–{end})",
            part=part,
            start=clock(start),
            end=clock(end),
        )
    if end >= 24 * 60:
        return msg("when the meeting begins at {start} or later", start=clock(start))
    if start == 0:
        return msg("when the meeting begins before {end}", end=clock(end))
    return msg(
        "when the meeting begins between {start} and {end}", start=clock(start), end=clock(end)
    )


def only_said(condition: Msg | str) -> Msg:
    """A part's condition as a sentence: "Only if …." / "Only when …."; one that reads on its
    own ("unless …", "either …") stands as it is."""
    if isinstance(condition, Msg) and condition.msgid.startswith(("unless ", "either ")):
        return msg("{condition}.", condition=_capital(condition))
    return msg("Only {condition}.", condition=condition)


def _capital(condition: Msg) -> Msg:
    """ "Unless …", "Either …" (the same message, with a capital)."""
    if condition.msgid.startswith("unless "):
        return msg("Unless {condition}", **condition.params)
    return msg("Either {choices}", **condition.params)


def contradiction_said(condition: Condition | None) -> Msg | None:
    """:func:`~bot.core.formats.conditions.contradiction` as a message (the format checker's
    reason a section can never run), in the reader's language."""
    if conditions.contradiction(condition) is None:
        return None
    parts = conjuncts(condition)
    required = {p for p in parts if not isinstance(p, Not)}
    for part in parts:
        if isinstance(part, Not) and part.condition in required:
            return msg(
                "it needs both “{condition}” and the opposite",
                condition=condition_said(part.condition),
            )
    answers: dict[str, bool] = {}
    for part in parts:
        if isinstance(part, Answer):
            if answers.get(part.question, part.expected) != part.expected:
                return msg(
                    "it needs the answer to “{question}” to be both yes and no",
                    question=part.question,
                )
            answers[part.question] = part.expected
    reason = conditions.contradiction(condition) or ""
    if reason.startswith("its calendar"):
        return msg("its calendar requirements have no day in common")
    modes = [p.mode for p in parts if isinstance(p, InMode)]
    mode = next((m for m in modes if f"“{m}”" in reason), "")
    return msg("it needs the group's choice of “{mode}” to be two things at once", mode=mode)
