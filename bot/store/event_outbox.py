"""The event outbox: durable consequences waiting to be carried out (bot/runtime/events.py).

A row is one durable subscriber's copy of one event. It is written inside the publisher's
transaction (so it exists exactly when the state change does), claimed with a conditional update
before its handler runs (so one process runs it once), and deleted when the handler is done. A
failed handler's row is released with a later ``due_at``; a row claimed by a process that died
is taken up by the next one (its ``claim`` token is not the new process's).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Mapping
from typing import Any

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.store.db import Database, Transaction
from bot.store.privacy import KeptTable, in_group, keep, register

log = logging.getLogger(__name__)

register(
    KeptTable(
        table="event_outbox",
        mentions=("payload",),
        one="consequence of a meeting still to be carried out (who served, as coded keys)",
        many="consequences of meetings still to be carried out (who served, as coded keys)",
        until="deleted as soon as each is carried out, moments after the meeting",
        scope=in_group("group_id"),
        forget=keep(
            "a meeting you were part of has just ended and what follows from it (like noting who "
            "served) is being carried out; it is deleted as soon as that is done"
        ),
    )
)


@lazy_dataclass(frozen=True)
class OutboxRow:
    id: int
    group_id: int
    subscriber: str
    event: str
    payload: Mapping[str, Any]
    due_at: float
    attempts: int


_SELECT = "SELECT id, group_id, subscriber, event, payload, due_at, attempts FROM event_outbox"


def _row(row: sqlite3.Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        group_id=row["group_id"],
        subscriber=row["subscriber"],
        event=row["event"],
        payload=json.loads(row["payload"]),
        due_at=row["due_at"],
        attempts=row["attempts"],
    )


class EventOutboxRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    async def add_in(
        tx: Transaction,
        *,
        group_id: int,
        subscriber: str,
        event: str,
        payload: Mapping[str, Any],
        due_at: float,
    ) -> int:
        """Write one durable delivery inside the publisher's transaction; its row id."""
        return await tx.insert(
            "INSERT INTO event_outbox (group_id, subscriber, event, payload, due_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (group_id, subscriber, event, json.dumps(dict(payload), sort_keys=True), due_at),
        )

    async def add(
        self,
        *,
        group_id: int,
        subscriber: str,
        event: str,
        payload: Mapping[str, Any],
        due_at: float,
    ) -> int:
        async with self._db.transaction() as tx:
            return await self.add_in(
                tx,
                group_id=group_id,
                subscriber=subscriber,
                event=event,
                payload=payload,
                due_at=due_at,
            )

    async def get(self, row_id: int) -> OutboxRow | None:
        row = await self._db.fetchone(_SELECT + " WHERE id = ?", (row_id,))
        return None if row is None else _row(row)

    async def due(self, now: float) -> list[OutboxRow]:
        """Every row due by ``now``, oldest first (no page cap: a restart carries them all)."""
        rows = await self._db.fetchall(_SELECT + " WHERE due_at <= ? ORDER BY id", (now,))
        return [_row(row) for row in rows]

    async def next_due(self, *, after: float) -> float | None:
        """When the next row waiting to be tried again is due (rows due now are not counted:
        whoever holds them is carrying them out)."""
        row = await self._db.fetchone(
            "SELECT min(due_at) AS due FROM event_outbox WHERE due_at > ?", (after,)
        )
        return None if row is None or row["due"] is None else float(row["due"])

    async def claim(self, row_id: int, token: int) -> bool:
        """Take the row for this process; False if it is gone, this process already has it, or
        another live process holds it (``Database.hold``: a dead one's claims are let go)."""
        if not await self._db.hold("event_outbox", row_id):
            return False
        changed = await self._db.execute(
            "UPDATE event_outbox SET claim = ? WHERE id = ? AND (claim IS NULL OR claim != ?)",
            (token, row_id, token),
        )
        if changed != 1:
            await self._db.let_go("event_outbox", row_id)  # held once more by this process
        return changed == 1

    async def done(self, row_id: int) -> None:
        if await self._taken_over(row_id):
            return
        await self._db.execute("DELETE FROM event_outbox WHERE id = ?", (row_id,))
        await self._db.let_go("event_outbox", row_id)

    async def release(self, row_id: int, due_at: float) -> None:
        """The handler failed: let it go, to be tried again at ``due_at``."""
        if await self._taken_over(row_id):
            return
        await self._db.execute(
            "UPDATE event_outbox SET claim = NULL, attempts = attempts + 1, due_at = ? "
            "WHERE id = ?",
            (due_at, row_id),
        )
        await self._db.let_go("event_outbox", row_id)

    async def _taken_over(self, row_id: int) -> bool:
        """Another process took the row over while this one's claim had dropped (PostgreSQL:
        its connection was cut): its outcome is that process's to save, not this one's."""
        if await self._db.still_holds("event_outbox", row_id):
            return False
        await self._db.let_go("event_outbox", row_id)
        log.warning("Another process took over a consequence being carried out: left to it")
        return True

    async def count(self) -> int:
        row = await self._db.fetchone("SELECT count(*) AS n FROM event_outbox")
        return 0 if row is None else int(row["n"])
