"""What a meeting's channel was like before the bot applied the format's channel rules
(``room_restore``), so it is given back exactly, after a crash too (bot/runtime/room_rules).

One row per permission overwrite the bot changed — its Send Messages and Connect bits before, or
that there was none — and one for the slow mode. A role's overwrite is named by the role's id; a
member's (the sharer or the chair, allowed to post) by a coded key, never an id; the bot's own by
its kind. Rows are replaced as the rules change and deleted when the channel is back as it was.
"""

from __future__ import annotations

from dataclasses import field

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.core.room_rules import Bits
from bot.store.db import Database
from bot.store.privacy import KeptTable, in_group, keep, register

register(
    KeptTable(
        table="room_restore",
        people=("member",),
        one="member allowed to post in the meeting's channel while others listened (or, during "
        "a raid lock, a newly arrived account kept from posting), to put the channel back as it "
        "was (a coded key)",
        many="members allowed to post in the meeting's channel while others listened (or, "
        "during a raid lock, newly arrived accounts kept from posting), to put the channel back "
        "as it was (coded keys)",
        until="deleted as soon as the channel is back as it was",
        scope=in_group("group_id"),
        forget=keep(
            "it is how the bot puts the meeting's channel back exactly as it was after the "
            "meeting; it is deleted the moment that is done"
        ),
        expires_at="expires_at",
    )
)

ROLE, MEMBER, BOT, SLOW_MODE = 1, 2, 3, 4
#: Days after which a plan the bot could never carry out is let go (it is retried until then).
KEEP_DAYS = 30


@lazy_dataclass
class RoomPlanRecord:
    """One channel's restore plan. Bits are the managed bits before (None: no overwrite)."""

    channel_id: int
    group_id: int
    guild_id: int
    expires_at: float
    roles: dict[int, Bits | None] = field(default_factory=dict)
    members: dict[Pseudonym, Bits | None] = field(default_factory=dict)
    bot: Bits | None = None
    bot_changed: bool = False
    slow_mode_before: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.roles or self.members or self.bot_changed) and (
            self.slow_mode_before is None
        )


def _bits(existed: int, allow: int, deny: int) -> Bits | None:
    return Bits(allow, deny) if existed else None


class RoomPlanRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, plan: RoomPlanRecord) -> None:
        """Replace the channel's plan (or delete it, when it is empty), in one transaction."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM room_restore WHERE channel_id = ?", (plan.channel_id,))
            rows: list[tuple[int, int | None, str | None, Bits | None, int | None]] = [
                (ROLE, role_id, None, bits, None) for role_id, bits in plan.roles.items()
            ]
            rows += [(MEMBER, None, who, bits, None) for who, bits in plan.members.items()]
            if plan.bot_changed:
                rows.append((BOT, None, None, plan.bot, None))
            if plan.slow_mode_before is not None:
                rows.append((SLOW_MODE, None, None, None, plan.slow_mode_before))
            for holder, role_id, member, bits, slow in rows:
                await tx.execute(
                    "INSERT INTO room_restore (group_id, channel_id, holder, overwrite_role_id, "
                    "member, existed, allow_before, deny_before, slow_mode_before, expires_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        plan.group_id,
                        plan.channel_id,
                        holder,
                        role_id,
                        member,
                        int(bits is not None or holder == SLOW_MODE),
                        0 if bits is None else bits.allow,
                        0 if bits is None else bits.deny,
                        slow,
                        plan.expires_at,
                    ),
                )

    async def delete(self, channel_id: int) -> None:
        await self._db.execute("DELETE FROM room_restore WHERE channel_id = ?", (channel_id,))

    async def all(self) -> list[RoomPlanRecord]:
        """Every stored plan, one per channel."""
        rows = await self._db.fetchall(
            "SELECT r.channel_id, r.group_id, g.guild_id, r.holder, r.overwrite_role_id, "
            "r.member, r.existed, r.allow_before, r.deny_before, r.slow_mode_before, "
            "r.expires_at FROM room_restore AS r JOIN groups AS g ON g.id = r.group_id "
            "ORDER BY r.channel_id"
        )
        plans: dict[int, RoomPlanRecord] = {}
        for row in rows:
            plan = plans.setdefault(
                row["channel_id"],
                RoomPlanRecord(
                    row["channel_id"], row["group_id"], row["guild_id"], row["expires_at"]
                ),
            )
            bits = _bits(row["existed"], row["allow_before"], row["deny_before"])
            match row["holder"]:
                case 1:
                    plan.roles[row["overwrite_role_id"]] = bits
                case 2:
                    plan.members[Pseudonym(row["member"])] = bits
                case 3:
                    plan.bot, plan.bot_changed = bits, True
                case _:
                    plan.slow_mode_before = row["slow_mode_before"]
        return list(plans.values())
