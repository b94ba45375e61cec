"""Time in the room: the countdown, ``starts:`` moments awaited, running late, placeholders.

Helpers for :class:`~bot.core.meeting.flow.Transition` (they take the transition under way and
change it); the operations members and the chair call are in :mod:`.countdown`. Pure: ``now``
comes in, nothing here reads a clock.

* **The countdown** (``before:``): the meeting waits (:class:`~.state.Waiting` with
  ``countdown``) until its first section; the first section starts when the countdown's
  durable deadline passes or the chair starts at once, and the meeting's clock (its start, its
  planned end, ``start + 45m`` moments) counts from then.
* **Awaited moments**: a section with ``starts:`` never begins early. When the sections before
  it finish early, the meeting waits for its moment (and says so); the chair may begin sooner.
* **Running late**: before a sharing section would be shortened (less than three quarters of
  its planned time left, keeping the time of the sections after it, the closing among them) or
  dropped for lack of time, the chair is asked: shorter shares (the format's ``when-busy``
  limit), shares as usual, or leave it out. With no answer in two minutes the first choice
  holds. The section then ends in time for the closing.
* **Placeholders**: a text still marked ``placeholder: true`` is never read aloud. A section
  whose words are that text is left out; another keeps running without the words; the chair
  is told privately (:class:`~.time_effects.PlaceholderLeftOut`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.formats.plan import CompiledSection, CompiledText, SectionKind
from bot.core.meeting.clock import moment
from bot.core.meeting.effects import OfferReading, PostReading
from bot.core.meeting.state import LateAsk, SectionStep, Waiting
from bot.core.meeting.time_effects import (
    AwaitingStart,
    LateChoice,
    LateDecided,
    PlaceholderLeftOut,
    RunningLate,
)

if TYPE_CHECKING:
    from bot.core.meeting.flow import Transition

#: How long the chair has to answer "we're running late" before the first choice holds.
LATE_ANSWER_WITHIN = timedelta(minutes=2)
#: A section this little ahead of its ``starts:`` moment begins at once.
EARLY_ENOUGH = timedelta(seconds=60)
#: Ask when less than this share of a sharing section's planned time is left …
LATE_SHARE = 0.75
#: … and at least this much (seconds) is missing.
LATE_BY_AT_LEAST = 120
#: When the chair keeps a section there is no time left for, it gets this long (seconds).
AT_LEAST_SECONDS = 5 * 60

#: Kinds whose words are the whole section: a placeholder text leaves the section out.
WORDS_ARE_THE_SECTION = frozenset(
    {SectionKind.SAY, SectionKind.READ, SectionKind.RECITE, SectionKind.COLLECTION}
)


# --- placeholders -------------------------------------------------------------------------------


def left_out(run: Transition, section: CompiledSection, text: CompiledText | None) -> bool:
    """Whether ``section`` is left out because its words are still a placeholder (today's
    ``text``, or every option when the chair would choose); the chair is told."""
    if section.text is None or section.kind not in WORDS_ARE_THE_SECTION:
        return False
    options = (text,) if text is not None else section.text.options
    if not options or not all(option.placeholder for option in options):
        return False
    run.effects.append(PlaceholderLeftOut(section.index, section.title, whole=True))
    return True


def words_left_out(run: Transition, section: CompiledSection, text: CompiledText | None) -> bool:
    """Whether today's ``text`` of a section that runs anyway is a placeholder (then its words
    are not posted; the chair is told)."""
    if text is None or not text.placeholder:
        return False
    run.effects.append(PlaceholderLeftOut(section.index, section.title, whole=False))
    return True


# --- the countdown and awaited moments -----------------------------------------------------


def await_start(run: Transition, section: CompiledSection, came_from: int | None) -> bool:
    """A section whose ``starts:`` moment is still ahead: wait for it (True) instead of
    beginning early."""
    if section.starts is None:
        return False
    at = moment(section.starts, run.state, run.now)
    if at - run.now <= EARLY_ENOUGH:
        return False
    waiting = Waiting(section.index, at, countdown=False, came_from=came_from)
    run.state = replace(run.state, waiting=waiting)
    run.effects.append(AwaitingStart(section.index, section.title, at))
    return True


def end_wait(run: Transition) -> None:
    """The countdown is over, or a ``starts:`` moment came (or the chair begins now)."""
    waiting = run.state.waiting
    if waiting is None:
        return
    run.state = replace(run.state, waiting=None)
    if waiting.countdown:
        begin_clock(run)
    run.enter(waiting.index, waiting.came_from, awaited=not waiting.countdown)


def begin_clock(run: Transition) -> None:
    """The meeting really begins now: its start, planned end and time-left notes count from
    here (the countdown came before)."""
    plan, now = run.plan, run.now
    planned_end = now + timedelta(seconds=plan.length_seconds)
    passed = tuple(
        i
        for i, warning in enumerate(plan.meeting_warnings)
        if planned_end - timedelta(seconds=warning.seconds_left) <= now
    )
    run.state = replace(run.state, started_at=now, planned_end=planned_end, notes_sent=passed)


def recruitable(run: Transition) -> tuple[tuple[int, str], ...]:
    """The readings volunteers may take on before the start: offered readings that run
    today (as far as can be known before the meeting) and are not placeholders."""
    found = []
    for section in run.plan.sections:
        if section.reading is None or not section.reading.offer or section.text is None:
            continue
        if section.condition is not None and not run.runs(section):
            continue
        text = section.text.select(*day_keys(run))
        options = (text,) if text is not None else section.text.options
        if all(option.placeholder for option in options):
            continue
        found.append((section.index, section.title))
    return tuple(found)


def day_keys(run: Transition) -> tuple[int, int, int, int]:
    """What today's text depends on: the meeting's number, weekday, week of month, month."""
    day = run.state.started_at.date()
    return run.state.number, day.weekday(), (day.day - 1) // 7 + 1, day.month


def read_by_recruits(
    run: Transition, section: CompiledSection, parts: tuple[tuple[str, ...], ...]
) -> bool:
    """A reading begins that volunteers took on during the countdown: post their parts (and
    offer the rest). False when nobody did."""
    recruits = run.state.recruits
    readers = tuple(who for index, who in recruits if index == section.index)[: len(parts)]
    if not readers:
        return False
    run.state = replace(
        run.state, recruits=tuple((i, w) for i, w in recruits if i != section.index)
    )
    run.set_step(readers=readers)
    for part, who in enumerate(readers):
        run.effects.append(
            PostReading(section.index, section.title, part + 1, len(parts), parts[part], who)
        )
    if len(readers) < len(parts):
        run.effects.append(OfferReading(section.index, section.title, len(readers) + 1, len(parts)))
    return True


# --- running late -------------------------------------------------------------------------------


def askable(run: Transition, section: CompiledSection) -> bool:
    """A members' sharing section (not a speaker's) that runs today and was not asked about."""
    return (
        section.sharing is not None
        and section.sharing.sharer is None
        and section.index not in run.state.late_asked
        and run.runs(section)
        and run.leader(section.who) is not None
    )


def room_for(run: Transition, section: CompiledSection) -> int:
    """Seconds left for ``section`` from now: to its own ``until``, or to the next ``starts:``
    moment (or the planned end), less the planned time of the sections between (the closing)."""
    state, now = run.state, run.now
    if section.until is not None:
        return int((moment(section.until, state, now) - now).total_seconds())
    end, tail = state.planned_end, 0
    for later in run.plan.sections[section.index + 1 :]:
        if not run.runs(later):
            continue
        if later.starts is not None:
            end = moment(later.starts, state, now)
            break
        tail += later.planned_seconds
    return int((end - now).total_seconds()) - tail


def planned_for(run: Transition, section: CompiledSection) -> int:
    """How long the format planned ``section`` to take (seconds; 0 when it has no room)."""
    if section.time_box_seconds:
        return section.time_box_seconds
    also = [s.index for s in run.plan.sections if s.condition is not None and run.runs(s)]
    started = run.state.started_at  # clock moments (":50") count from the real start
    plan = replace(run.plan, starts_at_minute=started.hour * 60 + started.minute)
    scheduled = plan.schedule(also)
    return next((s.length_seconds for s in scheduled if s.section.index == section.index), 0)


def shorter_limit(section: CompiledSection) -> int | None:
    """The format's shorter share limit for busy times (``when-busy``), if it is shorter."""
    timer = None if section.sharing is None else section.sharing.timer
    if timer is None or not timer.busy_limits:
        return None
    shortest = min(busy.limit_seconds for busy in timer.busy_limits)
    return shortest if timer.limit_seconds is None or shortest < timer.limit_seconds else None


