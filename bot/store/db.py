"""One aiosqlite connection, set up for durability and for secrecy at rest, with serialised
write transactions.

- A rollback journal (``journal_mode=TRUNCATE``), ``synchronous=FULL``, ``secure_delete=ON``,
  ``temp_store=MEMORY``, ``busy_timeout=5000``, ``foreign_keys=ON``; each is read back and
  asserted when the database opens.
- Every write goes through :meth:`Database.transaction`: an ``asyncio.Lock`` serialises writers and
  the transaction starts with ``BEGIN IMMEDIATE``, so there is never a "transaction within a
  transaction" and a write either fully lands or not at all.
- The database file is created with mode 0600 before SQLite opens it; SQLite gives its
  ``-journal`` file the same mode.
- Migrations are numbered ``.sql`` files applied in order, each in one transaction together with
  its ``PRAGMA user_version`` bump, so a failure leaves the previous version intact.

Secret and forgotten at rest. A copy of ``DATA_DIR`` (a backup, a stolen disk), even with the
pseudonym key, must show only what the database holds *now*: no earlier version of a row, so no
deleted row and nothing that pairs a voter with a ballot. A cast is one transaction that flips
the voter's place on the roll and inserts the ballot; any two versions of the database, one
before and one after it, say who voted and which ballot was added. So:

- No WAL. A write-ahead log keeps the new image of every page each commit wrote, commit after
  commit, until a checkpoint, and its file keeps old frames after that too: a copy linked every
  ballot to its voter (the control test in tests/privacy/test_at_rest.py) and kept forgotten
  keys, a finished meeting's states and a closed vote's statement. A rollback journal holds the
  old images of the pages one transaction changes, only while it runs: at the commit it is
  truncated to zero bytes (and synced: ``synchronous=FULL``), leaving the database file alone,
  in one version. ``TRUNCATE`` rather than ``DELETE``: an unlinked journal needs
  ``synchronous=EXTRA`` (a synced directory) to stay durable through a power cut; a truncated
  one is synced in place. ``PERSIST`` would leave the old images in the file.
- ``secure_delete=ON`` (set, not left to how SQLite was built): a deleted or rewritten row's
  bytes, a freed page and a freed overflow page are overwritten with zeros in the same
  transaction, so no free space keeps what forget-me, the close of a vote (roll, ballots, the
  member's statement), the end of a meeting or a server's removal deleted.
- ``temp_store=MEMORY``: statement journals and sorts stay off the disk too.
- A database last opened in WAL mode (by an older version) is rebuilt once with ``VACUUM``, so
  what was deleted before this held is gone as well.
- A cast stays one transaction, so exactly-once holds (a crash never loses or doubles a vote).
  Splitting it (the ballot in a transaction or a file of its own) would not help: recovering
  from a crash between the two halves needs a mark of the half in flight, and the commit of the
  other half, seen before and after, pairs the two. Flipping ``voted`` rewrites the roll entry
  in place (the record keeps its size), so the roll's layout holds no order of voting; the
  ballots' layout follows the order they came in, which pairs with nothing.

What no arrangement of files can hide: (1) while a transaction commits (about a millisecond),
the journal holds the old images of the pages it changes next to the new ones; a copy taken in
that instant, or a hot journal left by a crash in it (until the next start rolls it back), shows
that one change: for a cast, that one voter's choice. Any crash-safe store keeps the old or the
new version until its commit is done. (2) The current version tells, with the key, who has voted
so far and the running count (after a restart the bot needs both, to refuse a second ballot and
to count), so while everyone who voted chose alike, a copy shows how they voted.
tests/privacy/test_at_rest.py holds the rest to account: after every step it reads every byte
under the data directory, decodes every version the files hold, and searches for deleted keys
and statements.

A disk that fills (or fails, or turns read-only) while the bot runs: SQLite answers a write with
``SQLITE_FULL``, ``SQLITE_IOERR`` or ``SQLITE_READONLY``. The transaction is rolled back (nothing
of it is kept) and :class:`bot.errors.StorageUnavailable` is raised, which members see as "I
couldn't save that just now, so nothing changed". The host gets ONE log line naming
``DATA_DIR`` and the fix, not one per write; while writes fail, a harmless write (rewriting
``user_version`` with its own value) is tried every :data:`ROOM_CHECK_SECONDS`, and the first
write that lands says so in one line and runs the :meth:`Database.when_writable_again` callbacks
(pending work carries on). Reads keep working throughout (``temp_store=MEMORY``).

Costs: one writer behind the lock, as before; the bot has a single connection, so nothing relied
on WAL's readers-during-writes (a reader from outside, such as a backup, now holds writes back
while it reads, within ``busy_timeout``). A commit syncs the journal and the database instead of
appending to the log: about 1 ms instead of 0.3 ms where we measured (ext4 on a virtual disk),
far below what a group's clicks ask for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.errors import StorageUnavailable

log = logging.getLogger(__name__)

#: Real seconds between attempts to write while the disk is full (or failing).
ROOM_CHECK_SECONDS = 2.0

#: SQLite's primary result codes that mean "the disk can't take this write" (extended codes,
#: such as SQLITE_IOERR_WRITE, carry the primary code in their low byte).
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL = 8, 10, 13
_STORAGE_PROBLEMS = {
    _SQLITE_FULL: (
        "the disk is full",
        "free some space on that disk (or give it more room); nothing needs restarting",
    ),
    _SQLITE_IOERR: (
        "the disk reports input/output errors",
        "check the disk (the system log says more) and that it has free space",
    ),
    _SQLITE_READONLY: (
        "it has become read-only",
        "make it writable again for the user the bot runs as (a disk error can cause this)",
    ),
}

Params = Sequence[Any]
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class StoreError(Exception):
    """The database could not be opened or migrated."""


def storage_problem(error: BaseException | None) -> int | None:
    """SQLite's primary result code when ``error`` means the disk can't take a write (full,
    failing, read-only); None for anything else (a constraint, a bug)."""
    if not isinstance(error, sqlite3.Error):
        return None
    code = int(getattr(error, "sqlite_errorcode", -1)) & 0xFF
    return code if code in _STORAGE_PROBLEMS else None


@lazy_dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The migrations shipped in ``bot/store/migrations``."""
    folder = resources.files("bot.store") / "migrations"
    return parse_migrations(
        (entry.name, entry.read_text("utf-8")) for entry in folder.iterdir() if entry.is_file()
    )


