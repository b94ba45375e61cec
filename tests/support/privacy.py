"""Privacy scans shared by every test that touches people.

A scan looks for the simulated members' ids, usernames, global names and nicknames (and any
sentinel text a test posted) in log text and in the raw bytes of the SQLite files, including the
``-wal`` and ``-shm`` files, and in a full dump of every table.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tests.support.sqlite_read import reading


def find_identifiers(text: str, identifiers: Iterable[str]) -> list[str]:
    """Which identifiers appear in ``text`` (case-insensitive for names)."""
    lowered = text.lower()
    return sorted(needle for needle in identifiers if needle and needle.lower() in lowered)


def dump_database(path: Path) -> str:
    """Every row of every table, as text (read-only; works while the bot holds the file)."""
    if not path.exists():
        return ""
    with reading(path) as conn:
        lines = []
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                lines.append(f"{table}: {row!r}")
        return "\n".join(lines)


def database_bytes(path: Path) -> str:
    """The raw database, -wal and -shm files, decoded loosely, for a byte-level scan."""
    chunks = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        file = path.with_name(path.name + suffix)
        if file.exists():
            chunks.append(file.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(chunks)


def assert_nothing_identifies(
    identifiers: Iterable[str], *, logs: str = "", database: Path | None = None
) -> None:
    identifiers = set(identifiers)
    assert identifiers, "a privacy scan needs something to look for"
    problems = []
    if hits := find_identifiers(logs, identifiers):
        problems.append(f"the logs name {hits}")
    if database is not None:
        if hits := find_identifiers(dump_database(database), identifiers):
            problems.append(f"the database rows hold {hits}")
        if hits := find_identifiers(database_bytes(database), identifiers):
            problems.append(f"the database files hold {hits}")
    assert not problems, "; ".join(problems)
