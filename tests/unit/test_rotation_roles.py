"""The rotation core and the format's role keys: seats, wait-for-everyone, at-most-every,
trained, elected and substitute (bot/core/rotation)."""

from __future__ import annotations

import re

import pytest

from bot.core.formats import FormatError, load_format
from bot.core.formats.describe import preview_lines
from bot.core.pseudonyms import Pseudonym
from bot.core.rotation import (
    AnyoneMayServe,
    AskToServe,
    Eligibility,
    MemberFacts,
    RoleRotation,
    RoleRules,
    Rotation,
    TurnVacated,
    announce_next,
    cant_make_it,
    fill_turn,
    join,
    leave,
    plan,
    record_served,
    swap,
)

A, B, C, D, E = (Pseudonym(f"p{i}") for i in "abcde")
SEASONED = MemberFacts(days_in_server=365, first_meeting=False)


def facts_for(*people: Pseudonym) -> dict[Pseudonym, MemberFacts]:
    return dict.fromkeys(people, SEASONED)


def joined(rules: RoleRules, *people: Pseudonym, more: tuple[RoleRules, ...] = ()) -> Rotation:
    rotation = Rotation.of([rules, *more])
    for who in people:
        rotation = join(rotation, rules.name, who)
    return rotation


def held(rotation: Rotation, meeting: int, facts: dict[Pseudonym, MemberFacts]) -> Rotation:
    """Announce ``meeting`` and hold it with whoever was asked."""
    rotation, effects = announce_next(rotation, meeting, facts)
    served: dict[str, list[Pseudonym]] = {}
    for effect in effects:
        if isinstance(effect, AskToServe):
            served.setdefault(effect.role, []).append(effect.who)
    return record_served(rotation, meeting, served)


# --- seats -------------------------------------------------------------------------------------


def test_seats_are_each_filled_by_a_different_volunteer_and_everyone_takes_turns() -> None:
    readers = RoleRules("reader", seats=3)
    people = (A, B, C, D, E)
    rotation = joined(readers, *people)
    facts = facts_for(*people)
    rotation, effects = announce_next(rotation, 1, facts)
    asked = [e for e in effects if isinstance(e, AskToServe)]
    assert [e.seat for e in asked] == [0, 1, 2]
    assert len({e.who for e in asked}) == 3
    up = rotation.role("reader").upcoming
    assert up is not None
    assert set(up.holders) == {e.who for e in asked}
    rotation = record_served(rotation, 1, {"reader": [e.who for e in asked]})
    rotation, effects = announce_next(rotation, 2, facts)
    second = {e.who for e in effects if isinstance(e, AskToServe)}
    # The two who have not read go first; one of the first three reads again.
    assert set(people) - {e.who for e in asked} <= second
    assert len(second) == 3


def test_a_seat_nobody_can_take_is_open_to_anyone_and_nobody_holds_two_seats() -> None:
    rotation = joined(RoleRules("reader", seats=3), A, B)
    assignments = plan(rotation, 1, facts_for(A, B))
    assert sorted(str(a.who) for a in assignments if a.who) == sorted([A, B])
    assert [a.who for a in assignments].count(None) == 1
    _, effects = announce_next(rotation, 1, facts_for(A, B))
    assert AnyoneMayServe("reader", 1, 2) in effects


def test_one_seat_stepping_back_is_filled_and_the_others_stay() -> None:
    rotation = joined(RoleRules("reader", seats=2), A, B, C)
    facts = facts_for(A, B, C)
    rotation, _ = announce_next(rotation, 1, facts)
    up = rotation.role("reader").upcoming
    assert up is not None
    first, second = up.seats
    assert first is not None
    assert second is not None
    rotation, effects = cant_make_it(rotation, "reader", second)
    assert effects == [TurnVacated("reader", 1)]
    rotation, effects = fill_turn(rotation, "reader", facts)
    (third,) = {A, B, C} - {first, second}
    assert effects == [AskToServe("reader", 1, third, seat=1)]
    up = rotation.role("reader").upcoming
    assert up is not None
    assert up.seats == (first, third)


# --- wait-for-everyone -------------------------------------------------------------------------


