"""The PostgreSQL backend (``DATABASE_URL=postgresql://…``), through asyncpg.

The repositories stay one code: they write SQLite's dialect with ``?`` parameters, and
:mod:`bot.store.dialect` turns each statement into PostgreSQL's (``$n`` parameters,
``INSERT OR IGNORE`` as ``ON CONFLICT DO NOTHING``, a new row's id by ``RETURNING id``).
:class:`PostgresDatabase` offers what :class:`bot.store.db.Database` offers (reads, one
serialised writer per process, transactions that roll back on any exception, numbered
migrations), so a :class:`bot.store.Store` is built on either.

- Migrations are the same numbered files, translated (``STRICT``/``WITHOUT ROWID`` dropped,
  ``INTEGER`` as ``BIGINT`` since Discord ids are 64-bit, ``REAL`` as ``DOUBLE PRECISION``), with
  a file in ``migrations/postgresql/`` where one can't be translated; the version is kept in
  ``schema_version`` and bumped in the migration's own transaction, under an advisory lock so two
  processes starting together migrate once.
- No ``PRAGMA``: what they do for SQLite (durability, secrecy at rest) is the server's business
  on PostgreSQL; the README's "Running many groups" says what holds there and what doesn't.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from bot.errors import StorageUnavailable
from bot.store.db import Database, Migration, Params, StoreError, Transaction, bundled_migrations
from bot.store.dialect import postgres_migration, statement

log = logging.getLogger(__name__)

#: Any number, the same in every process: the advisory lock held while migrating.
_MIGRATION_LOCK = 0x50434D47

#: SQLSTATE classes that mean the server can't take a write now (53: insufficient resources,
#: 57P: operator intervention such as a shutdown, 08: connection problems).
_UNAVAILABLE = ("53", "57P", "08")


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("postgresql://", "postgres://"))


def _changed(status: str) -> int:
    """Rows changed, from asyncpg's command status ("UPDATE 3", "INSERT 0 1")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def _unavailable(error: BaseException) -> bool:
    if isinstance(error, (OSError, asyncpg.exceptions.ConnectionDoesNotExistError)):
        return True
    state = getattr(error, "sqlstate", None)
    return isinstance(state, str) and state.startswith(_UNAVAILABLE)


