"""Meeting time: anchors as absolute moments, and the deadlines a state wants armed.

The timers a meeting needs are a pure function of its state (:func:`wanted_timers`): each
transition arms what is newly wanted and cancels what no longer is, and a timer that fires but
is no longer wanted is stale. Keys carry a token (the section's run, the turn's number, the
phase, the warning), so a deadline left over from an earlier section or share never matches.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.formats.plan import Anchor, AnchorBase, CompiledFormat, ShareTimer
from bot.core.meeting.effects import MeetingDeadlineKind
from bot.core.meeting.state import MeetingState, SectionStep, Status
from bot.core.sharing import FloorRules, note_at

DeadlineKey = tuple[MeetingDeadlineKind, str]


def moment(anchor: Anchor, state: MeetingState, section_start: datetime) -> datetime:
    """The absolute time of ``anchor`` in this meeting.

    ``end`` is the planned end (start + the format's length). A clock anchor (":50") is the
    first time after the start that the wall clock shows that minute, in the time zone of the
    ``now`` the meeting was started with. ``section`` anchors count from ``section_start``.
    """
    offset = timedelta(seconds=anchor.offset_seconds)
    match anchor.base:
        case AnchorBase.START:
            return state.started_at + offset
        case AnchorBase.END:
            return state.planned_end + offset
        case AnchorBase.CLOCK:
            return wall_clock(state.started_at, anchor.minute, anchor.hour)
        case AnchorBase.SECTION:
            return section_start + offset
    return state.started_at + offset  # pragma: no cover — every base is matched above


def wall_clock(start: datetime, minute: int, hour: int | None = None) -> datetime:
    """The first moment after ``start`` when the clock shows ``:minute`` (any hour) or
    ``hour:minute`` (``start``'s zone)."""
    base = start.replace(second=0, microsecond=0)
    if hour is not None:
        of_day = start.hour * 60 + start.minute
        at = base + timedelta(minutes=(hour * 60 + minute - of_day) % 1440)
        return at if at > start else at + timedelta(days=1)
    at = base + timedelta(minutes=(minute - start.minute) % 60)
    return at if at > start else at + timedelta(hours=1)


def floor_rules(plan: CompiledFormat, state: MeetingState) -> FloorRules | None:
    """The floor rules of the sharing section under way, or ``None`` outside one."""
    step = state.step
    if step is None or state.status is Status.ENDED:
        return None
    section = plan.sections[step.index]
    if section.sharing is None:
        return None
    speaker = None
    sharer = section.sharing.sharer  # set for a speaker, whose one share is the section
    if sharer is not None and sharer.role is not None:
        speaker = next(iter(state.holders(sharer.role)), None)
    sharing = section.sharing
    if step.index in state.shorter:  # running late, the chair chose shorter shares
        sharing = replace(sharing, timer=shortened(sharing.timer))
    return FloorRules(
        section=step.index,
        sharing=sharing,
        counts=section.sharing.counts,
        single=sharer is not None,
        speaker=speaker,
        roles=tuple((who, role) for role, who in state.roles),
        declared=state.declared,
        ends_at=step.deadline,
    )


def shortened(timer: ShareTimer) -> ShareTimer:
    """The share timer with the format's shorter limit for busy times (``when-busy``) for the
    whole section: the chair chose shorter shares because the meeting runs late."""
    limit = min((busy.limit_seconds for busy in timer.busy_limits), default=None)
    if limit is None:
        return timer
    return replace(timer, limit_seconds=limit, busy_limits=())


def note_moment(plan: CompiledFormat, state: MeetingState, index: int) -> datetime:
    warning = plan.meeting_warnings[index]
    return state.planned_end - timedelta(seconds=warning.seconds_left)


def phase_moment(plan: CompiledFormat, state: MeetingState, step: SectionStep) -> datetime | None:
    """When the next turn-taking phase of the section under way begins, if there is one."""
    sharing = plan.sections[step.index].sharing
    if sharing is None or not state.floor.active:
        return None
    following = state.floor.phase + 1
    if following >= len(sharing.phases):
        return None
    begins = sharing.phases[following].begins
    return None if begins is None else moment(begins, state, step.started_at)


def wanted_timers(plan: CompiledFormat, state: MeetingState) -> dict[DeadlineKey, datetime]:
    """Every deadline this state needs armed, by ``(kind, key)``. None while paused or ended."""
    wanted: dict[DeadlineKey, datetime] = {}
    if state.status is not Status.RUNNING:
        return wanted
    for index in range(len(plan.meeting_warnings)):
        if index not in state.notes_sent:
            wanted[(MeetingDeadlineKind.MEETING_NOTE, f"m{index}")] = note_moment(
                plan, state, index
            )
    if state.chair_check is not None:
        wanted[(MeetingDeadlineKind.CHAIR_CHECK, "chair")] = state.chair_check.until
    # Between sections: the countdown or a `starts:` moment awaited, the chair's answer when
    # running late (bot/core/meeting/waits.py). Section deadlines, so one handler serves.
    if state.waiting is not None:
        waiting = state.waiting
        wanted[(MeetingDeadlineKind.SECTION, f"wait{waiting.index}")] = waiting.until
    if state.late is not None:
        wanted[(MeetingDeadlineKind.SECTION, f"late{state.late.index}")] = state.late.until
    step = state.step
    if step is None:
        return wanted
    run = f"s{step.run}"
    if step.box_at is not None and not step.box_up:
        wanted[(MeetingDeadlineKind.SECTION, f"{run}.box")] = step.box_at
    if step.anchor_at is not None and not step.anchor_up:
        wanted[(MeetingDeadlineKind.SECTION, f"{run}.anchor")] = step.anchor_at
    if step.part_box_at is not None and not step.part_up:
        wanted[(MeetingDeadlineKind.ITEM, f"{run}.i{step.part}")] = step.part_box_at
    phase_at = phase_moment(plan, state, step)
    if phase_at is not None:
        wanted[(MeetingDeadlineKind.PHASE, f"{run}.p{state.floor.phase + 1}")] = phase_at
    rules = floor_rules(plan, state)
    turn = state.floor.turn
    if rules is not None and turn is not None:
        note = note_at(rules, turn, turn.notes_sent)
        if note is not None:
            wanted[(MeetingDeadlineKind.SHARE_NOTE, f"t{turn.number}.n{turn.notes_sent}")] = note
        if turn.over_at is not None and not turn.time_up:
            wanted[(MeetingDeadlineKind.SHARE_LIMIT, f"t{turn.number}")] = turn.over_at
    return wanted
