"""Live business meetings in SQLite: the matters under way (motions, motions to table,
elections), an election's candidates, and each open ballot's roll and secret ballots.

Secret at rest as the group votes are (bot/store/db.py): the roll is written in full when a
ballot opens, and a cast is ONE transaction that flips the voter's ``voted`` in place and adds a
ballot with a random key and nothing else. When a matter is decided, the same transaction that
records its counts deletes its roll and its ballots (``secure_delete`` zeroes the bytes); the
counts (and an election's candidates, who chose to be named) stay only until the result is
posted, then the row goes with everything under it.
Nothing of the motion's words is kept: they are in the channel, in the bot's own message.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime

from bot.core.business import Kind, Matter, Outcome, Result, Stage
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.store.db import Database, Transaction
from bot.store.privacy import KeptTable, Link, clear, in_group, keep, register, through

register(
    KeptTable(
        table="business_matters",
        people=("mover", "seconder"),
        one="motion or election under way in a business meeting (coded keys for who moved and "
        "seconded it, until the vote; never its words, never who voted how)",
        many="motions or elections under way in business meetings (coded keys for who moved "
        "and seconded each, until the vote; never their words, never who voted how)",
        until="deleted when it is decided (once the result is posted), withdrawn or tabled, or "
        "when the meeting ends",
        scope=in_group("group_id"),
        forget=clear("mover", "seconder"),
    )
)
_IN_MATTER = through(Link("matter_id", "business_matters"), Link("group_id", "groups"))
register(
    KeptTable(
        table="business_candidates",
        people=("candidate",),
        one="name put forward in an election under way (a coded key)",
        many="names put forward in elections under way (coded keys)",
        until="deleted when the election is decided, or the meeting ends",
        scope=_IN_MATTER,
    )
)
register(
    KeptTable(
        table="business_roll",
        people=("voter",),
        one="place on an open business ballot's roll (a coded key and whether it has voted, "
        "never how)",
        many="places on open business ballots' rolls (coded keys and whether each has voted, "
        "never how)",
        until="deleted when the ballot closes",
        scope=_IN_MATTER,
        forget=keep(
            "you already voted: your ballot is anonymous, and your place on the roll is deleted "
            "when the ballot closes, within the meeting",
            where="voted = 1",
        ),
    )
)
register(
    KeptTable(
        table="business_ballots",
        one="secret ballot in an open business vote (a random key and a choice; nothing says "
        "whose)",
        many="secret ballots in open business votes (a random key and a choice; nothing says "
        "whose)",
        until="deleted when the ballot closes",
        scope=_IN_MATTER,
    )
)


@lazy_dataclass(frozen=True)
class MatterRecord:
    """A stored matter, with the bot's own messages about it and, once decided, its counts."""

    matter: Matter
    group_id: int
    message_id: int | None = None  # the motion (or election) message
    ballot_message_id: int | None = None
    result: Result | None = None


def _at(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, tz=UTC)


def _result(raw: str | None) -> Result | None:
    if raw is None:
        return None
    data = json.loads(raw)
    return Result(
        outcome=Outcome(data["outcome"]),
        cast=int(data["cast"]),
        yes=int(data["yes"]),
        no=int(data["no"]),
        abstain=int(data["abstain"]),
        votes=tuple(int(v) for v in data["votes"]),
        winner=data["winner"],
        tie=bool(data["tie"]),
    )


def _record(row: sqlite3.Row, candidates: Sequence[Pseudonym]) -> MatterRecord:
    matter = Matter(
        id=row["id"],
        kind=Kind(row["kind"]),
        stage=Stage(row["stage"]),
        meeting=row["meeting"],
        section=row["section"],
        item=row["item"],
        mover=row["mover"],
        seconder=row["seconder"],
        tables=row["tables"],
        role=row["role"],
        candidates=tuple(candidates),
        until=_at(row["until"]),
    )
    return MatterRecord(
        matter, row["group_id"], row["message_id"], row["ballot_message_id"], _result(row["result"])
    )


class BusinessRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- reading -----------------------------------------------------------------------------

    async def get(self, matter_id: str) -> MatterRecord | None:
        row = await self._db.fetchone("SELECT * FROM business_matters WHERE id = ?", (matter_id,))
        if row is None:
            return None
        return _record(row, await self._candidates(matter_id))

    async def _candidates(self, matter_id: str) -> list[Pseudonym]:
        rows = await self._db.fetchall(
            "SELECT candidate FROM business_candidates WHERE matter_id = ? ORDER BY place",
            (matter_id,),
        )
        return [Pseudonym(r["candidate"]) for r in rows]

    async def in_meeting(self, meeting: int) -> list[MatterRecord]:
        rows = await self._db.fetchall(
            "SELECT * FROM business_matters WHERE meeting = ? ORDER BY rowid", (meeting,)
        )
        return [_record(row, await self._candidates(row["id"])) for row in rows]

    async def all(self) -> list[MatterRecord]:
        rows = await self._db.fetchall("SELECT * FROM business_matters ORDER BY rowid")
        return [_record(row, await self._candidates(row["id"])) for row in rows]

    async def voted(self, matter_id: str, voter: Pseudonym) -> bool | None:
        """Whether ``voter`` has voted; ``None`` when they are not on the roll."""
        value = await self._db.fetchval(
            "SELECT voted FROM business_roll WHERE matter_id = ? AND voter = ?",
            (matter_id, voter),
        )
        return None if value is None else bool(value)

    async def ballots(self, matter_id: str) -> list[str]:
        rows = await self._db.fetchall(
            "SELECT choice FROM business_ballots WHERE matter_id = ?", (matter_id,)
        )
        return [r["choice"] for r in rows]

    # --- writing (inside the caller's transaction) -------------------------------------------

    @staticmethod
    async def add(tx: Transaction, matter: Matter, group_id: int) -> None:
        await tx.execute(
            "INSERT INTO business_matters (id, group_id, meeting, kind, stage, section, item, "
            "mover, seconder, tables, role, until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                matter.id,
                group_id,
                matter.meeting,
                matter.kind.value,
                matter.stage.value,
                matter.section,
                matter.item,
                matter.mover,
                matter.seconder,
                matter.tables,
                matter.role,
                None if matter.until is None else matter.until.timestamp(),
            ),
        )

    @staticmethod
    async def update(tx: Transaction, matter: Matter) -> None:
        """The matter's stage, seconder, deadline and candidates as they are now."""
        await tx.execute(
            "UPDATE business_matters SET stage = ?, mover = ?, seconder = ?, until = ? "
            "WHERE id = ?",
            (
                matter.stage.value,
                matter.mover,
                matter.seconder,
                None if matter.until is None else matter.until.timestamp(),
                matter.id,
            ),
        )
        await tx.execute("DELETE FROM business_candidates WHERE matter_id = ?", (matter.id,))
        await tx.executemany(
            "INSERT INTO business_candidates (matter_id, place, candidate) VALUES (?, ?, ?)",
            [(matter.id, place, who) for place, who in enumerate(matter.candidates)],
        )

    @staticmethod
    async def save_roll(tx: Transaction, matter_id: str, voters: Iterable[Pseudonym]) -> None:
        await tx.executemany(
            "INSERT INTO business_roll (matter_id, voter) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(matter_id, voter) for voter in sorted(voters)],
        )

    @staticmethod
    async def cast(
        tx: Transaction, matter_id: str, voter: Pseudonym, key: str, choice: str
    ) -> bool:
        """Flip the voter's place on the roll and add the ballot, or nothing (not on the roll,
        or voted already). One transaction: a crash loses no ballot and counts none twice."""
        await tx.lock("business_matters", "id", matter_id)  # one cast at a time, across processes
        flipped = await tx.execute(
            "UPDATE business_roll SET voted = 1 WHERE matter_id = ? AND voter = ? AND voted = 0",
            (matter_id, voter),
        )
        if flipped != 1:
            return False
        await tx.execute(
            "INSERT INTO business_ballots (matter_id, key, choice) VALUES (?, ?, ?)",
            (matter_id, key, choice),
        )
        # On PostgreSQL, the roll and the box all carry this cast's row version (bot/store/db.py).
        await tx.restamp("business_roll", "matter_id", matter_id)
        await tx.restamp("business_ballots", "matter_id", matter_id)
        return True

    @staticmethod
    async def decide(tx: Transaction, matter: Matter, result: Result) -> None:
        """Keep only the counts: the roll, the ballots and every coded key go now."""
        await tx.execute("DELETE FROM business_roll WHERE matter_id = ?", (matter.id,))
        await tx.execute("DELETE FROM business_ballots WHERE matter_id = ?", (matter.id,))
        await tx.execute(
            "UPDATE business_matters SET stage = 'decided', mover = NULL, seconder = NULL, "
            "until = NULL, tables = NULL, result = ? WHERE id = ?",
            (json.dumps(asdict(result), sort_keys=True), matter.id),
        )

    @staticmethod
    async def delete(tx: Transaction, matter_id: str) -> None:
        await tx.execute("DELETE FROM business_matters WHERE id = ?", (matter_id,))

    async def set_messages(
        self, matter_id: str, *, message_id: int | None = None, ballot_message_id: int | None = None
    ) -> None:
        """Remember the bot's own message about the matter (to edit it later)."""
        async with self._db.transaction() as tx:
            if message_id is not None:
                await tx.execute(
                    "UPDATE business_matters SET message_id = ? WHERE id = ?",
                    (message_id, matter_id),
                )
            if ballot_message_id is not None:
                await tx.execute(
                    "UPDATE business_matters SET ballot_message_id = ? WHERE id = ?",
                    (ballot_message_id, matter_id),
                )

    async def forget(self, matter_id: str) -> None:
        """The result is shown: nothing of the matter is kept."""
        async with self._db.transaction() as tx:
            await self.delete(tx, matter_id)
