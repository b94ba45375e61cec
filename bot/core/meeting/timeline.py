"""A meeting under way on its format's timeline: "now", the section under way, those done.

For ``/meeting status``: :func:`meeting_timeline` is :func:`bot.core.formats.timeline.timeline`
with the meeting's progress marked (pure; the picture is drawn in :mod:`bot.pictures`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.formats.plan import CompiledFormat
from bot.core.formats.timeline import Timeline, timeline, with_progress
from bot.core.meeting.state import MeetingState


def meeting_timeline(plan: CompiledFormat, state: MeetingState, now: datetime) -> Timeline:
    """The format's timeline with ``now`` marked, seconds after the meeting's planned start
    (its planned end less its length, so a countdown before the start is not counted), the
    section under way and every section before it (run, or passed over) done. The
    conditional sections this meeting ran are drawn in the main lane."""
    current = state.step.index if state.step is not None else None
    waiting = state.waiting
    if current is None and waiting is not None:
        current = waiting.index  # waiting for it to begin
    ran = [*state.history, *([current] if current is not None else [])]
    began = state.planned_end - timedelta(seconds=plan.length_seconds)
    elapsed = int((now - began).total_seconds())
    done = range(current) if current is not None else range(0)
    return with_progress(timeline(plan, also=ran), elapsed, current, done)
