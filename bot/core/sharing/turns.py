"""The floor's operations: opening a section's floor, members' and the chair's requests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from bot.core.formats.plan import AtLimit, Order, Sharers
from bot.core.meeting.effects import (
    Effect,
    EndedBy,
    FloorEnded,
    FloorFree,
    FloorWaits,
    GivenBy,
    HandDropped,
    HandLowered,
    HandsCleared,
    MeetingError,
    MeetingRefusal,
    PhaseBegins,
    TimeUp,
)
from bot.core.pseudonyms import Pseudonym
from bot.core.sharing.floor import (
    Floor,
    FloorRules,
    FloorStep,
    Member,
    circle,
    eligible,
    hands_on_by_itself,
    up_next,
)
from bot.core.sharing.timers import note_at, note_due, start_turn

# --- opening and closing a section's floor ----------------------------------------------------


def open_floor(floor: Floor, rules: FloorRules, now: datetime) -> FloorStep:
    """A sharing section begins: fresh turn-taking; raised hands carry over."""
    floor = replace(
        floor,
        active=True,
        phase=0,
        round=(),
        had_turn=(),
        rounds_done=0,
        turns_here=0,
        turn=None,
        called=None,
        with_chair=False,
        winding_down=False,
        finished=False,
    )
    effects: list[Effect] = []
    floor = _begin_phase(floor, rules, effects)
    if rules.speaker is not None:
        floor = replace(floor, called=rules.speaker)
    floor = _fill(floor, rules, now, effects, announce=True)
    return floor, tuple(effects)


def close_floor(floor: Floor, rules: FloorRules | None, now: datetime) -> FloorStep:
    """The sharing section ends; whoever has the floor has finished, and the hands still up
    are lowered: they were raised to share in this part. Only a speaker's section keeps them
    (nobody else shares there, so they wait for the sharing after it)."""
    effects: list[Effect] = []
    if floor.turn is not None and rules is not None:
        floor = _end_turn(floor, rules, EndedBy.SECTION_ENDED, True, effects)
    keep = rules is not None and rules.single
    if floor.hands and rules is not None and not keep:
        effects.append(HandsCleared(rules.section, len(floor.hands)))
    floor = replace(
        floor,
        hands=floor.hands if keep else (),
        active=False,
        round=(),
        had_turn=(),
        turn=None,
        called=None,
        with_chair=False,
        winding_down=False,
        finished=False,
    )
    return floor, tuple(effects)


def resume(floor: Floor, rules: FloorRules | None, now: datetime) -> FloorStep:
    """The meeting resumed: hand the floor on if it is free."""
    floor = replace(floor, paused=False)
    if rules is None:
        return floor, ()
    effects: list[Effect] = []
    floor = _fill(floor, rules, now, effects, announce=False)
    return floor, tuple(effects)


def next_phase(floor: Floor, rules: FloorRules, now: datetime) -> FloorStep:
    """The next turn-taking phase begins (its anchor was reached)."""
    if floor.phase + 1 >= len(rules.sharing.phases):
        return floor, ()
    floor = replace(floor, phase=floor.phase + 1)
    phase = rules.phase_of(floor)
    effects: list[Effect] = [PhaseBegins(rules.section, floor.phase, phase.order, phase.sharers)]
    floor = _begin_phase(floor, rules, effects)
    floor = _fill(floor, rules, now, effects, announce=floor.turn is None)
    return floor, tuple(effects)


def _begin_phase(floor: Floor, rules: FloorRules, effects: list[Effect]) -> Floor:
    phase = rules.phase_of(floor)
    if phase.sharers is Sharers.NOT_YET_SHARED:
        dropped = [w for w in floor.hands if not eligible(floor, phase, w)]
        effects.extend(HandLowered(w, HandDropped.ONLY_NOT_YET_SHARED) for w in dropped)
        floor = replace(floor, hands=tuple(w for w in floor.hands if w not in dropped))
    if phase.order is Order.ROUND:
        holder = floor.turn.who if floor.turn else None
        floor = replace(
            floor,
            hands=(),  # a round needs no hands: whoever raised one is in the circle
            round=tuple(w for w in circle(floor, phase, rules.declared) if w != holder),
            had_turn=(holder,) if holder else (),
            rounds_done=0,
            finished=False,
        )
    else:
        floor = replace(floor, round=(), had_turn=())
    return floor


# --- members' requests ------------------------------------------------------------------------


def raise_hand(
    floor: Floor, rules: FloorRules | None, who: Pseudonym, now: datetime, *, first_time: bool
) -> FloorStep:
    """Raise ``who``'s hand (idempotent). In a round, this joins the round."""
    floor = _welcome(floor, who, first_time)
    if rules is None or not floor.active:
        return _add_hand(floor, who), ()
    phase = rules.phase_of(floor)
    if not eligible(floor, phase, who):
        raise MeetingError(MeetingRefusal.ONLY_NOT_YET_SHARED)
    holder = floor.turn.who if floor.turn else None
    if phase.order is Order.ROUND and who not in floor.had_turn and who != holder:
        if who not in floor.round:
            floor = replace(floor, round=(*floor.round, who))
    elif who != holder:
        floor = _add_hand(floor, who)
    effects: list[Effect] = []
    floor = _fill(floor, rules, now, effects, announce=False)
    return floor, tuple(effects)


