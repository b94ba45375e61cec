"""What follows a meeting's end, written in the transaction that deletes its row, and the
meeting's time of day: every ``now`` the meeting core is given is in the group's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from bot.core.meeting import MeetingState
from bot.runtime.clock import local_time, time_zone
from bot.runtime.events import EventBus, MeetingClosed, MeetingCounted
from bot.runtime.live import LiveMeeting
from bot.store import Store
from bot.store.db import Transaction

Closing = list[tuple[MeetingCounted | MeetingClosed, list[int]]]


async def closing_events(
    tx: Transaction,
    store: Store,
    bus: EventBus,
    live: LiveMeeting,
    counted: bool,
    at: float,
    last: MeetingState,
) -> Closing:
    """The events of a meeting's end, written to the event outbox in its transaction: what
    follows (exclusions, the rotation) then happens even if the process dies right after.
    ``last``: the meeting's state at its last step, before it ended."""
    group = live.group
    events: list[MeetingCounted | MeetingClosed] = []
    if counted:
        held = await store.groups.count_meeting(tx, group.id)
        # Who served: the holders at the last step (an ended meeting's state names nobody).
        served = last.roles
        events.append(MeetingCounted(group.id, group.guild_id, group.channel_id, held, at, served))
    else:
        held = await store.groups.held_in(tx, group.id)
    events.append(
        MeetingClosed(live.id, group.id, group.guild_id, group.channel_id, held, counted, at)
    )
    return [(event, await bus.hold(tx, event)) for event in events]


async def group_zone(store: Store, group_id: int) -> tzinfo:
    """The group's time zone, from its schedule (UTC when it has none)."""
    row = await store.schedules.get(group_id)
    return UTC if row is None else time_zone(row.spec.zone)


def meeting_now(now: datetime, live: LiveMeeting) -> datetime:
    """``now`` at the meeting's offset from UTC: the one its start was given in the group's
    zone (kept with the start's time in the stored state, so a restart keeps it). The same
    instant; only the wall clock it reads differs."""
    zone = live.state.started_at.tzinfo
    return now if zone is None else local_time(now, zone)
