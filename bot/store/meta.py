"""Small installation facts (the clock's base), as text in the ``meta`` table."""

from __future__ import annotations

from bot.store.db import Database


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

    async def put(self, values: dict[str, str]) -> None:
        """Store these values (replacing any), together."""
        async with self._db.transaction() as tx:
            for key, value in values.items():
                await tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
