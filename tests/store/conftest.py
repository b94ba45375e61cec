"""The store's tests run on both backends: SQLite in a temporary folder, and PostgreSQL on a
throwaway server started from the machine's binaries (tests/postgres_server.py).

A test takes ``where`` (a SQLite path, or a fresh migrated PostgreSQL database) and builds its
``Store(where)``; the backend is a parameter, so each such test runs twice.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.db import Database
from bot.store.postgres import PostgresDatabase
from tests.postgres_server import REQUIRE, Databases, start_server

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Databases | None]:
    """One PostgreSQL server for this test process; None when the machine has no binaries."""
    server = start_server()
    if server is None:
        yield None
        return
    try:
        yield Databases(server)
    finally:
        server.stop()


def need(databases: Databases | None) -> Databases:
    if databases is None:
        if os.environ.get(REQUIRE) == "1":
            pytest.fail(f"{REQUIRE}=1 and no PostgreSQL binaries (initdb, pg_ctl) were found")
        pytest.skip("no PostgreSQL binaries (initdb, pg_ctl) on this machine")
    return databases


@pytest.fixture(params=BACKENDS)
async def where(
    request: pytest.FixtureRequest, tmp_path: Path, postgres: Databases | None
) -> AsyncIterator[Path | Database]:
    """Where a test's store lives: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield tmp_path / "db.sqlite3"
        return
    databases = need(postgres)
    url = await databases.fresh()
    try:
        yield PostgresDatabase(url)
    finally:
        await databases.drop(url)


@pytest.fixture
async def two_stores(postgres: Databases | None) -> AsyncIterator[tuple[Store, Store]]:
    """Two processes' stores on one fresh PostgreSQL database (each its own sessions)."""
    databases = need(postgres)
    url = await databases.fresh()
    first, second = Store(PostgresDatabase(url)), Store(PostgresDatabase(url))
    await first.open()
    await second.open()
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()
        await databases.drop(url)
