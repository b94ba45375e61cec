"""Counting a business meeting's secret ballots: the format's threshold and quorum.

A ballot is a choice and nothing else (:class:`Choice`, or a candidate's place on an election's
ballot). The count is a number per choice; the result names no voter.

* A **motion** carries when at least ``quorum`` ballots were cast (abstentions count towards
  the quorum: they are members who took part) and the yes votes reach the format's threshold of
  the yes and no votes (abstentions are not counted there: :meth:`Threshold.passes`).
* A **motion to table** is a question of order: a majority of the yes and no votes, with the
  same quorum, whatever the format's threshold for motions.
* An **election** elects the candidate with the most votes, when the quorum is met, nobody ties
  with them, and their votes reach the format's threshold of the votes cast for candidates.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from fractions import Fraction

from bot.core.business.matters import BusinessError, Refusal
from bot.core.formats.plan import Threshold
from bot.core.lazy_dataclasses import lazy_dataclass

#: A motion to table carries with more than half of the yes and no votes.
TABLE_THRESHOLD = Threshold(Fraction(1, 2), strictly_more=True)


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


def candidate_choice(place: int) -> str:
    """The ballot's word for the candidate at ``place`` (``c0``, ``c1`` …)."""
    return f"c{place}"


def parse_choice(value: str, candidates: int) -> str:
    """A ballot's choice, checked: yes / no / abstain for a motion (``candidates`` = 0), or a
    candidate's place (or abstain) for an election."""
    if candidates == 0:
        if value in (Choice.YES, Choice.NO, Choice.ABSTAIN):
            return value
        raise BusinessError(Refusal.NOT_A_CANDIDATE)
    if value == Choice.ABSTAIN or value in {candidate_choice(n) for n in range(candidates)}:
        return value
    raise BusinessError(Refusal.NOT_A_CANDIDATE)


class Outcome(StrEnum):
    CARRIED = "carried"
    FAILED = "failed"
    NO_QUORUM = "no_quorum"
    ELECTED = "elected"
    NOT_ELECTED = "not_elected"  # a tie, or nobody reached the threshold


@lazy_dataclass(frozen=True)
class Result:
    outcome: Outcome
    cast: int  # every ballot, abstentions included
    yes: int = 0
    no: int = 0
    abstain: int = 0
    votes: tuple[int, ...] = ()  # an election: votes per candidate, in ballot order
    winner: int | None = None  # an election: the elected candidate's place on the ballot
    tie: bool = False


def _counts(ballots: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for choice in ballots:
        counts[choice] = counts.get(choice, 0) + 1
    return counts


def count_motion(ballots: Iterable[str], threshold: Threshold, quorum: int | None) -> Result:
    counts = _counts(ballots)
    yes, no = counts.get(Choice.YES, 0), counts.get(Choice.NO, 0)
    abstain = counts.get(Choice.ABSTAIN, 0)
    cast = yes + no + abstain
    if quorum is not None and cast < quorum:
        outcome = Outcome.NO_QUORUM
    else:
        outcome = Outcome.CARRIED if threshold.passes(yes, no) else Outcome.FAILED
    return Result(outcome, cast, yes, no, abstain)


def count_election(
    ballots: Iterable[str], candidates: int, threshold: Threshold, quorum: int | None
) -> Result:
    counts = _counts(ballots)
    votes = tuple(counts.get(candidate_choice(n), 0) for n in range(candidates))
    abstain = counts.get(Choice.ABSTAIN, 0)
    cast = sum(votes) + abstain
    if quorum is not None and cast < quorum:
        return Result(Outcome.NO_QUORUM, cast, abstain=abstain, votes=votes)
    top = max(votes, default=0)
    leaders = [n for n, v in enumerate(votes) if v == top]
    if top == 0 or len(leaders) != 1:
        return Result(Outcome.NOT_ELECTED, cast, abstain=abstain, votes=votes, tie=top > 0)
    winner = leaders[0]
    if not threshold.passes(top, sum(votes) - top):
        return Result(Outcome.NOT_ELECTED, cast, abstain=abstain, votes=votes)
    return Result(Outcome.ELECTED, cast, abstain=abstain, votes=votes, winner=winner)
