"""Fixtures the runtime tests share: a fresh SQLite store each, and a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store
from tests.support.clock import FakeTime


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    yield store
    await store.close()


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()
