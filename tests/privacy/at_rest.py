"""What someone holding a copy of every file under the data directory, and the pseudonym key,
can read: the attacker of tests/privacy/test_at_rest.py.

:meth:`Copy.take` reads the bytes of every file at one instant: the database, its ``-journal``,
``-wal`` and ``-shm`` if there are any, and anything else (a key file, a stray temporary file).

:meth:`Copy.versions` decodes every version of the database the copy holds, with SQLite itself:

- the database file as it is;
- with a write-ahead log: the file with the log's frames laid over it, up to each commit frame
  in turn (every frame in the log, whatever its salt: a reset log keeps its old frames);
- with a non-empty rollback journal: the file with the journal's old page images put back (every
  segment of it), i.e. what a rollback would restore.

:meth:`Copy.holds` searches every byte of every file: live rows, free pages, free space inside
pages, old log frames, journal records.

A *link* (:func:`links`) is a voter and a choice that two versions in the copy pin together: for
one proposal, from version A to version B, the voters newly marked as having voted are N (not
empty) and the ballots added are M (not empty, all with one choice c), and nothing was removed
from either. Then every voter in N voted c. One cast caught before and after is the plainest
case (N and M of one each). What one version alone shows is not counted here: who has voted so
far and the running count, which the bot itself must be able to read after a restart (see
bot/store/db.py); the tests check instead that a copy holds only one version.
"""

from __future__ import annotations

import sqlite3
import struct
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

WAL_MAGIC = (0x377F0682, 0x377F0683)
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


@dataclass(frozen=True)
class Version:
    """One version of the vote tables: who is marked as having voted, and the ballots."""

    where: str
    voted: Mapping[str, frozenset[str]]  # proposal id -> voters marked as having voted
    ballots: Mapping[str, frozenset[tuple[str, str]]]  # proposal id -> (key, choice)


@dataclass(frozen=True)
class Link:
    voter: str
    choice: str
    proposal: str
    between: tuple[str, str]


class Copy:
    """The bytes of every file under a directory, read at one instant."""

    def __init__(self, files: Mapping[str, bytes], database: str) -> None:
        self.files = dict(files)
        self.database = database

    @classmethod
    def take(cls, data_dir: Path, database: Path) -> Copy:
        files = {
            str(path.relative_to(data_dir)): path.read_bytes()
            for path in sorted(data_dir.rglob("*"))
            if path.is_file()
        }
        return cls(files, str(database.relative_to(data_dir)))

    def side(self, suffix: str) -> bytes:
        return self.files.get(self.database + suffix, b"")

    # --- bytes ---------------------------------------------------------------------------------

    def holds(self, needle: str | bytes) -> list[str]:
        """The files whose bytes contain ``needle`` (text as UTF-8)."""
        raw = needle.encode("utf-8") if isinstance(needle, str) else needle
        return [name for name, data in self.files.items() if raw in data]

    # --- versions ------------------------------------------------------------------------------

    def images(self) -> Iterator[tuple[str, bytes]]:
        """(where, database bytes) for every version of the database file in the copy."""
        main = self.side("")
        if main:
            yield "the database file", main
        wal = self.side("-wal")
        if len(wal) >= 32 and struct.unpack(">I", wal[:4])[0] in WAL_MAGIC:
            image = bytearray(main)
            wal_page = struct.unpack(">I", wal[8:12])[0]
            offset, frame, commits = 32, 0, 0
            while offset + 24 + wal_page <= len(wal):
                page_no, commit_size = struct.unpack(">II", wal[offset : offset + 8])
                data = wal[offset + 24 : offset + 24 + wal_page]
                offset += 24 + wal_page
                frame += 1
                if page_no == 0:
                    continue
                _put(image, page_no, data, wal_page)
                if commit_size:
                    commits += 1
                    del image[commit_size * wal_page :]
                    yield f"WAL commit {commits} (frame {frame})", bytes(image)
        journal = self.side("-journal")
        if main and len(journal) >= 28 and journal[:8] == JOURNAL_MAGIC:
            yield "the journal rolled back", _rolled_back(main, journal)

    def versions(self) -> list[Version]:
        """Every version of the vote tables the copy holds (those SQLite can decode)."""
        found = []
        with tempfile.TemporaryDirectory() as scratch:
            for n, (where, image) in enumerate(self.images()):
                path = Path(scratch) / f"v{n}.sqlite3"
                patched = bytearray(image)
                patched[18:20] = b"\x01\x01"  # read it as a plain file, with no log beside it
                path.write_bytes(patched)
                version = _decode(path, where)
                if version is not None:
                    found.append(version)
        return found


