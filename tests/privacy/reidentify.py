"""What an attacker with a copy of the database files could try: hash every id they know.

Discord ids are public (anyone in a server sees its members' ids), so the pseudonyms must not
be recomputable without the key. :func:`reidentify` tries the obvious recipes over a list of
known ids and reports the users whose digest appears anywhere in the files.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from tests.support.privacy import database_bytes, dump_database


def _messages(guild_id: int, user_id: int) -> Iterator[bytes]:
    for text in (f"{guild_id}:{user_id}", f"{user_id}", f"{user_id}:{guild_id}"):
        yield text.encode("ascii")


def _digests(message: bytes, key: bytes | None) -> list[bytes]:
    if key is None:
        return [hashlib.sha256(message).digest()]
    return [hmac.new(key, message, hashlib.sha256).digest()]


def raw_files(database: Path) -> bytes:
    chunks = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        file = database.with_name(database.name + suffix)
        if file.exists():
            chunks.append(file.read_bytes())
    return b"\n".join(chunks)


def reidentify(
    database: Path, guild_ids: Iterable[int], user_ids: Iterable[int], *, key: bytes | None
) -> set[int]:
    """Users whose digest (plain SHA-256 when ``key`` is None, else HMAC-SHA256 under ``key``)
    appears in the database's rows or raw files, as hex or as raw bytes."""
    text = (dump_database(database) + "\n" + database_bytes(database)).lower()
    raw = raw_files(database)
    found = set()
    users = list(user_ids)
    for guild_id in guild_ids:
        for user_id in users:
            for message in _messages(guild_id, user_id):
                for digest in _digests(message, key):
                    if digest.hex() in text or digest in raw:
                        found.add(user_id)
    return found


def pseudonym_places(database: Path, pseudonyms: Mapping[str, int]) -> set[tuple[str, str]]:
    """(table, column) of every stored value that contains one of ``pseudonyms``."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    places = set()
    try:
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            columns = [description[0] for description in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, str) and any(p in value for p in pseudonyms):
                        places.add((table, column))
    finally:
        conn.close()
    return places