def test_wait_for_everyone_changes_who_is_asked_when_the_last_one_waiting_cant_come() -> None:
    facts = facts_for(A, B, C)
    for waiting, expected in ((False, "someone again"), (True, "nobody")):
        rotation = joined(RoleRules("chair", wait_for_everyone=waiting), A, B, C)
        rotation = record_served(record_served(rotation, 1, {"chair": A}), 2, {"chair": B})
        rotation, (asked,) = announce_next(rotation, 3, facts)
        assert asked == AskToServe("chair", 3, C)
        rotation, _ = cant_make_it(rotation, "chair", C)
        rotation, (instead,) = fill_turn(rotation, "chair", facts)
        if expected == "someone again":
            assert instead == AskToServe("chair", 3, A)  # least recently served, a second time
        else:
            # C has not had a turn yet: nobody has a second one before them.
            assert instead == AnyoneMayServe("chair", 3)
            rotation = record_served(rotation, 3, {})
            rotation, (then,) = announce_next(rotation, 4, facts)
            assert then == AskToServe("chair", 4, C)


def test_a_newcomer_joins_the_next_round_and_leaving_and_joining_again_gains_nothing() -> None:
    rules = RoleRules("chair", wait_for_everyone=True)
    rotation = joined(rules, A, B, C)
    facts = facts_for(A, B, C, D)
    rotation = held(rotation, 1, facts)  # one of them has had a turn
    (first,) = [who for who, v in rotation.role("chair").volunteers.items() if v.turns]
    rotation = join(rotation, "chair", D)
    # D is level with whoever served: the two still waiting go before D.
    picks = []
    for meeting in (2, 3):
        rotation = held(rotation, meeting, facts)
        picks += [
            w for w, v in rotation.role("chair").volunteers.items() if v.last_served == meeting
        ]
    assert set(picks) == {A, B, C} - {first}
    # Leaving and joining again puts them level with the most served, not ahead.
    rotation, _ = leave(rotation, first)
    rotation = join(rotation, "chair", first)
    assert rotation.role("chair").volunteers[first].turns == 1
    assert rotation.role("chair").volunteers[first].last_served is None


# --- at-most-every -----------------------------------------------------------------------------


def test_at_most_every_n_meetings() -> None:
    rules = RoleRules("chair", Eligibility(at_most_every=3))
    rotation = joined(rules, A, B)
    rotation = record_served(record_served(rotation, 1, {"chair": A}), 2, {"chair": B})
    facts = facts_for(A, B)
    # A served at 1: not again before meeting 4; B served at 2: not before 5.
    assert [a.who for a in plan(rotation, 3, facts)] == [None]
    assert [a.who for a in plan(rotation, 4, facts)] == [A]
    assert [a.who for a in plan(rotation, 5, facts)] == [A]  # A is still ahead of B


# --- trained -----------------------------------------------------------------------------------


def test_only_volunteers_who_said_they_are_trained_are_chosen() -> None:
    rules = RoleRules("treasurer", Eligibility(trained_only=True))
    rotation = joined(rules, A, B)
    facts = facts_for(A, B)
    assert [a.who for a in plan(rotation, 1, facts)] == [None]
    rotation = join(rotation, "treasurer", B, trained=True)
    assert [a.who for a in plan(rotation, 1, facts)] == [B]
    # Joining again without saying anything keeps what they said; only they can change it.
    rotation = join(rotation, "treasurer", B)
    assert rotation.role("treasurer").volunteers[B].trained
    assert not rotation.role("treasurer").volunteers[A].trained
    rotation = join(rotation, "treasurer", B, trained=False)
    assert [a.who for a in plan(rotation, 1, facts)] == [None]


# --- elected -----------------------------------------------------------------------------------


def test_an_elected_role_is_held_by_the_elected_member_or_nobody() -> None:
    rules = RoleRules("secretary", elected=True)
    rotation = joined(rules, A, B)  # volunteering does not make anyone secretary
    facts = facts_for(A, B, C)
    assert [a.who for a in plan(rotation, 1, facts)] == [None]
    rr = rotation.role("secretary")
    rotation = rotation._with(RoleRotation(rr.rules, rr.volunteers, None, elected=C))
    rotation, (asked,) = announce_next(rotation, 1, facts)
    assert asked == AskToServe("secretary", 1, C, continuing=True)
    # The elected member steps back: the role goes unheld (its fallback applies), not rotated.
    rotation, _ = cant_make_it(rotation, "secretary", C)
    rotation, (instead,) = fill_turn(rotation, "secretary", facts)
    assert instead == AnyoneMayServe("secretary", 1)


