"""Unit tests of the service rotation core (bot/core/rotation.py)."""

from __future__ import annotations

import pytest

from bot.core.pseudonyms import Pseudonym
from bot.core.rotation import (
    AnyoneMayServe,
    AskToServe,
    Eligibility,
    ForgetVolunteer,
    ForMeetings,
    MemberFacts,
    RoleRules,
    Rotation,
    RotationError,
    RotationRefusal,
    TurnVacated,
    Upcoming,
    Volunteer,
    WeekdayRoster,
    announce_next,
    cant_make_it,
    fill_turn,
    join,
    leave,
    plan,
    record_served,
    swap,
    upcoming_order,
)

A, B, C, D, E = (Pseudonym(f"p{i}") for i in "abcde")
SEASONED = MemberFacts(days_in_server=365, first_meeting=False)
CHAIR = RoleRules("chair")


def facts_for(*people: Pseudonym) -> dict[Pseudonym, MemberFacts]:
    return dict.fromkeys(people, SEASONED)


def rotation_with(
    rules: RoleRules, served: dict[Pseudonym, int | None], *more: RoleRules
) -> Rotation:
    rotation = Rotation.of([rules, *more])
    for who in served:
        rotation = join(rotation, rules.name, who)
    return record_last_served(rotation, rules.name, served)


def record_last_served(
    rotation: Rotation, role: str, served: dict[Pseudonym, int | None]
) -> Rotation:
    for who, meeting in sorted(served.items(), key=lambda kv: kv[1] or 0):
        if meeting is not None:
            rotation = record_served(rotation, meeting, {role: who})
    return rotation


def chair_of(
    rotation: Rotation, meeting: int, facts: dict[Pseudonym, MemberFacts]
) -> Pseudonym | None:
    (assignment,) = plan(rotation, meeting, facts)
    return assignment.who


def test_empty_rotation_means_anyone_may_chair() -> None:
    rotation = Rotation.of([CHAIR])
    new, effects = announce_next(rotation, 1, {})
    assert effects == [AnyoneMayServe("chair", 1)]
    assert new.role("chair").upcoming == Upcoming(1, None)


def test_least_recently_served_goes_first_and_never_served_before_all() -> None:
    rotation = rotation_with(CHAIR, {A: 3, B: 1, C: 2})
    assert chair_of(rotation, 4, facts_for(A, B, C)) == B
    rotation = join(rotation, "chair", D)
    assert chair_of(rotation, 4, facts_for(A, B, C, D)) == D


def test_ties_are_broken_by_meeting_not_by_name_or_join_order() -> None:
    people = [Pseudonym(f"member-{i:02}") for i in range(12)]
    facts = facts_for(*people)
    forward = rotation_with(CHAIR, dict.fromkeys(people))
    backward = rotation_with(CHAIR, dict.fromkeys(reversed(people)))
    firsts = set()
    for meeting in range(1, 40):
        pick = chair_of(forward, meeting, facts)
        assert pick == chair_of(backward, meeting, facts)  # join order does not matter
        assert pick == chair_of(forward, meeting, facts)  # deterministic
        firsts.add(pick)
    assert len(firsts) > 4  # not always the first by name, nor the first to join


def test_the_tie_break_differs_between_roles() -> None:
    people = [Pseudonym(f"member-{i:02}") for i in range(12)]
    chair, reader = RoleRules("chair"), RoleRules("reader")
    orders = {
        role.name: upcoming_order(
            rotation_with(role, dict.fromkeys(people)), role.name, 5, facts_for(*people)
        )
        for role in (chair, reader)
    }
    assert orders["chair"] != orders["reader"]


def test_eligibility_rules_are_applied() -> None:
    rules = RoleRules("chair", Eligibility(min_days_in_server=30, not_twice_in_a_row=True))
    rotation = rotation_with(rules, {A: None, B: None, C: 4})
    facts = {
        A: MemberFacts(days_in_server=10, first_meeting=False),  # too new
        B: MemberFacts(days_in_server=400, first_meeting=True),  # first meeting
        C: SEASONED,  # served last time
    }
    assert chair_of(rotation, 5, facts) is None
    assert chair_of(rotation, 6, facts) == C
    facts[B] = SEASONED
    assert chair_of(rotation, 5, facts) == B