def _rolled_back(main: bytes, journal: bytes) -> bytes:
    """The database as a rollback would leave it: every old page image in the journal put back.

    The journal is a run of segments, each a header (one sector) and its records (page number,
    old image, checksum); a segment whose record count is not yet written runs to the end."""
    image = bytearray(main)
    original_pages, page_size = struct.unpack(">I", journal[16:20])[0], 0
    restored: set[int] = set()
    offset = 0
    while offset + 28 <= len(journal) and journal[offset : offset + 8] == JOURNAL_MAGIC:
        records, _, _, sector, page_size = struct.unpack(
            ">IIIII", journal[offset + 8 : offset + 28]
        )
        position = offset + sector
        if records in (0, 0xFFFFFFFF):
            records = (len(journal) - position) // (page_size + 8)
        for _ in range(records):
            if position + 8 + page_size > len(journal):
                break
            page_no = struct.unpack(">I", journal[position : position + 4])[0]
            if page_no not in restored:  # the first image of a page is the one from before
                restored.add(page_no)
                _put(image, page_no, journal[position + 4 : position + 4 + page_size], page_size)
            position += 8 + page_size
        offset = -(-position // sector) * sector
    if page_size:
        del image[original_pages * page_size :]
    return bytes(image)


def _put(image: bytearray, page_no: int, data: bytes, page_size: int) -> None:
    start = (page_no - 1) * page_size
    if len(image) < start + page_size:
        image.extend(bytes(start + page_size - len(image)))
    image[start : start + page_size] = data


def _decode(path: Path, where: str) -> Version | None:
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        voted: dict[str, set[str]] = {}
        ballots: dict[str, set[tuple[str, str]]] = {}
        for proposal, voter in conn.execute(
            "SELECT proposal_id, voter FROM voters WHERE voted = 1"
        ):
            voted.setdefault(proposal, set()).add(voter)
        for proposal, key, choice in conn.execute("SELECT proposal_id, key, choice FROM ballots"):
            ballots.setdefault(proposal, set()).add((key, choice))
    except sqlite3.DatabaseError:
        return None  # a torn or partial image SQLite cannot read
    finally:
        conn.close()
    return Version(
        where,
        {p: frozenset(v) for p, v in voted.items()},
        {p: frozenset(b) for p, b in ballots.items()},
    )


def links(versions: Iterable[Version]) -> set[Link]:
    """Every voter-to-choice link two of the versions make (see the module's docstring)."""
    found = set()
    versions = list(versions)
    for before in versions:
        for after in versions:
            for proposal in set(after.voted) | set(after.ballots):
                voted_before = before.voted.get(proposal, frozenset())
                voted_after = after.voted.get(proposal, frozenset())
                ballots_before = before.ballots.get(proposal, frozenset())
                ballots_after = after.ballots.get(proposal, frozenset())
                if not (voted_before <= voted_after and ballots_before <= ballots_after):
                    continue
                newly = voted_after - voted_before
                choices = {choice for _, choice in ballots_after - ballots_before}
                if newly and len(choices) == 1:
                    (choice,) = choices
                    for voter in newly:
                        found.add(Link(voter, choice, proposal, (before.where, after.where)))
    return found


def fragments(text: str, size: int = 24) -> list[str]:
    """Overlapping pieces of ``text``: a remnant of any part of it is found, not only all of it."""
    if len(text) <= size:
        return [text]
    return [text[i : i + size] for i in range(0, len(text) - size + 1, size // 2)]
