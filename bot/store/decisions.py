"""Due process and group decisions in SQLite: concerns, proposals, the voter roll, secret ballots,
exclusions, the group's decided settings and the outbox of Discord work (the channels the bot
closed to members: :mod:`bot.store.channel_denials`, ``DecisionRepository.denials``).

Reads that a decision depends on happen inside :meth:`DecisionRepository.transaction` (under the
database's write lock, ``BEGIN IMMEDIATE``), so the core decides on exactly what is committed.
Every transition is a conditional update that must change exactly one row.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from bot.core.decisions import (
    Ballot,
    BallotBox,
    Choice,
    Concern,
    Exclusion,
    Proposal,
    ProposalState,
)
from bot.core.decisions.hearing import NoticeState
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.store import decision_tables  # noqa: F401 - declares these tables to the registry
from bot.store.channel_denials import ChannelDenials
from bot.store.db import Database, Transaction
from bot.store.decision_rows import (
    EXCLUSION_COLUMNS,
    PROPOSAL_COLUMNS,
    StoredProposal,
    exclusion_from_row,
    motion_columns,
    proposal_from_row,
)
from bot.store.groups import GroupRecord

OPEN_STATES = ("awaiting_second", "seconded", "voting")
# The proposal's columns read from ``proposals p`` in a join, under their own names.
_PROPOSAL_IN_JOIN = ", ".join(f"p.{column}" for column in PROPOSAL_COLUMNS.split(", "))
_GROUP_IN_JOIN = "g.guild_id, g.channel_id, g.format_id, g.member_role_id, g.meetings_held"


@lazy_dataclass(frozen=True)
class OutboxItem:
    id: int
    group_id: int
    payload: Mapping[str, Any]
    attempts: int


class DecisionTx:
    """The decision tables inside one write transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    # --- reads --------------------------------------------------------------------------------

    async def concerns(self, group_id: int) -> list[Concern]:
        rows = await self.tx.fetchall(
            "SELECT target, requester, meeting, guideline FROM concerns WHERE group_id = ?",
            (group_id,),
        )
        return [
            Concern(Pseudonym(r["target"]), Pseudonym(r["requester"]), r["meeting"], r["guideline"])
            for r in rows
        ]

    async def open_proposals(self, group_id: int) -> list[Proposal]:
        rows = await self.tx.fetchall(
            f"SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE group_id = ? "  # noqa: S608 - constant
            "AND state IN (?, ?, ?)",
            (group_id, *OPEN_STATES),
        )
        return [proposal_from_row(row).proposal for row in rows]

    async def proposal(self, proposal_id: str, *, with_box: bool = False) -> StoredProposal | None:
        row = await self.tx.fetchone(
            f"SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = ?",  # noqa: S608 - constant
            (proposal_id,),
        )
        if row is None:
            return None
        box = await self._box(proposal_id) if with_box and row["state"] == "voting" else None
        return proposal_from_row(row, box)

    async def proposal_for_voter(self, proposal_id: str, voter: Pseudonym) -> StoredProposal | None:
        """The proposal with the ballot box as one voter sees it: their own roll entry only, and
        no ballots. Casting needs nothing more (on the roll? voted already?), so a ballot costs
        one indexed read however many have voted; the whole box is read only to count it."""
        row = await self.tx.fetchone(
            f"SELECT {_PROPOSAL_IN_JOIN}, v.voted AS voted FROM proposals p "  # noqa: S608
            "LEFT JOIN voters v ON v.proposal_id = p.id AND v.voter = ? WHERE p.id = ?",
            (voter, proposal_id),
        )
        if row is None:
            return None
        box = None
        if row["state"] == "voting":
            on_roll = frozenset() if row["voted"] is None else frozenset({voter})
            box = BallotBox(roll=on_roll, voted=on_roll if row["voted"] else frozenset())
        return proposal_from_row(row, box)

    async def _box(self, proposal_id: str) -> BallotBox:
        roll = await self.tx.fetchall(
            "SELECT voter, voted FROM voters WHERE proposal_id = ?", (proposal_id,)
        )
        ballots = await self.tx.fetchall(
            "SELECT key, choice FROM ballots WHERE proposal_id = ?", (proposal_id,)
        )
        return BallotBox(
            roll=frozenset(Pseudonym(r["voter"]) for r in roll),
            voted=frozenset(Pseudonym(r["voter"]) for r in roll if r["voted"]),
            ballots=frozenset(Ballot(r["key"], Choice(r["choice"])) for r in ballots),
        )

    async def exclusions(self, group_id: int) -> list[Exclusion]:
        rows = await self.tx.fetchall(
            f"SELECT {EXCLUSION_COLUMNS} FROM exclusions WHERE group_id = ?",  # noqa: S608
            (group_id,),
        )
        return [exclusion_from_row(row) for row in rows]

    async def exclusion(self, group_id: int, target: Pseudonym) -> Exclusion | None:
        row = await self.tx.fetchone(
            f"SELECT {EXCLUSION_COLUMNS} FROM exclusions "  # noqa: S608 - constant
            "WHERE group_id = ? AND target = ?",
            (group_id, target),
        )
        return None if row is None else exclusion_from_row(row)

    async def settings(self, group_id: int) -> dict[str, str]:
        rows = await self.tx.fetchall(
            "SELECT name, value FROM group_settings WHERE group_id = ?", (group_id,)
        )
        return {r["name"]: r["value"] for r in rows}

    async def meetings_held(self, group_id: int) -> int:
        """The number of the last meeting the group held (0 before the first)."""
        row = await self.tx.fetchone("SELECT meetings_held FROM groups WHERE id = ?", (group_id,))
        return 0 if row is None else int(row["meetings_held"])

    async def meeting_under_way(self, group_id: int) -> int | None:
        """The id of the group's meeting under way, read in this transaction (exact: its close
        commits either before it or after, with the event that starts what waits for it)."""
        row = await self.tx.fetchone("SELECT id FROM meetings WHERE group_id = ?", (group_id,))
        return None if row is None else int(row["id"])

    # --- writes -------------------------------------------------------------------------------

    async def insert_concern(
        self, group_id: int, concern: Concern, expires_at: float | None = None
    ) -> bool:
        """False when the same requester already noted the same member at this meeting.
        ``expires_at``: clock time after which the retention sweep deletes it anyway."""
        changed = await self.tx.execute(
            "INSERT INTO concerns (group_id, target, requester, meeting, guideline, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                group_id,
                concern.target,
                concern.requester,
                concern.meeting,
                concern.guideline,
                expires_at,
            ),
        )
        return changed == 1

    async def delete_concern(self, group_id: int, concern: Concern) -> None:
        await self.tx.execute(
            "DELETE FROM concerns WHERE group_id = ? AND target = ? AND requester = ? "
            "AND meeting = ?",
            (group_id, concern.target, concern.requester, concern.meeting),
        )

    async def delete_concerns_about(self, group_id: int, target: Pseudonym) -> int:
        return await self.tx.execute(
            "DELETE FROM concerns WHERE group_id = ? AND target = ?", (group_id, target)
        )

    async def delete_concerns_before(self, group_id: int, meeting: int) -> int:
        return await self.tx.execute(
            "DELETE FROM concerns WHERE group_id = ? AND meeting < ?", (group_id, meeting)
        )

    async def insert_proposal(self, group_id: int, proposal: Proposal) -> None:
        kind, target, meetings, guidelines, subject, value = motion_columns(proposal.motion)
        threshold = proposal.threshold
        await self.tx.execute(
            "INSERT INTO proposals (id, group_id, kind, target, meetings, guidelines, subject, "
            "value, state, created_at, deadline, threshold_num, threshold_den, threshold_strict, "
            "quorum, proposer, statement) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                proposal.id,
                group_id,
                kind,
                target,
                meetings,
                guidelines,
                subject,
                value,
                proposal.state.value,
                proposal.created_at.timestamp(),
                proposal.deadline.timestamp(),
                threshold.fraction.numerator,
                threshold.fraction.denominator,
                int(threshold.strict),
                proposal.quorum,
                proposal.proposer,
                proposal.statement,
            ),
        )

    async def transition(self, new: Proposal, *, expected: ProposalState) -> bool:
        """Write ``new`` over the row if it is still ``expected``; True if exactly one changed."""
        changed = await self.tx.execute(
            "UPDATE proposals SET state = ?, deadline = ?, proposer = ?, statement = ? "
            "WHERE id = ? AND state = ?",
            (
                new.state.value,
                new.deadline.timestamp(),
                new.proposer,
                new.statement,
                new.id,
                expected.value,
            ),
        )
        return changed == 1

    async def delete_proposal(self, proposal_id: str) -> None:
        await self.tx.execute("DELETE FROM proposals WHERE id = ?", (proposal_id,))

    async def save_roll(self, proposal_id: str, voters: Iterable[Pseudonym]) -> None:
        await self.tx.executemany(
            "INSERT INTO voters (proposal_id, voter) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(proposal_id, voter) for voter in voters],
        )

    async def mark_voted(self, proposal_id: str, voter: Pseudonym) -> bool:
        """Flip the voter's flag; False if they are not on the roll or already voted."""
        # One cast at a time per vote, across processes too (its ballots are rewritten together).
        await self.tx.lock("proposals", "id", proposal_id)
        # RETURNING: the change and its count in one call to the database (a cast is a few).
        changed = await self.tx.fetchall(
            "UPDATE voters SET voted = 1 WHERE proposal_id = ? AND voter = ? AND voted = 0 "
            "RETURNING voted",
            (proposal_id, voter),
        )
        return len(changed) == 1

    async def store_ballot(self, proposal_id: str, key: str, choice: Choice) -> None:
        await self.tx.fetchall(
            "INSERT INTO ballots (proposal_id, key, choice) VALUES (?, ?, ?) RETURNING choice",
            (proposal_id, key, choice.value),
        )
        # On PostgreSQL, the roll and the box all carry this cast's row version (bot/store/db.py).
        await self.tx.restamp("voters", "proposal_id", proposal_id)
        await self.tx.restamp("ballots", "proposal_id", proposal_id)

    async def delete_votes(self, proposal_id: str) -> None:
        await self.tx.execute("DELETE FROM ballots WHERE proposal_id = ?", (proposal_id,))
        await self.tx.execute("DELETE FROM voters WHERE proposal_id = ?", (proposal_id,))

    async def save_exclusion(self, group_id: int, exclusion: Exclusion) -> int:
        """Insert the exclusion; returns its opaque row id (its backstop deadline's key)."""
        return await self.tx.insert(
            "INSERT INTO exclusions (group_id, target, meetings, first_meeting, began_at, ends_by, "
            "after_meeting) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                group_id,
                exclusion.target,
                exclusion.meetings,
                exclusion.first_meeting,
                exclusion.began_at.timestamp(),
                exclusion.ends_by.timestamp(),
                exclusion.after_meeting,
            ),
        )

    async def start_exclusion(
        self, group_id: int, target: Pseudonym, after_meeting: int, first_meeting: int
    ) -> bool:
        """Start an exclusion that waited for a meeting to close (once: only while it waits)."""
        changed = await self.tx.execute(
            "UPDATE exclusions SET after_meeting = NULL, first_meeting = ? "
            "WHERE group_id = ? AND target = ? AND after_meeting = ?",
            (first_meeting, group_id, target, after_meeting),
        )
        return changed == 1

    async def exclusion_id(self, group_id: int, target: Pseudonym) -> int | None:
        row = await self.tx.fetchone(
            "SELECT id FROM exclusions WHERE group_id = ? AND target = ?", (group_id, target)
        )
        return None if row is None else int(row["id"])

    async def exclusion_by_id(self, group_id: int, exclusion_id: int) -> Exclusion | None:
        row = await self.tx.fetchone(
            f"SELECT {EXCLUSION_COLUMNS} FROM exclusions "  # noqa: S608 - constant
            "WHERE group_id = ? AND id = ?",
            (group_id, exclusion_id),
        )
        return None if row is None else exclusion_from_row(row)

    async def delete_exclusion(self, group_id: int, target: Pseudonym) -> bool:
        changed = await self.tx.execute(
            "DELETE FROM exclusions WHERE group_id = ? AND target = ?", (group_id, target)
        )
        return changed == 1

    async def set_setting(self, group_id: int, name: str, value: str) -> None:
        await self.tx.execute(
            "INSERT INTO group_settings (group_id, name, value) VALUES (?, ?, ?) "
            "ON CONFLICT (group_id, name) DO UPDATE SET value = excluded.value",
            (group_id, name, value),
        )

    async def enqueue(self, group_id: int, payload: Mapping[str, Any]) -> int:
        """Add Discord work to the outbox; returns its id (items run in id order)."""
        return await self.tx.insert(
            "INSERT INTO decision_outbox (group_id, payload) VALUES (?, ?)",
            (group_id, json.dumps(dict(payload), sort_keys=True)),
        )


class DecisionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.denials = ChannelDenials(db)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[DecisionTx]:
        async with self._db.transaction() as tx:
            yield DecisionTx(tx)

    # --- reads outside a transaction (for showing things; never to decide) ---------------------

    async def proposal(self, proposal_id: str) -> StoredProposal | None:
        row = await self._db.fetchone(
            f"SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = ?",  # noqa: S608 - constant
            (proposal_id,),
        )
        return None if row is None else proposal_from_row(row)

    async def proposal_and_group(
        self, proposal_id: str
    ) -> tuple[StoredProposal, GroupRecord] | None:
        """A proposal with its group, in one read (a ballot's first look, before its
        transaction)."""
        row = await self._db.fetchone(
            f"SELECT {_PROPOSAL_IN_JOIN}, {_GROUP_IN_JOIN} FROM proposals p "  # noqa: S608
            "JOIN groups g ON g.id = p.group_id WHERE p.id = ?",
            (proposal_id,),
        )
        if row is None:
            return None
        group = GroupRecord(
            id=row["group_id"],
            guild_id=row["guild_id"],
            channel_id=row["channel_id"],
            format_id=row["format_id"],
            member_role_id=row["member_role_id"],
            meetings_held=row["meetings_held"],
        )
        return proposal_from_row(row), group

    async def open_proposals(self, group_id: int) -> list[StoredProposal]:
        rows = await self._db.fetchall(
            f"SELECT {PROPOSAL_COLUMNS} FROM proposals "  # noqa: S608 - constant
            "WHERE group_id = ? AND state IN (?, ?, ?) ORDER BY created_at",
            (group_id, *OPEN_STATES),
        )
        return [proposal_from_row(row) for row in rows]

    async def settings(self, group_id: int) -> dict[str, str]:
        rows = await self._db.fetchall(
            "SELECT name, value FROM group_settings WHERE group_id = ?", (group_id,)
        )
        return {r["name"]: r["value"] for r in rows}

    async def exclusion(self, group_id: int, target: Pseudonym) -> Exclusion | None:
        row = await self._db.fetchone(
            f"SELECT {EXCLUSION_COLUMNS} FROM exclusions "  # noqa: S608 - constant
            "WHERE group_id = ? AND target = ?",
            (group_id, target),
        )
        return None if row is None else exclusion_from_row(row)

    async def exclusions_in_guild(
        self, guild_id: int, target: Pseudonym
    ) -> list[tuple[int, Exclusion]]:
        """The member's exclusions in every group of one server, as (group id, exclusion)."""
        rows = await self._db.fetchall(
            "SELECT e.group_id, e.target, e.meetings, e.first_meeting, e.began_at, e.ends_by, "
            "e.after_meeting "
            "FROM exclusions e JOIN groups g ON g.id = e.group_id "
            "WHERE g.guild_id = ? AND e.target = ?",
            (guild_id, target),
        )
        return [(row["group_id"], exclusion_from_row(row)) for row in rows]

    # --- small writes about Discord bookkeeping ----------------------------------------------

    async def set_message(self, proposal_id: str, message_id: int) -> None:
        await self._db.execute(
            "UPDATE proposals SET message_id = ? WHERE id = ?", (message_id, proposal_id)
        )

    async def set_ballot_message(self, proposal_id: str, message_id: int) -> None:
        await self._db.execute(
            "UPDATE proposals SET ballot_message_id = ? WHERE id = ?", (message_id, proposal_id)
        )

    async def set_notice(self, proposal_id: str, state: NoticeState, at: float) -> None:
        """Note how far the notice got (asked for in the channel: ``asked_at``), during the
        hearing only."""
        column = "asked_at" if state is NoticeState.ASKED else "heard_at"
        await self._db.execute(
            f"UPDATE proposals SET notice = ?, {column} = ? "  # noqa: S608 - a fixed column
            "WHERE id = ? AND state = 'seconded'",
            (int(state), at, proposal_id),
        )

    async def mark_read(self, proposal_id: str, at: float) -> bool:
        """The member opened the notice in the channel (first time only; True if it was)."""
        changed = await self._db.execute(
            "UPDATE proposals SET notice = 3, heard_at = ? WHERE id = ? AND notice IN (0, 2, 4)",
            (at, proposal_id),
        )
        return changed == 1

    async def mark_reported(self, group_id: int, target: Pseudonym) -> bool:
        """Claim the one report of a missing permission for this exclusion."""
        changed = await self._db.execute(
            "UPDATE exclusions SET reported = 1 WHERE group_id = ? AND target = ? AND reported = 0",
            (group_id, target),
        )
        return changed == 1

    # --- the outbox ---------------------------------------------------------------------------

    async def outbox(self) -> list[OutboxItem]:
        """Pending Discord work, oldest first."""
        rows = await self._db.fetchall(
            "SELECT id, group_id, payload, attempts FROM decision_outbox ORDER BY id"
        )
        return [
            OutboxItem(row["id"], row["group_id"], json.loads(row["payload"]), row["attempts"])
            for row in rows
        ]

    async def outbox_item(self, item_id: int) -> OutboxItem | None:
        row = await self._db.fetchone(
            "SELECT id, group_id, payload, attempts FROM decision_outbox WHERE id = ?", (item_id,)
        )
        if row is None:
            return None
        return OutboxItem(row["id"], row["group_id"], json.loads(row["payload"]), row["attempts"])

    async def drop_idle_deadline(self, kind: str, key: str) -> bool:
        """Delete the outbox's own deadline when no work is waiting (one statement, so work
        queued meanwhile keeps it)."""
        changed = await self._db.execute(
            "DELETE FROM deadlines WHERE kind = ? AND key = ? "
            "AND NOT EXISTS (SELECT 1 FROM decision_outbox)",
            (kind, key),
        )
        return changed == 1

    async def done(self, item_id: int) -> None:
        await self._db.execute("DELETE FROM decision_outbox WHERE id = ?", (item_id,))

    async def failed(self, item_id: int) -> None:
        await self._db.execute(
            "UPDATE decision_outbox SET attempts = attempts + 1 WHERE id = ?", (item_id,)
        )
