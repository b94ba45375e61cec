"""Repositories: all SQL lives here, one class per aggregate, ``?`` parameters only.

Later features add their own repository classes and a migration; cogs never see SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.store.db import Database, Transaction


class MetaRepository:
    """Small installation facts, as text."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        value = await self._db.fetchval("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def get_or_set(self, key: str, default: str) -> str:
        """Return the stored value, storing ``default`` first if there is none (atomically)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, default)
            )
            row = await tx.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        assert row is not None  # noqa: S101 - inserted just above, in the same transaction
        return str(row["value"])


@dataclass(frozen=True, slots=True)
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

    @staticmethod
    async def count_meeting(tx: Transaction, group_id: int) -> int:
        """A meeting counted: give it the next number (inside the caller's transaction)."""
        await tx.execute(
            "UPDATE groups SET meetings_held = meetings_held + 1 WHERE id = ?", (group_id,)
        )
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class DeadlineRecord:
    id: int
    kind: str
    key: str
    due_at: float
    payload: Mapping[str, Any]
    attempts: int


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

    async def retry_later(self, deadline: DeadlineRecord, due_at: float) -> bool:
        changed = await self._db.execute(
            "UPDATE deadlines SET due_at = ?, attempts = attempts + 1 "
            "WHERE id = ? AND due_at = ? AND attempts = ?",
            (due_at, deadline.id, deadline.due_at, deadline.attempts),
        )
        return changed == 1
