"""Secret ballots: who may vote, one ballot per voter, and an exact tally.

Two things are kept while a vote is open, and the store must keep them apart:

* the **voter roll**: the pseudonyms eligible to vote, fixed when voting opens, each with a
  "has voted" flag;
* the **ballots**: a random key (supplied by the caller, e.g. ``secrets.token_urlsafe``) and a
  choice. No voter, no timestamp, no sequence number: nothing orders them or links them to the
  roll.

Casting flips the voter's flag and adds a ballot; the store writes both in one transaction, so
a double click gives one ballot. Both are deleted when the vote closes.

The tally uses exact rational arithmetic (:class:`fractions.Fraction`), never floats: a
two-thirds threshold is met by 2 yes to 1 no, and by nothing less. Abstentions count towards
the quorum, not towards the threshold. With fewer than :data:`MIN_BALLOTS_TO_SHOW_COUNTS`
ballots only the outcome is announced, since counts could reveal how a few people voted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from bot.core.decisions.errors import DecisionRefusal, Refused
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym

#: With fewer ballots than this, the result names the outcome only, never the counts.
MIN_BALLOTS_TO_SHOW_COUNTS = 5


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


@lazy_dataclass(frozen=True)
class Threshold:
    """The share of yes among yes+no needed to carry: ``yes/(yes+no) > fraction`` when
    ``strict`` (a majority is *more than* half), ``>=`` otherwise (two-thirds means at least)."""

    fraction: Fraction
    strict: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.fraction <= 1:
            raise ValueError("a threshold is a fraction in (0, 1]")

    def met_by(self, yes: int, no: int) -> bool:
        if yes + no == 0:
            return False
        share = Fraction(yes, yes + no)
        return share > self.fraction if self.strict else share >= self.fraction

    def is_at_least(self, other: Threshold) -> bool:
        """True when this threshold is as demanding as ``other`` or more."""
        return (self.fraction, self.strict) >= (other.fraction, other.strict)


MAJORITY = Threshold(Fraction(1, 2), strict=True)
TWO_THIRDS = Threshold(Fraction(2, 3))


class BallotOutcome(StrEnum):
    CARRIED = "carried"
    DEFEATED = "defeated"
    NO_QUORUM = "no_quorum"  # too few ballots cast (abstentions included)


@lazy_dataclass(frozen=True)
class Counts:
    yes: int = 0
    no: int = 0
    abstain: int = 0

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain


@lazy_dataclass(frozen=True)
class Result:
    """What may be announced: the outcome, and the counts only from 5 ballots up."""

    outcome: BallotOutcome
    counts: Counts | None


def tally(choices: Iterable[Choice], *, quorum: int, threshold: Threshold) -> Result:
    """Count ballots. Order does not matter; callers pass each ballot exactly once."""
    seen = Counter(choices)
    counts = Counts(seen[Choice.YES], seen[Choice.NO], seen[Choice.ABSTAIN])
    if counts.cast < quorum:
        outcome = BallotOutcome.NO_QUORUM
    elif threshold.met_by(counts.yes, counts.no):
        outcome = BallotOutcome.CARRIED
    else:
        outcome = BallotOutcome.DEFEATED
    shown = counts if counts.cast >= MIN_BALLOTS_TO_SHOW_COUNTS else None
    return Result(outcome, shown)


@lazy_dataclass(frozen=True)
class Ballot:
    key: str  # random, from the caller; it links to nothing
    choice: Choice


@lazy_dataclass(frozen=True)
class BallotBox:
    """The roll (fixed at opening), who has voted, and the anonymous ballots."""

    roll: frozenset[Pseudonym]
    voted: frozenset[Pseudonym] = frozenset()
    ballots: frozenset[Ballot] = field(default_factory=frozenset)

    def cast(self, voter: Pseudonym, choice: Choice, key: str) -> BallotBox:
        """One ballot per voter on the roll; anything else is refused and changes nothing."""
        if voter not in self.roll:
            raise Refused(DecisionRefusal.NOT_ON_ROLL)
        if voter in self.voted:
            raise Refused(DecisionRefusal.ALREADY_VOTED)
        if not key or any(b.key == key for b in self.ballots):
            raise ValueError("each ballot needs a fresh random key")
        return replace(
            self, voted=self.voted | {voter}, ballots=self.ballots | {Ballot(key, choice)}
        )

    def tally(self, *, quorum: int, threshold: Threshold) -> Result:
        return tally((b.choice for b in self.ballots), quorum=quorum, threshold=threshold)


# --- who may vote -----------------------------------------------------------------------------


class Ineligible(StrEnum):
    BOT = "bot"
    NOT_IN_GROUP = "not_in_group"  # cannot see the meeting channel / lacks the member role
    CONCERNED_MEMBER = "concerned_member"  # the vote is about them
    JOINED_AFTER_PROPOSAL = "joined_after_proposal"
    TOO_NEW = "too_new"  # joined the server fewer than N days ago


@lazy_dataclass(frozen=True)
class VoterFacts:
    """Discord facts about one member, computed by the caller at the moment of asking."""

    is_bot: bool
    in_group: bool
    joined_server_at: datetime
    is_concerned_member: bool


def why_ineligible(
    facts: VoterFacts, *, proposed_at: datetime, now: datetime, min_days: int
) -> Ineligible | None:
    """None when the member may vote; otherwise the first reason they may not.

    Used to build the roll when voting opens, and again on every click (a member who left the
    group since opening is refused, though their roll entry stays until the close).
    """
    if facts.is_bot:
        return Ineligible.BOT
    if not facts.in_group:
        return Ineligible.NOT_IN_GROUP
    if facts.is_concerned_member:
        return Ineligible.CONCERNED_MEMBER
    if facts.joined_server_at >= proposed_at:
        return Ineligible.JOINED_AFTER_PROPOSAL
    if now - facts.joined_server_at < timedelta(days=min_days):
        return Ineligible.TOO_NEW
    return None


def is_eligible_voter(
    facts: VoterFacts, *, proposed_at: datetime, now: datetime, min_days: int
) -> bool:
    return why_ineligible(facts, proposed_at=proposed_at, now=now, min_days=min_days) is None
