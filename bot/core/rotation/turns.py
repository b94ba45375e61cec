"""The rotation's operations: fair picks, joining and leaving, announcing, swaps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from bot.core.pseudonyms import Pseudonym
from bot.core.rotation.model import (
    AnyoneMayServe,
    AskToServe,
    Assignment,
    ForgetVolunteer,
    ForMeetings,
    MemberFacts,
    RoleRotation,
    Rotation,
    RotationEffect,
    RotationError,
    RotationRefusal,
    TurnVacated,
    Upcoming,
    Volunteer,
)
from bot.core.rotation.picking import candidates as _candidates
from bot.core.rotation.picking import plan, term_holder

__all__ = [
    "announce_next",
    "cant_make_it",
    "fill_turn",
    "join",
    "leave",
    "newcomer",
    "plan",
    "record_served",
    "swap",
    "upcoming_order",
]


def _ask(a: Assignment, meeting: int, *, covering: bool = False) -> RotationEffect:
    if a.who is None:
        return AnyoneMayServe(a.role, meeting, a.seat)
    return AskToServe(a.role, meeting, a.who, a.continuing, a.seat, covering)


# --- operations -------------------------------------------------------------------------------


def newcomer(rr: RoleRotation) -> Volunteer:
    """A new volunteer's row: level with the most turns served, so the round under way is not
    theirs to hold up (and leaving and joining again gains nobody an earlier turn)."""
    return Volunteer(turns=max((v.turns for v in rr.volunteers.values()), default=0))


def join(
    rotation: Rotation,
    role: str,
    who: Pseudonym,
    *,
    weekdays: frozenset[int] = frozenset(),
    trained: bool | None = None,
) -> Rotation:
    """Volunteer for ``role`` (idempotent; joining again only updates the weekdays, and the
    training they say they have done when ``trained`` is given)."""
    if any(not 0 <= d <= 6 for d in weekdays):
        raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
    rr = rotation.role(role)
    vol = replace(rr.volunteers.get(who) or newcomer(rr), weekdays=weekdays)
    if trained is not None:
        vol = replace(vol, trained=trained)
    return rotation._with(replace(rr, volunteers={**rr.volunteers, who: vol}))


def _vacate(up: Upcoming, who: Pseudonym) -> Upcoming:
    for seat, holder in enumerate(up.seats):
        if holder == who:
            up = up.with_seat(seat, None)
    return replace(up, continuing=up.continuing and up.who is not None)


def leave(
    rotation: Rotation, who: Pseudonym, role: str | None = None
) -> tuple[Rotation, list[RotationEffect]]:
    """Leave one role, or every role when ``role`` is None. Forgets everything kept about them."""
    names = [role] if role is not None else [rr.rules.name for rr in rotation.roles]
    effects: list[RotationEffect] = []
    for name in names:
        rr = rotation.role(name)
        if who in rr.volunteers:
            effects.append(ForgetVolunteer(name, who))
        up = rr.upcoming
        if up is not None and who in up.seats:
            effects.append(TurnVacated(name, up.meeting))
            up = _vacate(up, who)
        if up is not None:
            up = replace(up, passed=up.passed - {who})
        rest = {p: v for p, v in rr.volunteers.items() if p != who}
        elected = None if rr.elected == who else rr.elected
        rotation = rotation._with(replace(rr, volunteers=rest, upcoming=up, elected=elected))
    return rotation, effects


def announce_next(
    rotation: Rotation,
    meeting: int,
    facts: Mapping[Pseudonym, MemberFacts],
    *,
    weekday: int | None = None,
) -> tuple[Rotation, list[RotationEffect]]:
    """Pick every seat of every role for ``meeting`` and remember the picks as the upcoming
    turns."""
    effects: list[RotationEffect] = []
    assignments = plan(rotation, meeting, facts, weekday=weekday)
    for rr in rotation.roles:
        mine = [a for a in assignments if a.role == rr.rules.name]
        seats = tuple(a.who for a in mine)
        up = Upcoming(meeting, seats[0], rr.passed_for(meeting), mine[0].continuing, seats[1:])
        rotation = rotation._with(replace(rr, upcoming=up))
        effects += [_ask(a, meeting) for a in mine]
    return rotation, effects


def cant_make_it(
    rotation: Rotation, role: str, who: Pseudonym
) -> tuple[Rotation, list[RotationEffect]]:
    """The announced person passes; they keep their place and are skipped for this meeting."""
    rr = rotation.role(role)
    up = rr.upcoming
    if up is None or who not in up.seats:
        raise RotationError(RotationRefusal.NOT_YOUR_TURN)
    new = replace(_vacate(up, who), passed=up.passed | {who})
    return rotation._with(replace(rr, upcoming=new)), [TurnVacated(role, up.meeting)]


def _kept(rotation: Rotation, meeting: int) -> dict[tuple[str, int], Pseudonym]:
    return {
        (rr.rules.name, seat): who
        for rr in rotation.roles
        if rr.upcoming is not None and rr.upcoming.meeting == meeting
        for seat, who in enumerate(rr.upcoming.seats)
        if who is not None
    }


def _substitute(
    rotation: Rotation, rr: RoleRotation, facts: Mapping[Pseudonym, MemberFacts]
) -> Pseudonym | None:
    """The holder of the role's ``substitute`` for the same meeting, if they can cover."""
    up, named = rr.upcoming, rr.rules.substitute
    if up is None or named is None or all(who is not None for who in up.seats):
        return None
    other = next((o for o in rotation.roles if o.rules.name == named), None)
    if other is None or other.upcoming is None or other.upcoming.meeting != up.meeting:
        return None
    for who in other.upcoming.holders:
        if who in facts and who not in up.seats and who not in up.passed:
            return who
    return None