def join(
    floor: Floor, rules: FloorRules | None, who: Pseudonym, now: datetime, *, first_time: bool
) -> FloorStep:
    """``who`` is here and would like to be in the circle's rounds (without raising a hand)."""
    floor = _welcome(floor, who, first_time)
    if rules is None or not floor.active:
        return floor, ()
    phase = rules.phase_of(floor)
    holder = floor.turn.who if floor.turn else None
    if (
        phase.order is Order.ROUND
        and eligible(floor, phase, who)
        and who not in (*floor.round, *floor.had_turn, holder)
    ):
        floor = replace(floor, round=(*floor.round, who))
    effects: list[Effect] = []
    floor = _fill(floor, rules, now, effects, announce=False)
    return floor, tuple(effects)


def lower_hand(floor: Floor, who: Pseudonym) -> FloorStep:
    """Lower ``who``'s hand, or take them out of this round (idempotent)."""
    return _withdraw(floor, who), ()


def leave(floor: Floor, rules: FloorRules | None, who: Pseudonym, now: datetime) -> FloorStep:
    """``who`` left the meeting: out of every line; if sharing, their share ends."""
    if floor.member(who) is None:
        return floor, ()
    floor = _withdraw(floor, who)
    floor = replace(
        floor, members=tuple(replace(m, here=False) if m.who == who else m for m in floor.members)
    )
    effects: list[Effect] = []
    if rules is not None and floor.turn is not None and floor.turn.who == who:
        floor = _end_turn(floor, rules, EndedBy.LEFT, True, effects)
        floor = _fill(floor, rules, now, effects, announce=True)
    return floor, tuple(effects)


def pass_turn(floor: Floor, rules: FloorRules | None, who: Pseudonym, now: datetime) -> FloorStep:
    """``who`` passes: their share ends uncounted, or they step out of the line."""
    if rules is None or not floor.active:
        if who in floor.hands:
            return _withdraw(floor, who), ()
        raise MeetingError(MeetingRefusal.NOT_WAITING)
    phase = rules.phase_of(floor)
    effects: list[Effect] = []
    if floor.turn is not None and floor.turn.who == who:
        if not phase.pass_allowed:
            raise MeetingError(MeetingRefusal.PASS_NOT_ALLOWED)
        floor = _end_turn(floor, rules, EndedBy.PASSED, False, effects)
    elif who in floor.round:
        if not phase.pass_allowed:
            raise MeetingError(MeetingRefusal.PASS_NOT_ALLOWED)
        floor = replace(
            _withdraw(floor, who),
            had_turn=(*floor.had_turn, who),
            turns_here=floor.turns_here + 1,
        )
    elif who in floor.hands or floor.called == who:
        return _withdraw(floor, who), ()
    else:
        raise MeetingError(MeetingRefusal.NOT_WAITING)
    floor = _fill(floor, rules, now, effects, announce=True)
    return floor, tuple(effects)


