"""The voting steps of a proposal: open the ballot, cast, close and act on the result.

``open_voting`` runs on the BALLOT_OPENS deadline with a roll the caller built from Discord
facts (``ballots.is_eligible_voter``); ``cast_ballot`` on each click, after the caller checked
the clicker is still eligible; ``close_voting`` on the BALLOT_CLOSES deadline. Closing deletes
the roll, the ballots and the proposal (statement included), announces the result (counts only
from 5 ballots up), and acts on it:

* exclusion carried: the :class:`Exclusion` is saved and applied, the member told when they can
  come back, its backstop scheduled; the concerns about them are deleted (they were used);
* exclusion not carried (defeated or no quorum): the member is told, and the concerns about
  them are deleted too — nothing is kept, and a new proposal needs new chances to change;
* change carried: :class:`ApplyChange`;
* welcome back carried: the exclusion is lifted (``exclusions.lift``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.decisions._time import require_aware
from bot.core.decisions.ballots import BallotBox, BallotOutcome, Choice
from bot.core.decisions.effects import (
    AnnounceResult,
    ApplyChange,
    ApplyExclusion,
    DeadlineKind,
    DeleteConcernsAbout,
    DeleteProposal,
    DeleteVotes,
    Effect,
    MarkVoted,
    PostBallot,
    SaveExclusion,
    SaveRoll,
    ScheduleDeadline,
    SendExclusionNotice,
    SendNotCarried,
    StoreBallot,
    StoreEffect,
)
from bot.core.decisions.errors import DecisionRefusal, Refused
from bot.core.decisions.exclusion import Exclusion
from bot.core.decisions.exclusions import lift
from bot.core.decisions.proposals import (
    Change,
    ExcludeMember,
    Proposal,
    ProposalState,
    WelcomeBack,
    concerned_member,
    expect,
    require_due,
)
from bot.core.decisions.settings import DecisionSettings
from bot.core.pseudonyms import Pseudonym


def open_voting(
    proposal: Proposal,
    roll: frozenset[Pseudonym],
    *,
    settings: DecisionSettings,
    now: datetime,
) -> tuple[Proposal, list[Effect]]:
    """Fix the voter roll and post the ballot. The member concerned is never on the roll."""
    expect(proposal, ProposalState.SECONDED)
    require_due(proposal, now)
    concerned = concerned_member(proposal.motion)
    roll = frozenset(p for p in roll if p != concerned)
    closes = now + settings.voting
    voting = replace(proposal, state=ProposalState.VOTING, deadline=closes, box=BallotBox(roll))
    return voting, [
        SaveRoll(proposal.id, roll),
        ScheduleDeadline(DeadlineKind.BALLOT_CLOSES, proposal.id, closes),
        PostBallot(proposal.id, closes),
    ]


def cast_ballot(
    proposal: Proposal, voter: Pseudonym, choice: Choice, *, key: str, now: datetime
) -> tuple[Proposal, list[Effect]]:
    """One secret ballot. ``key`` is fresh randomness from the caller (never derived from the
    voter or the time). Refused when not on the roll, already voted, or after the deadline."""
    expect(proposal, ProposalState.VOTING)
    require_aware(now)
    if now >= proposal.deadline:
        raise Refused(DecisionRefusal.TOO_LATE)
    box = _box(proposal).cast(voter, choice, key)
    return replace(proposal, box=box), [
        MarkVoted(proposal.id, voter),
        StoreBallot(proposal.id, key, choice),
    ]


def close_voting(
    proposal: Proposal,
    *,
    settings: DecisionSettings,
    next_meeting: int,
    exclusion: Exclusion | None = None,
    meeting_under_way: int | None = None,
    now: datetime,
) -> tuple[Proposal, list[Effect]]:
    """Count, announce, act, and forget (deadline BALLOT_CLOSES).

    ``next_meeting`` is the number the next meeting to start will carry (an exclusion covers
    meetings from there): the count of meetings held + 1. ``meeting_under_way`` is the id of the
    group's meeting in progress, if any: a carried exclusion then waits for it to close (the
    member stays in it; :func:`~bot.core.decisions.exclusions.meeting_closed` starts it).

    ``exclusion`` is the member's active exclusion, needed for a welcome back; if it has
    already lifted, the result is announced and nothing else happens.
    """
    expect(proposal, ProposalState.VOTING)
    require_due(proposal, now)
    result = _box(proposal).tally(quorum=proposal.quorum, threshold=proposal.threshold)
    carried = result.outcome is BallotOutcome.CARRIED
    effects: list[Effect] = [DeleteVotes(proposal.id), DeleteProposal(proposal.id)]
    consequences: list[Effect] = []
    match proposal.motion:
        case ExcludeMember(target=target, meetings=meetings) if carried:
            excluded = Exclusion.begin(
                target,
                meetings,
                next_meeting=next_meeting,
                now=now,
                backstop=settings.backstop,
                after_meeting=meeting_under_way,
            )
            effects += [
                DeleteConcernsAbout(target),
                SaveExclusion(excluded),
                ScheduleDeadline(DeadlineKind.EXCLUSION_BACKSTOP, target, excluded.ends_by),
            ]
            if excluded.started:
                consequences.append(ApplyExclusion(target))
            consequences.append(
                SendExclusionNotice(
                    target, meetings, excluded.ends_by, after_this_meeting=not excluded.started
                )
            )
        case ExcludeMember(target=target):
            effects.append(DeleteConcernsAbout(target))
            consequences.append(SendNotCarried(target, proposal.id))
        case Change(subject=subject, value=value) if carried:
            effects.append(ApplyChange(proposal.id, subject, value))
        case WelcomeBack(target=target) if carried and exclusion and exclusion.target == target:
            lifted = lift(exclusion)
            effects += [e for e in lifted if isinstance(e, StoreEffect)]
            consequences += [e for e in lifted if not isinstance(e, StoreEffect)]
        case _:
            pass
    closed = replace(
        proposal,
        state=ProposalState.CARRIED if carried else ProposalState.DEFEATED,
        proposer=None,
        statement=None,
        box=None,
        result=result,
    )
    return closed, [*effects, AnnounceResult(proposal.id, result), *consequences]


def _box(proposal: Proposal) -> BallotBox:
    if proposal.box is None:
        raise ValueError("a proposal in VOTING carries its ballot box")
    return proposal.box
