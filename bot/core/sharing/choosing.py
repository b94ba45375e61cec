"""Who may be called on or invited, and members seated in the circle: pure, no I/O.

The chair's list (:func:`callable_now`) is the raised hands in the order they will be served;
the sharer's list in a tag section (:func:`invitable`) is everyone here who may share in this
part, those with a hand up first. Both leave out anyone who said privately they'd rather listen
today. A list shown on the panel may be out of date by the time someone chooses from it, so
:func:`call_on` and :func:`invite` check the choice again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from bot.core.formats.plan import Order
from bot.core.meeting.effects import MeetingError, MeetingRefusal
from bot.core.pseudonyms import Pseudonym
from bot.core.sharing.floor import Floor, FloorRules, FloorStep, Member, eligible, up_next
from bot.core.sharing.turns import pick, tag


def callable_now(floor: Floor, rules: FloorRules | None) -> tuple[Pseudonym, ...]:
    """Whom the chair may call on from the panel: the hands (or round) waiting, in order."""
    if rules is None or not floor.active:
        return ()
    holder = floor.turn.who if floor.turn else None
    return tuple(w for w in up_next(floor, rules) if w != holder)


def invitable(floor: Floor, rules: FloorRules | None) -> tuple[Pseudonym, ...]:
    """Whom the sharer may invite next: those waiting first, then everyone else here who may
    share in this part (not the sharer, not anyone who'd rather listen)."""
    if rules is None or not floor.active:
        return ()
    phase = rules.phase_of(floor)
    holder = floor.turn.who if floor.turn else None
    waiting = [w for w in up_next(floor, rules) if w != holder]
    others = [
        m.who
        for m in floor.members
        if m.here
        and m.who != holder
        and m.who not in waiting
        and eligible(floor, phase, m.who)
        and not rules.listens(m.who)
    ]
    return (*waiting, *others)


def call_on(floor: Floor, rules: FloorRules | None, who: Pseudonym, now: datetime) -> FloorStep:
    """The chair calls on ``who`` from the panel's list: only while they are still waiting."""
    if rules is None or not floor.active:
        raise MeetingError(MeetingRefusal.NOT_SHARING_NOW)
    if who not in callable_now(floor, rules):
        raise MeetingError(MeetingRefusal.NO_LONGER_WAITING)
    return pick(floor, rules, who, now)


def invite(
    floor: Floor, rules: FloorRules | None, who: Pseudonym, target: Pseudonym, now: datetime
) -> FloorStep:
    """The sharer invites ``target`` to share next (a tag), if ``target`` is here to share."""
    if rules is None or floor.turn is None or floor.turn.who != who:
        raise MeetingError(MeetingRefusal.NOT_YOUR_TURN)
    if rules.phase_of(floor).order is not Order.TAG:
        raise MeetingError(MeetingRefusal.NOT_TAG_MODE)
    member = floor.member(target)
    if rules.listens(target) or (member is not None and not member.here):
        raise MeetingError(MeetingRefusal.NOT_AVAILABLE)
    return tag(floor, rules, who, target, now)


def seat(floor: Floor, present: Iterable[Pseudonym]) -> Floor:
    """Members known to be at the meeting (they took part in it) join the circle that a round
    is made from, in the order given; nobody is given the floor and nobody's hand goes up.
    Members already known keep their place (and their "left" mark)."""
    known = {m.who for m in floor.members}
    new = tuple(Member(who) for who in dict.fromkeys(present) if who not in known)
    return replace(floor, members=(*floor.members, *new)) if new else floor


def stand_aside(floor: Floor, who: Pseudonym) -> Floor:
    """``who`` would rather listen: out of the hands and the round still to go (never the
    current share: that is theirs to finish or pass)."""
    return replace(
        floor,
        hands=tuple(w for w in floor.hands if w != who),
        round=tuple(w for w in floor.round if w != who),
        called=None if floor.called == who else floor.called,
    )