def fill_turn(
    rotation: Rotation,
    role: str,
    facts: Mapping[Pseudonym, MemberFacts],
    *,
    weekday: int | None = None,
) -> tuple[Rotation, list[RotationEffect]]:
    """Ask someone for every open seat of a vacated turn: first the holder of the role's
    ``substitute`` (they cover it), then the next eligible volunteers. The other roles' picks
    stay as announced."""
    rr = rotation.role(role)
    if rr.upcoming is None:
        raise RotationError(RotationRefusal.NO_UPCOMING_TURN)
    up, meeting = rr.upcoming, rr.upcoming.meeting
    effects: list[RotationEffect] = []
    cover = _substitute(rotation, rr, facts)
    if cover is not None:
        seat = up.seats.index(None)
        up = replace(up.with_seat(seat, cover), covered=up.covered | {seat})
        rotation = rotation._with(replace(rr, upcoming=up))
        effects.append(AskToServe(role, meeting, cover, False, seat, covering=True))
    picks = plan(rotation, meeting, facts, weekday=weekday, keep=_kept(rotation, meeting))
    for pick in picks:
        if pick.role == role and up.seats[pick.seat] is None:
            up = up.with_seat(pick.seat, pick.who)
            if pick.seat == 0:
                up = replace(up, continuing=pick.continuing)
            effects.append(_ask(pick, meeting))
    return rotation._with(replace(rotation.role(role), upcoming=up)), effects


def swap(
    rotation: Rotation,
    role: str,
    a: Pseudonym,
    b: Pseudonym,
    facts: Mapping[Pseudonym, MemberFacts],
) -> tuple[Rotation, list[RotationEffect]]:
    """Two volunteers (who both agreed) trade places in ``role``'s queue, upcoming turn included."""
    rr = rotation.role(role)
    if a == b:
        raise RotationError(RotationRefusal.SAME_PERSON)
    if a not in rr.volunteers or b not in rr.volunteers:
        raise RotationError(RotationRefusal.NOT_A_VOLUNTEER)
    va, vb = rr.volunteers[a], rr.volunteers[b]
    vols = {
        **rr.volunteers,
        a: replace(va, last_served=vb.last_served, term_started=vb.term_started, turns=vb.turns),
        b: replace(vb, last_served=va.last_served, term_started=va.term_started, turns=va.turns),
    }
    up = rr.upcoming
    effects: list[RotationEffect] = []
    if up is not None and (a in up.seats) != (b in up.seats):
        holder, other, before = (a, b, vb) if a in up.seats else (b, a, va)
        member = facts.get(other)
        if member is None or not rr.rules.eligibility.allows(member, before, up.meeting):
            raise RotationError(RotationRefusal.NOT_ELIGIBLE)
        seat = up.seats.index(holder)
        up = replace(up.with_seat(seat, other), passed=up.passed - {other})
        effects.append(AskToServe(role, up.meeting, other, up.continuing and seat == 0, seat))
    return rotation._with(replace(rr, volunteers=vols, upcoming=up)), effects


def _people(value: Pseudonym | Iterable[Pseudonym]) -> tuple[Pseudonym, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def record_served(
    rotation: Rotation, meeting: int, served: Mapping[str, Pseudonym | Iterable[Pseudonym]]
) -> Rotation:
    """Meeting ``meeting`` was held; ``served`` says who actually served each role (one person,
    or everyone in its seats).

    Only volunteers of a role are recorded (a member who helped out without volunteering is not
    remembered). Announced turns up to this meeting are cleared.
    """
    for rr in rotation.roles:
        name, vols = rr.rules.name, dict(rr.volunteers)
        for who in _people(served.get(name, ())):
            if who not in vols:
                continue
            vols[who] = replace(vols[who], last_served=meeting, turns=vols[who].turns + 1)
            if isinstance(rr.rules.term, ForMeetings) and term_holder(rr, meeting) is None:
                vols = {p: replace(v, term_started=None) for p, v in vols.items()}
                vols[who] = replace(vols[who], term_started=meeting)
        up = rr.upcoming if rr.upcoming is not None and rr.upcoming.meeting > meeting else None
        rotation = rotation._with(replace(rr, volunteers=vols, upcoming=up))
    return rotation


def upcoming_order(
    rotation: Rotation,
    role: str,
    meeting: int,
    facts: Mapping[Pseudonym, MemberFacts],
    *,
    weekday: int | None = None,
) -> tuple[Pseudonym, ...]:
    """The expected order of turns from ``meeting`` on, for ``/rotation show`` (a projection:
    it assumes everyone serves when asked and today's facts hold)."""
    rr = rotation.role(role)
    order: list[Pseudonym] = []
    up = rr.upcoming if rr.upcoming is not None and rr.upcoming.meeting == meeting else None
    if up is not None:
        first: tuple[Pseudonym | None, ...] = up.seats
    else:
        first = (rr.elected if rr.rules.elected else term_holder(rr, meeting),)
    order += [who for who in first if who is not None and who in facts]
    later = {p: replace(f, first_meeting=False) for p, f in facts.items()}
    ahead = rr
    for step in range(len(order), len(rr.volunteers)):
        at = meeting + step
        rest = [
            p for p in _candidates(ahead, at, later if step else facts, weekday) if p not in order
        ]
        if not rest:
            break
        order.append(rest[0])
        # (Waiting for everyone: whoever is placed counts as having had their turn.)
        vol = ahead.volunteers[rest[0]]
        ahead = replace(
            ahead, volunteers={**ahead.volunteers, rest[0]: replace(vol, turns=vol.turns + 1)}
        )
    return tuple(order)
