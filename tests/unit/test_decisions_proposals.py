"""Proposals from the motion to the result: seconds, notice, hearing, ballot, close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.decisions import (
    MAJORITY,
    TWO_THIRDS,
    BallotOutcome,
    CancelReason,
    ChancesMissing,
    Choice,
    Concern,
    Counts,
    DecisionRefusal,
    DecisionSettings,
    DiscordEffect,
    Effect,
    Exclusion,
    NotEnoughChances,
    Proposal,
    ProposalState,
    Refused,
    StoreEffect,
    TooEarly,
    WrongState,
    cancel,
    cast_ballot,
    close_voting,
    lapse,
    lift,
    open_proposals,
    open_voting,
    propose_change,
    propose_exclusion,
    propose_welcome_back,
    second,
    submit_statement,
)
from bot.core.decisions.effects import (
    AnnounceCancelled,
    AnnounceLapsed,
    AnnounceResult,
    AnnounceSeconded,
    ApplyChange,
    ApplyExclusion,
    AskForSecond,
    CancelDeadline,
    DeadlineKind,
    DeleteConcernsAbout,
    DeleteProposal,
    DeleteVotes,
    MarkVoted,
    PostBallot,
    SaveExclusion,
    SaveRoll,
    ScheduleDeadline,
    SendExclusionNotice,
    SendNotCarried,
    SendNotice,
    ShowStatement,
    StoreBallot,
)
from bot.core.pseudonyms import Pseudonym

T0 = datetime(2025, 3, 3, 19, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
S = DecisionSettings()
MEMBER = Pseudonym("member")
ANA, BO, CY, DEE, ED, FAY, GUS = (
    Pseudonym(n) for n in ("ana", "bo", "cy", "dee", "ed", "fay", "gus")
)
VOTERS = frozenset({ANA, BO, CY, DEE, ED, FAY, GUS})
CHANCES = (Concern(MEMBER, ANA, 4, "crosstalk"), Concern(MEMBER, BO, 5, "sharing-time"))


def propose(**changes: object) -> tuple[Proposal, list[Effect]]:
    args: dict[str, object] = {
        "proposal_id": "prop-1",
        "proposer": CY,
        "target": MEMBER,
        "meetings": 1,
        "concerns": CHANCES,
        "proposals": (),
        "exclusions": (),
        "latest_meeting": 6,
        "settings": S,
        "now": T0,
    }
    return propose_exclusion(**(args | changes))  # type: ignore[arg-type]


def seconded() -> Proposal:
    proposal, _ = propose()
    proposal, _ = second(proposal, DEE, settings=S, now=T0 + HOUR)
    return proposal


def voting(roll: frozenset[Pseudonym] = VOTERS) -> Proposal:
    proposal = seconded()
    proposal, _ = open_voting(proposal, roll, settings=S, now=proposal.deadline)
    return proposal


def cast_all(proposal: Proposal, choices: dict[Pseudonym, Choice]) -> Proposal:
    for i, (voter, choice) in enumerate(choices.items()):
        proposal, _ = cast_ballot(proposal, voter, choice, key=f"key-{i}", now=T0 + 20 * HOUR)
    return proposal


def close(proposal: Proposal, **kw: object) -> tuple[Proposal, list[Effect]]:
    return close_voting(proposal, settings=S, next_meeting=7, now=proposal.deadline, **kw)  # type: ignore[arg-type]


def test_an_exclusion_proposal_awaits_a_second_without_naming_the_proposer() -> None:
    proposal, effects = propose(meetings=2)
    assert proposal.state is ProposalState.AWAITING_SECOND
    assert proposal.threshold == TWO_THIRDS
    assert proposal.quorum == S.quorum
    assert proposal.motion.guidelines == ("crosstalk", "sharing-time")  # type: ignore[union-attr]
    assert effects == [
        ScheduleDeadline(DeadlineKind.SECOND_DUE, "prop-1", T0 + 24 * HOUR),
        AskForSecond("prop-1", T0 + 24 * HOUR),
    ]


def test_a_proposal_needs_chances_to_change_first() -> None:
    with pytest.raises(NotEnoughChances) as refused:
        propose(concerns=CHANCES[:1])
    assert refused.value.reason is DecisionRefusal.NOT_ENOUGH_CHANCES
    assert refused.value.missing == ChancesMissing(concerns=1, requesters=1, meetings=1)
    with pytest.raises(NotEnoughChances):
        propose(latest_meeting=11)  # both concerns have expired


@pytest.mark.parametrize("meetings", [0, 3, 12, -1])
def test_only_one_or_two_meetings(meetings: int) -> None:
    with pytest.raises(Refused) as refused:
        propose(meetings=meetings)
    assert refused.value.reason is DecisionRefusal.BAD_MEETINGS


def test_no_second_proposal_about_the_same_member() -> None:
    open_one, _ = propose()
    with pytest.raises(Refused) as refused:
        propose(proposal_id="prop-2", proposals=[open_one])
    assert refused.value.reason is DecisionRefusal.PROPOSAL_OPEN
    closed, _ = lapse(open_one, now=open_one.deadline)
    propose(proposal_id="prop-2", proposals=[closed])


def test_no_proposal_while_the_member_is_excluded_nor_about_yourself() -> None:
    exclusion = Exclusion(MEMBER, 1, 6, T0 - HOUR, T0 + timedelta(days=29))
    with pytest.raises(Refused) as excluded:
        propose(exclusions=[exclusion])
    assert excluded.value.reason is DecisionRefusal.MEMBER_EXCLUDED
    with pytest.raises(Refused) as yourself:
        propose(proposer=MEMBER)
    assert yourself.value.reason is DecisionRefusal.ABOUT_YOURSELF


def test_second_starts_the_notice_and_hearing() -> None:
    proposal, _ = propose(meetings=2)
    new, effects = second(proposal, DEE, settings=S, now=T0 + HOUR)
    opens = T0 + 13 * HOUR
    assert new.state is ProposalState.SECONDED
    assert new.deadline == opens
    assert new.proposer is None  # no longer needed, no longer kept
    assert effects == [
        CancelDeadline(DeadlineKind.SECOND_DUE, "prop-1"),
        ScheduleDeadline(DeadlineKind.BALLOT_OPENS, "prop-1", opens),
        SendNotice(MEMBER, "prop-1", 2, ("crosstalk", "sharing-time"), opens),
        AnnounceSeconded("prop-1", opens),
    ]
    with pytest.raises(WrongState):
        second(new, ED, settings=S, now=T0 + 2 * HOUR)  # exactly once


@pytest.mark.parametrize(
    ("who", "when", "reason"),
    [
        (CY, T0 + HOUR, DecisionRefusal.PROPOSER_CANNOT_SECOND),
        (MEMBER, T0 + HOUR, DecisionRefusal.ABOUT_YOURSELF),
        (DEE, T0 + 24 * HOUR, DecisionRefusal.TOO_LATE),
    ],
)
def test_who_cannot_second(who: Pseudonym, when: datetime, reason: DecisionRefusal) -> None:
    proposal, _ = propose()
    with pytest.raises(Refused) as refused:
        second(proposal, who, settings=S, now=when)
    assert refused.value.reason is reason


def test_an_unseconded_proposal_lapses_at_its_deadline() -> None:
    proposal, _ = propose()
    with pytest.raises(TooEarly):
        lapse(proposal, now=T0 + 23 * HOUR)
    lapsed, effects = lapse(proposal, now=T0 + 24 * HOUR)
    assert lapsed.state is ProposalState.LAPSED
    assert effects == [DeleteProposal("prop-1"), AnnounceLapsed("prop-1")]
    with pytest.raises(WrongState):
        lapse(lapsed, now=T0 + 25 * HOUR)
    with pytest.raises(WrongState):  # a stale timer after the second changes nothing
        lapse(seconded(), now=T0 + 25 * HOUR)


def test_the_member_may_give_their_side_which_is_shown_and_then_deleted() -> None:
    proposal = seconded()
    heard, effects = submit_statement(
        proposal, MEMBER, "  I was upset. I'll do better.  ", settings=S, now=T0 + 2 * HOUR
    )
    assert heard.statement == "I was upset. I'll do better."
    assert effects == []
    voting_now, _ = open_voting(heard, VOTERS, settings=S, now=heard.deadline)
    assert voting_now.statement == heard.statement
    revised, effects = submit_statement(
        voting_now, MEMBER, "Revised.", settings=S, now=voting_now.deadline - HOUR
    )
    assert effects == [ShowStatement("prop-1")]
    closed, effects = close(revised)
    assert closed.statement is None
    assert DeleteProposal("prop-1") in effects


@pytest.mark.parametrize(
    ("who", "text", "reason"),
    [
        (ANA, "Not about me.", DecisionRefusal.NOT_THE_MEMBER),
        (MEMBER, "   ", DecisionRefusal.STATEMENT_EMPTY),
        (MEMBER, "x" * 1001, DecisionRefusal.STATEMENT_TOO_LONG),
    ],
)
def test_statement_refusals(who: Pseudonym, text: str, reason: DecisionRefusal) -> None:
    with pytest.raises(Refused) as refused:
        submit_statement(seconded(), who, text, settings=S, now=T0 + 2 * HOUR)
    assert refused.value.reason is reason


def test_no_statement_before_notice() -> None:
    proposal, _ = propose()
    with pytest.raises(WrongState):
        submit_statement(proposal, MEMBER, "Early.", settings=S, now=T0)


def test_ballots_open_only_after_the_hearing_and_never_for_the_member() -> None:
    proposal = seconded()
    with pytest.raises(TooEarly):
        open_voting(proposal, VOTERS, settings=S, now=proposal.deadline - timedelta(seconds=1))
    opened, effects = open_voting(proposal, VOTERS | {MEMBER}, settings=S, now=proposal.deadline)
    closes = proposal.deadline + 24 * HOUR
    assert opened.state is ProposalState.VOTING
    assert opened.box is not None
    assert opened.box.roll == VOTERS
    assert effects == [
        SaveRoll("prop-1", VOTERS),
        ScheduleDeadline(DeadlineKind.BALLOT_CLOSES, "prop-1", closes),
        PostBallot("prop-1", closes),
    ]
    with pytest.raises(WrongState):
        open_voting(opened, VOTERS, settings=S, now=closes)


def test_casting_a_ballot_records_voter_and_ballot_separately() -> None:
    proposal = voting()
    proposal, effects = cast_ballot(proposal, ANA, Choice.YES, key="r4nd0m", now=T0 + 20 * HOUR)
    assert effects == [MarkVoted("prop-1", ANA), StoreBallot("prop-1", "r4nd0m", Choice.YES)]
    with pytest.raises(Refused) as twice:
        cast_ballot(proposal, ANA, Choice.NO, key="other", now=T0 + 20 * HOUR)
    assert twice.value.reason is DecisionRefusal.ALREADY_VOTED
    with pytest.raises(Refused) as member:
        cast_ballot(proposal, MEMBER, Choice.NO, key="k", now=T0 + 20 * HOUR)
    assert member.value.reason is DecisionRefusal.NOT_ON_ROLL
    with pytest.raises(Refused) as late:
        cast_ballot(proposal, BO, Choice.NO, key="k", now=proposal.deadline)
    assert late.value.reason is DecisionRefusal.TOO_LATE
    with pytest.raises(WrongState):
        cast_ballot(seconded(), BO, Choice.NO, key="k", now=T0 + 2 * HOUR)


def test_a_carried_exclusion_is_applied_with_notice_and_backstop() -> None:
    proposal = cast_all(
        voting(),
        {ANA: Choice.YES, BO: Choice.YES, CY: Choice.YES, DEE: Choice.NO, ED: Choice.ABSTAIN},
    )
    with pytest.raises(TooEarly):
        close_voting(proposal, settings=S, next_meeting=7, now=proposal.deadline - HOUR)
    closed, effects = close(proposal)
    ends = proposal.deadline + timedelta(days=30)
    exclusion = Exclusion(MEMBER, 1, 7, proposal.deadline, ends)
    assert closed.state is ProposalState.CARRIED
    assert closed.box is None
    assert effects == [
        DeleteVotes("prop-1"),
        DeleteProposal("prop-1"),
        DeleteConcernsAbout(MEMBER),
        SaveExclusion(exclusion),
        ScheduleDeadline(DeadlineKind.EXCLUSION_BACKSTOP, MEMBER, ends),
        AnnounceResult("prop-1", closed.result),  # type: ignore[arg-type]
        ApplyExclusion(MEMBER),
        SendExclusionNotice(MEMBER, 1, ends),
    ]
    assert closed.result is not None
    assert closed.result.counts == Counts(yes=3, no=1, abstain=1)
    with pytest.raises(WrongState):
        close(closed)  # two closes, one action


def test_an_exclusion_carried_during_a_meeting_waits_for_it_to_close() -> None:
    proposal = cast_all(voting(), {ANA: Choice.YES, BO: Choice.YES, CY: Choice.YES})
    _, effects = close(proposal, meeting_under_way=41)
    ends = proposal.deadline + timedelta(days=30)
    waiting = Exclusion(MEMBER, 1, 7, proposal.deadline, ends, after_meeting=41)
    assert SaveExclusion(waiting) in effects
    assert not any(isinstance(e, ApplyExclusion) for e in effects)  # not in the meeting under way
    assert effects[-1] == SendExclusionNotice(MEMBER, 1, ends, after_this_meeting=True)


def test_store_effects_come_before_discord_effects() -> None:
    proposal = cast_all(voting(), {ANA: Choice.YES, BO: Choice.YES, CY: Choice.YES})
    _, effects = close(proposal)
    kinds = [isinstance(e, StoreEffect) for e in effects]
    assert kinds == sorted(kinds, reverse=True)
    assert all(isinstance(e, StoreEffect | DiscordEffect) for e in effects)


def test_a_small_vote_announces_only_the_outcome() -> None:
    proposal = cast_all(voting(), {ANA: Choice.YES, BO: Choice.YES, CY: Choice.NO})
    closed, _ = close(proposal)
    assert closed.result is not None
    assert closed.result.outcome is BallotOutcome.CARRIED
    assert closed.result.counts is None


def test_a_failed_exclusion_keeps_nothing_and_tells_the_member() -> None:
    proposal = cast_all(voting(), {ANA: Choice.YES, BO: Choice.NO, CY: Choice.NO})
    closed, effects = close(proposal)
    assert closed.state is ProposalState.DEFEATED
    assert DeleteConcernsAbout(MEMBER) in effects
    assert SendNotCarried(MEMBER, "prop-1") in effects
    assert not any(isinstance(e, ApplyExclusion | SaveExclusion) for e in effects)


def test_without_quorum_nothing_happens() -> None:
    proposal = cast_all(voting(), {ANA: Choice.YES, BO: Choice.YES})
    closed, effects = close(proposal)
    assert closed.result is not None
    assert closed.result.outcome is BallotOutcome.NO_QUORUM
    assert closed.state is ProposalState.DEFEATED
    assert not any(isinstance(e, ApplyExclusion) for e in effects)


def test_a_change_needs_a_second_but_no_hearing() -> None:
    proposal, _ = propose_change(
        proposal_id="c-1",
        proposer=ANA,
        subject="share_time",
        value="4m",
        proposals=(),
        settings=S,
        now=T0,
    )
    assert proposal.threshold == MAJORITY
    proposal, effects = second(proposal, BO, settings=S, now=T0 + HOUR)
    assert proposal.deadline == T0 + HOUR  # ballots open at once
    assert not any(isinstance(e, SendNotice) for e in effects)
    proposal, _ = open_voting(proposal, VOTERS, settings=S, now=T0 + HOUR)
    proposal = cast_all(proposal, {ANA: Choice.YES, BO: Choice.YES, CY: Choice.NO})
    closed, effects = close(proposal)
    assert closed.state is ProposalState.CARRIED
    assert ApplyChange("c-1", "share_time", "4m") in effects


def test_a_format_change_may_require_two_thirds_and_one_at_a_time() -> None:
    proposal, _ = propose_change(
        proposal_id="c-1",
        proposer=ANA,
        subject="format",
        value="speaker",
        two_thirds=True,
        proposals=(),
        settings=S,
        now=T0,
    )
    assert proposal.threshold == TWO_THIRDS
    with pytest.raises(Refused) as refused:
        propose_change(
            proposal_id="c-2",
            proposer=BO,
            subject="format",
            value="open",
            proposals=[proposal],
            settings=S,
            now=T0,
        )
    assert refused.value.reason is DecisionRefusal.PROPOSAL_OPEN
    propose_change(
        proposal_id="c-3",
        proposer=BO,
        subject="quorum",
        value="4",
        proposals=[proposal],
        settings=S,
        now=T0,
    )


def test_welcome_back_early_by_majority_lifts_the_exclusion() -> None:
    exclusion = Exclusion(MEMBER, 2, 7, T0 - HOUR, T0 + timedelta(days=29))
    with pytest.raises(Refused) as not_excluded:
        propose_welcome_back(
            proposal_id="w-1",
            proposer=ANA,
            target=BO,
            proposals=(),
            exclusions=[exclusion],
            settings=S,
            now=T0,
        )
    assert not_excluded.value.reason is DecisionRefusal.NOT_EXCLUDED
    proposal, _ = propose_welcome_back(
        proposal_id="w-1",
        proposer=ANA,
        target=MEMBER,
        proposals=(),
        exclusions=[exclusion],
        settings=S,
        now=T0,
    )
    assert proposal.threshold == MAJORITY
    with pytest.raises(Refused):
        second(proposal, MEMBER, settings=S, now=T0 + HOUR)
    proposal, _ = second(proposal, BO, settings=S, now=T0 + HOUR)
    proposal, _ = open_voting(proposal, VOTERS | {MEMBER}, settings=S, now=T0 + HOUR)
    assert proposal.box is not None
    assert MEMBER not in proposal.box.roll
    proposal = cast_all(proposal, {ANA: Choice.YES, BO: Choice.YES, CY: Choice.NO})
    closed, effects = close(proposal, exclusion=exclusion)
    assert closed.state is ProposalState.CARRIED
    assert all(e in effects for e in lift(exclusion))
    _, already_lifted = close(proposal)
    assert not any(e in already_lifted for e in lift(exclusion))


def test_cancel_stops_an_open_proposal_and_tells_a_notified_member() -> None:
    proposal = voting()
    cancelled, effects = cancel(proposal, CancelReason.TARGET_NOT_EXCLUDABLE, now=T0 + 14 * HOUR)
    assert cancelled.state is ProposalState.CANCELLED
    assert effects == [
        CancelDeadline(DeadlineKind.BALLOT_CLOSES, "prop-1"),
        DeleteVotes("prop-1"),
        DeleteProposal("prop-1"),
        AnnounceCancelled("prop-1", CancelReason.TARGET_NOT_EXCLUDABLE),
        SendNotCarried(MEMBER, "prop-1"),
    ]
    with pytest.raises(WrongState):
        cancel(cancelled, CancelReason.TARGET_NOT_EXCLUDABLE, now=T0 + 15 * HOUR)
    fresh, _ = propose()
    _, effects = cancel(fresh, CancelReason.TARGET_NOT_EXCLUDABLE, now=T0)
    assert not any(isinstance(e, SendNotCarried) for e in effects)  # never told, nothing to undo


def test_open_proposals_lists_the_open_ones_oldest_first() -> None:
    first, _ = propose()
    later, _ = propose_change(
        proposal_id="c-1",
        proposer=ANA,
        subject="share_time",
        value="4m",
        proposals=(),
        settings=S,
        now=T0 + HOUR,
    )
    gone, _ = lapse(first, now=first.deadline)
    assert open_proposals([later, first]) == [first, later]
    assert open_proposals([later, gone]) == [later]


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        propose(now=T0.replace(tzinfo=None))


def test_the_whole_journey_from_concerns_to_welcome_back() -> None:
    """Two concerns from two members over two meetings, refused before and accepted after,
    a second, the member's statement, the ballot, one meeting sat out, and nothing left."""
    from bot.core.decisions import Concern as C
    from bot.core.decisions import meeting_held, record_concern

    guidelines = ("crosstalk",)
    concerns: list[Concern] = []
    new, _ = record_concern(
        concerns, C(MEMBER, ANA, 3, "crosstalk"), guidelines=guidelines, exclusions=(), now=T0
    )
    concerns.append(new)
    with pytest.raises(NotEnoughChances):
        propose(concerns=concerns, latest_meeting=3)
    new, _ = record_concern(
        concerns, C(MEMBER, BO, 4, "crosstalk"), guidelines=guidelines, exclusions=(), now=T0
    )
    concerns.append(new)
    proposal, _ = propose(concerns=concerns, latest_meeting=4)
    proposal, _ = second(proposal, DEE, settings=S, now=T0 + HOUR)
    proposal, _ = submit_statement(proposal, MEMBER, "I hear you.", settings=S, now=T0 + 2 * HOUR)
    proposal, _ = open_voting(proposal, VOTERS, settings=S, now=proposal.deadline)
    proposal = cast_all(
        proposal, dict.fromkeys([ANA, BO, CY, DEE, ED], Choice.YES) | {FAY: Choice.NO}
    )
    _, effects = close_voting(proposal, settings=S, next_meeting=5, now=proposal.deadline)
    (saved,) = [e.exclusion for e in effects if isinstance(e, SaveExclusion)]
    remaining, lifted = meeting_held(saved, 5, proposal.deadline + timedelta(days=7))
    assert remaining is None
    assert lifted == lift(saved)