def parse_migrations(files: Iterable[tuple[str, str]]) -> list[Migration]:
    """Turn ``(file name, sql)`` pairs into an ordered, gap-free list of migrations."""
    migrations = []
    for name, sql in files:
        if not name.endswith(".sql"):
            continue
        match = _MIGRATION_NAME.match(name)
        if match is None:
            raise StoreError(f"migration file {name!r} must be named like 0001_what_it_does.sql")
        migrations.append(Migration(int(match.group(1)), name, sql))
    migrations.sort(key=lambda m: m.version)
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise StoreError(f"migration {migration.name} is out of sequence (expected {expected})")
    return migrations


def split_statements(sql: str) -> list[str]:
    """Split a script into statements, triggers included.

    ``executescript`` would COMMIT first, breaking the one-transaction-per-migration promise.
    """
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip().strip(";").strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise StoreError("a migration ends with an unfinished statement (missing ';'?)")
    return statements


class Database:
    """The single connection to the bot's SQLite database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._problem: int | None = None  # why writes fail right now (an SQLite code)
        self._room_check: asyncio.Task[None] | None = None
        self._when_writable: list[Callable[[], Coroutine[Any, Any, object]]] = []
        self._carrying_on: set[asyncio.Task[object]] = set()

    @property
    def backend(self) -> str:
        """Which database this is: "sqlite" (here) or "postgresql" (bot/store/postgres.py)."""
        return "sqlite"

    @property
    def writable(self) -> bool:
        """False while writes fail for lack of room (or a failing or read-only disk)."""
        return self._problem is None

    def when_writable_again(self, callback: Callable[[], Coroutine[Any, Any, object]]) -> None:
        """Run ``callback`` each time writes work again after the disk was full (or failing):
        to carry on with work that waited."""
        self._when_writable.append(callback)

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StoreError("the database is not open")
        return self._conn

    async def open(self) -> None:
        """Open (creating with mode 0600) and configure the connection; assert the pragmas."""
        if self._conn is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
            os.close(fd)
        os.chmod(self.path, 0o600)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves.
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        self._conn = conn
        try:
            was_wal = str(await self.fetchval("PRAGMA journal_mode")).lower() == "wal"
            await conn.execute("PRAGMA journal_mode=TRUNCATE")
            await conn.execute("PRAGMA synchronous=FULL")
            await conn.execute("PRAGMA secure_delete=ON")
            await conn.execute("PRAGMA temp_store=MEMORY")
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.execute("PRAGMA foreign_keys=ON")
            await self._assert_pragmas()
            if was_wal:
                # Written before secure_delete: rebuild it, so nothing it freed stays behind.
                await conn.execute("VACUUM")
                log.info("Rebuilt the database once, so nothing deleted earlier stays in it")
        except BaseException as error:
            await self.close()
            code = storage_problem(error)
            if code is None:
                raise
            raise StoreError(self._unwritable_words(code)) from error

    def _unwritable_words(self, code: int) -> str:
        what, fix = _STORAGE_PROBLEMS[code]
        return f"DATA_DIR ({self.path.parent}) can't be written: {what}. To fix: {fix}"

    async def _assert_pragmas(self) -> None:
        expected = {
            "journal_mode": "truncate",
            "synchronous": 2,
            "secure_delete": 1,
            "temp_store": 2,
            "busy_timeout": 5000,
            "foreign_keys": 1,
        }
        for pragma, want in expected.items():
            row = await self.fetchone(f"PRAGMA {pragma}")
            got = row[0] if row else None
            if isinstance(got, str):
                got = got.lower()
            if got != want:
                raise StoreError(f"PRAGMA {pragma} is {got!r}, expected {want!r}")

    async def close(self) -> None:
        check, self._room_check = self._room_check, None
        if check is not None:
            check.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await check
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- reads -------------------------------------------------------------------------------

    # A read runs whole in one call to SQLite's thread: a write from another task can't land
    # between its steps (on this one connection that could show a row twice, or skip one).
    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = list(await self.conn.execute_fetchall(sql, params))
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    # --- writes ------------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` under the write lock; rolls back on any exception.
        A disk that can't take the write raises :class:`StorageUnavailable` (rolled back)."""
        async with self._write_lock:
            conn = self.conn
            try:
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    yield Transaction(conn)
                except BaseException:
                    await self._rollback(conn)
                    raise
                else:
                    await conn.execute("COMMIT")
            except sqlite3.Error as error:
                code = storage_problem(error)
                if code is None:
                    raise
                await self._rollback(conn)  # a failed COMMIT leaves the transaction open
                self._cannot_write(code)
                raise StorageUnavailable(_STORAGE_PROBLEMS[code][0]) from error
        if self._problem is not None:
            self._written_again()

    @staticmethod
    async def _rollback(conn: aiosqlite.Connection) -> None:
        if not conn.in_transaction:
            return  # SQLite rolled it back itself (it may, on SQLITE_FULL or an I/O error)
        try:
            await conn.execute("ROLLBACK")
        except sqlite3.Error:
            log.warning("Could not roll back a failed write; SQLite recovers it from its journal")

    def _cannot_write(self, code: int) -> None:
        """Writes fail: tell the host once (not once per write), and try again every few
        seconds until one lands."""
        first = self._problem is None
        self._problem = code
        if first:
            what, fix = _STORAGE_PROBLEMS[code]
            log.error(
                "Can't save to the database in DATA_DIR (%s): %s. To fix: %s. Until then "
                "members are told nothing could be saved, and scheduled work waits; all of it "
                "carries on by itself once writing works again.",
                self.path.parent,
                what,
                fix,
            )
        if self._room_check is None or self._room_check.done():
            self._room_check = asyncio.create_task(
                self._check_for_room(), name="peercircle-storage-check"
            )

    def _written_again(self) -> None:
        """A write landed after writes failed: say so once, and carry on with what waited."""
        self._problem = None
        log.warning("Saving to the database in DATA_DIR (%s) works again", self.path.parent)
        for callback in self._when_writable:
            task: asyncio.Task[object] = asyncio.create_task(callback())  # after the lock
            self._carrying_on.add(task)
            task.add_done_callback(self._carrying_on.discard)
            task.add_done_callback(_log_failure)

    async def _check_for_room(self) -> None:
        """While writes fail: every few seconds, one harmless write (``user_version`` rewritten
        with its own value: it needs room in the journal like any write)."""
        while self._problem is not None and self._conn is not None:
            await asyncio.sleep(ROOM_CHECK_SECONDS)
            with contextlib.suppress(StorageUnavailable):
                version = await self.user_version()
                async with self.transaction() as tx:
                    await tx.execute(f"PRAGMA user_version = {int(version)}")

    async def hold(self, table: str, row_id: int) -> bool:
        """Take a claim on one row of durable work for as long as this process lives (or until
        :meth:`let_go`); False if another process holds it. One process per ``DATA_DIR`` (its
        lock) on SQLite: always True. PostgreSQL: an advisory lock of this process's session,
        which the server lets go when the process dies, so another can take the work over."""
        return True

    async def let_go(self, table: str, row_id: int) -> None:
        """Give up a claim :meth:`hold` took."""

    async def still_holds(self, table: str, row_id: int) -> bool:
        """False once a claim :meth:`hold` took was lost to another process (PostgreSQL: this
        process's session dropped and the other took the work over meanwhile): check before
        saving the work's outcome, and leave it to that process. Always True on SQLite."""
        return True

    async def execute(self, sql: str, params: Params = ()) -> int:
        """One write statement in its own transaction; returns the number of rows changed."""
        async with self.transaction() as tx:
            return await tx.execute(sql, params)

    # --- migrations --------------------------------------------------------------------------

    async def user_version(self) -> int:
        return int(await self.fetchval("PRAGMA user_version"))

    async def migrate(self, migrations: Sequence[Migration] | None = None) -> int:
        """Apply every migration newer than ``PRAGMA user_version``; return the new version."""
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
            try:
                async with self.transaction() as tx:
                    for statement in split_statements(migration.sql):
                        await tx.execute(statement)
                    # user_version is part of the database header: it commits with the rest.
                    await tx.execute(f"PRAGMA user_version = {int(migration.version)}")
            except StorageUnavailable as exc:
                code = storage_problem(exc.__cause__) or _SQLITE_IOERR
                raise StoreError(self._unwritable_words(code)) from exc
            except sqlite3.Error as exc:
                raise StoreError(f"migration {migration.name} failed: {exc}") from exc
            log.info("Applied database migration %s", migration.name)
            current = migration.version
        return current


def _log_failure(task: asyncio.Task[object]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("Work that waited for the disk failed", exc_info=task.exception())


class Transaction:
    """The handle given inside :meth:`Database.transaction`."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._conn.execute(sql, params) as cursor:
            return cursor.rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT and return the new row's id."""
        async with self._conn.execute(sql, params) as cursor:
            if cursor.lastrowid is None:
                raise StoreError("the insert created no row")
            return cursor.lastrowid

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def lock(self, table: str, column: str, value: object) -> None:
        """Hold the rows of ``table`` whose ``column`` is ``value`` until this transaction ends,
        so another process's transaction on them waits its turn (PostgreSQL: ``FOR UPDATE``).
        SQLite's ``BEGIN IMMEDIATE`` already lets one writer in at a time: nothing here."""

    async def restamp(self, table: str, column: str, value: object) -> None:
        """Give every row of ``table`` whose ``column`` is ``value`` this transaction's row
        version, so the rows it wrote can't be told from the rest by their version (a secret
        ballot from its voter's place on the roll). PostgreSQL stamps each row version with the
        transaction that wrote it (``xmin``); SQLite keeps no such stamp, so nothing here."""

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = list(await self._conn.execute_fetchall(sql, params))
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, params))
