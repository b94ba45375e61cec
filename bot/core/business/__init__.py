"""Live business meetings, pure: motions moved, seconded, discussed and voted; motions to
table; elections for service roles; counting secret ballots by the format's threshold and
quorum. No I/O, no clock, no discord: the runtime (:mod:`bot.runtime.business`) passes ``now``
and stores the results."""

from bot.core.business.matters import (
    MAX_CANDIDATES,
    MOTION_LIMIT,
    BusinessError,
    Kind,
    Matter,
    Refusal,
    Stage,
    decided,
    election,
    may_be_tabled,
    move,
    open_ballot,
    second,
    stand,
    stand_down,
    table,
    withdraw,
)
from bot.core.business.tally import (
    TABLE_THRESHOLD,
    Choice,
    Outcome,
    Result,
    candidate_choice,
    count_election,
    count_motion,
    parse_choice,
)
from bot.core.business.terms import term_ends, term_ends_at

__all__ = [
    "MAX_CANDIDATES",
    "MOTION_LIMIT",
    "TABLE_THRESHOLD",
    "BusinessError",
    "Choice",
    "Kind",
    "Matter",
    "Outcome",
    "Refusal",
    "Result",
    "Stage",
    "candidate_choice",
    "count_election",
    "count_motion",
    "decided",
    "election",
    "may_be_tabled",
    "move",
    "open_ballot",
    "parse_choice",
    "second",
    "stand",
    "stand_down",
    "table",
    "term_ends",
    "term_ends_at",
    "withdraw",
]
