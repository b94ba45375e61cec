"""Who may be called on from the panel, or invited by the sharer: pure, no I/O.

The chair's list (:func:`callable_now`) is the raised hands in the order they will be served;
the sharer's list in a tag section (:func:`invitable`) is everyone on the floor today who may
share in this part, those with a hand up first. Both leave out anyone who said privately
they'd rather listen today. A list shown on the panel may be out of date by the time someone
chooses from it, so :func:`call_on` and :func:`invite` check the choice again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.formats.plan import Order
from bot.core.meeting.effects import MeetingError, MeetingRefusal
from bot.core.pseudonyms import Pseudonym
from bot.core.sharing.floor import Floor, FloorRules, FloorStep, eligible, up_next
from bot.core.sharing.turns import pick, tag


def callable_now(floor: Floor, rules: FloorRules | None) -> tuple[Pseudonym, ...]:
    """Whom the chair may call on from the panel: the hands (or round) waiting, in order."""
    if rules is None or not floor.active:
        return ()
    holder = floor.turn.who if floor.turn else None
    return tuple(w for w in up_next(floor, rules) if w != holder)


def invitable(floor: Floor, rules: FloorRules | None) -> tuple[Pseudonym, ...]:
    """Whom the sharer may choose from the panel: those waiting first, then everyone else on
    the floor today (who raised a hand, joined a round or shared) who is here and may share in
    this part; never the sharer or anyone who'd rather listen. ``/tag`` reaches anyone."""
    if rules is None or not floor.active:
        return ()
    phase = rules.phase_of(floor)
    holder = floor.turn.who if floor.turn else None
    waiting = [w for w in up_next(floor, rules) if w != holder]
    others = [
        m.who
        for m in floor.members
        if m.here
        and m.who not in (holder, *waiting)
        and eligible(floor, phase, m.who)
        and not rules.listens(m.who)
    ]
    return (*waiting, *others)


def call_on(
    floor: Floor, rules: FloorRules | None, who: Pseudonym, now: datetime, *, waiting_only: bool
) -> FloorStep:
    """The chair calls on ``who``: from the panel's list (``waiting_only``) only while they
    are still waiting; never someone who'd rather listen today."""
    if rules is None or not floor.active:
        raise MeetingError(MeetingRefusal.NOT_SHARING_NOW)
    member = floor.member(who)
    if rules.listens(who) or (member is not None and not member.here):
        raise MeetingError(MeetingRefusal.NOT_AVAILABLE)
    if waiting_only and who not in callable_now(floor, rules):
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


def stand_aside(floor: Floor, who: Pseudonym) -> Floor:
    """``who`` would rather listen: out of the hands and the round still to go (never the
    current share: that is theirs to finish or pass)."""
    return replace(
        floor,
        hands=tuple(w for w in floor.hands if w != who),
        round=tuple(w for w in floor.round if w != who),
        called=None if floor.called == who else floor.called,
    )
