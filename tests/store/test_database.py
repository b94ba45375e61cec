from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.db import (
    Database,
    StoreError,
    bundled_migrations,
    parse_migrations,
    split_statements,
)


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "data" / "test.sqlite3")
    await database.open()
    yield database
    await database.close()


async def test_pragmas_are_set_and_file_is_private(db: Database) -> None:
    assert (await db.fetchval("PRAGMA journal_mode")) == "truncate"
    assert await db.fetchval("PRAGMA synchronous") == 2
    assert await db.fetchval("PRAGMA secure_delete") == 1
    assert await db.fetchval("PRAGMA temp_store") == 2
    assert await db.fetchval("PRAGMA busy_timeout") == 5000
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert stat.S_IMODE(db.path.stat().st_mode) == 0o600


async def test_the_journal_is_private_and_empty_between_writes(db: Database) -> None:
    await db.execute("CREATE TABLE t (x TEXT)")
    await db.execute("INSERT INTO t VALUES ('a row')")
    journal = db.path.with_name(db.path.name + "-journal")
    assert journal.exists()
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    assert journal.stat().st_size == 0
    for suffix in ("-wal", "-shm"):
        assert not db.path.with_name(db.path.name + suffix).exists()


async def test_deleted_bytes_are_overwritten(db: Database) -> None:
    await db.execute("CREATE TABLE t (x TEXT)")
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO t VALUES (?)", [(f"row {n:04d} " * 40,) for n in range(50)]
        )
    await db.execute("DELETE FROM t WHERE x LIKE 'row 0007%'")  # a cell inside a page
    await db.execute("DELETE FROM t WHERE x > 'row 0030'")  # whole pages, freed
    raw = b"".join(p.read_bytes() for p in db.path.parent.iterdir())
    assert b"row 0006" in raw
    assert b"row 0007" not in raw
    assert b"row 0042" not in raw
    assert await db.fetchval("PRAGMA freelist_count") > 0  # the freed pages are zeros


def _old_database(path: Path) -> None:
    """A database as older versions left it: WAL, and deleted bytes still in the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA secure_delete=OFF")
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [(f"row {n:03d} " * 30,) for n in range(40)])
    conn.execute("DELETE FROM t WHERE x LIKE 'row 005%'")
    conn.close()


async def test_a_database_from_the_write_ahead_days_is_rebuilt_once(tmp_path: Path) -> None:
    path = tmp_path / "data" / "old.sqlite3"
    _old_database(path)
    assert b"row 005" in path.read_bytes()  # the check can fail
    async with Database(path) as db:
        assert await db.fetchval("PRAGMA journal_mode") == "truncate"
        assert await db.fetchval("SELECT count(*) FROM t") == 39
    files = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    assert sorted(files) == ["old.sqlite3", "old.sqlite3-journal"]
    assert not any(b"row 005" in data for data in files.values())
    assert b"row 006" in files["old.sqlite3"]


async def test_bundled_migrations_apply_and_are_idempotent(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    version = await store.open()
    assert version == len(bundled_migrations())
    assert await store.db.migrate() == version
    await store.close()


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    await db.execute("CREATE TABLE t (x INTEGER)")

    async def failing_write() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await failing_write()
    assert await db.fetchval("SELECT count(*) FROM t") == 0


async def test_concurrent_writers_are_serialised(db: Database) -> None:
    """50 writers at once: no 'transaction within a transaction', an exact count."""
    await db.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
    await db.execute("INSERT INTO counter VALUES (0)")

    async def increment() -> None:
        async with db.transaction() as tx:
            row = await tx.fetchone("SELECT n FROM counter")
            assert row is not None
            await asyncio.sleep(0)  # let the others try to interleave
            await tx.execute("UPDATE counter SET n = ?", (row["n"] + 1,))

    await asyncio.gather(*(increment() for _ in range(50)))
    assert await db.fetchval("SELECT n FROM counter") == 50


async def test_failed_migration_keeps_the_old_version(db: Database) -> None:
    good = parse_migrations([("0001_first.sql", "CREATE TABLE a (x INTEGER);")])
    assert await db.migrate(good) == 1
    broken = parse_migrations(
        [
            ("0001_first.sql", "CREATE TABLE a (x INTEGER);"),
            ("0002_second.sql", "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);"),
        ]
    )
    with pytest.raises(StoreError, match=r"0002_second\.sql"):
        await db.migrate(broken)
    assert await db.user_version() == 1
    tables = {row[0] for row in await db.fetchall("SELECT name FROM sqlite_master")}
    assert "a" in tables
    assert "b" not in tables  # the half-applied migration left nothing behind


async def test_newer_database_is_refused(db: Database) -> None:
    await db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer"):
        await db.migrate(parse_migrations([("0001_a.sql", "CREATE TABLE a (x INTEGER);")]))


def test_migration_files_must_be_numbered_in_sequence() -> None:
    with pytest.raises(StoreError, match="out of sequence"):
        parse_migrations([("0001_a.sql", ""), ("0003_c.sql", "")])
    with pytest.raises(StoreError, match="named like"):
        parse_migrations([("first.sql", "")])


def test_split_statements_keeps_triggers_whole() -> None:
    sql = """
    -- a comment
    CREATE TABLE a (x INTEGER);
    CREATE TRIGGER t AFTER INSERT ON a BEGIN
        UPDATE a SET x = 1;
    END;
    """
    statements = split_statements(sql)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER")
    with pytest.raises(StoreError, match="unfinished"):
        split_statements("CREATE TABLE a (x INTEGER)")
