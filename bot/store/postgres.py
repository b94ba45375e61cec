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
- Claims on durable work (:meth:`PostgresDatabase.hold`) are advisory locks of one session,
  taken again at once if that session drops while the process lives, and reported lost
  (:meth:`PostgresDatabase.still_holds`) where another process took the work meanwhile
  (bot/store/postgres_claims.py).
- A server that can't be reached (or can't take writes) raises :class:`StorageUnavailable`
  for a write or a claim, told to the host once; the work waits and carries on by itself.
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
from bot.store.db import (
    ROOM_CHECK_SECONDS,
    Database,
    Migration,
    Params,
    StoreError,
    Transaction,
    _log_failure,
    bundled_migrations,
)
from bot.store.dialect import postgres_migration, statement
from bot.store.postgres_claims import DROPPED, Claims

log = logging.getLogger(__name__)

#: Any number, the same in every process: the advisory lock held while migrating.
_MIGRATION_LOCK = 0x50434D47

#: SQLSTATE classes that mean the server can't take a write now (53: insufficient resources,
#: 57P: operator intervention such as a shutdown, 08: connection problems).
_UNAVAILABLE = ("53", "57P", "08")


#: Errors that mean the server can't be reached now (or dropped the connection): connection
#: level only, so a plain SQL error in a claim is not told as the server being away.
_UNREACHABLE: tuple[type[BaseException], ...] = (
    *DROPPED,
    TimeoutError,
    asyncpg.exceptions.TooManyConnectionsError,  # a connection refused: full for now
)
#: Any failure while closing, or while looking whether the server answers again.
_FAILING: tuple[type[BaseException], ...] = (*_UNREACHABLE, asyncpg.PostgresError)


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
        #: This process's claims on work: advisory locks of one session, re-taken if it drops.
        self._claims = Claims(self._connect_holder)
        #: Why the server can't be reached now (told to the host once), or None.
        self._down: str | None = None
        self._reach_check: asyncio.Task[None] | None = None

    @property
    def backend(self) -> str:
        return "postgresql"

    @property
    def writable(self) -> bool:
        """False while the server can't be reached (or can't take writes)."""
        return self._down is None

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
        """Close quietly, even if the server already dropped (or was told to kill) a
        connection: the claims go with the holder, the pool's connections with the pool."""
        check, self._reach_check = self._reach_check, None
        if check is not None and not check.done():
            check.cancel()
        await self._claims.close()
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), timeout=10)
        except _FAILING:
            pool.terminate()

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
                self._cannot_reach(error)
                raise StorageUnavailable(type(error).__name__) from error
        if self._down is not None:
            self._reached_again()

    # --- claims across processes ------------------------------------------------------------

    async def _connect_holder(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.url, timeout=10)

    async def hold(self, table: str, row_id: int) -> bool:
        """A session advisory lock (bot/store/postgres_claims.py). A server that can't be
        reached raises :class:`StorageUnavailable` (told to the host once); while it is away,
        at once (the reach check connects again, not each claim: no queue of connect timeouts
        behind the claims' one lock)."""
        self._fail_fast()
        try:
            taken = await self._claims.hold(table, row_id)
        except _UNREACHABLE as error:
            self._cannot_reach(error)
            raise StorageUnavailable(type(error).__name__) from error
        if self._down is not None:
            self._reached_again()
        return taken

    async def let_go(self, table: str, row_id: int) -> None:
        await self._claims.let_go(table, row_id)

    async def still_holds(self, table: str, row_id: int) -> bool:
        self._fail_fast()
        try:
            return await self._claims.still_holds(table, row_id)
        except _UNREACHABLE as error:
            self._cannot_reach(error)
            raise StorageUnavailable(type(error).__name__) from error

    # --- an unreachable server ------------------------------------------------------------------

    def _fail_fast(self) -> None:
        if self._down is not None:
            raise StorageUnavailable(self._down)

    def _cannot_reach(self, error: BaseException) -> None:
        """Tell the host once (not once per write or claim); look every few seconds until the
        server answers, then carry on with what waited."""
        first = self._down is None
        self._down = type(error).__name__
        if first:
            log.error(
                "Can't reach or save to the PostgreSQL database in DATABASE_URL (%s). Until "
                "then members are told nothing could be saved, and scheduled work waits; all "
                "of it carries on by itself once the server answers again.",
                self._down,
            )
        if self._reach_check is None or self._reach_check.done():
            self._reach_check = asyncio.create_task(
                self._check_reach(), name="peercircle-postgres-check"
            )

    def _reached_again(self) -> None:
        self._down = None
        log.warning("The PostgreSQL database answers again")
        for callback in self._when_writable:
            task: asyncio.Task[object] = asyncio.create_task(callback())
            self._carrying_on.add(task)
            task.add_done_callback(self._carrying_on.discard)
            task.add_done_callback(_log_failure)

    async def _check_reach(self) -> None:
        while self._down is not None and self._pool is not None:
            await asyncio.sleep(ROOM_CHECK_SECONDS)
            try:
                async with self._write_lock, self.pool.acquire() as conn, conn.transaction():
                    # One harmless write (a full disk refuses it as it would any other).
                    await conn.execute("UPDATE schema_version SET version = version")
                await self._claims.ensure()  # the holder back, its claims re-taken
            except _FAILING:
                continue
            if self._down is not None:
                self._reached_again()

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
