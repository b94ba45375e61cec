"""Hypothesis properties of the service rotation: fairness, eligibility, one job each."""

from __future__ import annotations

from itertools import permutations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.pseudonyms import Pseudonym
from bot.core.rotation import (
    AskToServe,
    Eligibility,
    MemberFacts,
    RoleRules,
    Rotation,
    announce_next,
    cant_make_it,
    fill_turn,
    join,
    plan,
    record_served,
)

SEASONED = MemberFacts(days_in_server=365, first_meeting=False)
people = st.integers(min_value=1, max_value=8).map(
    lambda n: [Pseudonym(f"volunteer-{i}") for i in range(n)]
)


def single_role(volunteers: list[Pseudonym], rules: RoleRules) -> Rotation:
    rotation = Rotation.of([rules])
    for who in volunteers:
        rotation = join(rotation, rules.name, who)
    return rotation


@settings(max_examples=60, deadline=None)
@given(volunteers=people, cycles=st.integers(min_value=1, max_value=4))
def test_every_volunteer_serves_once_in_every_full_cycle(
    volunteers: list[Pseudonym], cycles: int
) -> None:
    rotation = single_role(volunteers, RoleRules("chair"))
    facts = dict.fromkeys(volunteers, SEASONED)
    n = len(volunteers)
    chairs = []
    for meeting in range(1, n * cycles + 1):
        rotation, (effect,) = announce_next(rotation, meeting, facts)
        assert isinstance(effect, AskToServe)
        chairs.append(effect.who)
        rotation = record_served(rotation, meeting, {"chair": effect.who})
    for start in range(len(chairs) - n + 1):
        assert sorted(chairs[start : start + n]) == sorted(volunteers)


meeting_events = st.lists(
    st.tuples(
        st.sets(st.integers(min_value=0, max_value=7)),  # who is ineligible today
        st.lists(st.booleans(), max_size=3),  # successive answers: True = can't make it
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=80, deadline=None)
@given(
    volunteers=people,
    events=meeting_events,
    min_days=st.integers(min_value=0, max_value=60),
    not_twice=st.booleans(),
)
def test_nobody_serves_twice_while_an_eligible_volunteer_waits(
    volunteers: list[Pseudonym],
    events: list[tuple[set[int], list[bool]]],
    min_days: int,
    not_twice: bool,
) -> None:
    rules = RoleRules(
        "chair", Eligibility(min_days_in_server=min_days, not_twice_in_a_row=not_twice)
    )
    rotation = single_role(volunteers, rules)
    last: dict[Pseudonym, int] = {}
    for meeting, (away, answers) in enumerate(events, start=1):
        facts = {
            who: MemberFacts(days_in_server=0 if i in away else 365, first_meeting=False)
            for i, who in enumerate(volunteers)
        }
        rotation, (effect,) = announce_next(rotation, meeting, facts)
        passed: set[Pseudonym] = set()
        for cannot in answers:
            if not isinstance(effect, AskToServe) or not cannot:
                break
            passed.add(effect.who)
            rotation, _ = cant_make_it(rotation, "chair", effect.who)
            rotation, (effect,) = fill_turn(rotation, "chair", facts)
        eligible = {
            who
            for who, f in facts.items()
            if f.days_in_server >= min_days
            and not (not_twice and last.get(who) == meeting - 1)
            and who not in passed
        }
        if not isinstance(effect, AskToServe):
            assert not eligible  # "anyone may chair" only when nobody eligible is left
            continue
        chosen = effect.who
        assert chosen in eligible  # eligibility rules always hold
        if chosen in last:  # everyone eligible and waiting has served since chosen last did
            assert all(last.get(other, -1) > last[chosen] for other in eligible - {chosen})
        last[chosen] = meeting
        rotation = record_served(rotation, meeting, {"chair": chosen})


def has_distinct_representatives(options: list[set[Pseudonym]]) -> bool:
    pool = sorted(set().union(*options)) if options else []
    if len(pool) < len(options):
        return False
    return any(
        all(p in opts for p, opts in zip(choice, options, strict=True))
        for choice in permutations(pool, len(options))
    )


@settings(max_examples=150, deadline=None)
@given(
    membership=st.lists(
        st.sets(st.integers(min_value=0, max_value=5), max_size=6), min_size=1, max_size=4
    ),
    new=st.sets(st.integers(min_value=0, max_value=5)),
    history=st.dictionaries(st.integers(min_value=0, max_value=5), st.integers(1, 9)),
)
def test_nobody_gets_two_jobs_when_enough_volunteers_exist(
    membership: list[set[int]], new: set[int], history: dict[int, int]
) -> None:
    names = [f"role-{r}" for r in range(len(membership))]
    rotation = Rotation.of([RoleRules(n, Eligibility(not_first_meeting=True)) for n in names])
    person = [Pseudonym(f"v{i}") for i in range(6)]
    for name, members in zip(names, membership, strict=True):
        for i in members:
            rotation = join(rotation, name, person[i])
        for i in sorted(members, key=lambda i: history.get(i, 0)):
            if i in history:
                rotation = record_served(rotation, history[i], {name: person[i]})
    facts = {p: MemberFacts(100, first_meeting=i in new) for i, p in enumerate(person)}
    eligible = [{person[i] for i in members if i not in new} for members in membership]
    assignments = plan(rotation, 10, facts)
    for a, options in zip(assignments, eligible, strict=True):
        assert (a.who is None) == (not options)  # a role is filled whenever someone can
        assert a.who is None or a.who in options
    fillable = [options for options in eligible if options]
    taken = [a.who for a in assignments if a.who is not None]
    if has_distinct_representatives(fillable):
        assert len(taken) == len(set(taken))
        assert not any(a.double_duty for a in assignments)
