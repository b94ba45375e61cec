"""Who the rotation picks: eligible volunteers in a fair order, and every seat of every role
filled at once by a small matching, so nobody gets two jobs unless nobody else can take one."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence

from bot.core.pseudonyms import Pseudonym
from bot.core.rotation.model import (
    Assignment,
    ForMeetings,
    MemberFacts,
    RoleRotation,
    Rotation,
    WeekdayRoster,
)

Slot = tuple[str, int]  # (role, seat)


def _tiebreak(meeting: int, role: str, who: Pseudonym) -> bytes:
    return hashlib.sha256(f"{meeting}\x1f{role}\x1f{who}".encode()).digest()


def candidates(
    rr: RoleRotation, meeting: int, facts: Mapping[Pseudonym, MemberFacts], weekday: int | None
) -> list[Pseudonym]:
    """Eligible volunteers for ``meeting``, best first (an elected role has none: its elected
    member holds it, or nobody does)."""
    rules, passed = rr.rules, rr.passed_for(meeting)
    if rules.elected:
        return []
    eligible: list[tuple[tuple[int, bool, int, bytes], Pseudonym]] = []
    for who, vol in rr.volunteers.items():
        member = facts.get(who)
        if member is None or not rules.eligibility.allows(member, vol, meeting):
            continue
        tier = 0
        if isinstance(rules.term, WeekdayRoster) and weekday is not None:
            if vol.weekdays and weekday not in vol.weekdays:
                continue
            tier = 0 if vol.weekdays else 1
        served = vol.last_served
        key = (tier, served is not None, served or 0, _tiebreak(meeting, rules.name, who))
        eligible.append((key, who))
    if rules.wait_for_everyone and eligible:
        # Nobody serves again while an eligible volunteer is still waiting for a turn, even one
        # who can't make this meeting: their turn is not given away.
        level = min(rr.volunteers[who].turns for _, who in eligible)
        eligible = [(key, who) for key, who in eligible if rr.volunteers[who].turns == level]
    return [who for _, who in sorted(eligible) if who not in passed]


def term_holder(rr: RoleRotation, meeting: int) -> Pseudonym | None:
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


def _distinct(
    order: Sequence[Slot], options: Mapping[Slot, list[Pseudonym]]
) -> dict[Slot, Pseudonym]:
    """Fill as many seats as possible with distinct people; earlier seats get better choices."""
    target = _max_matching([options[s] for s in order])
    chosen: dict[Slot, Pseudonym] = {}
    for i, slot in enumerate(order):
        used = set(chosen.values())
        for who in options[slot]:
            if who in used:
                continue
            rest = [[p for p in options[s] if p not in used and p != who] for s in order[i + 1 :]]
            if len(chosen) + 1 + _max_matching(rest) >= target:
                chosen[slot] = who
                break
    return chosen


def plan(
    rotation: Rotation,
    meeting: int,
    facts: Mapping[Pseudonym, MemberFacts],
    *,
    weekday: int | None = None,
    keep: Mapping[Slot, Pseudonym] | None = None,
) -> tuple[Assignment, ...]:
    """Who serves each seat of each role at ``meeting`` (a query; ``keep`` pins seats already
    announced).

    ``facts`` covers the members who currently hold the rotation role; ``weekday`` is the
    meeting's weekday (0 = Monday), used by weekday rosters.
    """
    pinned = dict(keep or {})
    continuing: set[str] = set()
    options: dict[Slot, list[Pseudonym]] = {}  # in the format's order
    for rr in rotation.roles:
        name, passed = rr.rules.name, rr.passed_for(meeting)
        holder = rr.elected if rr.rules.elected else term_holder(rr, meeting)
        ranked: list[Pseudonym] | None = None
        for seat in range(rr.rules.seats):
            if (name, seat) in pinned:
                continue
            if seat == 0 and holder is not None and holder in facts and holder not in passed:
                pinned[(name, 0)] = holder
                continuing.add(name)
                continue
            if ranked is None:
                ranked = candidates(rr, meeting, facts, weekday)
            options[(name, seat)] = ranked
    taken = set(pinned.values())
    chosen = _distinct(
        list(options), {s: [p for p in c if p not in taken] for s, c in options.items()}
    )
    picks: dict[Slot, Pseudonym | None] = {**pinned, **chosen}
    # A seat nobody free can take goes to its best eligible volunteer, even with another job —
    # but never to someone who already has another seat of the same role.
    for (name, seat), ranked_options in options.items():
        if picks.get((name, seat)) is None:
            same_role = {w for (r, _), w in picks.items() if r == name and w is not None}
            spare = [p for p in ranked_options if p not in same_role]
            picks[(name, seat)] = spare[0] if spare else None
    ordered = [
        ((rr.rules.name, seat), picks.get((rr.rules.name, seat)))
        for rr in rotation.roles
        for seat in range(rr.rules.seats)
    ]
    jobs = Counter(who for _, who in ordered if who is not None)
    return tuple(
        Assignment(
            name,
            who,
            seat == 0 and name in continuing,
            who is not None and jobs[who] > 1,
            seat,
        )
        for (name, seat), who in ordered
    )
