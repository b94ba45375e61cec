from __future__ import annotations

import asyncio
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
    assert (await db.fetchval("PRAGMA journal_mode")) == "wal"
    assert await db.fetchval("PRAGMA synchronous") == 2
    assert await db.fetchval("PRAGMA busy_timeout") == 5000
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert stat.S_IMODE(db.path.stat().st_mode) == 0o600


async def test_wal_and_shm_files_are_private_too(db: Database) -> None:
    await db.execute("CREATE TABLE t (x INTEGER)")
    for suffix in ("-wal", "-shm"):
        side = db.path.with_name(db.path.name + suffix)
        assert side.exists()
        assert stat.S_IMODE(side.stat().st_mode) == 0o600


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