def done(floor: Floor, rules: FloorRules | None, who: Pseudonym, now: datetime) -> FloorStep:
    """The sharer finished."""
    if rules is None or floor.turn is None or floor.turn.who != who:
        raise MeetingError(MeetingRefusal.NOT_YOUR_TURN)
    effects: list[Effect] = []
    floor = _end_turn(floor, rules, EndedBy.DONE, True, effects)
    floor = _fill(floor, rules, now, effects, announce=True)
    return floor, tuple(effects)


def tag(
    floor: Floor, rules: FloorRules | None, who: Pseudonym, target: Pseudonym, now: datetime
) -> FloorStep:
    """The sharer finishes and names the next sharer (sections where sharers pick the next)."""
    if rules is None or floor.turn is None or floor.turn.who != who:
        raise MeetingError(MeetingRefusal.NOT_YOUR_TURN)
    phase = rules.phase_of(floor)
    if phase.order is not Order.TAG:
        raise MeetingError(MeetingRefusal.NOT_TAG_MODE)
    if target == who:
        raise MeetingError(MeetingRefusal.SAME_PERSON)
    if not eligible(floor, phase, target):
        raise MeetingError(MeetingRefusal.ONLY_NOT_YET_SHARED)
    effects: list[Effect] = []
    floor = _end_turn(floor, rules, EndedBy.TAGGED, True, effects)
    floor = replace(_welcome(floor, target, False), called=target, with_chair=False)
    floor = _fill(floor, rules, now, effects, announce=False, tagged=True)
    return floor, tuple(effects)


# --- the chair's requests ---------------------------------------------------------------------


def pick(floor: Floor, rules: FloorRules | None, who: Pseudonym, now: datetime) -> FloorStep:
    """The chair calls on ``who``: they get the floor now, or next when someone is sharing."""
    if rules is None or not floor.active:
        raise MeetingError(MeetingRefusal.NOT_SHARING_NOW)
    if not eligible(floor, rules.phase_of(floor), who):
        raise MeetingError(MeetingRefusal.ONLY_NOT_YET_SHARED)
    floor = _welcome(floor, who, False)
    if floor.turn is not None and floor.turn.who == who:
        return floor, ()
    floor = replace(floor, called=who, with_chair=False)
    effects: list[Effect] = []
    floor = _fill(floor, rules, now, effects, announce=False)
    return floor, tuple(effects)


def call_next(floor: Floor, rules: FloorRules | None, now: datetime) -> FloorStep:
    """The chair moves on: the current share ends and the next in line gets the floor."""
    if rules is None or not floor.active:
        raise MeetingError(MeetingRefusal.NOT_SHARING_NOW)
    effects: list[Effect] = []
    if floor.turn is not None:
        floor = _end_turn(floor, rules, EndedBy.CHAIR, True, effects)
    floor = replace(floor, with_chair=False)
    floor = _fill(floor, rules, now, effects, announce=True, chair=True)
    return floor, tuple(effects)


# --- the at-limit action ---------------------------------------------------------------------


def limit_due(floor: Floor, rules: FloorRules, now: datetime) -> FloorStep:
    """Limit + grace: carry out the format's at-limit action."""
    turn = floor.turn
    if turn is None:
        return floor, ()
    timer = rules.sharing.timer
    effects: list[Effect] = []
    # Notes due by now ("time", or "1 minute over" at the same moment) come first.
    while (at := note_at(rules, turn, turn.notes_sent)) is not None and at <= now:
        floor, said = note_due(floor, rules)
        effects.extend(said)
        turn = floor.turn or turn
    spoken = any(
        w.offset_seconds >= 0 for w in timer.warnings[: turn.notes_sent]
    )  # a "time" note was already posted
    effects.append(TimeUp(rules.section, turn.who, timer.at_limit, spoken, timer.self_timed))
    if timer.at_limit is AtLimit.NOTE:
        return replace(floor, turn=replace(turn, time_up=True)), tuple(effects)
    floor = _end_turn(floor, rules, EndedBy.TIME, True, effects)
    if timer.at_limit is AtLimit.HAND_BACK:
        floor = replace(floor, with_chair=True)
    floor = _fill(floor, rules, now, effects, announce=True)
    return floor, tuple(effects)