def test_first_meeting_rule_can_be_turned_off() -> None:
    rules = RoleRules("chair", Eligibility(not_first_meeting=False))
    rotation = rotation_with(rules, {A: None})
    assert chair_of(rotation, 1, {A: MemberFacts(0, first_meeting=True)}) == A


def test_volunteers_without_facts_are_not_candidates() -> None:
    rotation = rotation_with(CHAIR, {A: None, B: 1})
    assert chair_of(rotation, 2, facts_for(B)) == B


def test_several_roles_go_to_different_people() -> None:
    reader, timekeeper = RoleRules("reader"), RoleRules("timekeeper")
    rotation = Rotation.of([CHAIR, reader, timekeeper])
    for role in ("chair", "reader", "timekeeper"):
        for who in (A, B, C):
            rotation = join(rotation, role, who)
    assignments = plan(rotation, 1, facts_for(A, B, C))
    assert len({a.who for a in assignments}) == 3
    assert not any(a.double_duty for a in assignments)


def test_matching_gives_the_scarce_volunteer_the_role_only_they_can_do() -> None:
    reader = RoleRules("reader")
    rotation = Rotation.of([CHAIR, reader])
    rotation = join(join(rotation, "chair", A), "chair", B)
    rotation = join(rotation, "reader", A)
    # A is the chair's first pick (never served, B has), but only A can read.
    rotation = record_served(rotation, 1, {"chair": B})
    by_role = {a.role: a.who for a in plan(rotation, 3, facts_for(A, B))}
    assert by_role == {"chair": B, "reader": A}


def test_an_only_volunteer_takes_two_jobs() -> None:
    rotation = Rotation.of([CHAIR, RoleRules("reader")])
    rotation = join(join(rotation, "chair", A), "reader", A)
    assignments = plan(rotation, 1, facts_for(A))
    assert [a.who for a in assignments] == [A, A]
    assert all(a.double_duty for a in assignments)


def test_cant_make_it_passes_the_turn_without_penalty() -> None:
    rotation = rotation_with(CHAIR, {A: 1, B: 2, C: 3})
    rotation, effects = announce_next(rotation, 4, facts_for(A, B, C))
    assert effects == [AskToServe("chair", 4, A)]
    rotation, effects = cant_make_it(rotation, "chair", A)
    assert effects == [TurnVacated("chair", 4)]
    rotation, effects = fill_turn(rotation, "chair", facts_for(A, B, C))
    assert effects == [AskToServe("chair", 4, B)]
    rotation = record_served(rotation, 4, {"chair": B})
    assert chair_of(rotation, 5, facts_for(A, B, C)) == A  # A kept their place


def test_only_the_person_asked_can_say_cant_make_it() -> None:
    rotation, _ = announce_next(rotation_with(CHAIR, {A: 1, B: 2}), 3, facts_for(A, B))
    with pytest.raises(RotationError) as refused:
        cant_make_it(rotation, "chair", B)
    assert refused.value.reason is RotationRefusal.NOT_YOUR_TURN


def test_when_everyone_passes_anyone_may_serve() -> None:
    rotation, _ = announce_next(rotation_with(CHAIR, {A: 1}), 2, facts_for(A))
    rotation, _ = cant_make_it(rotation, "chair", A)
    rotation, effects = fill_turn(rotation, "chair", facts_for(A))
    assert effects == [AnyoneMayServe("chair", 2)]


def test_filling_one_turn_keeps_the_other_roles_as_announced() -> None:
    reader = RoleRules("reader")
    rotation = Rotation.of([CHAIR, reader])
    for role in ("chair", "reader"):
        for who in (A, B, C):
            rotation = join(rotation, role, who)
    rotation, _ = announce_next(rotation, 1, facts_for(A, B, C))
    before = {rr.rules.name: rr.upcoming.who for rr in rotation.roles if rr.upcoming}
    chair = before["chair"]
    assert chair is not None
    rotation, _ = cant_make_it(rotation, "chair", chair)
    rotation, (effect,) = fill_turn(rotation, "chair", facts_for(A, B, C))
    assert isinstance(effect, AskToServe)
    assert effect.who not in (chair, before["reader"])
    assert rotation.role("reader").upcoming == Upcoming(1, before["reader"])


