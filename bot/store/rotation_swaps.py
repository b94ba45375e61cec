"""The rotation's pending swaps in SQLite (part of :class:`bot.store.rotation.RotationRepository`;
the table is declared to the privacy registry there)."""

from __future__ import annotations

import sqlite3

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.store.db import Database


@lazy_dataclass(frozen=True)
class SwapRequest:
    id: int
    rotation_id: int
    group_id: int
    role: str
    asker: Pseudonym
    partner: Pseudonym
    expires_at: float


class SwapRows:
    _db: Database

    async def ask_swap(
        self, rotation_id: int, asker: Pseudonym, partner: Pseudonym, expires_at: float
    ) -> int:
        """Record a swap request (replacing an earlier one between the same two people)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM rotation_swaps WHERE rotation_id = ? AND asker = ? AND partner = ?",
                (rotation_id, asker, partner),
            )
            return await tx.insert(
                "INSERT INTO rotation_swaps (rotation_id, asker, partner, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (rotation_id, asker, partner, expires_at),
            )

    async def swap_request(self, swap_id: int, now: float) -> SwapRequest | None:
        row = await self._db.fetchone(
            "SELECT s.id, s.rotation_id, r.group_id, r.role, s.asker, s.partner, s.expires_at "
            "FROM rotation_swaps AS s JOIN rotation_roles AS r ON r.id = s.rotation_id "
            "WHERE s.id = ? AND s.expires_at > ?",
            (swap_id, now),
        )
        return None if row is None else _swap(row)

    async def swap_between(
        self, rotation_id: int, asker: Pseudonym, partner: Pseudonym, now: float
    ) -> SwapRequest | None:
        row = await self._db.fetchone(
            "SELECT s.id, s.rotation_id, r.group_id, r.role, s.asker, s.partner, s.expires_at "
            "FROM rotation_swaps AS s JOIN rotation_roles AS r ON r.id = s.rotation_id "
            "WHERE s.rotation_id = ? AND s.asker = ? AND s.partner = ? AND s.expires_at > ?",
            (rotation_id, asker, partner, now),
        )
        return None if row is None else _swap(row)

    async def close_swap(self, swap_id: int) -> bool:
        """Delete a swap request; False if it was already answered (exactly once)."""
        return await self._db.execute("DELETE FROM rotation_swaps WHERE id = ?", (swap_id,)) == 1


def _swap(row: sqlite3.Row) -> SwapRequest:
    return SwapRequest(
        id=int(row["id"]),
        rotation_id=int(row["rotation_id"]),
        group_id=int(row["group_id"]),
        role=str(row["role"]),
        asker=Pseudonym(str(row["asker"])),
        partner=Pseudonym(str(row["partner"])),
        expires_at=float(row["expires_at"]),
    )
