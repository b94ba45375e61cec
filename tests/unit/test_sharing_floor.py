"""The floor on its own: queues, rounds, picks, tags, passes, timers — pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core import sharing
from bot.core.formats.plan import (
    AtLimit,
    BusyLimit,
    Order,
    Sharers,
    ShareTimer,
    ShareWarning,
    Sharing,
    TurnTaking,
)
from bot.core.meeting.effects import (
    EndedBy,
    FloorEnded,
    FloorFree,
    FloorGiven,
    FloorWaits,
    GivenBy,
    MeetingError,
    MeetingRefusal,
    ShareExtended,
    ShareNote,
    TimeUp,
)
from bot.core.pseudonyms import Pseudonym
from bot.core.sharing import Floor, FloorRules

NOW = datetime(2025, 3, 4, 19, 30, tzinfo=UTC)
A, B, C, D, E = (Pseudonym(name) for name in "abcde")
LEFT = ShareWarning(-60, "About a minute left.")
TIME = ShareWarning(0, "That's time.")
OVER = ShareWarning(60, "A minute over.")


def rules(
    order: Order = Order.HANDS,
    *,
    timer: ShareTimer | None = None,
    counts: bool = True,
    **phase: object,
) -> FloorRules:
    turn_taking = TurnTaking(order, **phase)  # type: ignore[arg-type]
    timer = timer or ShareTimer(180, warnings=(LEFT, TIME))
    return FloorRules(section=3, sharing=Sharing((turn_taking,), timer), counts=counts)


def opened(floor_rules: FloorRules, floor: Floor | None = None) -> Floor:
    floor, _ = sharing.open_floor(floor or Floor(), floor_rules, NOW)
    return floor


def raise_all(floor: Floor, floor_rules: FloorRules, *who: Pseudonym) -> Floor:
    for person in who:
        floor, _ = sharing.raise_hand(floor, floor_rules, person, NOW, first_time=False)
    return floor


def given(effects: tuple[object, ...]) -> list[Pseudonym]:
    return [e.who for e in effects if isinstance(e, FloorGiven)]


# --- hands -----------------------------------------------------------------------------------


def test_hands_are_served_in_the_order_raised() -> None:
    r = rules()
    floor = raise_all(opened(r), r, A, B, C)
    assert floor.turn is not None
    assert floor.turn.who == A
    assert sharing.up_next(floor, r) == (B, C)
    floor, effects = sharing.done(floor, r, A, NOW)
    assert given(effects) == [B]


def test_pressing_raise_hand_thirty_times_queues_once() -> None:
    r = rules(Order.CHAIR_PICKS)
    floor = opened(r)
    for _ in range(30):
        floor = raise_all(floor, r, A)
    floor = raise_all(floor, r, B)
    assert floor.hands == (A, B)
    again, effects = sharing.raise_hand(floor, r, A, NOW, first_time=False)
    assert (again, effects) == (floor, ())


def test_hands_raised_before_sharing_opens_are_first_in_line() -> None:
    r = rules()
    floor, _ = sharing.raise_hand(Floor(), None, B, NOW, first_time=False)
    floor, _ = sharing.raise_hand(floor, None, A, NOW, first_time=False)
    floor, effects = sharing.open_floor(floor, r, NOW)
    assert given(effects) == [B]


def test_lowering_a_hand_is_idempotent() -> None:
    r = rules(Order.CHAIR_PICKS)
    floor = raise_all(opened(r), r, A, B)
    floor, _ = sharing.lower_hand(floor, A)
    floor, _ = sharing.lower_hand(floor, A)
    assert floor.hands == (B,)


def test_first_time_sharers_go_first_when_the_format_says_so() -> None:
    r = rules(first_timers_first=True)
    floor = raise_all(opened(r), r, A, B)
    floor, _ = sharing.raise_hand(floor, r, C, NOW, first_time=True)
    assert sharing.up_next(floor, r) == (C, B)
    plain = rules()
    floor = raise_all(opened(plain), plain, A, B)
    floor, _ = sharing.raise_hand(floor, plain, C, NOW, first_time=True)
    assert sharing.up_next(floor, plain) == (B, C)


def test_nobody_shares_twice_while_someone_waiting_has_not() -> None:
    r = rules()
    floor = raise_all(opened(r), r, A)
    floor, _ = sharing.done(floor, r, A, NOW)
    floor = raise_all(floor, r, B, A, C)  # B takes the floor; A raised before C
    assert sharing.up_next(floor, r) == (C, A)
    off = rules(once_each_first=False)
    floor = raise_all(opened(off), off, A)
    floor, _ = sharing.done(floor, off, A, NOW)
    floor = raise_all(floor, off, B, A, C)
    assert sharing.up_next(floor, off) == (A, C)


def test_not_yet_shared_parts_refuse_those_who_shared() -> None:
    r = rules()
    floor = raise_all(opened(r), r, A)
    floor, _ = sharing.done(floor, r, A, NOW)
    tail = rules(sharers=Sharers.NOT_YET_SHARED)
    floor, _ = sharing.close_floor(floor, r, NOW)
    floor = opened(tail, floor)
    with pytest.raises(MeetingError) as refused:
        sharing.raise_hand(floor, tail, A, NOW, first_time=False)
    assert refused.value.reason is MeetingRefusal.ONLY_NOT_YET_SHARED
    with pytest.raises(MeetingError):
        sharing.pick(floor, tail, A, NOW)


# --- rounds ----------------------------------------------------------------------------------


def test_a_round_goes_around_the_circle_and_then_is_over() -> None:
    r = rules(Order.ROUND, counts=False)
    floor = Floor()
    for who in (A, B, C):
        floor, _ = sharing.join(floor, None, who, NOW, first_time=False)
    floor, effects = sharing.open_floor(floor, r, NOW)
    assert given(effects) == [A]
    floor, effects = sharing.pass_turn(floor, r, B, NOW)  # B passes before their turn
    assert given(effects) == []
    floor, effects = sharing.done(floor, r, A, NOW)
    assert given(effects) == [C]
    floor, _ = sharing.join(floor, r, D, NOW, first_time=False)  # arrives late: joins the round
    floor, effects = sharing.done(floor, r, C, NOW)
    assert given(effects) == [D]
    floor, _ = sharing.done(floor, r, D, NOW)
    assert floor.over
    assert all(m.shares == 0 for m in floor.members)  # a round of check-ins is not "sharing"


def test_two_rounds_go_around_twice() -> None:
    r = rules(Order.ROUND, rounds=2)
    floor = Floor()
    for who in (A, B):
        floor, _ = sharing.join(floor, None, who, NOW, first_time=False)
    floor = opened(r, floor)
    order = []
    while floor.turn is not None:
        order.append(floor.turn.who)
        floor, _ = sharing.done(floor, r, floor.turn.who, NOW)
    assert order == [A, B, A, B]
    assert floor.over


def test_passing_needs_the_formats_permission() -> None:
    r = rules(pass_allowed=False)
    floor = raise_all(opened(r), r, A, B)
    with pytest.raises(MeetingError) as refused:
        sharing.pass_turn(floor, r, A, NOW)
    assert refused.value.reason is MeetingRefusal.PASS_NOT_ALLOWED
    floor, _ = sharing.pass_turn(floor, r, B, NOW)  # lowering a waiting hand is always fine
    assert floor.hands == ()
    with pytest.raises(MeetingError) as nobody:
        sharing.pass_turn(floor, r, C, NOW)
    assert nobody.value.reason is MeetingRefusal.NOT_WAITING


# --- the chair and the sharer ----------------------------------------------------------------


def test_the_chair_picks() -> None:
    r = rules(Order.CHAIR_PICKS)
    floor, effects = sharing.open_floor(Floor(), r, NOW)
    assert effects == (FloorFree(3, FloorWaits.HANDS),)
    floor = raise_all(floor, r, A, B, C)
    assert floor.turn is None
    floor, effects = sharing.pick(floor, r, C, NOW)
    assert given(effects) == [C]
    floor, _ = sharing.pick(floor, r, B, NOW)  # while C shares: B is next
    assert sharing.up_next(floor, r) == (B, A)
    floor, effects = sharing.done(floor, r, C, NOW)
    assert given(effects) == [B]
    floor, effects = sharing.done(floor, r, B, NOW)
    assert effects[-1] == FloorFree(3, FloorWaits.CHAIR)
    floor, effects = sharing.call_next(floor, r, NOW)
    assert given(effects) == [A]


def test_the_sharer_tags_the_next() -> None:
    r = rules(Order.TAG)
    floor = raise_all(opened(r), r, A)
    floor, effects = sharing.call_next(floor, r, NOW)
    assert given(effects) == [A]
    with pytest.raises(MeetingError) as yourself:
        sharing.tag(floor, r, A, A, NOW)
    assert yourself.value.reason is MeetingRefusal.SAME_PERSON
    with pytest.raises(MeetingError) as not_you:
        sharing.tag(floor, r, B, C, NOW)
    assert not_you.value.reason is MeetingRefusal.NOT_YOUR_TURN
    floor, effects = sharing.tag(floor, r, A, D, NOW)
    assert next(e for e in effects if isinstance(e, FloorEnded)).why is EndedBy.TAGGED
    assert [(e.who, e.how) for e in effects if isinstance(e, FloorGiven)] == [(D, GivenBy.TAGGED)]
    hands = rules()
    floor = raise_all(opened(hands), hands, A)
    with pytest.raises(MeetingError) as mode:
        sharing.tag(floor, hands, A, B, NOW)
    assert mode.value.reason is MeetingRefusal.NOT_TAG_MODE


def test_only_the_sharer_is_done() -> None:
    r = rules()
    floor = raise_all(opened(r), r, A, B)
    with pytest.raises(MeetingError) as refused:
        sharing.done(floor, r, B, NOW)
    assert refused.value.reason is MeetingRefusal.NOT_YOUR_TURN


def test_a_sharer_who_leaves_hands_the_floor_on() -> None:
    r = rules()
    floor = raise_all(opened(r), r, A, B)
    floor, effects = sharing.leave(floor, r, A, NOW)
    assert FloorEnded(3, A, EndedBy.LEFT) in effects
    assert given(effects) == [B]


# --- share timers ----------------------------------------------------------------------------


def test_warnings_and_the_limit() -> None:
    timer = ShareTimer(300, grace_seconds=60, warnings=(LEFT, TIME, OVER), at_limit=AtLimit.NEXT)
    r = rules(timer=timer)
    floor, effects = sharing.raise_hand(opened(r), r, A, NOW, first_time=False)
    start = next(e for e in effects if isinstance(e, FloorGiven))
    assert start.limit_at == NOW + timedelta(minutes=5)
    assert [n.at - NOW for n in start.notes] == [timedelta(minutes=m) for m in (4, 5, 6)]
    floor = raise_all(floor, r, B)
    floor, effects = sharing.note_due(floor, r)
    assert effects == (ShareNote(3, A, LEFT.text, False),)
    later = NOW + timedelta(minutes=6)
    floor, effects = sharing.limit_due(floor, r, later)  # "time" and "1 minute over" come first
    assert [type(e).__name__ for e in effects][:3] == ["ShareNote", "ShareNote", "TimeUp"]
    assert next(e for e in effects if isinstance(e, TimeUp)).said
    assert given(effects) == [B]


def test_a_shorter_limit_when_many_wait_and_a_longer_one_for_a_role() -> None:
    timer = ShareTimer(
        180, busy_limits=(BusyLimit(3, 120),), role_limits=(("speaker", 600),), warnings=()
    )
    r = rules(Order.CHAIR_PICKS, timer=timer)
    floor = raise_all(opened(r), r, A, B, C, D)
    floor, effects = sharing.pick(floor, r, A, NOW)
    assert next(e for e in effects if isinstance(e, FloorGiven)).limit_at == NOW + timedelta(
        seconds=120
    )
    speaker = FloorRules(3, r.sharing, counts=True, roles=((B, "speaker"),))
    floor, _ = sharing.done(floor, speaker, A, NOW)
    floor, effects = sharing.pick(floor, speaker, B, NOW)
    assert next(e for e in effects if isinstance(e, FloorGiven)).limit_at == NOW + timedelta(
        seconds=600
    )


def test_extending_a_share_moves_its_notes() -> None:
    r = rules()
    floor = raise_all(opened(r), r, A)
    with pytest.raises(MeetingError) as bad:
        sharing.extend(floor, r, 0, NOW)
    assert bad.value.reason is MeetingRefusal.BAD_DURATION
    floor, _ = sharing.note_due(floor, r)  # "a minute left" was said
    later = NOW + timedelta(minutes=2, seconds=30)
    floor, effects = sharing.extend(floor, r, 120, later)
    assert floor.turn is not None
    assert effects == (ShareExtended(3, A, NOW + timedelta(minutes=5)),)
    assert floor.turn.notes_sent == 0  # "a minute left" will be said again when true
    with pytest.raises(MeetingError) as nobody:
        sharing.extend(Floor(), r, 60, NOW)
    assert nobody.value.reason is MeetingRefusal.NOBODY_SHARING


def test_self_timed_notes_are_private() -> None:
    r = rules(timer=ShareTimer(60, warnings=(TIME,), self_timed=True))
    floor = raise_all(opened(r), r, A)
    _, effects = sharing.note_due(floor, r)
    assert effects == (ShareNote(3, A, TIME.text, True),)


def test_hand_back_waits_for_the_chair() -> None:
    r = rules(timer=ShareTimer(60, warnings=(TIME,), at_limit=AtLimit.HAND_BACK))
    floor = raise_all(opened(r), r, A, B)
    floor, effects = sharing.limit_due(floor, r, NOW + timedelta(seconds=60))
    assert effects[-1] == FloorFree(3, FloorWaits.CHAIR)
    assert floor.turn is None
    floor, effects = sharing.pick(floor, r, B, NOW)
    assert given(effects) == [B]