def test_swap_trades_places_and_the_upcoming_turn() -> None:
    rotation = rotation_with(CHAIR, {A: 1, B: 2, C: 3})
    rotation, _ = announce_next(rotation, 4, facts_for(A, B, C))
    rotation, effects = swap(rotation, "chair", A, C, facts_for(A, B, C))
    assert effects == [AskToServe("chair", 4, C)]
    rotation = record_served(rotation, 4, {"chair": C})
    assert upcoming_order(rotation, "chair", 5, facts_for(A, B, C)) == (B, A, C)


def test_swap_refusals() -> None:
    rotation = rotation_with(CHAIR, {A: 1, B: None})
    rotation, _ = announce_next(rotation, 2, {A: SEASONED, B: MemberFacts(1, first_meeting=True)})
    with pytest.raises(RotationError) as same:
        swap(rotation, "chair", A, A, facts_for(A))
    assert same.value.reason is RotationRefusal.SAME_PERSON
    with pytest.raises(RotationError) as outsider:
        swap(rotation, "chair", A, D, facts_for(A, D))
    assert outsider.value.reason is RotationRefusal.NOT_A_VOLUNTEER
    with pytest.raises(RotationError) as ineligible:
        swap(rotation, "chair", A, B, {A: SEASONED, B: MemberFacts(1, first_meeting=True)})
    assert ineligible.value.reason is RotationRefusal.NOT_ELIGIBLE


def test_swap_without_an_upcoming_turn_only_trades_places() -> None:
    rotation = rotation_with(CHAIR, {A: 1, B: 2})
    rotation, effects = swap(rotation, "chair", A, B, facts_for(A, B))
    assert effects == []
    assert chair_of(rotation, 3, facts_for(A, B)) == B


def test_the_turn_counts_for_whoever_served() -> None:
    rotation = rotation_with(CHAIR, {A: 1, B: 2, C: 3})
    rotation, _ = announce_next(rotation, 4, facts_for(A, B, C))
    rotation = record_served(rotation, 4, {"chair": C})  # C stepped in for A
    assert rotation.role("chair").volunteers[C].last_served == 4
    assert rotation.role("chair").volunteers[A].last_served == 1
    assert rotation.role("chair").upcoming is None
    assert chair_of(rotation, 5, facts_for(A, B, C)) == A


def test_a_helper_who_did_not_volunteer_is_not_remembered() -> None:
    rotation = record_served(rotation_with(CHAIR, {A: 1}), 2, {"chair": D})
    assert D not in rotation.role("chair").volunteers


def test_leaving_forgets_the_volunteer_and_vacates_their_turn() -> None:
    rotation = Rotation.of([CHAIR, RoleRules("reader")])
    for role in ("chair", "reader"):
        rotation = join(join(rotation, role, A), role, B)
    rotation = record_served(rotation, 1, {"chair": B, "reader": B})
    rotation, _ = announce_next(rotation, 2, facts_for(A, B))
    upcoming_chair = rotation.role("chair").upcoming
    assert upcoming_chair is not None
    assert upcoming_chair.who == A
    rotation, effects = leave(rotation, A)
    assert ForgetVolunteer("chair", A) in effects
    assert ForgetVolunteer("reader", A) in effects
    assert TurnVacated("chair", 2) in effects
    assert all(A not in rr.volunteers for rr in rotation.roles)
    for meeting in range(2, 10):
        assert A not in {a.who for a in plan(rotation, meeting, facts_for(A, B))}


def test_leaving_one_role_keeps_the_others() -> None:
    rotation = Rotation.of([CHAIR, RoleRules("reader")])
    rotation = join(join(rotation, "chair", A), "reader", A)
    rotation, effects = leave(rotation, A, "reader")
    assert effects == [ForgetVolunteer("reader", A)]
    assert A in rotation.role("chair").volunteers


def test_leaving_twice_is_harmless() -> None:
    rotation, _ = leave(rotation_with(CHAIR, {A: None}), A)
    assert leave(rotation, A) == (rotation, [])