def ask_if_late(run: Transition, section: CompiledSection, came_from: int | None) -> bool:
    """Before a sharing section that would be cut short: ask the chair (True: asked)."""
    if not askable(run, section):
        return False
    planned = planned_for(run, section)
    room = room_for(run, section)
    if planned <= 0 or room >= planned * LATE_SHARE or planned - room < LATE_BY_AT_LEAST:
        return False
    ask(run, section, came_from, room, planned)
    return True


def ask(
    run: Transition,
    section: CompiledSection,
    came_from: int | None,
    room: int | None = None,
    planned: int | None = None,
) -> None:
    """Ask the chair how to fit ``section`` in (it would be dropped when ``room`` is 0)."""
    room = max(0, room_for(run, section) if room is None else room)
    planned = planned_for(run, section) if planned is None else planned
    until = run.now + LATE_ANSWER_WITHIN
    late = LateAsk(section.index, room, planned, until, came_from)
    run.state = replace(run.state, late=late)
    shorter = shorter_limit(section)
    run.effects.append(
        RunningLate(
            section.index, section.title, room, planned, shorter, choices(late, shorter), until
        )
    )


def choices(late: LateAsk, shorter: int | None) -> tuple[LateChoice, ...]:
    """What the chair may choose, the proposal first: with no room left, to leave it out."""
    sharing = (LateChoice.SHORTER,) if shorter is not None else (LateChoice.AS_IS,)
    if late.room <= 0:
        return (LateChoice.SKIP, *sharing)
    if shorter is not None:
        return (LateChoice.SHORTER, LateChoice.AS_IS, LateChoice.SKIP)
    return (LateChoice.AS_IS, LateChoice.SKIP)


