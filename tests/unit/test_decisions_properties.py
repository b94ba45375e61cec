"""Hypothesis properties of due process: the exclusion cap, exact tallies, one ballot each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.decisions import (
    MAX_BACKSTOP,
    MIN_BALLOTS_TO_SHOW_COUNTS,
    BallotOutcome,
    Choice,
    Counts,
    DecisionSettings,
    Exclusion,
    Proposal,
    Refused,
    Threshold,
    cast_ballot,
    is_excluded,
    meeting_held,
    open_voting,
    propose_change,
    second,
    tally,
)
from bot.core.decisions.effects import RemoveExclusion
from bot.core.pseudonyms import Pseudonym

T0 = datetime(2025, 3, 3, 19, 0, tzinfo=UTC)
MEMBER = Pseudonym("member")
choices = st.sampled_from(list(Choice))


@settings(max_examples=300, deadline=None)
@given(
    meetings=st.integers(min_value=1, max_value=2),
    next_meeting=st.integers(min_value=1, max_value=50),
    backstop_days=st.integers(min_value=1, max_value=MAX_BACKSTOP.days),
    events=st.lists(
        st.tuples(st.integers(min_value=0, max_value=3), st.integers(min_value=0, max_value=20)),
        max_size=12,
    ),
)
def test_an_exclusion_never_exceeds_its_meetings_or_the_backstop(
    meetings: int, next_meeting: int, backstop_days: int, events: list[tuple[int, int]]
) -> None:
    """Held meetings arrive in order (with repeats, gaps, and the one under way at the vote),
    days pass between them; the member misses at most ``meetings`` meetings that started after
    the decision, and never stays excluded past the backstop."""
    backstop = timedelta(days=backstop_days)
    exclusion: Exclusion | None = Exclusion.begin(
        MEMBER, meetings, next_meeting=next_meeting, now=T0, backstop=backstop
    )
    assert exclusion is not None
    ends_by = exclusion.ends_by
    assert ends_by - T0 == backstop <= MAX_BACKSTOP
    number, now, missed = next_meeting - 1, T0, set()
    for step, days in events:
        number, now = number + step, now + timedelta(days=days)
        if exclusion is None:
            break
        assert is_excluded([exclusion], MEMBER, now) is (now < ends_by)
        if number >= next_meeting and now < ends_by:
            missed.add(number)  # this meeting ran while they were kept out
        exclusion, effects = meeting_held(exclusion, number, now)
        assert (exclusion is None) is (RemoveExclusion(MEMBER) in effects)
        assert exclusion is None or now < ends_by  # past the backstop it always lifts
    assert len(missed) <= meetings <= 2


@given(st.integers().filter(lambda n: n not in (1, 2)))
def test_no_exclusion_of_other_than_one_or_two_meetings_can_exist(meetings: int) -> None:
    with pytest.raises(ValueError, match="meetings"):
        Exclusion(MEMBER, meetings, 1, T0, T0 + timedelta(days=1))


thresholds = st.builds(
    lambda den, num, strict: Threshold(Fraction(min(num, den), den), strict),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=12),
    st.booleans(),
)


@settings(max_examples=500)
@given(
    yes=st.integers(min_value=0, max_value=10_000),
    no=st.integers(min_value=0, max_value=10_000),
    abstain=st.integers(min_value=0, max_value=50),
    quorum=st.integers(min_value=1, max_value=30),
    threshold=thresholds,
)
def test_quorum_and_threshold_are_exact(
    yes: int, no: int, abstain: int, quorum: int, threshold: Threshold
) -> None:
    ballots = [Choice.YES] * yes + [Choice.NO] * no + [Choice.ABSTAIN] * abstain
    result = tally(ballots, quorum=quorum, threshold=threshold)
    num, den = threshold.fraction.numerator, threshold.fraction.denominator
    if yes + no + abstain < quorum:
        expected = BallotOutcome.NO_QUORUM
    elif yes + no > 0 and (
        yes * den > num * (yes + no) if threshold.strict else yes * den >= num * (yes + no)
    ):
        expected = BallotOutcome.CARRIED
    else:
        expected = BallotOutcome.DEFEATED
    assert result.outcome is expected
    shown = yes + no + abstain >= MIN_BALLOTS_TO_SHOW_COUNTS
    assert result.counts == (Counts(yes, no, abstain) if shown else None)


@given(k=st.integers(min_value=1, max_value=3000))
def test_exactly_two_thirds_carries_and_one_vote_less_does_not(k: int) -> None:
    two_thirds = Threshold(Fraction(2, 3))
    assert (
        tally([Choice.YES] * 2 * k + [Choice.NO] * k, quorum=1, threshold=two_thirds).outcome
        is BallotOutcome.CARRIED
    )
    assert (
        tally([Choice.YES] * (2 * k - 1) + [Choice.NO] * k, quorum=1, threshold=two_thirds).outcome
        is BallotOutcome.DEFEATED
    )


def open_vote(roll: frozenset[Pseudonym]) -> Proposal:
    rules = DecisionSettings()
    proposal, _ = propose_change(
        proposal_id="p",
        proposer=Pseudonym("x"),
        subject="s",
        value="v",
        proposals=(),
        settings=rules,
        now=T0,
    )
    proposal, _ = second(proposal, Pseudonym("y"), settings=rules, now=T0)
    proposal, _ = open_voting(proposal, roll, settings=rules, now=T0)
    return proposal


@settings(max_examples=200, deadline=None)
@given(
    roll_size=st.integers(min_value=0, max_value=10),
    clicks=st.lists(st.tuples(st.integers(min_value=0, max_value=13), choices), max_size=40),
    data=st.data(),
)
def test_each_ballot_counts_exactly_once_whatever_the_clicks(
    roll_size: int, clicks: list[tuple[int, Choice]], data: st.DataObject
) -> None:
    """Double clicks, strangers and any order: each voter on the roll counts once, with the
    choice of their first accepted click, and the tally does not depend on the order."""
    voters = [Pseudonym(f"voter-{i}") for i in range(14)]
    roll = frozenset(voters[:roll_size])
    proposal = open_vote(roll)
    first: dict[Pseudonym, Choice] = {}
    for n, (who, choice) in enumerate(clicks):
        voter = voters[who]
        try:
            proposal, _ = cast_ballot(
                proposal, voter, choice, key=f"k{n}", now=T0 + timedelta(hours=1)
            )
        except Refused:
            assert voter not in roll or voter in first
            continue
        assert voter in roll
        assert voter not in first
        first[voter] = choice
    assert proposal.box is not None
    assert proposal.box.voted == set(first)
    assert sorted(b.choice for b in proposal.box.ballots) == sorted(first.values())
    ballots = [b.choice for b in proposal.box.ballots]
    shuffled = data.draw(st.permutations(ballots))
    quorum, threshold = data.draw(st.integers(1, 6)), data.draw(thresholds)
    assert tally(shuffled, quorum=quorum, threshold=threshold) == tally(
        ballots, quorum=quorum, threshold=threshold
    )
    assert proposal.box.tally(quorum=quorum, threshold=threshold) == tally(
        first.values(), quorum=quorum, threshold=threshold
    )