def test_unknown_role_is_refused() -> None:
    with pytest.raises(RotationError) as refused:
        join(Rotation.of([CHAIR]), "treasurer", A)
    assert refused.value.reason is RotationRefusal.UNKNOWN_ROLE


def test_joining_again_keeps_the_place() -> None:
    rotation = rotation_with(CHAIR, {A: 3})
    assert join(rotation, "chair", A).role("chair").volunteers[A] == Volunteer(
        last_served=3, turns=1
    )


def test_a_term_of_n_meetings_keeps_the_same_person() -> None:
    rules = RoleRules("chair", term=ForMeetings(3))
    rotation = rotation_with(rules, {A: None, B: None, C: None})
    facts = facts_for(A, B, C)
    chairs = []
    for meeting in range(1, 10):
        rotation, (effect,) = announce_next(rotation, meeting, facts)
        assert isinstance(effect, AskToServe)
        chairs.append(effect.who)
        rotation = record_served(rotation, meeting, {"chair": effect.who})
    assert chairs[0:3] == [chairs[0]] * 3
    assert chairs[3:6] == [chairs[3]] * 3
    assert chairs[6:9] == [chairs[6]] * 3
    assert len(set(chairs)) == 3


def test_a_stand_in_does_not_start_or_extend_a_term() -> None:
    rules = RoleRules("chair", term=ForMeetings(2))
    rotation = rotation_with(rules, {A: None, B: None, C: None})
    facts = facts_for(A, B, C)
    rotation = record_served(rotation, 1, {"chair": A})  # A's term: meetings 1 and 2
    rotation, (effect,) = announce_next(rotation, 2, facts)
    assert effect == AskToServe("chair", 2, A, continuing=True)
    rotation, _ = cant_make_it(rotation, "chair", A)
    rotation, (stand_in,) = fill_turn(rotation, "chair", facts)
    assert isinstance(stand_in, AskToServe)
    assert not stand_in.continuing
    rotation = record_served(rotation, 2, {"chair": stand_in.who})
    assert rotation.role("chair").volunteers[stand_in.who].term_started is None
    rotation, (after,) = announce_next(rotation, 3, facts)
    assert isinstance(after, AskToServe)
    assert not after.continuing
    assert after.who not in (A, stand_in.who)


def test_weekday_roster_picks_the_days_volunteers_first() -> None:
    rules = RoleRules("chair", term=WeekdayRoster())
    rotation = Rotation.of([rules])
    rotation = join(rotation, "chair", A, weekdays=frozenset({0}))  # Mondays
    rotation = join(rotation, "chair", B, weekdays=frozenset({3}))  # Thursdays
    rotation = join(rotation, "chair", C)  # any day
    facts = facts_for(A, B, C)
    assert plan(rotation, 1, facts, weekday=0)[0].who == A
    assert plan(rotation, 1, facts, weekday=3)[0].who == B
    assert plan(rotation, 1, facts, weekday=5)[0].who == C
    rotation = record_served(rotation, 1, {"chair": A})
    assert plan(rotation, 2, facts, weekday=0)[0].who == A  # still Monday's chair
    assert plan(rotation, 2, facts_for(B, C), weekday=0)[0].who == C


def test_weekdays_must_be_real_days() -> None:
    with pytest.raises(ValueError, match="weekdays"):
        join(Rotation.of([CHAIR]), "chair", A, weekdays=frozenset({7}))


def test_terms_last_at_least_one_meeting() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ForMeetings(0)


def test_upcoming_order_lists_everyone_eligible_once() -> None:
    rotation = rotation_with(CHAIR, {A: 4, B: 2, C: 3, D: None})
    facts = facts_for(A, B, C, D) | {E: SEASONED}
    assert upcoming_order(rotation, "chair", 5, facts) == (D, B, C, A)
    rotation, _ = announce_next(rotation, 5, facts)
    rotation, _ = swap(rotation, "chair", D, A, facts)
    assert upcoming_order(rotation, "chair", 5, facts)[0] == A


def test_upcoming_order_counts_a_newcomer_after_their_first_meeting() -> None:
    rotation = rotation_with(CHAIR, {A: None, B: 1})
    facts = {A: MemberFacts(100, first_meeting=True), B: SEASONED}
    assert upcoming_order(rotation, "chair", 2, facts) == (B, A)