# --- internals --------------------------------------------------------------------------------


def _welcome(floor: Floor, who: Pseudonym, first_time: bool) -> Floor:
    member = floor.member(who)
    if member is None:
        return replace(floor, members=(*floor.members, Member(who, first_time=first_time)))
    updated = replace(member, here=True, first_time=member.first_time or first_time)
    if updated == member:
        return floor
    return replace(floor, members=tuple(updated if m.who == who else m for m in floor.members))


def _add_hand(floor: Floor, who: Pseudonym) -> Floor:
    return floor if who in floor.hands else replace(floor, hands=(*floor.hands, who))


def _withdraw(floor: Floor, who: Pseudonym) -> Floor:
    return replace(
        floor,
        hands=_without(floor.hands, who),
        round=_without(floor.round, who),
        called=None if floor.called == who else floor.called,
    )


def _without(line: Iterable[Pseudonym], who: Pseudonym) -> tuple[Pseudonym, ...]:
    return tuple(w for w in line if w != who)


def _end_turn(
    floor: Floor, rules: FloorRules, why: EndedBy, shared: bool, effects: list[Effect]
) -> Floor:
    turn = floor.turn
    if turn is None:
        return floor
    counted = shared and rules.counts
    members = tuple(
        replace(m, shares=m.shares + 1) if counted and m.who == turn.who else m
        for m in floor.members
    )
    effects.append(FloorEnded(rules.section, turn.who, why))
    return replace(
        floor,
        members=members,
        turn=None,
        had_turn=(*floor.had_turn, turn.who),
        turns_here=floor.turns_here + 1,
        finished=floor.finished or (rules.single and shared),
    )


def _fill(
    floor: Floor,
    rules: FloorRules,
    now: datetime,
    effects: list[Effect],
    *,
    announce: bool,
    chair: bool = False,
    tagged: bool = False,
) -> Floor:
    """Give the floor to whoever is next, if the mode hands it on by itself."""
    if not floor.active or floor.turn is not None or floor.paused:
        return floor
    phase = rules.phase_of(floor)
    if floor.called is None:
        if floor.winding_down or floor.finished:
            return floor
        if phase.order is Order.ROUND and not floor.round and floor.had_turn:
            floor = replace(floor, rounds_done=floor.rounds_done + 1, had_turn=())
            if floor.rounds_done >= phase.rounds:
                return replace(floor, finished=True)
            floor = replace(floor, round=circle(floor, phase, rules.declared))
    line = up_next(floor, rules)
    automatic = hands_on_by_itself(floor, rules)
    if line and (chair or floor.called is not None or automatic):
        who = line[0]
        if floor.called == who:
            how = GivenBy.TAGGED if tagged else GivenBy.PICKED
            how = GivenBy.SPEAKER if who == rules.speaker else how
        else:
            how = GivenBy.ROUND if phase.order is Order.ROUND else GivenBy.QUEUE
        return _give(floor, rules, who, now, how, effects)
    if announce:
        chair_calls = floor.with_chair or rules.single or (line and not automatic)
        waits = FloorWaits.CHAIR if chair_calls else FloorWaits.HANDS
        if waits is FloorWaits.HANDS and phase.order is Order.ROUND:
            waits = FloorWaits.ROUND
        effects.append(FloorFree(rules.section, waits))
    return floor


def _give(
    floor: Floor,
    rules: FloorRules,
    who: Pseudonym,
    now: datetime,
    how: GivenBy,
    effects: list[Effect],
) -> Floor:
    floor = replace(_withdraw(_welcome(floor, who, False), who), with_chair=False)
    phase = rules.phase_of(floor)
    waiting = len(up_next(floor, rules)) if phase.order is not Order.ROUND else len(floor.round)
    number = floor.turns_given + 1
    among = None
    fair = rules.sharing.timer.fair_share
    if fair is not None and fair.by_present:  # those here who have not had a turn yet
        here = set(circle(floor, phase, rules.declared)) - set(floor.had_turn)
        among = len(here | {who})
    turn, given = start_turn(rules, number, who, waiting, now, how, among)
    effects.append(given)
    return replace(floor, turn=turn, turns_given=number)
