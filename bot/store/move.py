"""``python -m bot migrate --to postgresql://…``: copy a SQLite database into PostgreSQL.

The SQLite database is brought up to date first, and the PostgreSQL one is given the same schema
version (the same numbered migrations); it must be empty (no group, no row), so nothing is ever
merged or overwritten. Every table is copied whole, parents before children, in one PostgreSQL
transaction: groups, meetings under way, open votes (roll and ballots), exclusions, deadlines,
outboxes, the clock's anchor in ``meta``. Row ids stay as they were (deadlines and outboxes name
rows by id), and each identity column carries on after the highest id copied. ``business_matters``
keeps SQLite's hidden insertion order as its ``rowid`` column. The SQLite file is not changed:
keep it (it is a backup) until the bot has run well on PostgreSQL, then delete it.
"""

from __future__ import annotations

from pathlib import Path

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.store.db import Database, StoreError
from bot.store.postgres import PostgresDatabase

_Conn = asyncpg.Connection | PoolConnectionProxy

#: Tables of SQLite's own or of one backend only: never copied.
_NOT_COPIED = {"schema_version"}
#: Tables whose order of insertion the repositories read (SQLite's rowid, PostgreSQL's column).
_WITH_ROWID = {"business_matters"}


@lazy_dataclass(frozen=True)
class Moved:
    version: int
    rows: dict[str, int]


async def _tables_parents_first(db: Database) -> list[str]:
    names = [
        str(row[0])
        for row in await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    ]
    parents: dict[str, set[str]] = {}
    for name in names:
        links = await db.fetchall(f'PRAGMA foreign_key_list("{name}")')
        parents[name] = {str(row["table"]) for row in links} - {name}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:
            raise StoreError("the tables' references go round in a circle")
        ordered += ready
    return [name for name in ordered if name not in _NOT_COPIED]


async def move_to_postgres(sqlite_path: Path, url: str) -> Moved:
    """Copy the SQLite database at ``sqlite_path`` into the empty PostgreSQL database ``url``."""
    source = Database(sqlite_path)
    target = PostgresDatabase(url)
    await source.open()
    try:
        version = await source.migrate()
        await target.open()
        if await target.user_version() == 0:
            await target.migrate()
        if await target.user_version() != version:
            raise StoreError(
                f"the PostgreSQL database is at schema version {await target.user_version()}, "
                f"the SQLite one at {version}: run the same version of Peer Circle on both"
            )
        if await target.fetchval("SELECT count(*) FROM groups"):
            raise StoreError(
                "the PostgreSQL database already holds groups: move into an empty database"
            )
        rows: dict[str, int] = {}
        async with target.pool.acquire() as conn, conn.transaction():
            for table in await _tables_parents_first(source):
                rows[table] = await _copy(source, conn, table)
            await _carry_on_ids(conn)
        return Moved(version, rows)
    finally:
        await source.close()
        await target.close()


async def _copy(source: Database, conn: _Conn, table: str) -> int:
    columns = [str(row["name"]) for row in await source.fetchall(f'PRAGMA table_info("{table}")')]
    chosen = ", ".join(f'"{column}"' for column in columns)
    if table in _WITH_ROWID:
        columns = ["rowid", *columns]
        query = f'SELECT rowid, {chosen} FROM "{table}" ORDER BY rowid'  # noqa: S608
    else:
        query = f'SELECT {chosen} FROM "{table}"'  # noqa: S608
    records = [tuple(row) for row in await source.fetchall(query)]
    if records:
        await conn.copy_records_to_table(table, records=records, columns=columns)
    return len(records)


async def _carry_on_ids(conn: _Conn) -> None:
    """Each identity column's next value comes after the highest id copied into it."""
    identities = await conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES'"
    )
    for table, column in identities:
        highest = await conn.fetchval(f'SELECT max("{column}") FROM "{table}"')  # noqa: S608
        if highest is not None:
            await conn.execute(
                "SELECT setval(pg_get_serial_sequence($1, $2), $3)",
                f'"{table}"',
                column,
                int(highest),
            )
