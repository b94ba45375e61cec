"""Newcomer welcomes (``newcomer_welcomes``): who has had the private welcome to a group's
meeting channel, as a coded key, so it is sent at most once (bot/runtime/newcomer.py).

A row is written *before* the welcome is sent (a claim: two posts at once send one welcome) and
deleted again if Discord refuses the private message, so nothing is kept about someone who never
received it. Each row goes after :data:`KEEP_DAYS` days.
"""

from __future__ import annotations

from bot.core.pseudonyms import Pseudonym
from bot.store.db import Database
from bot.store.privacy import KeptTable, in_group, register

#: How long a welcome is remembered: after that, the person may be welcomed once more.
KEEP_DAYS = 90

register(
    KeptTable(
        table="newcomer_welcomes",
        people=("member",),
        one="member who was sent the private welcome to the group's meeting channel, so it "
        "isn't sent twice (a coded key)",
        many="members who were sent the private welcome to the group's meeting channel, so it "
        "isn't sent twice (coded keys)",
        until=f"deleted after {KEEP_DAYS} days",
        scope=in_group("group_id"),
        expires_at="expires_at",
    )
)


class WelcomeRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, group_id: int, member: Pseudonym, now: float) -> bool:
        """Claim the welcome for this member in this group: True for the one caller that should
        send it, False if it was sent (or claimed) within the last :data:`KEEP_DAYS` days."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM newcomer_welcomes "
                "WHERE group_id = ? AND member = ? AND expires_at <= ?",
                (group_id, member, now),
            )
            added = await tx.execute(
                "INSERT INTO newcomer_welcomes (group_id, member, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (group_id, member) DO NOTHING",
                (group_id, member, now + KEEP_DAYS * 86400),
            )
        return added == 1

    async def unclaim(self, group_id: int, member: Pseudonym) -> None:
        """The welcome could not be delivered: keep nothing about this member."""
        await self._db.execute(
            "DELETE FROM newcomer_welcomes WHERE group_id = ? AND member = ?", (group_id, member)
        )

    async def count(self, group_id: int) -> int:
        return int(
            await self._db.fetchval(
                "SELECT count(*) FROM newcomer_welcomes WHERE group_id = ?", (group_id,)
            )
        )
