"""The rotation's operations: fair picks, joining and leaving, announcing, swaps."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
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
    WeekdayRoster,
)

# --- picking ----------------------------------------------------------------------------------


def _tiebreak(meeting: int, role: str, who: Pseudonym) -> bytes:
    return hashlib.sha256(f"{meeting}\x1f{role}\x1f{who}".encode()).digest()


def _candidates(
    rr: RoleRotation, meeting: int, facts: Mapping[Pseudonym, MemberFacts], weekday: int | None
) -> list[Pseudonym]:
    """Eligible volunteers for ``meeting``, best first."""
    rules, passed = rr.rules, rr.passed_for(meeting)
    ranked: list[tuple[tuple[int, bool, int, bytes], Pseudonym]] = []
    for who, vol in rr.volunteers.items():
        member = facts.get(who)
        if member is None or who in passed or not rules.eligibility.allows(member, vol, meeting):
            continue
        tier = 0
        if isinstance(rules.term, WeekdayRoster) and weekday is not None:
            if vol.weekdays and weekday not in vol.weekdays:
                continue
            tier = 0 if vol.weekdays else 1
        served = vol.last_served
        key = (tier, served is not None, served or 0, _tiebreak(meeting, rules.name, who))
        ranked.append((key, who))
    return [who for _, who in sorted(ranked)]


def _term_holder(rr: RoleRotation, meeting: int) -> Pseudonym | None:
    """The volunteer whose ForMeetings term covers ``meeting``, if any."""
    term = rr.rules.term
    if not isinstance(term, ForMeetings):
        return None
    for who, vol in rr.volunteers.items():
        start = vol.term_started
        if start is not None and start <= meeting < start + term.meetings:
            return who
    return None


def _max_matching(options: Sequence[Sequence[Pseudonym]]) -> int:
    """Size of a maximum matching of slots to distinct people (Kuhn's augmenting paths)."""
    owner: dict[Pseudonym, int] = {}

    def augment(slot: int, seen: set[Pseudonym]) -> bool:
        for who in options[slot]:
            if who not in seen:
                seen.add(who)
                if who not in owner or augment(owner[who], seen):
                    owner[who] = slot
                    return True
        return False

    return sum(augment(slot, set()) for slot in range(len(options)))


def _distinct(order: Sequence[str], options: Mapping[str, list[Pseudonym]]) -> dict[str, Pseudonym]:
    """Fill as many roles as possible with distinct people; earlier roles get better choices."""
    target = _max_matching([options[r] for r in order])
    chosen: dict[str, Pseudonym] = {}
    for i, role in enumerate(order):
        used = set(chosen.values())
        for who in options[role]:
            if who in used:
                continue
            rest = [[p for p in options[r] if p not in used and p != who] for r in order[i + 1 :]]
            if len(chosen) + 1 + _max_matching(rest) >= target:
                chosen[role] = who
                break
    return chosen


def plan(
    rotation: Rotation,
    meeting: int,
    facts: Mapping[Pseudonym, MemberFacts],
    *,
    weekday: int | None = None,
    keep: Mapping[str, Pseudonym] | None = None,
) -> tuple[Assignment, ...]:
    """Who serves each role at ``meeting`` (a query; ``keep`` pins roles already announced).

    ``facts`` covers the members who currently hold the rotation role; ``weekday`` is the
    meeting's weekday (0 = Monday), used by weekday rosters.
    """
    pinned = dict(keep or {})
    continuing: set[str] = set()
    options: dict[str, list[Pseudonym]] = {}  # in the format's order
    for rr in rotation.roles:
        name, holder = rr.rules.name, _term_holder(rr, meeting)
        if name in pinned:
            continue
        if holder is not None and holder in facts and holder not in rr.passed_for(meeting):
            pinned[name] = holder
            continuing.add(name)
        else:
            options[name] = _candidates(rr, meeting, facts, weekday)
    taken = set(pinned.values())
    chosen = _distinct(
        list(options), {r: [p for p in c if p not in taken] for r, c in options.items()}
    )
    # A role nobody free can take goes to its best eligible volunteer, even with another job.
    fallback = {r: c[0] for r, c in options.items() if c}
    picks = [(rr.rules.name, pinned.get(rr.rules.name)) for rr in rotation.roles]
    picks = [(r, who or chosen.get(r) or fallback.get(r)) for r, who in picks]
    jobs = Counter(who for _, who in picks if who is not None)
    return tuple(
        Assignment(r, who, r in continuing, who is not None and jobs[who] > 1) for r, who in picks
    )


def _ask(a: Assignment, meeting: int) -> RotationEffect:
    if a.who is None:
        return AnyoneMayServe(a.role, meeting)
    return AskToServe(a.role, meeting, a.who, a.continuing)


# --- operations -------------------------------------------------------------------------------


def join(
    rotation: Rotation, role: str, who: Pseudonym, *, weekdays: frozenset[int] = frozenset()
) -> Rotation:
    """Volunteer for ``role`` (idempotent; joining again only updates the weekdays)."""
    if any(not 0 <= d <= 6 for d in weekdays):
        raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
    rr = rotation.role(role)
    vol = replace(rr.volunteers.get(who, Volunteer()), weekdays=weekdays)
    return rotation._with(replace(rr, volunteers={**rr.volunteers, who: vol}))


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
        if up is not None and who == up.who:
            effects.append(TurnVacated(name, up.meeting))
            up = replace(up, who=None, continuing=False)
        if up is not None:
            up = replace(up, passed=up.passed - {who})
        rest = {p: v for p, v in rr.volunteers.items() if p != who}
        rotation = rotation._with(replace(rr, volunteers=rest, upcoming=up))
    return rotation, effects


def announce_next(
    rotation: Rotation,
    meeting: int,
    facts: Mapping[Pseudonym, MemberFacts],
    *,
    weekday: int | None = None,
) -> tuple[Rotation, list[RotationEffect]]:
    """Pick every role for ``meeting`` and remember the picks as the upcoming turns."""
    effects: list[RotationEffect] = []
    for a in plan(rotation, meeting, facts, weekday=weekday):
        rr = rotation.role(a.role)
        up = Upcoming(meeting, a.who, rr.passed_for(meeting), a.continuing)
        rotation = rotation._with(replace(rr, upcoming=up))
        effects.append(_ask(a, meeting))
    return rotation, effects


def cant_make_it(
    rotation: Rotation, role: str, who: Pseudonym
) -> tuple[Rotation, list[RotationEffect]]:
    """The announced person passes; they keep their place and are skipped for this meeting."""
    rr = rotation.role(role)
    up = rr.upcoming
    if up is None or up.who != who:
        raise RotationError(RotationRefusal.NOT_YOUR_TURN)
    new = replace(up, who=None, continuing=False, passed=up.passed | {who})
    return rotation._with(replace(rr, upcoming=new)), [TurnVacated(role, up.meeting)]


def fill_turn(
    rotation: Rotation,
    role: str,
    facts: Mapping[Pseudonym, MemberFacts],
    *,
    weekday: int | None = None,
) -> tuple[Rotation, list[RotationEffect]]:
    """Ask the next eligible person for a vacated turn; the other roles' picks stay as announced."""
    rr = rotation.role(role)
    if rr.upcoming is None:
        raise RotationError(RotationRefusal.NO_UPCOMING_TURN)
    meeting = rr.upcoming.meeting
    keep = {
        other.rules.name: other.upcoming.who
        for other in rotation.roles
        if other.rules.name != role
        and other.upcoming is not None
        and other.upcoming.meeting == meeting
        and other.upcoming.who is not None
    }
    (pick,) = [
        a for a in plan(rotation, meeting, facts, weekday=weekday, keep=keep) if a.role == role
    ]
    up = replace(rr.upcoming, who=pick.who, continuing=pick.continuing)
    return rotation._with(replace(rr, upcoming=up)), [_ask(pick, meeting)]


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
        a: replace(va, last_served=vb.last_served, term_started=vb.term_started),
        b: replace(vb, last_served=va.last_served, term_started=va.term_started),
    }
    up = rr.upcoming
    effects: list[RotationEffect] = []
    if up is not None and up.who in (a, b):
        other, before = (b, vb) if up.who == a else (a, va)
        member = facts.get(other)
        if member is None or not rr.rules.eligibility.allows(member, before, up.meeting):
            raise RotationError(RotationRefusal.NOT_ELIGIBLE)
        up = replace(up, who=other, passed=up.passed - {other})
        effects.append(AskToServe(role, up.meeting, other, up.continuing))
    return rotation._with(replace(rr, volunteers=vols, upcoming=up)), effects


def record_served(rotation: Rotation, meeting: int, served: Mapping[str, Pseudonym]) -> Rotation:
    """Meeting ``meeting`` was held; ``served`` says who actually served each role.

    Only volunteers of a role are recorded (a member who helped out without volunteering is not
    remembered). Announced turns up to this meeting are cleared.
    """
    for rr in rotation.roles:
        name, vols = rr.rules.name, dict(rr.volunteers)
        who = served.get(name)
        if who is not None and who in vols:
            vols[who] = replace(vols[who], last_served=meeting)
            if isinstance(rr.rules.term, ForMeetings) and _term_holder(rr, meeting) is None:
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
    first = up.who if up is not None else _term_holder(rr, meeting)
    if first is not None and first in facts:
        order.append(first)
    later = {p: replace(f, first_meeting=False) for p, f in facts.items()}
    for step in range(len(order), len(rr.volunteers)):
        at = meeting + step
        rest = [p for p in _candidates(rr, at, later if step else facts, weekday) if p not in order]
        if not rest:
            break
        order.append(rest[0])
    return tuple(order)
