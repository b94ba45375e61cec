"""The operations of time in the room (see :mod:`.waits`): open a meeting with its countdown,
start at once, offer to read before the start, answer "we're running late", move on when a
sharing section's time is up.

Each takes the meeting's :class:`~.runner.MeetingRunner` (for its plan), the state and ``now``
and returns ``(new_state, effects)`` like the runner's own operations; a request that cannot be
done now raises :class:`NotNow` (nothing changed) or, like every operation,
:class:`~.effects.MeetingError`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.formats.plan import CompiledFormat
from bot.core.meeting import waits
from bot.core.meeting.effects import MeetingError, MeetingRefusal
from bot.core.meeting.flow import Outcome, Transition
from bot.core.meeting.runner import MeetingRunner
from bot.core.meeting.state import MeetingSetup, MeetingState, Status, Waiting
from bot.core.meeting.time_effects import CountdownBegins, LateChoice, ReaderOffered
from bot.core.pseudonyms import Pseudonym


class TimeRefusal(StrEnum):
    """Why a request about time was refused; the runtime words each kindly."""

    BEGUN = "begun"  # start now: the meeting (or the section awaited) has already begun
    NOT_BEFORE = "not_before"  # offer to read: the countdown is over
    NO_SUCH_READING = "no_such_reading"  # not a reading offered before the start
    READING_TAKEN = "reading_taken"  # every part of that reading has a reader already
    ALREADY_OFFERED = "already_offered"  # this member offered to read it already
    NOT_ASKED = "not_asked"  # no "running late" question is waiting for an answer
    NOT_A_CHOICE = "not_a_choice"  # that choice was not offered
    MOVED_ON = "moved_on"  # move on: the section whose time was up is over already


class NotNow(Exception):
    """A time request that cannot be done now; nothing changed."""

    def __init__(self, reason: TimeRefusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


#: A meeting opened at most this long before its format's ``starts-at:`` waits for that time.
STARTS_AT_WAIT = timedelta(hours=1)


def usual_start(plan: CompiledFormat, now: datetime) -> datetime | None:
    """Today's ``starts-at:`` time (``now`` is in the group's own zone), if it is still to come
    within :data:`STARTS_AT_WAIT`; otherwise ``None`` (no ``starts-at:``, or it has passed)."""
    minute = plan.starts_at_minute
    if minute is None:
        return None
    at = now.replace(hour=minute // 60, minute=minute % 60, second=0, microsecond=0)
    return at if now < at <= now + STARTS_AT_WAIT else None


def open_meeting(
    runner: MeetingRunner, now: datetime, setup: MeetingSetup, *, due: datetime | None = None
) -> Outcome:
    """``/meeting start``: with the format's ``before:`` countdown the meeting waits until the
    countdown ends (a durable deadline) or the chair starts it; so it does, opened a little
    before the format's ``starts-at:`` time, until that time. Otherwise it starts at once
    (:meth:`MeetingRunner.start`). The meeting's clock counts from its real start.

    ``due``: opened by the group's schedule for a meeting at that time: the countdown ends then,
    however late in its window the meeting was opened (many opening on the same minute are
    spread over it), and a meeting opened after its time starts at once."""
    plan = runner.plan
    before = plan.before_start
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("times passed to the meeting core must be timezone-aware")
    countdown = before.countdown_seconds if before is not None else 0
    begins = now + timedelta(seconds=max(0, countdown))
    usual = usual_start(plan, now)
    if usual is not None and usual > begins:
        begins = usual
    if due is not None and countdown > 0:
        begins = due
    if begins <= now:
        return runner.start(now, setup)
    state = MeetingState(
        format_name=plan.name,
        section_count=len(plan.sections),
        number=setup.number,
        started_at=begins,
        planned_end=begins + timedelta(seconds=plan.length_seconds),
        switches=tuple(sorted((k, bool(v)) for k, v in setup.switches.items())),
        roles=tuple((role, who) for role, holders in setup.roles.items() for who in holders),
        waiting=Waiting(0, begins, countdown=True),
    )
    run = Transition(plan, replace(state, status=Status.ENDED), now)
    run.state = state
    chunks: tuple[str, ...] = ()
    if before is not None and before.text is not None:
        text = before.text.select(*waits.day_keys(run)) or before.text.options[0]
        chunks = () if text.placeholder else text.chunks
    readings = waits.recruitable(run) if before is not None and before.recruit_readers else ()
    run.effects.append(CountdownBegins(begins, chunks, readings))
    return run.finish()


def start_now(runner: MeetingRunner, state: MeetingState, now: datetime) -> Outcome:
    """The chair: begin now — the countdown's end, or a section awaiting its moment."""
    run = _begin(runner, state, now, navigation=True)
    if run.state.step is not None or run.state.waiting is None:
        raise NotNow(TimeRefusal.BEGUN)
    waits.end_wait(run)
    return run.finish()


def offer_to_read(
    runner: MeetingRunner, state: MeetingState, index: int, who: Pseudonym, now: datetime
) -> Outcome:
    """During the countdown, ``who`` offers to read section ``index`` when it comes."""
    run = _begin(runner, state, now)
    waiting = run.state.waiting
    if waiting is None or not waiting.countdown:
        raise NotNow(TimeRefusal.NOT_BEFORE)
    titles = dict(waits.recruitable(run))
    if index not in titles:
        raise NotNow(TimeRefusal.NO_SUCH_READING)
    readers = [w for i, w in run.state.recruits if i == index]
    if who in readers:
        raise NotNow(TimeRefusal.ALREADY_OFFERED)
    reading = runner.plan.sections[index].reading
    if len(readers) >= (1 if reading is None else reading.readers):
        raise NotNow(TimeRefusal.READING_TAKEN)
    run.state = replace(run.state, recruits=(*run.state.recruits, (index, who)))
    run.effects.append(ReaderOffered(index, titles[index], who))
    return run.finish()


def decide_late(
    runner: MeetingRunner, state: MeetingState, choice: LateChoice, now: datetime
) -> Outcome:
    """The chair answers "we're running late": shorter shares, as usual, or leave it out."""
    run = _begin(runner, state, now, navigation=True)
    late = run.state.late
    if late is None or run.state.step is not None:
        raise NotNow(TimeRefusal.NOT_ASKED)
    section = runner.plan.sections[late.index]
    if choice not in waits.choices(late, waits.shorter_limit(section)):
        raise NotNow(TimeRefusal.NOT_A_CHOICE)
    waits.settle_late(run, choice, by_default=False)
    return run.finish()


def move_on(runner: MeetingRunner, state: MeetingState, section_run: int, now: datetime) -> Outcome:
    """The chair moves on from a sharing section whose time is up (``section_run`` names the
    section as it ran, so an old button moves nothing)."""
    run = _begin(runner, state, now, navigation=True)
    step = run.state.step
    if step is None or step.run != section_run:
        raise NotNow(TimeRefusal.MOVED_ON)
    run.move_on()
    return run.finish()


def _begin(
    runner: MeetingRunner, state: MeetingState, now: datetime, *, navigation: bool = False
) -> Transition:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("times passed to the meeting core must be timezone-aware")
    plan = runner.plan
    if state.format_name != plan.name or state.section_count != len(plan.sections):
        raise MeetingError(MeetingRefusal.WRONG_FORMAT)
    if state.status is Status.ENDED:
        raise MeetingError(MeetingRefusal.ENDED)
    if state.status is Status.PAUSED and navigation:
        raise MeetingError(MeetingRefusal.PAUSED)
    return Transition(plan, state, now)
