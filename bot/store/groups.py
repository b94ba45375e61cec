"""Groups: one per channel, the root every group-owned table leads to (``groups``)."""

from __future__ import annotations

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.store.db import Database, Transaction
from bot.store.privacy import KeptTable, in_group, register

# The group's decided settings are written by bot/store/decisions.py; they are declared here,
# with the group they belong to, so /privacy keeps listing them right after uploaded formats
# (bot/store/__init__.py imports bot.store.group_formats first).
register(
    KeptTable(
        table="group_settings",
        one="setting the group changed by its own decision",
        many="settings the group changed by its own decisions",
        until="kept while the group exists",
        scope=in_group("group_id"),
    )
)


@lazy_dataclass(frozen=True, slots=True)
class GroupRecord:
    id: int
    guild_id: int
    channel_id: int
    format_id: str
    member_role_id: int | None
    meetings_held: int


class GroupRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def by_channel(self, channel_id: int) -> GroupRecord | None:
        row = await self._db.fetchone(
            "SELECT id, guild_id, channel_id, format_id, member_role_id, meetings_held "
            "FROM groups WHERE channel_id = ?",
            (channel_id,),
        )
        return None if row is None else GroupRecord(**dict(row))

    async def by_id(self, group_id: int) -> GroupRecord | None:
        row = await self._db.fetchone(
            "SELECT id, guild_id, channel_id, format_id, member_role_id, meetings_held "
            "FROM groups WHERE id = ?",
            (group_id,),
        )
        return None if row is None else GroupRecord(**dict(row))

    async def with_meetings(self) -> dict[int, GroupRecord]:
        """Every group with a meeting under way, by id, in one read (the start-up's resume of
        a thousand meetings reads their groups at once, not one by one)."""
        rows = await self._db.fetchall(
            "SELECT g.id, g.guild_id, g.channel_id, g.format_id, g.member_role_id, "
            "g.meetings_held FROM groups g WHERE g.id IN (SELECT group_id FROM meetings)"
        )
        return {int(row["id"]): GroupRecord(**dict(row)) for row in rows}

    @staticmethod
    async def count_meeting(tx: Transaction, group_id: int) -> int:
        """A meeting counted: give it the next number (inside the caller's transaction)."""
        await tx.execute(
            "UPDATE groups SET meetings_held = meetings_held + 1 WHERE id = ?", (group_id,)
        )
        row = await tx.fetchone("SELECT meetings_held FROM groups WHERE id = ?", (group_id,))
        return 0 if row is None else int(row["meetings_held"])

    @staticmethod
    async def held_in(tx: Transaction, group_id: int) -> int:
        """The group's count of held meetings, read inside the caller's transaction."""
        row = await tx.fetchone("SELECT meetings_held FROM groups WHERE id = ?", (group_id,))
        return 0 if row is None else int(row["meetings_held"])

    async def count_in_guild(self, guild_id: int) -> int:
        return int(
            await self._db.fetchval("SELECT count(*) FROM groups WHERE guild_id = ?", (guild_id,))
        )

    async def create(
        self,
        *,
        guild_id: int,
        channel_id: int,
        format_id: str,
        member_role_id: int | None,
        now: float,
    ) -> GroupRecord | None:
        """Create the channel's group; ``None`` if the channel already has one."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "INSERT INTO groups (guild_id, channel_id, format_id, member_role_id, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel_id) DO NOTHING",
                (guild_id, channel_id, format_id, member_role_id, now),
            )
        if changed == 0:
            return None
        return await self.by_channel(channel_id)

    async def delete_guild(self, guild_id: int) -> int:
        """Forget every group of a server (and, by cascade, everything they hold)."""
        return await self._db.execute("DELETE FROM groups WHERE guild_id = ?", (guild_id,))
