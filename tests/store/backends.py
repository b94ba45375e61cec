"""What the store's tests need to say the same thing on both backends."""

from __future__ import annotations

import sqlite3

import asyncpg

from bot.store.db import Database

#: A constraint the database refuses, on either backend.
INTEGRITY = (sqlite3.IntegrityError, asyncpg.exceptions.IntegrityConstraintViolationError)


async def everything(db: Database) -> str:
    """Every value of every table, as text (what a copy of the database shows at SQL level)."""
    if db.backend == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    lines = []
    for (table,) in await db.fetchall(query):
        for row in await db.fetchall(f'SELECT * FROM "{table}"'):
            lines.append(f"{table}: {tuple(row)!r}")
    return "\n".join(lines)
