"""A group's meeting schedule (``group_schedules``): its words, its zone and exceptions, and the
bot's own Discord scheduled event for the next meeting. Group data: nothing about any person.

Every change to the schedule is written with a ``schedule.sync`` deadline in the same
transaction (:func:`changed_in`): the schedule service then re-arms the meeting's opening and
updates the Discord event, even if the process dies right after the commit.
"""

from __future__ import annotations

import sqlite3

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.schedule.stored import StoredSchedule
from bot.store.db import Database, Transaction
from bot.store.deadlines import DeadlineRepository
from bot.store.privacy import KeptTable, in_group, register

register(
    KeptTable(
        table="group_schedules",
        one="meeting schedule (when the group meets, its time zone and exceptions)",
        many="meeting schedules (when each group meets, its time zone and exceptions)",
        until="kept while the group exists; passed exceptions are dropped",
        scope=in_group("group_id"),
    )
)

#: The deadline that brings the opening and the Discord event in line with the schedule.
SYNC_DEADLINE = "schedule.sync"
#: The deadline that opens the group's next meeting.
OPEN_DEADLINE = "schedule.open"


@lazy_dataclass(frozen=True)
class ScheduleRow:
    group_id: int
    spec: StoredSchedule
    event_id: int | None
    event_at: float | None
    event_live: bool
    opened_at: float | None
    told_events: bool


def _row(row: sqlite3.Row) -> ScheduleRow:
    return ScheduleRow(
        group_id=int(row["group_id"]),
        spec=StoredSchedule.from_json(str(row["spec"])),
        event_id=row["event_id"],
        event_at=row["event_at"],
        event_live=bool(row["event_live"]),
        opened_at=row["opened_at"],
        told_events=bool(row["told_events"]),
    )


_COLUMNS = "group_id, spec, event_id, event_at, event_live, opened_at, told_events"


async def changed_in(
    tx: Transaction, group_id: int, subject: str, value: str, now: float
) -> tuple[str, str]:
    """Apply one checked change (``schedule``, ``timezone``, ``skip``, ``extra``; see
    :mod:`bot.core.schedule.stored`) inside the caller's transaction, with the sync deadline.
    Returns the deadline's ``(kind, key)`` for the caller to refresh after its commit."""
    row = await tx.fetchone("SELECT spec FROM group_schedules WHERE group_id = ?", (group_id,))
    spec = StoredSchedule() if row is None else StoredSchedule.from_json(str(row["spec"]))
    await save_in(tx, group_id, spec.changed(subject, value), now)
    return SYNC_DEADLINE, str(group_id)


async def save_in(tx: Transaction, group_id: int, spec: StoredSchedule, now: float) -> None:
    """Keep the group's schedule (creating its row) and ask for a sync, in the caller's
    transaction."""
    await tx.execute(
        "INSERT INTO group_schedules (group_id, spec) VALUES (?, ?) "
        "ON CONFLICT (group_id) DO UPDATE SET spec = excluded.spec",
        (group_id, spec.to_json()),
    )
    await DeadlineRepository.upsert_in(
        tx, SYNC_DEADLINE, str(group_id), now, {"group_id": group_id}
    )


class ScheduleRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, group_id: int) -> ScheduleRow | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM group_schedules WHERE group_id = ?",  # noqa: S608
            (group_id,),
        )
        return None if row is None else _row(row)

    async def all(self) -> list[ScheduleRow]:
        rows = await self._db.fetchall(f"SELECT {_COLUMNS} FROM group_schedules")  # noqa: S608
        return [_row(row) for row in rows]

    async def save(self, group_id: int, spec: StoredSchedule, now: float) -> None:
        async with self._db.transaction() as tx:
            await save_in(tx, group_id, spec, now)

    async def set_event(
        self, group_id: int, event_id: int | None, event_at: float | None, live: bool = False
    ) -> None:
        """The bot's Discord event for the next meeting (None: there is none), and whether it
        shows a meeting under way."""
        await self._db.execute(
            "UPDATE group_schedules SET event_id = ?, event_at = ?, event_live = ? "
            "WHERE group_id = ?",
            (event_id, event_at, int(live), group_id),
        )

    async def set_told(self, group_id: int, told: bool) -> None:
        await self._db.execute(
            "UPDATE group_schedules SET told_events = ? WHERE group_id = ?",
            (int(told), group_id),
        )

    @staticmethod
    async def opened_in(tx: Transaction, group_id: int, at: float) -> None:
        """The scheduled meeting at ``at`` was opened (or found under way): never again."""
        await tx.execute(
            "UPDATE group_schedules SET opened_at = ? "
            "WHERE group_id = ? AND (opened_at IS NULL OR opened_at < ?)",
            (at, group_id, at),
        )

    async def tidy(self, group_id: int, spec: StoredSchedule) -> None:
        """Drop passed exceptions (no deadline: nothing to re-arm)."""
        await self._db.execute(
            "UPDATE group_schedules SET spec = ? WHERE group_id = ?", (spec.to_json(), group_id)
        )
