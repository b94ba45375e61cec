"""Secret ballots: thresholds, quorum, hidden counts, one ballot per voter, who may vote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from bot.core.decisions import (
    MAJORITY,
    TWO_THIRDS,
    BallotBox,
    BallotOutcome,
    Choice,
    Counts,
    DecisionRefusal,
    Ineligible,
    Refused,
    Result,
    Threshold,
    VoterFacts,
    is_eligible_voter,
    tally,
    why_ineligible,
)
from bot.core.pseudonyms import Pseudonym

Y, N, A = Choice.YES, Choice.NO, Choice.ABSTAIN
PROPOSED = datetime(2025, 3, 3, 19, 0, tzinfo=UTC)
NOW = PROPOSED + timedelta(hours=36)


@pytest.mark.parametrize(
    ("yes", "no", "carries"),
    [(2, 1, True), (1, 1, False), (3, 2, False), (4, 2, True), (0, 0, False), (200, 101, False)],
)
def test_two_thirds_is_at_least_two_thirds_of_yes_and_no(yes: int, no: int, carries: bool) -> None:
    assert TWO_THIRDS.met_by(yes, no) is carries


@pytest.mark.parametrize(("yes", "no", "carries"), [(2, 1, True), (1, 1, False), (3, 2, True)])
def test_a_majority_is_more_than_half(yes: int, no: int, carries: bool) -> None:
    assert MAJORITY.met_by(yes, no) is carries


def test_abstentions_count_for_quorum_not_for_the_threshold() -> None:
    result = tally([Y, Y, N, A, A, A], quorum=6, threshold=TWO_THIRDS)
    assert result == Result(BallotOutcome.CARRIED, Counts(yes=2, no=1, abstain=3))
    assert tally([Y, Y, N, A], quorum=5, threshold=TWO_THIRDS).outcome is BallotOutcome.NO_QUORUM
    assert tally([A, A, A], quorum=3, threshold=MAJORITY).outcome is BallotOutcome.DEFEATED


def test_counts_are_shown_only_from_five_ballots() -> None:
    assert tally([Y, Y, Y, N], quorum=1, threshold=MAJORITY) == Result(BallotOutcome.CARRIED, None)
    shown = tally([Y, Y, Y, N, A], quorum=1, threshold=MAJORITY)
    assert shown.counts == Counts(3, 1, 1)


def test_thresholds_are_fractions_in_range() -> None:
    with pytest.raises(ValueError, match="fraction"):
        Threshold(Fraction(0))
    with pytest.raises(ValueError, match="fraction"):
        Threshold(Fraction(3, 2))
    assert Threshold(Fraction(3, 4)).is_at_least(TWO_THIRDS)
    assert MAJORITY.is_at_least(Threshold(Fraction(1, 2)))
    assert not Threshold(Fraction(1, 2)).is_at_least(MAJORITY)


def test_one_ballot_per_voter_on_the_roll() -> None:
    ana, bo, outsider = Pseudonym("ana"), Pseudonym("bo"), Pseudonym("outsider")
    box = BallotBox(frozenset({ana, bo}))
    box = box.cast(ana, Y, "k1")
    with pytest.raises(Refused) as again:
        box.cast(ana, N, "k2")
    assert again.value.reason is DecisionRefusal.ALREADY_VOTED
    with pytest.raises(Refused) as stranger:
        box.cast(outsider, Y, "k3")
    assert stranger.value.reason is DecisionRefusal.NOT_ON_ROLL
    with pytest.raises(ValueError, match="fresh"):
        box.cast(bo, Y, "k1")
    box = box.cast(bo, N, "k4")
    assert box.voted == {ana, bo}
    assert {b.choice for b in box.ballots} == {Y, N}
    assert not any(hasattr(b, "voter") for b in box.ballots)


def facts(**changes: object) -> VoterFacts:
    base: dict[str, object] = {
        "is_bot": False,
        "in_group": True,
        "joined_server_at": PROPOSED - timedelta(days=30),
        "is_concerned_member": False,
    }
    return VoterFacts(**(base | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (facts(), None),
        (facts(is_bot=True), Ineligible.BOT),
        (facts(in_group=False), Ineligible.NOT_IN_GROUP),
        (facts(is_concerned_member=True), Ineligible.CONCERNED_MEMBER),
        (facts(joined_server_at=PROPOSED + timedelta(minutes=1)), Ineligible.JOINED_AFTER_PROPOSAL),
        (facts(joined_server_at=PROPOSED - timedelta(days=2)), Ineligible.TOO_NEW),
        (facts(joined_server_at=NOW - timedelta(days=7)), None),  # exactly 7 days is enough
        (facts(joined_server_at=PROPOSED - timedelta(days=6, hours=12)), None),
    ],
)
def test_who_may_vote(member: VoterFacts, reason: Ineligible | None) -> None:
    assert why_ineligible(member, proposed_at=PROPOSED, now=NOW, min_days=7) is reason
    eligible = is_eligible_voter(member, proposed_at=PROPOSED, now=NOW, min_days=7)
    assert eligible is (reason is None)
