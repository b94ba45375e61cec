"""The voice floor's restore plans in SQLite: who the bot silenced (or moved) in a voice or
stage channel, as coded keys, with the state each member gets back. A row is the bot's own
doing, so after a restart the bot knows these mutes are its own to lift. Read back after a
restart (bot/runtime/voice_floor); deleted as soon as everyone has their state back, and after a
day at most (``expires_at``, swept hourly as a safety net)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.store.db import Database
from bot.store.deadlines import DeadlineRepository
from bot.store.privacy import KeptTable, in_group, keep, register

register(
    KeptTable(
        table="floor_restore",
        people=("member",),
        one="member the bot muted (or moved to the audience) for a meeting's floor control, to "
        "give their voice back (a coded key, and whether they were muted before)",
        many="members the bot muted (or moved to the audience) for a meeting's floor control, "
        "to give their voice back (coded keys, and whether each was muted before)",
        until="deleted when everyone has their state back, after a day at most",
        scope=in_group("group_id"),
        forget=keep(
            "it is how the bot gives you back your voice state after a meeting's floor "
            "control; it is deleted the moment you have it back, after a day at most"
        ),
        expires_at="expires_at",
    )
)


@lazy_dataclass(frozen=True)
class FloorPlanRecord:
    channel_id: int
    group_id: int
    guild_id: int
    stage: bool
    expires_at: float
    members: dict[Pseudonym, bool] = field(default_factory=dict)  # -> silenced before


class FloorPlanRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(
        self,
        *,
        channel_id: int,
        group_id: int,
        stage: bool,
        members: Mapping[Pseudonym, bool],
        expires_at: float,
        deadline: tuple[str, str, Mapping[str, Any]],
    ) -> None:
        """Replace the channel's plan with ``members`` (coded key -> silenced before), and commit
        its deadline (kind, key, payload: due when the rows expire) in the same transaction."""
        kind, key, payload = deadline
        async with self._db.transaction() as tx:
            await DeadlineRepository.upsert_in(tx, kind, key, expires_at, payload)
            await tx.execute("DELETE FROM floor_restore WHERE channel_id = ?", (channel_id,))
            for member, silenced_before in members.items():
                await tx.execute(
                    "INSERT INTO floor_restore (group_id, channel_id, stage, member, "
                    "silenced_before, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (group_id, channel_id, int(stage), member, int(silenced_before), expires_at),
                )

    async def delete(self, channel_id: int, deadline: tuple[str, str] | None = None) -> None:
        """Delete the channel's plan (and, in the same transaction, its deadline)."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM floor_restore WHERE channel_id = ?", (channel_id,))
            if deadline is not None:
                await DeadlineRepository.cancel_in(tx, *deadline)

    async def all(self) -> list[FloorPlanRecord]:
        """Every stored plan, one per channel."""
        rows = await self._db.fetchall(
            "SELECT f.channel_id, f.group_id, g.guild_id, f.stage, f.member, "
            "f.silenced_before, f.expires_at FROM floor_restore AS f "
            "JOIN groups AS g ON g.id = f.group_id ORDER BY f.channel_id, f.member"
        )
        plans: dict[int, FloorPlanRecord] = {}
        # Rows of one plan share their expiry (they are saved together).
        for row in rows:
            plan = plans.setdefault(
                row["channel_id"],
                FloorPlanRecord(
                    row["channel_id"],
                    row["group_id"],
                    row["guild_id"],
                    bool(row["stage"]),
                    row["expires_at"],
                ),
            )
            plan.members[Pseudonym(row["member"])] = bool(row["silenced_before"])
        return list(plans.values())
