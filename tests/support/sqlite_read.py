"""Reading the bot's SQLite database from a test, as a second process would.

A read-only connection (``mode=ro``) reads while the bot holds the file. After a ``kill -9`` in
the middle of a write, though, the WAL index must be rebuilt before anyone can read, and a
read-only connection may not do that ("attempt to write a readonly database"). Then the files
(database, ``-wal``) are read from a copy, which recovers the last committed state exactly as the
bot's next start would, and leaves the bot's own files untouched.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def reading(database: Path, timeout: float = 5.0) -> Iterator[sqlite3.Connection]:
    """A connection that sees what was committed (read-only; from a copy if the files need the
    recovery a read-only connection can't do)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=timeout)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as error:
        conn.close()
        if "readonly" not in str(error):
            raise
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / database.name
            for suffix in ("", "-wal"):
                source = database.with_name(database.name + suffix)
                if source.exists():
                    shutil.copyfile(source, copy.with_name(copy.name + suffix))
            conn = sqlite3.connect(copy, timeout=timeout)
            try:
                yield conn
            finally:
                conn.close()
        return
    try:
        yield conn
    finally:
        conn.close()


def rows(database: Path, sql: str, params: tuple[Any, ...] = (), timeout: float = 5.0) -> list[Any]:
    """The rows of one query, as committed."""
    with reading(database, timeout) as conn:
        return conn.execute(sql, params).fetchall()
