"""Proposals: a group decision from the motion to the ballot (the voting steps are in
:mod:`bot.core.decisions.voting`).

The state machine (every proposal kind; only an exclusion has a real hearing)::

    propose_*  ──> AWAITING_SECOND ──second──> SECONDED ──open_voting──> VOTING ──close_voting──>
                        │                          │                        │     CARRIED | DEFEATED
                        └──lapse──> LAPSED         └───────cancel───────────┴──> CANCELLED

* ``AWAITING_SECOND``: another member must second before ``deadline`` (default 24 h), or the
  proposal lapses. The proposer cannot second; nor can the member it concerns.
* ``SECONDED``: for an exclusion, the member is told privately what is proposed and why and is
  invited to give their side (``submit_statement``); ballots open when the hearing ends
  (``deadline``, default 12 h). Other kinds open at once (``deadline`` = the second).
* ``VOTING``: the roll is fixed; ballots until ``deadline`` (default 24 h).
* Terminal states exist only for the runtime's conditional update: the close deletes the row.

Exactly once: every transition checks the current state and raises :class:`WrongState` when it
already happened, and :class:`TooEarly` when a deadline fires before it is due. The runtime
persists the returned proposal with ``UPDATE … WHERE id = ? AND state = <the state it read>``
and drops the transition if no row matched.

Kinds (:data:`Motion`): :class:`ExcludeMember` (1 or 2 meetings; needs enough chances to
change), :class:`Change` (a setting or the format) and :class:`WelcomeBack` (ends an exclusion
early, by majority).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from bot.core.decisions._time import require_aware
from bot.core.decisions.ballots import MAJORITY, TWO_THIRDS, BallotBox, Result, Threshold
from bot.core.decisions.concerns import Chances, Concern, guidelines_raised
from bot.core.decisions.effects import (
    AnnounceCancelled,
    AnnounceLapsed,
    AnnounceSeconded,
    AskForSecond,
    CancelDeadline,
    CancelReason,
    DeadlineKind,
    DeleteProposal,
    DeleteVotes,
    Effect,
    ScheduleDeadline,
    SendNotCarried,
    SendNotice,
    ShowStatement,
)
from bot.core.decisions.errors import (
    DecisionRefusal,
    NotEnoughChances,
    Refused,
    TooEarly,
    WrongState,
)
from bot.core.decisions.exclusion import Exclusion
from bot.core.decisions.exclusions import is_excluded
from bot.core.decisions.settings import MAX_EXCLUSION_MEETINGS, DecisionSettings
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym


class ProposalState(StrEnum):
    AWAITING_SECOND = "awaiting_second"
    SECONDED = "seconded"
    VOTING = "voting"
    LAPSED = "lapsed"
    CARRIED = "carried"
    DEFEATED = "defeated"
    CANCELLED = "cancelled"


OPEN_STATES = frozenset(
    {ProposalState.AWAITING_SECOND, ProposalState.SECONDED, ProposalState.VOTING}
)

#: The deadline pending in each open state.
DEADLINE_OF = {
    ProposalState.AWAITING_SECOND: DeadlineKind.SECOND_DUE,
    ProposalState.SECONDED: DeadlineKind.BALLOT_OPENS,
    ProposalState.VOTING: DeadlineKind.BALLOT_CLOSES,
}


@lazy_dataclass(frozen=True)
class ExcludeMember:
    target: Pseudonym
    meetings: int
    guidelines: tuple[str, ...]  # keys of the concerns that gave the chances, for the notice

    def __post_init__(self) -> None:
        if isinstance(self.meetings, bool) or not 1 <= self.meetings <= MAX_EXCLUSION_MEETINGS:
            raise ValueError(f"an exclusion lasts 1 to {MAX_EXCLUSION_MEETINGS} meetings")


@lazy_dataclass(frozen=True)
class Change:
    subject: str  # a setting name, or "format"
    value: str  # the new value, or the format's id


@lazy_dataclass(frozen=True)
class WelcomeBack:
    target: Pseudonym


Motion = ExcludeMember | Change | WelcomeBack


def concerned_member(motion: Motion) -> Pseudonym | None:
    """The member a proposal is about, who may not second it or vote on it."""
    return None if isinstance(motion, Change) else motion.target


@lazy_dataclass(frozen=True)
class Proposal:
    id: str  # opaque, from the caller
    motion: Motion
    state: ProposalState
    created_at: datetime  # voters must have joined the server before this
    deadline: datetime  # when the current step ends (see the module docstring)
    threshold: Threshold  # fixed when proposed, shown on the ballot
    quorum: int
    proposer: Pseudonym | None  # kept only until seconded, to refuse a self-second
    statement: str | None = None  # the member's side; deleted with the proposal
    box: BallotBox | None = None  # while VOTING
    result: Result | None = None  # once closed

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def expect(proposal: Proposal, *states: ProposalState) -> None:
    if proposal.state not in states:
        raise WrongState(frozenset(states), proposal.state)


def require_due(proposal: Proposal, now: datetime) -> None:
    require_aware(now)
    if now < proposal.deadline:
        raise TooEarly(proposal.deadline)


def _open_about(proposals: Iterable[Proposal], target: Pseudonym) -> bool:
    return any(p.is_open and concerned_member(p.motion) == target for p in proposals)


def _new(
    proposal_id: str,
    motion: Motion,
    proposer: Pseudonym,
    threshold: Threshold,
    settings: DecisionSettings,
    now: datetime,
) -> tuple[Proposal, list[Effect]]:
    require_aware(now)
    if not proposal_id:
        raise ValueError("a proposal needs an id")
    due = now + settings.second_within
    proposal = Proposal(
        proposal_id,
        motion,
        ProposalState.AWAITING_SECOND,
        now,
        due,
        threshold,
        settings.quorum,
        proposer,
    )
    return proposal, [
        ScheduleDeadline(DeadlineKind.SECOND_DUE, proposal_id, due),
        AskForSecond(proposal_id, due),
    ]


def propose_exclusion(
    *,
    proposal_id: str,
    proposer: Pseudonym,
    target: Pseudonym,
    meetings: int,
    concerns: Iterable[Concern],
    proposals: Iterable[Proposal],
    exclusions: Iterable[Exclusion],
    latest_meeting: int,
    settings: DecisionSettings,
    now: datetime,
) -> tuple[Proposal, list[Effect]]:
    """Propose that ``target`` sit out the next ``meetings`` (1 or 2) meetings.

    Refused unless the member has had enough chances to change (unexpired concerns at
    ``latest_meeting``, the number of the last meeting held); :class:`NotEnoughChances` says
    exactly what is missing. Refused too while they are excluded or a proposal about them is
    open. Checking that Discord lets the bot exclude them is the runtime's job (then
    :func:`cancel`).
    """
    if proposer == target:
        raise Refused(DecisionRefusal.ABOUT_YOURSELF)
    if isinstance(meetings, bool) or meetings not in range(1, MAX_EXCLUSION_MEETINGS + 1):
        raise Refused(DecisionRefusal.BAD_MEETINGS)
    if is_excluded(exclusions, target, now):
        raise Refused(DecisionRefusal.MEMBER_EXCLUDED)
    if _open_about(proposals, target):
        raise Refused(DecisionRefusal.PROPOSAL_OPEN)
    concerns = list(concerns)
    expiry = settings.concern_expiry_meetings
    missing = Chances.about(concerns, target, latest_meeting, expiry).missing(settings)
    if missing is not None:
        raise NotEnoughChances(missing)
    motion = ExcludeMember(
        target, meetings, guidelines_raised(concerns, target, latest_meeting, expiry)
    )
    return _new(proposal_id, motion, proposer, settings.exclusion_threshold, settings, now)


def propose_change(
    *,
    proposal_id: str,
    proposer: Pseudonym,
    subject: str,
    value: str,
    two_thirds: bool = False,
    proposals: Iterable[Proposal],
    settings: DecisionSettings,
    now: datetime,
) -> tuple[Proposal, list[Effect]]:
    """Propose a change of a setting or of the format (validating ``value`` is the caller's).

    Threshold: the group's change threshold (default majority), or two-thirds when
    ``two_thirds`` (e.g. the format requires it for format changes), whichever is higher.
    """
    if not subject or not value:
        raise ValueError("a change names a subject and a value")
    if any(
        p.is_open and isinstance(p.motion, Change) and p.motion.subject == subject
        for p in proposals
    ):
        raise Refused(DecisionRefusal.PROPOSAL_OPEN)
    threshold = settings.change_threshold
    if two_thirds and not threshold.is_at_least(TWO_THIRDS):
        threshold = TWO_THIRDS
    return _new(proposal_id, Change(subject, value), proposer, threshold, settings, now)


def propose_welcome_back(
    *,
    proposal_id: str,
    proposer: Pseudonym,
    target: Pseudonym,
    proposals: Iterable[Proposal],
    exclusions: Iterable[Exclusion],
    settings: DecisionSettings,
    now: datetime,
) -> tuple[Proposal, list[Effect]]:
    """Propose to end ``target``'s exclusion early (simple majority)."""
    if proposer == target:
        raise Refused(DecisionRefusal.ABOUT_YOURSELF)
    if not is_excluded(exclusions, target, now):
        raise Refused(DecisionRefusal.NOT_EXCLUDED)
    if _open_about(proposals, target):
        raise Refused(DecisionRefusal.PROPOSAL_OPEN)
    return _new(proposal_id, WelcomeBack(target), proposer, MAJORITY, settings, now)


def second(
    proposal: Proposal, seconder: Pseudonym, *, settings: DecisionSettings, now: datetime
) -> tuple[Proposal, list[Effect]]:
    """A second member supports the proposal. For an exclusion the hearing starts: the member
    gets notice and may give their side until ballots open."""
    expect(proposal, ProposalState.AWAITING_SECOND)
    require_aware(now)
    if now >= proposal.deadline:
        raise Refused(DecisionRefusal.TOO_LATE)
    if seconder == proposal.proposer:
        raise Refused(DecisionRefusal.PROPOSER_CANNOT_SECOND)
    if seconder == concerned_member(proposal.motion):
        raise Refused(DecisionRefusal.ABOUT_YOURSELF)
    motion = proposal.motion
    opens = now + settings.hearing if isinstance(motion, ExcludeMember) else now
    effects: list[Effect] = [
        CancelDeadline(DeadlineKind.SECOND_DUE, proposal.id),
        ScheduleDeadline(DeadlineKind.BALLOT_OPENS, proposal.id, opens),
    ]
    if isinstance(motion, ExcludeMember):
        effects.append(
            SendNotice(motion.target, proposal.id, motion.meetings, motion.guidelines, opens)
        )
    effects.append(AnnounceSeconded(proposal.id, opens))
    seconded = replace(proposal, state=ProposalState.SECONDED, deadline=opens, proposer=None)
    return seconded, effects


def submit_statement(
    proposal: Proposal,
    who: Pseudonym,
    text: str,
    *,
    settings: DecisionSettings,
    now: datetime,
) -> tuple[Proposal, list[Effect]]:
    """The member concerned gives (or revises) their side; voters see it with the ballot.

    Accepted during the hearing and while voting is open; deleted when the vote closes.
    """
    expect(proposal, ProposalState.SECONDED, ProposalState.VOTING)
    require_aware(now)
    if not isinstance(proposal.motion, ExcludeMember) or who != proposal.motion.target:
        raise Refused(DecisionRefusal.NOT_THE_MEMBER)
    if proposal.state is ProposalState.VOTING and now >= proposal.deadline:
        raise Refused(DecisionRefusal.TOO_LATE)
    statement = text.strip()
    if not statement:
        raise Refused(DecisionRefusal.STATEMENT_EMPTY)
    if len(statement) > settings.statement_max_chars:
        raise Refused(DecisionRefusal.STATEMENT_TOO_LONG)
    effects: list[Effect] = []
    if proposal.state is ProposalState.VOTING:
        effects.append(ShowStatement(proposal.id))
    return replace(proposal, statement=statement), effects


def lapse(proposal: Proposal, *, now: datetime) -> tuple[Proposal, list[Effect]]:
    """Nobody seconded in time (deadline SECOND_DUE)."""
    expect(proposal, ProposalState.AWAITING_SECOND)
    require_due(proposal, now)
    lapsed = replace(proposal, state=ProposalState.LAPSED, proposer=None)
    return lapsed, [DeleteProposal(proposal.id), AnnounceLapsed(proposal.id)]


def cancel(
    proposal: Proposal, reason: CancelReason, *, now: datetime
) -> tuple[Proposal, list[Effect]]:
    """Stop an open proposal that can no longer go ahead (see :class:`CancelReason`)."""
    expect(proposal, *OPEN_STATES)
    require_aware(now)
    effects: list[Effect] = [CancelDeadline(DEADLINE_OF[proposal.state], proposal.id)]
    if proposal.state is ProposalState.VOTING:
        effects.append(DeleteVotes(proposal.id))
    effects += [DeleteProposal(proposal.id), AnnounceCancelled(proposal.id, reason)]
    motion = proposal.motion
    if isinstance(motion, ExcludeMember) and proposal.state is not ProposalState.AWAITING_SECOND:
        effects.append(SendNotCarried(motion.target, proposal.id))
    cancelled = replace(
        proposal, state=ProposalState.CANCELLED, proposer=None, statement=None, box=None
    )
    return cancelled, effects


def open_proposals(proposals: Iterable[Proposal]) -> list[Proposal]:
    """For ``/vote status``: the open proposals, oldest first."""
    return sorted((p for p in proposals if p.is_open), key=lambda p: p.created_at)
