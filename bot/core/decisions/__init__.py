"""Due process and group decisions, as pure functions over small frozen values.

The path to an exclusion, each step enforced here rather than trusted to the cogs:

1. **Concerns** (:mod:`.concerns`): private, kind notes about one guideline, requested by
   members. They are the member's chances to change, counted without content, and expire.
2. **Proposal** (:mod:`.proposals`): allowed only after enough chances (default 2 current
   concerns from 2 members across 2 meetings), for 1 or 2 meetings; then a **second** by
   another member within 24 h, else it lapses.
3. **Notice and hearing**: the member is told privately and may give their side, shown with
   the ballot; ballots open when the hearing ends (default 12 h).
4. **Secret ballot** (:mod:`.ballots`, :mod:`.voting`): fixed roll, one anonymous ballot each,
   quorum and threshold (default two-thirds of yes+no), counts shown only from 5 ballots.
5. **Exclusion** (:mod:`.exclusions`): the next 1 or 2 held meetings (decided during a
   meeting, it starts when that meeting closes), 30-day backstop, lifts
   itself with a welcome back, and every row about it is deleted.

Changes of settings or format, and welcoming a member back early, use the same proposal and
ballot machinery.

Contract with the runtime
-------------------------
* Every function takes the current state (loaded from the store), the input and ``now``
  (timezone-aware) and returns the new state plus a list of effects (:mod:`.effects`):
  store effects are committed with the state, Discord effects are carried out after.
* Refusals raise :class:`Refused` (``reason``; :class:`NotEnoughChances` adds ``missing``);
  duplicate or stale transitions raise :class:`WrongState`; early deadlines :class:`TooEarly`.
* Deadlines: ``SECOND_DUE`` -> :func:`lapse`, ``BALLOT_OPENS`` -> :func:`open_voting`,
  ``BALLOT_CLOSES`` -> :func:`close_voting`, ``EXCLUSION_BACKSTOP`` -> :func:`backstop_due`.
  After each held meeting: :func:`meeting_held` for every exclusion and :func:`expire` for the
  concerns; after every meeting's close, counted or not: :func:`meeting_closed`. On a member
  (re)joining: :func:`is_excluded`.
* Persons are pseudonyms only. Ids of proposals and ballot keys come from the caller.
"""

from bot.core.decisions.ballots import (
    MAJORITY,
    MIN_BALLOTS_TO_SHOW_COUNTS,
    TWO_THIRDS,
    Ballot,
    BallotBox,
    BallotOutcome,
    Choice,
    Counts,
    Ineligible,
    Result,
    Threshold,
    VoterFacts,
    is_eligible_voter,
    tally,
    why_ineligible,
)
from bot.core.decisions.concerns import Chances, Concern, expire, record_concern
from bot.core.decisions.effects import (
    CancelReason,
    DeadlineKind,
    DiscordEffect,
    Effect,
    StoreEffect,
)
from bot.core.decisions.errors import (
    ChancesMissing,
    DecisionError,
    DecisionRefusal,
    NotEnoughChances,
    Refused,
    TooEarly,
    WrongState,
)
from bot.core.decisions.exclusion import Exclusion
from bot.core.decisions.exclusions import (
    backstop_due,
    is_excluded,
    lift,
    meeting_closed,
    meeting_held,
)
from bot.core.decisions.proposals import (
    Change,
    ExcludeMember,
    Motion,
    Proposal,
    ProposalState,
    WelcomeBack,
    cancel,
    lapse,
    open_proposals,
    propose_change,
    propose_exclusion,
    propose_welcome_back,
    second,
    submit_statement,
)
from bot.core.decisions.settings import MAX_BACKSTOP, MAX_EXCLUSION_MEETINGS, DecisionSettings
from bot.core.decisions.voting import cast_ballot, close_voting, open_voting

__all__ = [
    "MAJORITY",
    "MAX_BACKSTOP",
    "MAX_EXCLUSION_MEETINGS",
    "MIN_BALLOTS_TO_SHOW_COUNTS",
    "TWO_THIRDS",
    "Ballot",
    "BallotBox",
    "BallotOutcome",
    "CancelReason",
    "Chances",
    "ChancesMissing",
    "Change",
    "Choice",
    "Concern",
    "Counts",
    "DeadlineKind",
    "DecisionError",
    "DecisionRefusal",
    "DecisionSettings",
    "DiscordEffect",
    "Effect",
    "ExcludeMember",
    "Exclusion",
    "Ineligible",
    "Motion",
    "NotEnoughChances",
    "Proposal",
    "ProposalState",
    "Refused",
    "Result",
    "StoreEffect",
    "Threshold",
    "TooEarly",
    "VoterFacts",
    "WelcomeBack",
    "WrongState",
    "backstop_due",
    "cancel",
    "cast_ballot",
    "close_voting",
    "expire",
    "is_eligible_voter",
    "is_excluded",
    "lapse",
    "lift",
    "meeting_closed",
    "meeting_held",
    "open_proposals",
    "open_voting",
    "propose_change",
    "propose_exclusion",
    "propose_welcome_back",
    "record_concern",
    "second",
    "submit_statement",
    "tally",
    "why_ineligible",
]
