"""python -m bot backup: a consistent, private copy with nothing deleted in it, that the bot can
start from."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from bot.backup import backup
from bot.config import SettingsError
from bot.store import Store

MARKER = "f" * 64  # shaped like a coded key


async def test_the_copy_is_consistent_private_and_holds_nothing_deleted(tmp_path: Path) -> None:
    store = Store(tmp_path / "data" / "peercircle.sqlite3")
    await store.open()
    group = await store.groups.create(
        guild_id=1, channel_id=2, format_id="open-discussion", member_role_id=None, now=0.0
    )
    assert group is not None
    await store.deadlines.upsert("privacy.delete", MARKER, 1.0, {"row": MARKER})
    await store.deadlines.cancel("privacy.delete", MARKER)  # deleted: must not be in the copy
    copy = tmp_path / "copy.sqlite3"
    assert backup(store.db.path, copy) > 0  # while the store is still open
    await store.close()

    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert MARKER.encode() not in copy.read_bytes()
    assert not [p.name for p in copy.parent.iterdir() if p.name.startswith("copy.sqlite3-")]
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM groups").fetchone() == (1,)
        assert db.execute("PRAGMA freelist_count").fetchone() == (0,)

    restored = Store(copy)
    await restored.open()  # the bot starts from it as from its own database
    assert (await restored.groups.by_channel(2)) is not None
    await restored.close()


def test_it_never_overwrites_and_needs_a_database(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no database to back up"):
        backup(tmp_path / "missing.sqlite3", tmp_path / "copy")
    database = tmp_path / "db.sqlite3"
    sqlite3.connect(database).close()
    (tmp_path / "copy").write_text("precious")
    with pytest.raises(SettingsError, match="already exists"):
        backup(database, tmp_path / "copy")
    assert (tmp_path / "copy").read_text() == "precious"