def proposal(run: Transition) -> LateChoice | None:
    late = run.state.late
    if late is None:
        return None
    return choices(late, shorter_limit(run.plan.sections[late.index]))[0]


def settle_late(run: Transition, choice: LateChoice, *, by_default: bool) -> None:
    """The chair chose (or the proposal holds): begin the section so that it ends in time for
    what comes after it, with shorter shares if chosen, or leave it out."""
    late = run.state.late
    if late is None:
        return
    section = run.plan.sections[late.index]
    if choice not in choices(late, shorter_limit(section)):
        return
    run.state = replace(run.state, late=None, late_asked=(*run.state.late_asked, late.index))
    shorter = shorter_limit(section) if choice is LateChoice.SHORTER else None
    if choice is LateChoice.SKIP:
        run.effects.append(LateDecided(late.index, section.title, choice, by_default, None, None))
        run.enter(late.index + 1, late.came_from)
        return
    if shorter is not None:
        run.state = replace(run.state, shorter=(*run.state.shorter, late.index))
    seconds = max(room_for(run, section), AT_LEAST_SECONDS)
    ends_at = run.now + timedelta(seconds=seconds)
    run.effects.append(LateDecided(late.index, section.title, choice, by_default, shorter, ends_at))
    leader = run.leader(section.who) or section.who
    run.begin(late.index, leader, late.came_from, within=seconds)


# --- what is pending --------------------------------------------------------------------------


def pending(run: Transition) -> bool:
    """The meeting waits between sections: a countdown, a moment, or the chair's answer."""
    return run.state.step is None and (run.state.waiting is not None or run.state.late is not None)


def go_on(run: Transition, *, by_default: bool) -> None:
    """What is pending is over: the wait ends, or the proposal holds."""
    choice = proposal(run)
    if choice is not None:
        settle_late(run, choice, by_default=by_default)
    elif run.state.waiting is not None:
        end_wait(run)


def shown_deadline(section: CompiledSection, step: SectionStep | None) -> datetime | None:
    """When the section is shown to end: its own time box or ``until``; a later section's
    ``starts:`` moment only for a section that fills the time until then (sharing)."""
    if step is None:
        return None
    times = [] if step.box_at is None else [step.box_at]
    if step.anchor_at is not None and (step.jump_to is None or section.elastic):
        times.append(step.anchor_at)
    return min(times) if times else None
