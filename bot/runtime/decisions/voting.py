"""Secret ballots: voting opens (with the roll of who may vote), each ballot is cast, voting
closes with the result; a seconded proposal that can no longer be carried out is withdrawn."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from bot.core import decisions as core
from bot.core.decisions import (
    CancelReason,
    Choice,
    Effect,
    ExcludeMember,
    Proposal,
    ProposalState,
    VoterFacts,
)
from bot.core.decisions.hearing import unread, voting_may_open
from bot.core.decisions.proposals import concerned_member
from bot.errors import NotAllowed
from bot.runtime.decisions import refusal_words as refusals
from bot.runtime.decisions.context import DecisionContext
from bot.runtime.decisions.engine import Committed
from bot.runtime.decisions.port import User
from bot.runtime.decisions.settings import decision_settings
from bot.store.decisions import DecisionTx
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)


class Voting:
    def __init__(self, ctx: DecisionContext) -> None:
        self._ctx = ctx

    async def cast(self, proposal_id: str, user: User, choice: Choice) -> None:
        """One secret ballot. Eligibility is checked now, on every click."""
        ctx = self._ctx
        found = await ctx.repo.proposal_and_group(proposal_id)  # one read, not two
        if found is None:
            raise NotAllowed(refusals.VOTE_CLOSED)
        stored, group = found
        if stored.proposal.state is not ProposalState.VOTING:
            raise NotAllowed(refusals.VOTE_CLOSED)
        settings = await ctx.settings(group)
        person = await ctx.require_in_group(
            group, user, refusals.INELIGIBLE[core.Ineligible.NOT_IN_GROUP]
        )
        voter = ctx.who(group, user)
        now = ctx.clock.now()
        if person.joined_at is None:
            raise NotAllowed(refusals.INELIGIBLE[core.Ineligible.NOT_IN_GROUP])
        facts = VoterFacts(
            is_bot=person.is_bot,
            in_group=person.in_group,
            joined_server_at=person.joined_at,
            is_concerned_member=concerned_member(stored.proposal.motion) == voter,
        )
        reason = core.why_ineligible(
            facts,
            proposed_at=stored.proposal.created_at,
            now=now,
            min_days=settings.voter_min_days,
        )
        if reason is not None:
            raise NotAllowed(refusals.INELIGIBLE[reason])
        # No group lock: the transaction alone makes this exact (the roll entry flips from
        # "not voted" in the same transaction as the ballot insert, or nothing happens).
        async with ctx.repo.transaction() as t:
            current = await t.proposal_for_voter(proposal_id, voter)
            if current is None or current.proposal.state is not ProposalState.VOTING:
                raise NotAllowed(refusals.VOTE_CLOSED)
            try:
                _, effects = core.cast_ballot(
                    current.proposal, voter, choice, key=secrets.token_urlsafe(16), now=now
                )
                await ctx.engine.commit(t, group, effects, None, Committed())
            except core.Refused as error:
                raise ctx.refuse(error, settings) from None

    # --- deadlines (under the group's lock) --------------------------------------------------

    async def open_voting(self, group: GroupRecord, proposal_id: str) -> None:
        ctx = self._ctx
        stored = await ctx.repo.proposal(proposal_id)
        if stored is None or stored.proposal.state is not ProposalState.SECONDED:
            return
        now = ctx.clock.now()
        if now < stored.proposal.deadline:
            raise core.TooEarly(stored.proposal.deadline)
        motion = stored.proposal.motion
        settings = await ctx.settings(group)
        if isinstance(motion, ExcludeMember):
            # Not before the member could read the notice (or the longest wait has passed).
            later = voting_may_open(
                stored.notice,
                planned=stored.proposal.deadline,
                hearing=settings.hearing,
                heard_at=stored.heard_at,
                waiting_since=stored.asked_at or stored.proposal.deadline - settings.hearing,
                now=now,
            )
            if later is not None:
                raise core.TooEarly(later)
            if unread(stored.notice):
                log.info("Voting opens without the member having read the notice (48 hours)")
            if await ctx.port.cannot_exclude_member(group, motion.target) is not None:
                await self._cancel(group, proposal_id, CancelReason.TARGET_NOT_EXCLUDABLE, now)
                return
        roll = await ctx.port.roll(group, stored.proposal, settings, now)

        async def op(proposal: Proposal, t: DecisionTx) -> tuple[Proposal, list[Effect]]:
            return core.open_voting(proposal, roll, settings=settings, now=now)

        await ctx.engine.transition(group, proposal_id, op)
        log.info("Voting opened (%d on the roll)", len(roll))

    async def close_voting(self, group: GroupRecord, proposal_id: str) -> None:
        ctx = self._ctx
        now = ctx.clock.now()

        async def op(proposal: Proposal, t: DecisionTx) -> tuple[Proposal, list[Effect]]:
            held = await t.meetings_held(group.id)
            target = concerned_member(proposal.motion)
            return core.close_voting(
                proposal,
                settings=decision_settings(await t.settings(group.id)),
                next_meeting=held + 1,
                exclusion=None if target is None else await t.exclusion(group.id, target),
                # Read in this transaction: a meeting under way keeps the member until it closes.
                meeting_under_way=await t.meeting_under_way(group.id),
                now=now,
            )

        closed = await ctx.engine.transition(group, proposal_id, op, with_box=True)
        outcome = closed.result.outcome.value if closed.result else "unknown"
        log.info("A vote closed (%s)", outcome)

    async def _cancel(
        self, group: GroupRecord, proposal_id: str, reason: CancelReason, now: datetime
    ) -> None:
        async def op(proposal: Proposal, t: DecisionTx) -> tuple[Proposal, list[Effect]]:
            return core.cancel(proposal, reason, now=now)

        await self._ctx.engine.transition(group, proposal_id, op)
        log.info("A proposal was withdrawn (%s)", reason.value)