# --- substitute --------------------------------------------------------------------------------


def test_the_substitute_roles_holder_covers_a_turn_stepped_back_from() -> None:
    chair = RoleRules("chair", substitute="co-chair")
    co_chair = RoleRules("co-chair")
    rotation = joined(chair, A, B, more=(co_chair,))
    rotation = join(rotation, "co-chair", C)
    facts = facts_for(A, B, C)
    rotation, effects = announce_next(rotation, 1, facts)
    chair_pick = next(e for e in effects if isinstance(e, AskToServe) and e.role == "chair")
    assert AskToServe("co-chair", 1, C) in effects
    rotation, _vacated = cant_make_it(rotation, "chair", chair_pick.who)
    rotation, (cover,) = fill_turn(rotation, "chair", facts)
    assert cover == AskToServe("chair", 1, C, covering=True)
    up = rotation.role("chair").upcoming
    assert up is not None
    assert up.who == C
    assert up.covered == frozenset({0})
    # The substitute can't come either: the turn goes on to the next volunteer.
    rotation, _ = cant_make_it(rotation, "chair", C)
    rotation, (then,) = fill_turn(rotation, "chair", facts)
    assert then == AskToServe("chair", 1, next(iter({A, B} - {chair_pick.who})))


def test_a_swap_hands_the_seat_to_the_other_volunteer() -> None:
    rotation = joined(RoleRules("reader", seats=2), A, B, C)
    facts = facts_for(A, B, C)
    rotation, _ = announce_next(rotation, 1, facts)
    up = rotation.role("reader").upcoming
    assert up is not None
    (free,) = {A, B, C} - set(up.holders)
    holder = up.seats[1]
    assert holder is not None
    rotation, effects = swap(rotation, "reader", holder, free, facts)
    assert effects == [AskToServe("reader", 1, free, seat=1)]


# --- the checker -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ("chair: {at-most-every: 1}", "at most once every 1 meeting is no limit at all"),
        ("chair: {at-most-every: often}", "'often' is not a number of meetings"),
        ("chair: {at-most-every: 60}", "once every 60 meetings is too long a wait"),
        ("chair: {substitute: chair}", "a role can't stand in for itself"),
        ("chair: {substitute: cochair}\n  co-chair: {}", "did you mean 'co-chair'?"),
        ("chair: {substitute: reader}\n  reader: on-the-day", "nobody holds it ahead"),
        ("secretary: {elected: true, rotation: term, term: 1 year}", "is not rotated"),
        ("secretary: {elected: true, seats: 2}", "an elected role has one seat"),
        ("chair: {trained: maybe}", "expected yes or no here, not 'maybe'"),
    ],
)
def test_the_checker_rejects_bad_role_values_clearly(roles: str, message: str) -> None:
    source = f"format: 1\nname: R\nroles:\n  {roles}\nsections:\n  - say: Hi.\n"
    with pytest.raises(FormatError, match=re.escape(message)):
        load_format(source)


def test_the_role_keys_compile_and_show_in_the_preview() -> None:
    source = """
format: 1
name: R
roles:
  chair: {elected: true, term: 1 year, substitute: co-chair}
  co-chair: {at-most-every: 3 meetings, trained: true, wait-for-everyone: true}
  reader: {seats: 2}
sections:
  - say: Hi.
"""
    plan = load_format(source)
    chair, co_chair, reader = plan.roles
    assert (chair.elected, chair.substitute) == (True, "co-chair")
    assert (co_chair.eligibility.at_most_every, co_chair.eligibility.trained) == (3, True)
    assert reader.seats == 2
    preview = " ".join(" ".join(preview_lines(plan)).split())  # the preview wraps its lines
    assert "Chair — elected at a business meeting (the co chair stands in" in preview
    assert "at most once every 3 meetings each" in preview
    assert "only volunteers who have done the group's training" in preview
    assert "Reader — rotates every meeting (2 seats each meeting)." in preview
