"""Hypothesis properties of the floor: the queue keeps the order raised, and nobody shares
twice before everyone waiting has shared once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import sharing
from bot.core.formats.plan import AtLimit, Order, ShareTimer, ShareWarning, Sharing, TurnTaking
from bot.core.meeting.effects import FloorGiven, GivenBy, MeetingError
from bot.core.pseudonyms import Pseudonym
from bot.core.sharing import Floor, FloorRules

NOW = datetime(2025, 3, 4, 19, 30, tzinfo=UTC)
PEOPLE = tuple(Pseudonym(f"p{n}") for n in range(6))
people = st.sampled_from(PEOPLE)
PROPERTIES = settings(max_examples=200, deadline=None, database=None)


def rules(
    order: Order,
    *,
    first_timers_first: bool = False,
    not_yet_shared_first: bool = False,
) -> FloorRules:
    timer = ShareTimer(120, warnings=(ShareWarning(0, "time"),), at_limit=AtLimit.NEXT)
    phase = TurnTaking(
        order, first_timers_first=first_timers_first, not_yet_shared_first=not_yet_shared_first
    )
    return FloorRules(3, Sharing((phase,), timer), counts=True)


@PROPERTIES
@given(st.lists(st.tuples(st.booleans(), people), max_size=40))
def test_the_queue_is_in_the_order_raised(moves: list[tuple[bool, Pseudonym]]) -> None:
    """Raising and lowering hands in any order: the line is the order of the latest raise."""
    r = rules(Order.CHAIR_PICKS)
    floor, _ = sharing.open_floor(Floor(), r, NOW)
    expected: list[Pseudonym] = []
    for raising, who in moves:
        if raising:
            floor, _ = sharing.raise_hand(floor, r, who, NOW, first_time=False)
            if who not in expected:
                expected.append(who)
        else:
            floor, _ = sharing.lower_hand(floor, who)
            if who in expected:
                expected.remove(who)
        assert list(sharing.up_next(floor, r)) == expected


OPERATIONS = st.one_of(
    st.tuples(st.just("raise"), people, st.booleans()),
    st.tuples(st.just("lower"), people, st.just(False)),
    st.tuples(st.just("done"), people, st.just(False)),
    st.tuples(st.just("pass"), people, st.just(False)),
    st.tuples(st.just("time"), people, st.just(False)),
    st.tuples(st.just("leave"), people, st.just(False)),
    st.tuples(st.just("join"), people, st.just(False)),
)


@PROPERTIES
@given(
    st.sampled_from([Order.HANDS, Order.FREE]),
    st.booleans(),
    st.booleans(),
    st.lists(OPERATIONS, max_size=60),
)
def test_nobody_shares_twice_before_everyone_waiting_has_shared_once(
    order: Order,
    first_timers_first: bool,
    not_yet_shared_first: bool,
    operations: list[tuple[str, Pseudonym, bool]],
) -> None:
    """Whenever the floor moves on by itself, the new sharer has shared no more often than
    anyone left waiting (first-time sharers may go ahead only while they have not shared)."""
    r = rules(
        order,
        first_timers_first=first_timers_first,
        not_yet_shared_first=not_yet_shared_first,
    )
    floor, _ = sharing.open_floor(Floor(), r, NOW)
    clock = NOW
    for name, who, flag in operations:
        clock += timedelta(seconds=30)
        try:
            if name == "raise":
                floor, effects = sharing.raise_hand(floor, r, who, clock, first_time=flag)
            elif name == "lower":
                floor, effects = sharing.lower_hand(floor, who)
            elif name == "done":
                floor, effects = sharing.done(floor, r, who, clock)
            elif name == "pass":
                floor, effects = sharing.pass_turn(floor, r, who, clock)
            elif name == "leave":
                floor, effects = sharing.leave(floor, r, who, clock)
            elif name == "join":
                floor, effects = sharing.join(floor, r, who, clock, first_time=False)
            else:
                floor, effects = sharing.limit_due(floor, r, clock)
        except MeetingError:
            continue
        for effect in effects:
            if isinstance(effect, FloorGiven) and effect.how is GivenBy.QUEUE:
                sharer = floor.member(effect.who)
                assert sharer is not None
                waiting = [floor.member(w) for w in floor.hands]
                fewest = min((m.shares for m in waiting if m is not None), default=sharer.shares)
                assert sharer.shares <= fewest
        if floor.turn is not None:
            assert floor.turn.who not in floor.hands
        assert len(set(floor.hands)) == len(floor.hands)
