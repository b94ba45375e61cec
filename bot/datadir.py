"""Is ``DATA_DIR`` usable? Checked once before anything is written, so a host whose disk is
read-only, full, or pointed at the wrong place reads one line saying what is wrong and how to fix
it (exit status 2), never a traceback — and nothing is half-written."""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import BinaryIO

from bot.config import SettingsError

SQLITE_HEADER = b"SQLite format 3\x00"
LOCK_FILE = "peercircle.lock"


def check_data_dir(data_dir: Path, database: Path) -> None:
    """Raise :class:`SettingsError` with one plain line if ``data_dir`` can't hold the bot's
    files, or its database is not a database."""
    where = f"DATA_DIR ({data_dir})"
    if data_dir.exists() and not data_dir.is_dir():
        raise SettingsError(
            f"{where} is a file, not a folder: point DATA_DIR at a folder (it is created if "
            "missing)."
        )
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(f"{where} can't be created ({_reason(exc)}): {_fix(exc)}.") from None
    try:
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".write-check-") as probe:
            probe.write(b"\0" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        raise SettingsError(f"{where} can't be written ({_reason(exc)}): {_fix(exc)}.") from None
    if database.exists():
        if database.is_dir():
            raise SettingsError(f"{database} is a folder: move it away; the database is a file.")
        _check_database_file(database)


def _check_database_file(database: Path) -> None:
    try:
        with database.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise SettingsError(f"{database} can't be read ({_reason(exc)}): {_fix(exc)}.") from None
    if header and header != SQLITE_HEADER:
        raise SettingsError(
            f"{database} is not a Peer Circle database (it may be damaged): restore it from your "
            "backup, or move it away to start afresh."
        )


def explain_database_error(exc: BaseException, database: Path) -> str | None:
    """One line for a database the store could not open or write, or None if it isn't one."""
    if isinstance(exc, sqlite3.DatabaseError):
        text = str(exc).lower()
        if "full" in text or "disk i/o" in text:
            return (
                f"the database at {database} can't be written (the disk may be full): free some "
                "space and start the bot again."
            )
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return (
                f"the database at {database} is damaged: restore it from your backup "
                "(see the README), or move it away to start afresh."
            )
        if "readonly" in text or "read-only" in text:
            return f"the database at {database} is read-only: {_fix(None)}."
        return f"the database at {database} could not be opened ({exc})."
    if isinstance(exc, OSError):
        return f"the data folder can't be used ({_reason(exc)}): {_fix(exc)}."
    return None


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _fix(exc: OSError | None) -> str:
    if exc is not None and exc.errno == errno.ENOSPC:
        return "the disk is full; free some space and start the bot again"
    if exc is not None and exc.errno == errno.ENOTDIR:
        return "part of the path is a file; point DATA_DIR at a folder"
    return (
        "make the folder writable by the user that runs the bot, or point DATA_DIR at one that is"
    )


def hold_lock(data_dir: Path) -> BinaryIO:
    """Make this process the one bot using ``data_dir``; keep the returned file open while it
    runs (the lock goes with the process, even after kill -9). A second bot on the same folder
    would answer every member twice and fire every deadline twice."""
    handle = (data_dir / LOCK_FILE).open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise SettingsError(
            f"another Peer Circle is already running with DATA_DIR ({data_dir}): stop it first, "
            "or give this one its own DATA_DIR."
        ) from None
    return handle