class PostgresDatabase(Database):
    """A pool of asyncpg connections with :class:`Database`'s interface."""

    def __init__(self, url: str, *, pool_size: int = 4) -> None:
        super().__init__(Path("postgresql"))
        self.url = url
        self._pool: asyncpg.Pool | None = None
        self._pool_size = pool_size
        self._holder: asyncpg.Connection | None = None  # the session that holds claims
        self._holder_lock = asyncio.Lock()

    @property
    def backend(self) -> str:
        return "postgresql"

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StoreError("the database is not open")
        return self._pool

    async def open(self) -> None:
        if self._pool is not None:
            return
        try:
            self._pool = await asyncpg.create_pool(
                self.url, min_size=1, max_size=self._pool_size, command_timeout=60
            )
        except (OSError, asyncpg.PostgresError) as error:
            raise StoreError(
                f"can't reach the PostgreSQL database in DATABASE_URL: {error}. To fix: check "
                "that the server runs and the URL's host, database, user and password"
            ) from error

    async def close(self) -> None:
        holder, self._holder = self._holder, None
        if holder is not None:
            await holder.close()  # the server lets go of every claim it held
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    # --- reads -------------------------------------------------------------------------------

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        text, args = statement(sql, params)
        return await self.pool.fetchrow(text, *args)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        text, args = statement(sql, params)
        return list(await self.pool.fetch(text, *args))

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        text, args = statement(sql, params)
        return await self.pool.fetchval(text, *args)

    # --- writes ------------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One transaction on one pooled connection, under this process's write lock; rolled
        back on any exception. A server that can't take the write raises
        :class:`StorageUnavailable`."""
        async with self._write_lock:
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    yield PostgresTransaction(conn)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                if not _unavailable(error):
                    raise
                log.error("Can't save to the PostgreSQL database: %s", type(error).__name__)
                raise StorageUnavailable(type(error).__name__) from error

    # --- claims across processes ------------------------------------------------------------

    async def _session(self) -> asyncpg.Connection:
        if self._holder is None or self._holder.is_closed():
            self._holder = await asyncpg.connect(self.url)
        return self._holder

    async def hold(self, table: str, row_id: int) -> bool:
        async with self._holder_lock:
            session = await self._session()
            return bool(
                await session.fetchval(
                    "SELECT pg_try_advisory_lock(hashtext($1), $2::integer)", table, row_id
                )
            )

    async def let_go(self, table: str, row_id: int) -> None:
        async with self._holder_lock:
            session = await self._session()
            await session.fetchval(
                "SELECT pg_advisory_unlock(hashtext($1), $2::integer)", table, row_id
            )

    # --- migrations --------------------------------------------------------------------------

    async def user_version(self) -> int:
        await self.pool.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)"
        )
        value = await self.pool.fetchval("SELECT max(version) FROM schema_version")
        return 0 if value is None else int(value)

    async def migrate(self, migrations: Sequence[Migration] | None = None) -> int:
        migrations = bundled_migrations() if migrations is None else migrations
        current = await self.user_version()
        if migrations and current > migrations[-1].version:
            raise StoreError(
                f"the database is at version {current}, newer than this bot knows "
                f"({migrations[-1].version}): run a newer version of Peer Circle"
            )
        for migration in migrations:
            if migration.version <= current:
                continue
            async with self._write_lock, self.pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
                now = await conn.fetchval("SELECT max(version) FROM schema_version")
                if now is not None and int(now) >= migration.version:
                    current = int(now)  # another process applied it meanwhile
                    continue
                try:
                    await conn.execute(postgres_migration(migration))
                except asyncpg.PostgresError as exc:
                    raise StoreError(f"migration {migration.name} failed: {exc}") from exc
                await conn.execute("DELETE FROM schema_version")
                await conn.execute(
                    "INSERT INTO schema_version (version) VALUES ($1)", migration.version
                )
            log.info("Applied database migration %s (PostgreSQL)", migration.name)
            current = migration.version
        return current


class PostgresTransaction(Transaction):
    """The handle given inside :meth:`PostgresDatabase.transaction`."""

    def __init__(self, conn: asyncpg.Connection | PoolConnectionProxy) -> None:
        self._pg = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        text, args = statement(sql, params)
        return _changed(await self._pg.execute(text, *args))

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT and return the new row's id (``RETURNING id``)."""
        text, args = statement(sql, params)
        value = await self._pg.fetchval(text + " RETURNING id", *args)
        if value is None:
            raise StoreError("the insert created no row")
        return int(value)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        text, _ = statement(sql, ())
        await self._pg.executemany(text, [tuple(row) for row in rows])

    async def lock(self, table: str, column: str, value: object) -> None:
        await self._pg.execute(
            f"SELECT 1 FROM {table} WHERE {column} = $1 FOR UPDATE",  # noqa: S608
            value,
        )

    async def restamp(self, table: str, column: str, value: object) -> None:
        """Delete the rows and write them back in the order of their values (their key), so
        every one is a new version stamped with this transaction, and where each lies on disk
        follows its key, never the order the rows were written or changed in (an UPDATE of one
        row would move that row alone: the last voter's place on the roll would be the last)."""
        rows = await self._pg.fetch(
            f"DELETE FROM {table} WHERE {column} = $1 RETURNING *",  # noqa: S608
            value,
        )
        if not rows:
            return
        marks = ", ".join(f"${n}" for n in range(1, len(rows[0]) + 1))
        await self._pg.executemany(
            f"INSERT INTO {table} VALUES ({marks})",  # noqa: S608 - a table name of ours
            sorted(tuple(row) for row in rows),
        )

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        text, args = statement(sql, params)
        return await self._pg.fetchrow(text, *args)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        text, args = statement(sql, params)
        return list(await self._pg.fetch(text, *args))
