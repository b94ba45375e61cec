"""What the meeting panel shows, read from the state at ``now`` (never stored)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from bot.core.formats.plan import CompiledFormat, Order, SectionKind
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting.clock import floor_rules
from bot.core.meeting.state import MeetingState, Status
from bot.core.pseudonyms import Pseudonym
from bot.core.sharing import callable_now, hands_on_by_itself, invitable, up_next


class WaitingFor(StrEnum):
    """What the meeting waits for, so the panel can show the right button."""

    NOTHING = "nothing"
    ANSWER = "answer"  # the chair answers a question
    CHOICE = "choice"  # the chair chooses today's text
    READER = "reader"  # a volunteer to read (or the chair reads it)
    CHAIR = "chair"  # the chair calls on the next sharer
    HANDS = "hands"  # the floor is open: raise a hand
    SHARER = "sharer"  # someone is sharing


class Chooser(StrEnum):
    """Who chooses from the panel's list of members (a select), if anyone."""

    NOBODY = "nobody"
    CHAIR = "chair"  # the chair calls on someone waiting
    SHARER = "sharer"  # the sharer invites the next (order: tag)


@lazy_dataclass(frozen=True)
class Panel:
    """The panel's contents. Show people by the names Discord gives for their pseudonyms
    (first names only), and times as ``<t:…:R>``."""

    status: Status
    number: int
    section_index: int | None
    section_number: int  # 1-based position in the format, 0 when none
    section_count: int
    section_title: str
    section_kind: SectionKind | None
    section_ends_at: datetime | None
    sharer: Pseudonym | None
    share_ends_at: datetime | None  # the limit, for a live countdown
    share_seconds_left: int | None  # negative once over the limit
    waiting: tuple[Pseudonym, ...]  # who is next, in order
    order: Order | None
    waiting_for: WaitingFor
    meeting_ends_at: datetime
    meeting_seconds_left: int
    chooser: Chooser = Chooser.NOBODY
    #: The list to choose from: (index in the floor's members, who); at most
    #: :data:`MAX_CHOICES`. The index is an opaque value that stays the same all meeting.
    choices: tuple[tuple[int, Pseudonym], ...] = ()


#: A Discord select offers at most 25 options.
MAX_CHOICES = 25


def describe(plan: CompiledFormat, state: MeetingState, now: datetime) -> Panel:
    step = state.step
    section = None if step is None else plan.sections[step.index]
    rules = floor_rules(plan, state)
    floor = state.floor
    turn = floor.turn
    share_ends_at = None if turn is None else turn.limit_at
    chooser, choices = choosing(plan, state)
    return Panel(
        status=state.status,
        number=state.number,
        section_index=None if step is None else step.index,
        section_number=0 if step is None else step.index + 1,
        section_count=len(plan.sections),
        section_title="" if section is None else section.title,
        section_kind=None if section is None else section.kind,
        section_ends_at=None if step is None else step.deadline,
        sharer=None if turn is None else turn.who,
        share_ends_at=share_ends_at,
        share_seconds_left=(
            None if share_ends_at is None else int((share_ends_at - now).total_seconds())
        ),
        waiting=up_next(floor, rules),
        order=None if rules is None else rules.phase_of(floor).order,
        waiting_for=_waiting_for(plan, state),
        meeting_ends_at=state.planned_end,
        meeting_seconds_left=int((state.planned_end - now).total_seconds()),
        chooser=chooser,
        choices=choices,
    )


Choices = tuple[Chooser, tuple[tuple[int, Pseudonym], ...]]


def choosing(plan: CompiledFormat, state: MeetingState) -> Choices:
    """The panel's list of members: the sharer's in a tag part while they share, otherwise
    the chair's whenever someone waits (not in a round, which goes by itself, unless the floor
    went back to the chair)."""
    rules = floor_rules(plan, state)
    floor = state.floor
    nobody: Choices = (Chooser.NOBODY, ())
    if state.status is not Status.RUNNING or rules is None or not floor.active:
        return nobody
    order = rules.phase_of(floor).order
    if order is Order.TAG and floor.turn is not None:
        chooser, line = Chooser.SHARER, invitable(floor, rules)
    elif order is not Order.ROUND or floor.with_chair:
        chooser, line = Chooser.CHAIR, callable_now(floor, rules)
    else:
        return nobody
    index = {m.who: i for i, m in enumerate(floor.members)}
    choices = tuple((index[w], w) for w in line if w in index)[:MAX_CHOICES]
    return (chooser, choices) if choices else nobody


def _waiting_for(plan: CompiledFormat, state: MeetingState) -> WaitingFor:
    step = state.step
    if step is None or state.status is not Status.RUNNING:
        return WaitingFor.NOTHING
    section = plan.sections[step.index]
    floor = state.floor
    if step.choosing:
        return WaitingFor.CHOICE
    if section.question is not None:
        return WaitingFor.ANSWER
    if section.reading is not None and section.reading.offer and not step.chair_read:
        return WaitingFor.READER if not step.readers else WaitingFor.NOTHING
    if not floor.active:
        return WaitingFor.NOTHING
    if floor.turn is not None:
        return WaitingFor.SHARER
    rules = floor_rules(plan, state)
    if rules is None:
        return WaitingFor.NOTHING
    if (
        rules.single
        or floor.with_chair
        or (not hands_on_by_itself(floor, rules) and up_next(floor, rules))
    ):
        return WaitingFor.CHAIR
    return WaitingFor.HANDS


def render_values(plan: CompiledFormat, state: MeetingState) -> Mapping[str, str]:
    """Placeholder values the core knows; none of them names anyone.

    The runtime adds ``group``, ``chair``, ``next_chair`` and ``speaker`` (first names the
    members chose to use), then renders each chunk with :func:`bot.core.formats.render.render`.
    """
    start, end = state.started_at, state.planned_end.astimezone(state.started_at.tzinfo)
    values = {
        "weekday": calendar.day_name[start.weekday()],
        "date": f"{start.day} {calendar.month_name[start.month]}",
        "time": f"{start.hour:02d}:{start.minute:02d}",
        "end_time": f"{end.hour:02d}:{end.minute:02d}",
        "meeting_number": str(state.number),
        "meeting_length": _minutes(plan.length_seconds),
    }
    rules = floor_rules(plan, state)
    limit = None if rules is None else rules.sharing.timer.limit_seconds
    if limit is None:
        limit = plan.defaults.share.limit_seconds
    if limit is not None:
        values["share_limit"] = _minutes(limit)
    return values


def _minutes(seconds: int) -> str:
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
