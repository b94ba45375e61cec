"""The channels the bot has closed to members by a group's decision, until it has really let
them back in (``channel_denials``).

A row is written before the bot denies a member a group's channel (the member's permission
overwrite, audit reason "group decision") and deleted only once that overwrite is gone. It is
the bot's record of which overwrites are its own, by coded key, never by user id: the lift is
retried until it is done, and the hourly check (``bot/runtime/decisions/denials.py``) lifts any
such overwrite that no exclusion in force accounts for.
"""

from __future__ import annotations

from bot.core.pseudonyms import Pseudonym
from bot.store.db import Database
from bot.store.privacy import KeptTable, in_group, keep, register

register(
    KeptTable(
        table="channel_denials",
        people=("target",),
        one="member I still have to let back into the group's channel, after their time away "
        "(a coded key)",
        many="members I still have to let back into the group's channel, after their time away "
        "(coded keys)",
        until="deleted as soon as I have let them back in",
        scope=in_group("group_id"),
        forget=keep(
            "I closed the group's channel to you by the group's decision and haven't let you back "
            "in yet: it is deleted as soon as I have"
        ),
    )
)


class ChannelDenials:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def note(self, group_id: int, target: Pseudonym) -> None:
        """The bot is about to close the channel to ``target`` (safe to repeat)."""
        await self._db.execute(
            "INSERT INTO channel_denials (group_id, target) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (group_id, target),
        )

    async def pending(self, group_id: int, target: Pseudonym) -> bool:
        """Is the channel still closed to ``target`` by the bot, as far as it knows?"""
        row = await self._db.fetchone(
            "SELECT 1 FROM channel_denials WHERE group_id = ? AND target = ?", (group_id, target)
        )
        return row is not None

    async def claim_report(self, group_id: int, target: Pseudonym) -> bool:
        """Claim the one message telling the group the bot can't let ``target`` back in."""
        changed = await self._db.execute(
            "UPDATE channel_denials SET reported = 1 "
            "WHERE group_id = ? AND target = ? AND reported = 0",
            (group_id, target),
        )
        return changed == 1

    async def lifted(self, group_id: int, target: Pseudonym) -> bool:
        """The channel is open to ``target`` again: forget it. True if the group had been told
        the bot couldn't (so it can be told that it now has)."""
        row = await self._db.fetchone(
            "SELECT reported FROM channel_denials WHERE group_id = ? AND target = ?",
            (group_id, target),
        )
        await self._db.execute(
            "DELETE FROM channel_denials WHERE group_id = ? AND target = ?", (group_id, target)
        )
        return row is not None and bool(row["reported"])

    async def lift_queued(self, group_id: int, target: Pseudonym) -> bool:
        """Is letting ``target`` back in already waiting in the decisions' outbox? (Read under
        the group's lock, which every lift is queued under.)"""
        row = await self._db.fetchone(
            "SELECT 1 FROM decision_outbox WHERE group_id = ? AND instr(payload, ?) > 0 "
            "AND instr(payload, '\"RemoveExclusion\"') > 0",
            (group_id, target),
        )
        return row is not None

    async def unaccounted(self, now: float) -> list[tuple[int, Pseudonym]]:
        """(group id, member) for every closed channel that no exclusion in force accounts for."""
        rows = await self._db.fetchall(
            "SELECT d.group_id, d.target FROM channel_denials d LEFT JOIN exclusions e "
            "ON e.group_id = d.group_id AND e.target = d.target "
            "WHERE e.target IS NULL OR e.ends_by <= ? ORDER BY d.group_id",
            (now,),
        )
        return [(int(row["group_id"]), Pseudonym(row["target"])) for row in rows]
