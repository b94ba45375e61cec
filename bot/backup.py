"""``python -m bot backup DEST``: a consistent copy of the database while the bot runs.

SQLite's ``VACUUM INTO`` reads one consistent snapshot (the bot may go on writing meanwhile) and
writes a fresh, compact file: no free pages, so nothing deleted comes along, and no journal to
forget. The copy is readable by its owner only (0600). The pseudonym key is *not* in it: back the
key up separately and keep the two apart — together they are what links coded keys to people.

Restoring: stop the bot, replace ``DATA_DIR/peercircle.sqlite3`` with the copy (and delete any
``peercircle.sqlite3-journal``, or ``-wal`` / ``-shm`` from older versions, beside it), put the
key back if it was lost, start the bot.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from bot.config import SettingsError

BUSY_TIMEOUT_MS = 10_000


def backup(database: Path, destination: Path) -> int:
    """Copy ``database`` to ``destination`` (which must not exist); return the copy's size."""
    if not database.is_file():
        raise SettingsError(f"there is no database to back up at {database} (check DATA_DIR).")
    if destination.exists():
        raise SettingsError(f"{destination} already exists: choose a new file name for the copy.")
    if not destination.parent.is_dir():
        raise SettingsError(f"{destination.parent} is not a folder: create it first.")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    old_umask = os.umask(0o077)  # the copy is created private, never briefly world-readable
    try:
        source.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        source.execute("VACUUM INTO ?", (str(destination),))
    except sqlite3.Error as exc:
        destination.unlink(missing_ok=True)
        raise SettingsError(f"the backup could not be made ({exc}); nothing was written.") from None
    finally:
        os.umask(old_umask)
        source.close()
    os.chmod(destination, 0o600)
    return destination.stat().st_size
