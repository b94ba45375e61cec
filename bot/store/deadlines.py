"""Deadlines: the table behind the durable scheduler (bot/runtime/scheduler.py)."""

from __future__ import annotations

import enum
import json
import sqlite3
from collections.abc import Collection, Mapping
from typing import Any

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.store.db import Database, Transaction


@lazy_dataclass(frozen=True, slots=True)
class DeadlineRecord:
    id: int
    kind: str
    key: str
    due_at: float
    payload: Mapping[str, Any]
    attempts: int


class Claim(enum.Enum):
    """What :meth:`DeadlineRepository.claim` found; true only when taken."""

    TAKEN = "taken"
    #: Another process holds it (it is carrying the deadline out): look again later.
    HELD_ELSEWHERE = "held elsewhere"
    #: The row is no longer as armed (rescheduled, or carried out and deleted): re-read it now.
    MOVED = "moved"

    def __bool__(self) -> bool:
        return self is Claim.TAKEN


_SELECT_DEADLINES = "SELECT id, kind, key, due_at, payload, attempts FROM deadlines"


def _deadline(row: sqlite3.Row) -> DeadlineRecord:
    return DeadlineRecord(
        id=row["id"],
        kind=row["kind"],
        key=row["key"],
        due_at=row["due_at"],
        payload=json.loads(row["payload"]),
        attempts=row["attempts"],
    )


class DeadlineRepository:
    """The table behind the durable scheduler (bot/runtime/scheduler.py)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def upsert(self, kind: str, key: str, due_at: float, payload: Mapping[str, Any]) -> None:
        """Schedule, replacing any pending deadline with the same kind and key."""
        async with self._db.transaction() as tx:
            await self.upsert_in(tx, kind, key, due_at, payload)

    @staticmethod
    async def upsert_in(
        tx: Transaction, kind: str, key: str, due_at: float, payload: Mapping[str, Any]
    ) -> None:
        """:meth:`upsert` inside the caller's transaction (committed with its state change)."""
        await tx.execute(
            "INSERT INTO deadlines (kind, key, due_at, payload) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (kind, key) DO UPDATE SET "
            "due_at = excluded.due_at, payload = excluded.payload, attempts = 0",
            (kind, key, due_at, json.dumps(dict(payload), sort_keys=True)),
        )

    @staticmethod
    async def cancel_in(tx: Transaction, kind: str, key: str) -> None:
        await tx.execute("DELETE FROM deadlines WHERE kind = ? AND key = ?", (kind, key))

    @staticmethod
    async def cancel_prefix_in(tx: Transaction, kind_prefix: str, key_prefix: str) -> None:
        """Cancel every deadline whose kind and key start with these prefixes."""
        await tx.execute(
            "DELETE FROM deadlines WHERE substr(kind, 1, ?) = ? AND substr(key, 1, ?) = ?",
            (len(kind_prefix), kind_prefix, len(key_prefix), key_prefix),
        )

    async def cancel(self, kind: str, key: str) -> bool:
        return (
            await self._db.execute("DELETE FROM deadlines WHERE kind = ? AND key = ?", (kind, key))
            == 1
        )

    async def all(self) -> list[DeadlineRecord]:
        """Every pending deadline, soonest first. No page cap: a restart re-arms them all."""
        rows = await self._db.fetchall(_SELECT_DEADLINES + " ORDER BY due_at, id")
        return [_deadline(row) for row in rows]

    async def overdue(self, before: float, kinds: Collection[str]) -> int:
        """How many deadlines of these kinds were due before ``before`` and still wait."""
        if not kinds:
            return 0
        marks = ", ".join("?" for _ in kinds)
        return int(
            await self._db.fetchval(
                f"SELECT count(*) FROM deadlines WHERE due_at < ? AND kind IN ({marks})",  # noqa: S608 - only placeholders
                (before, *sorted(kinds)),
            )
        )

    async def get(self, kind: str, key: str) -> DeadlineRecord | None:
        row = await self._db.fetchone(
            _SELECT_DEADLINES + " WHERE kind = ? AND key = ?", (kind, key)
        )
        return None if row is None else _deadline(row)

    async def complete(self, deadline: DeadlineRecord) -> bool:
        """Delete a fired deadline, unless it was rescheduled meanwhile (keep the newer one)."""
        changed = await self._db.execute(
            "DELETE FROM deadlines WHERE id = ? AND due_at = ? AND attempts = ?",
            (deadline.id, deadline.due_at, deadline.attempts),
        )
        return changed == 1

    async def claim(self, deadline: DeadlineRecord) -> Claim:
        """Take this process's exclusive claim on a deadline about to fire (the claim lasts until
        :meth:`let_go`, or until the process dies). Holding nothing unless :attr:`Claim.TAKEN`:
        :attr:`Claim.HELD_ELSEWHERE` if another process holds it, :attr:`Claim.MOVED` if the row
        is no longer as ``deadline`` was armed (rescheduled, or carried out elsewhere)."""
        if not await self._db.hold("deadlines", deadline.id):
            return Claim.HELD_ELSEWHERE
        if self._db.backend == "sqlite":
            return Claim.TAKEN  # one process per database (its lock): the row is as it was left
        try:
            current = await self.get(deadline.kind, deadline.key)
        except BaseException:
            await self._db.let_go("deadlines", deadline.id)  # else held (and re-taken) forever
            raise
        if current is not None and (current.id, current.due_at, current.attempts) == (
            deadline.id,
            deadline.due_at,
            deadline.attempts,
        ):
            return Claim.TAKEN
        await self._db.let_go("deadlines", deadline.id)
        return Claim.MOVED

    async def still_ours(self, deadline: DeadlineRecord) -> bool:
        """Whether this process still holds the claim :meth:`claim` took: False once another
        process took the deadline over (this one's database connection dropped meanwhile), so
        its outcome is that process's to save. Raises StorageUnavailable if it can't be told."""
        return await self._db.still_holds("deadlines", deadline.id)

    async def let_go(self, deadline: DeadlineRecord) -> None:
        """Give up the claim :meth:`claim` took."""
        await self._db.let_go("deadlines", deadline.id)

    async def retry_later(self, deadline: DeadlineRecord, due_at: float) -> bool:
        changed = await self._db.execute(
            "UPDATE deadlines SET due_at = ?, attempts = attempts + 1 "
            "WHERE id = ? AND due_at = ? AND attempts = ?",
            (due_at, deadline.id, deadline.due_at, deadline.attempts),
        )
        return changed == 1
