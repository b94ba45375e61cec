"""The service rotation in SQLite: which Discord roles a group's rotation uses, each volunteer's
coded key with the meeting they last served, the announced turns, pending swaps, and the
announcements of who is up next still to be posted.

Who is in a rotation is held by Discord (a role the bot manages); these rows only remember what
Discord cannot: when each volunteer last served. A whole :class:`~bot.core.rotation.Rotation` is
read with :meth:`RotationRepository.load` and written back with :meth:`RotationRepository.save`
inside one transaction, under the group's lock in the runtime: a volunteer missing from the
rotation loses their row, a turn replaced loses its passes. The announcement of new turns is
written in that same transaction (:class:`Staged`), with the deadline that posts it after a
crash, so turns are never decided without the group being told.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.core.rotation import RoleRotation, RoleRules, Rotation, Upcoming, Volunteer
from bot.store.db import Database, Transaction
from bot.store.deadlines import DeadlineRepository
from bot.store.privacy import KeptTable, Link, clear, in_group, register, through
from bot.store.rotation_seats import (
    Elected,
    covered_bits,
    covered_of,
    elected,
    more_seats,
    save_more_seats,
    seats_before,
    set_elected,
)
from bot.store.rotation_swaps import SwapRows

register(
    KeptTable(
        table="rotation_roles",
        one="service role in the rotation (which Discord roles go with it)",
        many="service roles in the rotation (which Discord roles go with them)",
        until="kept while the group exists",
        scope=in_group("group_id"),
    )
)
_IN_ROTATION = through(Link("rotation_id", "rotation_roles"), Link("group_id", "groups"))
register(
    KeptTable(
        table="rotation_volunteers",
        people=("volunteer",),
        one=(
            "place in the service rotation (a coded key, the meeting it last served at, how many "
            "turns it served, and whether they said they have done the role's training)"
        ),
        many=(
            "places in the service rotation (coded keys, the meeting each last served at, how "
            "many turns each served, and whether each said they have done the role's training)"
        ),
        until="deleted when they leave the rotation",
        scope=_IN_ROTATION,
    )
)
register(
    KeptTable(
        table="rotation_turns",
        people=("who",),
        one=(
            "announced turn to serve at the next meeting (a coded key for who was asked, and "
            "whether they asked to be reminded)"
        ),
        many=(
            "announced turns to serve at the next meeting (coded keys for who was asked, and "
            "whether each asked to be reminded)"
        ),
        until="replaced when the meeting is held",
        scope=_IN_ROTATION,
        forget=clear("who"),
    )
)
register(
    KeptTable(
        table="rotation_passes",
        people=("volunteer",),
        one="\"can't make it\" for the next meeting's turn (a coded key)",
        many="\"can't make it\"s for the next meeting's turns (coded keys)",
        until="deleted when the meeting is held",
        scope=through(
            Link("rotation_id", "rotation_turns", "rotation_id"),
            Link("rotation_id", "rotation_roles"),
            Link("group_id", "groups"),
        ),
    )
)
register(
    KeptTable(
        table="rotation_swaps",
        people=("asker", "partner"),
        one="swap of turns waiting for an answer (coded keys for the two volunteers)",
        many="swaps of turns waiting for an answer (coded keys for the volunteers)",
        until="deleted when answered, or after two days",
        scope=_IN_ROTATION,
        expires_at="expires_at",
    )
)
register(
    KeptTable(
        table="rotation_announcements",
        mentions=("payload",),
        one="announcement of who is asked to serve next, still to be posted (coded keys)",
        many="announcements of who is asked to serve next, still to be posted (coded keys)",
        until="deleted as soon as each is posted, moments after the turn was decided",
        scope=in_group("group_id"),
    )
)


def weekday_bits(days: Iterable[int]) -> int:
    return sum(1 << day for day in set(days))


def weekdays_of(bits: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if bits & (1 << day))


@lazy_dataclass(frozen=True)
class RotationRole:
    """A rotating service role of a group, and the Discord roles the bot manages for it."""

    id: int
    group_id: int
    role: str
    volunteers_role_id: int | None
    serving_role_id: int | None


@lazy_dataclass(frozen=True)
class Staged:
    """An announcement to write with the turns it announces, and the scheduler's deadline that
    posts it after a crash (kind, key, due)."""

    payload: Mapping[str, Any]
    deadline: tuple[str, str]
    due_at: float


@lazy_dataclass(frozen=True)
class PendingAnnouncement:
    id: int
    group_id: int
    payload: Mapping[str, Any]
    attempts: int


_ROLE_COLUMNS = "id, group_id, role, volunteers_role_id, serving_role_id"


class RotationRepository(SwapRows):
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- the Discord roles -------------------------------------------------------------------

    async def roles(self, group_id: int) -> list[RotationRole]:
        rows = await self._db.fetchall(
            f"SELECT {_ROLE_COLUMNS} FROM rotation_roles WHERE group_id = ? ORDER BY id",  # noqa: S608
            (group_id,),
        )
        return [RotationRole(**dict(row)) for row in rows]

    async def role(self, group_id: int, role: str) -> RotationRole:
        """The group's row for ``role``, created if needed."""
        async with self._db.transaction() as tx:
            return await self._ensure(tx, group_id, role)

    async def role_by_id(self, rotation_id: int) -> RotationRole | None:
        row = await self._db.fetchone(
            f"SELECT {_ROLE_COLUMNS} FROM rotation_roles WHERE id = ?",  # noqa: S608
            (rotation_id,),
        )
        return None if row is None else RotationRole(**dict(row))

    async def set_discord_roles(
        self, rotation_id: int, *, volunteers_role_id: int | None, serving_role_id: int | None
    ) -> None:
        await self._db.execute(
            "UPDATE rotation_roles SET volunteers_role_id = ?, serving_role_id = ? WHERE id = ?",
            (volunteers_role_id, serving_role_id, rotation_id),
        )

    async def serving_roles(self) -> list[RotationRole]:
        """Every rotation role with a temporary serving role (to tidy after a restart)."""
        rows = await self._db.fetchall(
            f"SELECT {_ROLE_COLUMNS} FROM rotation_roles "  # noqa: S608
            "WHERE serving_role_id IS NOT NULL ORDER BY id"
        )
        return [RotationRole(**dict(row)) for row in rows]

    async def group_ids_in_guild(self, guild_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT DISTINCT r.group_id FROM rotation_roles AS r "
            "JOIN groups AS g ON g.id = r.group_id WHERE g.guild_id = ? ORDER BY r.group_id",
            (guild_id,),
        )
        return [int(row[0]) for row in rows]

    @staticmethod
    async def _ensure(tx: Transaction, group_id: int, role: str) -> RotationRole:
        await tx.execute(
            "INSERT INTO rotation_roles (group_id, role) VALUES (?, ?) "
            "ON CONFLICT (group_id, role) DO NOTHING",
            (group_id, role),
        )
        row = await tx.fetchone(
            f"SELECT {_ROLE_COLUMNS} FROM rotation_roles WHERE group_id = ? AND role = ?",  # noqa: S608
            (group_id, role),
        )
        assert row is not None  # noqa: S101 - inserted just above, in the same transaction
        return RotationRole(**dict(row))

    # --- the rotation ------------------------------------------------------------------------

    async def load(
        self, group_id: int, rules: Sequence[RoleRules], *, meeting: int = 0, now: float = 0.0
    ) -> Rotation:
        """The group's rotation for these roles (in this order); a role never seen is empty.
        An elected role's holder is the member whose term covers meeting ``meeting`` at
        ``now``."""
        ids = {record.role: record.id for record in await self.roles(group_id)}
        roles = []
        for rule in rules:
            rotation_id = ids.get(rule.name)
            if rotation_id is None:
                roles.append(RoleRotation(rule))
                continue
            roles.append(
                RoleRotation(
                    rule,
                    await self._volunteers(rotation_id),
                    await self._upcoming(rotation_id, rule.seats),
                    await elected(self._db, rotation_id, meeting, now) if rule.elected else None,
                )
            )
        return Rotation(tuple(roles))

    async def _volunteers(self, rotation_id: int) -> dict[Pseudonym, Volunteer]:
        rows = await self._db.fetchall(
            "SELECT volunteer, last_served, term_started, weekdays, trained, turns "
            "FROM rotation_volunteers WHERE rotation_id = ?",
            (rotation_id,),
        )
        return {
            Pseudonym(str(row["volunteer"])): Volunteer(
                last_served=row["last_served"],
                term_started=row["term_started"],
                weekdays=weekdays_of(int(row["weekdays"])),
                trained=bool(row["trained"]),
                turns=int(row["turns"]),
            )
            for row in rows
        }

    async def _upcoming(self, rotation_id: int, seats: int = 1) -> Upcoming | None:
        row = await self._db.fetchone(
            "SELECT meeting, who, continuing, covered FROM rotation_turns WHERE rotation_id = ?",
            (rotation_id,),
        )
        if row is None:
            return None
        passes = await self._db.fetchall(
            "SELECT volunteer FROM rotation_passes WHERE rotation_id = ?", (rotation_id,)
        )
        who = row["who"]
        return Upcoming(
            meeting=int(row["meeting"]),
            who=None if who is None else Pseudonym(str(who)),
            passed=frozenset(Pseudonym(str(p["volunteer"])) for p in passes),
            continuing=bool(row["continuing"]),
            more=await more_seats(self._db, rotation_id, seats),
            covered=covered_of(int(row["covered"])),
        )

    async def save(
        self,
        group_id: int,
        rotation: Rotation,
        staged: Staged | None = None,
        *,
        dropping: Iterable[int] = (),
    ) -> int | None:
        """Write the rotation back, in one transaction: exactly its volunteers and turns, with
        the announcement of its new turns (``staged``; its id is returned) and without the
        announcements ``dropping`` (of turns this write undoes)."""
        async with self._db.transaction() as tx:
            await tx.executemany(
                "DELETE FROM rotation_announcements WHERE id = ?", [(i,) for i in dropping]
            )
            await self._save_in(tx, group_id, rotation)
            if staged is None:
                return None
            kind, key = staged.deadline
            await DeadlineRepository.upsert_in(tx, kind, key, staged.due_at, {})
            return await tx.insert(
                "INSERT INTO rotation_announcements (group_id, payload) VALUES (?, ?)",
                (group_id, json.dumps(dict(staged.payload), sort_keys=True)),
            )

    async def _save_in(self, tx: Transaction, group_id: int, rotation: Rotation) -> None:
        for rr in rotation.roles:
            record = await self._ensure(tx, group_id, rr.rules.name)
            await self._save_volunteers(tx, record.id, rr.volunteers)
            before = await tx.fetchone(
                "SELECT meeting, who, remind FROM rotation_turns WHERE rotation_id = ?",
                (record.id,),
            )
            seats = await seats_before(tx, record.id)
            await tx.execute("DELETE FROM rotation_turns WHERE rotation_id = ?", (record.id,))
            up = rr.upcoming
            if up is None:
                continue
            # "Remind me" belongs to the turn: kept while the same person is asked for the same
            # meeting, gone once it passes on or the meeting is held.
            same = before is not None and (before["meeting"], before["who"]) == (up.meeting, up.who)
            remind = int(same and before is not None and bool(before["remind"]))
            await tx.execute(
                "INSERT INTO rotation_turns (rotation_id, meeting, who, continuing, remind, "
                "covered) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    up.meeting,
                    up.who,
                    int(up.continuing),
                    remind,
                    covered_bits(up.covered),
                ),
            )
            await save_more_seats(tx, record.id, up, seats)
            await tx.executemany(
                "INSERT INTO rotation_passes (rotation_id, volunteer) VALUES (?, ?)",
                [(record.id, who) for who in sorted(up.passed)],
            )

    @staticmethod
    async def _save_volunteers(
        tx: Transaction, rotation_id: int, volunteers: Mapping[Pseudonym, Volunteer]
    ) -> None:
        stored = {
            str(row["volunteer"])
            for row in await tx.fetchall(
                "SELECT volunteer FROM rotation_volunteers WHERE rotation_id = ?", (rotation_id,)
            )
        }
        await tx.executemany(
            "DELETE FROM rotation_volunteers WHERE rotation_id = ? AND volunteer = ?",
            [(rotation_id, gone) for gone in sorted(stored - set(volunteers))],
        )
        await tx.executemany(
            "INSERT INTO rotation_volunteers "
            "(rotation_id, volunteer, last_served, term_started, weekdays, trained, turns) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (rotation_id, volunteer) DO UPDATE SET "
            "last_served = excluded.last_served, term_started = excluded.term_started, "
            "weekdays = excluded.weekdays, trained = excluded.trained, turns = excluded.turns",
            [
                (
                    rotation_id,
                    who,
                    v.last_served,
                    v.term_started,
                    weekday_bits(v.weekdays),
                    int(v.trained),
                    v.turns,
                )
                for who, v in sorted(volunteers.items())
            ],
        )

    async def elect(self, group_id: int, role: str, term: Elected) -> None:
        """A business meeting elected ``term.who`` to ``role``."""
        async with self._db.transaction() as tx:
            record = await self._ensure(tx, group_id, role)
            await set_elected(tx, record.id, term)

    # --- announcements still to be posted ---------------------------------------------------

    async def announcement(self, announcement_id: int) -> PendingAnnouncement | None:
        row = await self._db.fetchone(
            "SELECT id, group_id, payload, attempts FROM rotation_announcements WHERE id = ?",
            (announcement_id,),
        )
        return None if row is None else _announcement(row)

    async def announcements(self) -> list[PendingAnnouncement]:
        """Every announcement still to be posted, oldest first (no page cap)."""
        rows = await self._db.fetchall(
            "SELECT id, group_id, payload, attempts FROM rotation_announcements ORDER BY id"
        )
        return [_announcement(row) for row in rows]

    async def announced(self, announcement_id: int) -> None:
        """Posted (or nothing left to post): delete it."""
        await self._db.execute(
            "DELETE FROM rotation_announcements WHERE id = ?", (announcement_id,)
        )

    async def not_announced_yet(self, announcement_id: int) -> None:
        """The post failed for now: count the attempt (for the back-off)."""
        await self._db.execute(
            "UPDATE rotation_announcements SET attempts = attempts + 1 WHERE id = ?",
            (announcement_id,),
        )

    async def drop_idle_deadline(self, kind: str, key: str) -> bool:
        """Delete the deadline that posts announcements if none is left to post."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT count(*) FROM rotation_announcements")
            if row is not None and int(row[0]):
                return False
            await DeadlineRepository.cancel_in(tx, kind, key)
            return True

    # --- reminders ---------------------------------------------------------------------------

    async def want_reminders(
        self, rotation_id: int, meeting: int, who: Pseudonym, seat: int = 0
    ) -> bool:
        """Mark the turn (its seat) to be reminded of, if it is still ``who``'s for ``meeting``."""
        if seat:
            changed = await self._db.execute(
                "UPDATE rotation_seats SET remind = 1 WHERE rotation_id = ? AND seat = ? "
                "AND who = ? AND rotation_id IN "
                "(SELECT rotation_id FROM rotation_turns WHERE meeting = ?)",
                (rotation_id, seat, who, meeting),
            )
            return changed == 1
        changed = await self._db.execute(
            "UPDATE rotation_turns SET remind = 1 "
            "WHERE rotation_id = ? AND meeting = ? AND who = ?",
            (rotation_id, meeting, who),
        )
        return changed == 1

    async def turn_to_remind(
        self, rotation_id: int, meeting: int, seat: int = 0
    ) -> tuple[int, Pseudonym] | None:
        """(group id, who) of the turn's seat for ``meeting`` if its holder still wants
        reminding."""
        if seat:
            row = await self._db.fetchone(
                "SELECT r.group_id, s.who FROM rotation_seats s "
                "JOIN rotation_turns t ON t.rotation_id = s.rotation_id "
                "JOIN rotation_roles r ON r.id = s.rotation_id "
                "WHERE s.rotation_id = ? AND t.meeting = ? AND s.seat = ? AND s.remind = 1",
                (rotation_id, meeting, seat),
            )
        else:
            row = await self._db.fetchone(
                "SELECT r.group_id, t.who FROM rotation_turns t "
                "JOIN rotation_roles r ON r.id = t.rotation_id WHERE t.rotation_id = ? "
                "AND t.meeting = ? AND t.remind = 1 AND t.who IS NOT NULL",
                (rotation_id, meeting),
            )
        return None if row is None else (int(row["group_id"]), Pseudonym(str(row["who"])))


def _announcement(row: sqlite3.Row) -> PendingAnnouncement:
    return PendingAnnouncement(
        id=int(row["id"]),
        group_id=int(row["group_id"]),
        payload=json.loads(str(row["payload"])),
        attempts=int(row["attempts"]),
    )
