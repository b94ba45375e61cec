"""A raid lock as the channel rules hold it: what the lock is, and where it lives durably.

The lock is a scheduler deadline (kind :data:`LOCK_KIND`, keyed by the channel): it exists
while the channel is locked, it is due when the lock lifts itself, and its payload holds all
that is needed to keep the lock after a restart — the group, whether it has a member role, and
the moment before which an account counts as settled (no one's id). What the channel was like
before is the channel rules' own restore plan (``room_restore``), so it comes back exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.lazy_dataclasses import lazy_dataclass

LOCK_KIND = "room.lock"
#: Clock minutes after which a lock lifts itself.
LOCK_MINUTES = 30
#: Without a member role, accounts that joined the server less than this many (real) minutes
#: before the lock are kept from posting.
NEWCOMER_MINUTES = 30
#: The slow mode while locked (seconds), unless the meeting's own is longer.
LOCK_SLOW_MODE = 30


@lazy_dataclass(frozen=True)
class RaidLock:
    """A locked channel. ``until`` is a clock timestamp; ``joined_after`` real Unix time."""

    channel_id: int
    group_id: int
    guild_id: int
    member_role_id: int | None
    until: float
    joined_after: float

    def payload(self) -> dict[str, Any]:
        return {
            "channel": self.channel_id,
            "group": self.group_id,
            "guild": self.guild_id,
            "role": self.member_role_id,
            "until": self.until,
            "joined_after": self.joined_after,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> RaidLock:
        role = payload.get("role")
        return cls(
            int(payload["channel"]),
            int(payload["group"]),
            int(payload["guild"]),
            None if role is None else int(role),
            float(payload["until"]),
            float(payload["joined_after"]),
        )
