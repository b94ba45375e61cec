"""What the format's role keys ask the rotation to remember beyond a turn and a place: the
other seats of an announced turn (``seats: N``) and the member a business meeting elected to an
elected role (``elected: true``), for their term. The SQL of :mod:`bot.store.rotation`'s
repository for these two tables, and their declarations to the privacy registry."""

from __future__ import annotations

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.core.rotation import Upcoming
from bot.store.db import Database, Transaction
from bot.store.privacy import KeptTable, Link, register, through

register(
    KeptTable(
        table="rotation_seats",
        people=("who",),
        one="further seat of an announced turn to serve at the next meeting (a coded key)",
        many="further seats of announced turns to serve at the next meeting (coded keys)",
        until="replaced when the meeting is held",
        scope=through(
            Link("rotation_id", "rotation_turns", "rotation_id"),
            Link("rotation_id", "rotation_roles"),
            Link("group_id", "groups"),
        ),
    )
)
register(
    KeptTable(
        table="rotation_elected",
        people=("who",),
        one="service role a member was elected to (a coded key, until their term ends)",
        many="service roles members were elected to (coded keys, until their terms end)",
        until="deleted when the term ends or someone else is elected",
        scope=through(Link("rotation_id", "rotation_roles"), Link("group_id", "groups")),
        expires_at="expires_at",
    )
)


def covered_bits(seats: frozenset[int]) -> int:
    return sum(1 << seat for seat in seats)


def covered_of(bits: int) -> frozenset[int]:
    return frozenset(seat for seat in range(10) if bits & (1 << seat))


async def more_seats(db: Database, rotation_id: int, seats: int) -> tuple[Pseudonym | None, ...]:
    """Who holds seats 2 … ``seats`` of the announced turn (None: open to anyone)."""
    rows = await db.fetchall(
        "SELECT seat, who FROM rotation_seats WHERE rotation_id = ?", (rotation_id,)
    )
    held = {int(row["seat"]): Pseudonym(str(row["who"])) for row in rows}
    return tuple(held.get(seat) for seat in range(1, seats))


async def seats_before(tx: Transaction, rotation_id: int) -> dict[int, tuple[str, bool]]:
    """Seats 2 … as stored now: seat -> (who, wants reminding); read before the turn is
    replaced (its seats go with it)."""
    rows = await tx.fetchall(
        "SELECT seat, who, remind FROM rotation_seats WHERE rotation_id = ?", (rotation_id,)
    )
    return {int(row["seat"]): (str(row["who"]), bool(row["remind"])) for row in rows}


async def save_more_seats(
    tx: Transaction, rotation_id: int, up: Upcoming, before: dict[int, tuple[str, bool]]
) -> None:
    """Write seats 2 … of the turn just written; "Remind me" stays with a seat while the same
    person holds it."""
    await tx.execute("DELETE FROM rotation_seats WHERE rotation_id = ?", (rotation_id,))
    await tx.executemany(
        "INSERT INTO rotation_seats (rotation_id, seat, who, remind) VALUES (?, ?, ?, ?)",
        [
            (rotation_id, seat, who, int(before.get(seat) == (who, True)))
            for seat, who in enumerate(up.seats)
            if seat and who
        ],
    )


@lazy_dataclass(frozen=True)
class Elected:
    who: Pseudonym
    until_meeting: int | None
    expires_at: float | None
    decided_at: float = 0.0  # when the election was decided (a later one wins)


async def elected(db: Database, rotation_id: int, meeting: int, now: float) -> Pseudonym | None:
    """The member elected to the role whose term covers meeting ``meeting`` at ``now``."""
    row = await db.fetchone(
        "SELECT who FROM rotation_elected WHERE rotation_id = ? "
        "AND (until_meeting IS NULL OR until_meeting >= ?) "
        "AND (expires_at IS NULL OR expires_at > ?)",
        (rotation_id, meeting, now),
    )
    return None if row is None else Pseudonym(str(row["who"]))


async def set_elected(tx: Transaction, rotation_id: int, term: Elected) -> None:
    """Record who was elected (replacing whoever an earlier election put there). The same
    result recorded twice changes nothing; an earlier election's, carried again after a later
    one, is ignored."""
    await tx.execute(
        "INSERT INTO rotation_elected (rotation_id, who, until_meeting, expires_at, decided_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (rotation_id) DO UPDATE SET who = excluded.who, "
        "until_meeting = excluded.until_meeting, expires_at = excluded.expires_at, "
        "decided_at = excluded.decided_at "
        "WHERE excluded.decided_at >= rotation_elected.decided_at",
        (rotation_id, term.who, term.until_meeting, term.expires_at, term.decided_at),
    )
