"""Meetings under way, in memory: the one index every feature reads.

The meeting service (:mod:`bot.runtime.meetings`) is the only writer: it adds a meeting when it
starts or is read back after a restart, and removes it when it ends. Every other feature
(crosstalk, voice floor, rotation, decisions) only *reads* it — one dictionary lookup per
channel, so the message hot path never touches the database. It is built once, in the
composition root, and handed to each service that needs it.

Who is who lives here in memory only (``LiveMeeting.names``: pseudonym -> user id, learnt when
a member presses a button or uses a command); the database holds pseudonyms.

Who took part is counted here too, in memory only (``LiveMeeting.took_part``); the stored state
holds only the number (``MeetingState.participants``). After a restart the set starts empty on
top of the number stored so far (``took_part_before``), so a member who takes part both before
and after a restart is counted twice. That is the kinder side to err on: a restart is the bot's
doing, never a member's, so it cannot be used to make a meeting count, and it never costs a
group the meeting it really held.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field

from bot.core.formats import CompiledFormat
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting import MeetingRunner, MeetingState
from bot.core.meeting.state import CHAIR
from bot.core.pseudonyms import Pseudonym
from bot.store.groups import GroupRecord

__all__ = ["CHAIR", "CHAIR_AWAY_SECONDS", "LiveMeeting", "LiveMeetings", "StartingRoles"]

#: Someone may offer to step in as chair after this many clock seconds without a sign of the
#: chair: a press, a post in the meeting's channel, or a change in its voice channel.
CHAIR_AWAY_SECONDS = 120


@lazy_dataclass
class LiveMeeting:
    """A meeting under way, in memory. ``names`` never leaves memory."""

    id: int
    group: GroupRecord
    format_ref: str
    runner: MeetingRunner
    state: MeetingState
    panel_message_id: int | None
    names: dict[Pseudonym, int] = field(default_factory=dict)
    chair_seen_at: float = 0.0
    took_part: set[Pseudonym] = field(default_factory=set)  # in memory only, never stored
    arrived: list[Pseudonym] = field(default_factory=list)  # took_part in order; memory only
    took_part_before: int = 0  # the number stored before a restart
    opened_at: float = 0.0  # when /meeting start made it (clock seconds; stays as it was)

    @property
    def participants(self) -> int:
        """How many different members took part (see the module's note on restarts)."""
        return self.took_part_before + len(self.took_part)

    @property
    def plan(self) -> CompiledFormat:
        return self.runner.plan

    @property
    def chairs(self) -> tuple[Pseudonym, ...]:
        return self.state.holders(CHAIR)

    def roles(self) -> dict[str, tuple[Pseudonym, ...]]:
        """Who holds each of the format's roles now."""
        held: dict[str, tuple[Pseudonym, ...]] = {}
        for role_id, who in self.state.roles:
            held[role_id] = (*held.get(role_id, ()), who)
        return held


@lazy_dataclass(frozen=True)
class StartingRoles:
    """Who serves at a meeting that is starting, and how long the chair has to arrive."""

    holders: Mapping[str, Sequence[Pseudonym]]
    #: Clock seconds the named chair has before anyone may step in (they may be on their way).
    chair_arrives_within: float = 0.0


class LiveMeetings:
    """The meetings under way, by channel and by id."""

    def __init__(self) -> None:
        self._by_channel: dict[int, LiveMeeting] = {}
        self._by_id: dict[int, LiveMeeting] = {}

    def in_channel(self, channel_id: int | None) -> LiveMeeting | None:
        return None if channel_id is None else self._by_channel.get(channel_id)

    def by_id(self, meeting_id: int) -> LiveMeeting | None:
        return self._by_id.get(meeting_id)

    def running(self) -> list[LiveMeeting]:
        return list(self._by_id.values())

    def under_way(self, channel_id: int | None) -> bool:
        return self.in_channel(channel_id) is not None

    def is_current(self, live: LiveMeeting) -> bool:
        """Still the meeting under way (not ended, not replaced)."""
        return self._by_id.get(live.id) is live

    def add(self, live: LiveMeeting) -> None:
        self._by_channel[live.group.channel_id] = live
        self._by_id[live.id] = live

    def remove(self, live: LiveMeeting) -> None:
        self._by_channel.pop(live.group.channel_id, None)
        self._by_id.pop(live.id, None)
