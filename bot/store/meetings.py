"""Meetings under way: the core's state as JSON, saved in the same transaction as its timers."""

from __future__ import annotations

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.store.db import Database, Transaction
from bot.store.privacy import KeptTable, in_group, keep, register

register(
    KeptTable(
        table="meetings",
        mentions=("state",),
        one="meeting under way (where it is, who has the floor and who raised a hand, "
        "as coded keys)",
        many="meetings under way (where each is, who has the floor and who raised a hand, "
        "as coded keys)",
        until="deleted the moment the meeting ends",
        scope=in_group("group_id"),
        forget=keep(
            "the meeting under way holds your place in it, like a raised hand, as a coded key; "
            "all of it is deleted the moment the meeting ends"
        ),
    )
)


@lazy_dataclass(frozen=True, slots=True)
class MeetingRecord:
    id: int
    group_id: int
    format_ref: str
    state: str
    panel_message_id: int | None
    started_at: float = 0.0  # when the row was made (clock seconds): stable for the meeting


_SELECT = "SELECT id, group_id, format_ref, state, panel_message_id, started_at FROM meetings"


class MeetingRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    async def create(
        tx: Transaction, *, group_id: int, format_ref: str, state: str, now: float
    ) -> int | None:
        """Insert the group's meeting; ``None`` if one is already under way."""
        changed = await tx.execute(
            "INSERT INTO meetings (group_id, format_ref, state, started_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (group_id) DO NOTHING",
            (group_id, format_ref, state, now),
        )
        if changed == 0:
            return None
        row = await tx.fetchone("SELECT id FROM meetings WHERE group_id = ?", (group_id,))
        return None if row is None else int(row["id"])

    @staticmethod
    async def save(tx: Transaction, meeting_id: int, state: str) -> None:
        await tx.execute("UPDATE meetings SET state = ? WHERE id = ?", (state, meeting_id))

    @staticmethod
    async def delete(tx: Transaction, meeting_id: int) -> bool:
        return await tx.execute("DELETE FROM meetings WHERE id = ?", (meeting_id,)) == 1

    async def set_panel(self, meeting_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE meetings SET panel_message_id = ? WHERE id = ?", (message_id, meeting_id)
        )

    async def get(self, meeting_id: int) -> MeetingRecord | None:
        row = await self._db.fetchone(_SELECT + " WHERE id = ?", (meeting_id,))
        return None if row is None else MeetingRecord(**dict(row))

    async def all(self) -> list[MeetingRecord]:
        rows = await self._db.fetchall(_SELECT + " ORDER BY id")
        return [MeetingRecord(**dict(row)) for row in rows]
