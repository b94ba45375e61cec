"""A group's uploaded formats (its own meeting scripts); adopting one sets the group's format."""

from __future__ import annotations

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.store.db import Database
from bot.store.privacy import KeptTable, in_group, register

register(
    KeptTable(
        table="group_formats",
        one="uploaded format (the group's own meeting script; who uploaded it isn't kept)",
        many="uploaded formats (the group's own meeting scripts; who uploaded them isn't kept)",
        until="kept while the group exists",
        scope=in_group("group_id"),
    )
)


@lazy_dataclass(frozen=True)
class UploadedFormat:
    number: int
    label: str  # the uploaded file's name, without .yaml
    source: str
    status: str


class GroupFormatRepository:
    """A group's uploaded formats. Adopting one also makes it the group's current format."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, group_id: int, *, label: str, source: str, now: float) -> int:
        async with self._db.transaction() as tx:
            return await tx.insert(
                "INSERT INTO group_formats (group_id, label, source, status, uploaded_at) "
                "VALUES (?, ?, ?, 'candidate', ?)",
                (group_id, label, source, now),
            )

    async def get(self, group_id: int, number: int) -> UploadedFormat | None:
        row = await self._db.fetchone(
            "SELECT id AS number, label, source, status FROM group_formats "
            "WHERE group_id = ? AND id = ?",
            (group_id, number),
        )
        return None if row is None else UploadedFormat(**dict(row))

    async def for_group(self, group_id: int) -> list[UploadedFormat]:
        rows = await self._db.fetchall(
            "SELECT id AS number, label, source, status FROM group_formats "
            "WHERE group_id = ? ORDER BY id",
            (group_id,),
        )
        return [UploadedFormat(**dict(row)) for row in rows]

    async def adopt(self, group_id: int, ref: str, now: float) -> None:
        """Set the group's format to ``ref``; an uploaded one is marked adopted (with when)."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE groups SET format_id = ? WHERE id = ?", (ref, group_id))
            await tx.execute(
                "UPDATE group_formats SET status = 'candidate' "
                "WHERE group_id = ? AND status = 'adopted'",
                (group_id,),
            )
            if ref.startswith("group:"):
                await tx.execute(
                    "UPDATE group_formats SET status = 'adopted', adopted_at = ? "
                    "WHERE group_id = ? AND id = ?",
                    (now, group_id, int(ref.removeprefix("group:"))),
                )
