"""What the meeting knows when it decides whether a section runs (:class:`MeetingFacts`).

The day and the time of day are the meeting's start on the group's clock (the runtime passes
``now`` in the group's time zone), so every section of one meeting sees the same day and the
same part of the day. Private declarations count here as numbers only: how many members said
each, never who.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.core.formats.conditions import MeetingFacts
from bot.core.formats.plan import CompiledFormat, CompiledSection
from bot.core.formats.variants import chosen_modes
from bot.core.meeting.state import MeetingState


def meeting_facts(
    plan: CompiledFormat, state: MeetingState, section: CompiledSection, now: datetime
) -> MeetingFacts:
    switches = {s.name: s.default for s in plan.switches}
    switches.update(dict(state.switches))
    began = state.started_at
    return MeetingFacts(
        today=began.date(),
        seconds_left=int((state.planned_end - now).total_seconds()),
        section_seconds=section.planned_seconds,
        answers=dict(state.answers),
        switches=switches,
        filled_roles=frozenset(role for role, _ in state.roles),
        started_minute=began.hour * 60 + began.minute,
        declared=Counter(said for said, _ in state.declared.said),
        modes=chosen_modes(plan.variants.modes, switches),
    )
