"""Proposals: making one (an exclusion, a change, a welcome back), seconding it, the member's
side (the hearing), and a proposal nobody seconded in time lapsing."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from bot.core import decisions as core
from bot.core.decisions import (
    DeadlineKind,
    DecisionSettings,
    Effect,
    ExcludeMember,
    Proposal,
    ProposalState,
)
from bot.core.decisions.proposals import concerned_member
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.errors import InvalidInput, NotAllowed
from bot.runtime.decisions import reaching
from bot.runtime.decisions import refusal_words as refusals
from bot.runtime.decisions.context import DecisionContext
from bot.runtime.decisions.engine import DEADLINE_PREFIX, Committed
from bot.runtime.decisions.outbox import About
from bot.runtime.decisions.port import User
from bot.runtime.decisions.settings import FORMAT, decision_settings, normalise_setting
from bot.store.decisions import DecisionTx
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

OPENS = DEADLINE_PREFIX + DeadlineKind.BALLOT_OPENS.value

Propose = Callable[[DecisionTx, DecisionSettings], Awaitable[tuple[Proposal, list[Effect]]]]


@lazy_dataclass(frozen=True)
class Proposed:
    proposal_id: str
    second_by: datetime


@lazy_dataclass(frozen=True)
class Seconded:
    exclusion: bool
    ballot_opens: datetime


@lazy_dataclass(frozen=True)
class NoticeShown:
    """The notice before an exclusion vote, for the member who opened it in the channel."""

    proposal_id: str
    meetings: int
    titles: list[str]
    opens: datetime
    settings: DecisionSettings


def new_id() -> str:
    """An opaque proposal id: random, short enough for a button's custom_id."""
    return secrets.token_urlsafe(9)


class Proposals:
    def __init__(self, ctx: DecisionContext) -> None:
        self._ctx = ctx

    # --- proposing ---------------------------------------------------------------------------

    async def propose_exclusion(
        self, channel_id: int | None, proposer: User, target: User, meetings: int
    ) -> Proposed:
        ctx = self._ctx
        group = await ctx.group_here(channel_id)
        await ctx.require_in_group(group, proposer, refusals.PROPOSE_NOT_MEMBER)
        await ctx.require_member(group, target)
        if (blocker := await ctx.port.cannot_exclude(group, target)) is not None:
            raise NotAllowed(refusals.unexcludable(blocker))
        if missing := await ctx.port.missing_permissions(group):
            raise NotAllowed(refusals.missing_permissions(missing))
        who, proposing = ctx.who(group, target), ctx.who(group, proposer)

        async def propose(
            t: DecisionTx, settings: DecisionSettings
        ) -> tuple[Proposal, list[Effect]]:
            return core.propose_exclusion(
                proposal_id=new_id(),
                proposer=proposing,
                target=who,
                meetings=meetings,
                concerns=await t.concerns(group.id),
                proposals=await t.open_proposals(group.id),
                exclusions=await t.exclusions(group.id),
                latest_meeting=await t.meetings_held(group.id),
                settings=settings,
                now=ctx.clock.now(),
            )

        return await self._propose(group, propose, {who: target})

    async def propose_change(
        self, channel_id: int | None, proposer: User, subject: str, value: str
    ) -> Proposed:
        ctx = self._ctx
        group = await ctx.group_here(channel_id)
        await ctx.require_in_group(group, proposer, refusals.PROPOSE_NOT_MEMBER)
        subject = subject.strip()
        plan = await ctx.formats.current(group)
        if subject == FORMAT:
            ref = value.strip()
            await ctx.formats.compiled(group, ref)  # refuses an unknown format kindly
            if ref == group.format_id:
                raise InvalidInput(refusals.ALREADY_THE_FORMAT)
            value = ref
        else:
            stored = await ctx.repo.settings(group.id)
            value = normalise_setting(subject, value, plan, stored, ctx.clock.now().date())
        proposing = ctx.who(group, proposer)

        async def propose(
            t: DecisionTx, settings: DecisionSettings
        ) -> tuple[Proposal, list[Effect]]:
            return core.propose_change(
                proposal_id=new_id(),
                proposer=proposing,
                subject=subject,
                value=value,
                proposals=await t.open_proposals(group.id),
                settings=settings,
                now=ctx.clock.now(),
            )

        return await self._propose(group, propose, {})

    async def propose_welcome_back(
        self, channel_id: int | None, proposer: User, target: User
    ) -> Proposed:
        ctx = self._ctx
        group = await ctx.group_here(channel_id)
        await ctx.require_in_group(group, proposer, refusals.PROPOSE_NOT_MEMBER)
        who, proposing = ctx.who(group, target), ctx.who(group, proposer)

        async def propose(
            t: DecisionTx, settings: DecisionSettings
        ) -> tuple[Proposal, list[Effect]]:
            return core.propose_welcome_back(
                proposal_id=new_id(),
                proposer=proposing,
                target=who,
                proposals=await t.open_proposals(group.id),
                exclusions=await t.exclusions(group.id),
                settings=settings,
                now=ctx.clock.now(),
            )

        return await self._propose(group, propose, {who: target})

    async def _propose(
        self, group: GroupRecord, propose: Propose, hint: Mapping[Pseudonym, User]
    ) -> Proposed:
        ctx = self._ctx
        done = Committed()
        async with ctx.locks(group.id):
            async with ctx.repo.transaction() as t:
                settings = decision_settings(await t.settings(group.id))
                try:
                    proposal, effects = await propose(t, settings)
                except core.Refused as error:
                    raise ctx.refuse(error, settings) from None
                await t.insert_proposal(group.id, proposal)
                await ctx.engine.commit(t, group, effects, About.of(proposal, None, None), done)
            await ctx.engine.after(done, hint)
        log.info("A proposal was made")
        return Proposed(proposal.id, proposal.deadline)

    # --- second and hearing ------------------------------------------------------------------

    async def second(self, proposal_id: str, user: User) -> Seconded:
        ctx = self._ctx
        group, _ = await ctx.group_of(proposal_id, refusals.PROPOSAL_CLOSED)
        await ctx.require_in_group(group, user, refusals.SECOND_NOT_MEMBER)
        seconder = ctx.who(group, user)
        now = ctx.clock.now()

        async def op(proposal: Proposal, t: DecisionTx) -> tuple[Proposal, list[Effect]]:
            settings = decision_settings(await t.settings(group.id))
            try:
                return core.second(proposal, seconder, settings=settings, now=now)
            except core.WrongState:
                raise NotAllowed(refusals.ALREADY_SECONDED) from None
            except core.Refused as error:
                raise ctx.refuse(error, settings) from None

        async with ctx.locks(group.id):
            seconded = await ctx.engine.transition(
                group, proposal_id, op, closed=refusals.PROPOSAL_CLOSED
            )
        log.info("A proposal was seconded")
        return Seconded(isinstance(seconded.motion, ExcludeMember), seconded.deadline)

    async def statement_limit(self, proposal_id: str, user: User) -> int:
        """Before showing the form: check ``user`` may give their side; return its length cap."""
        ctx = self._ctx
        group, stored = await ctx.group_of(proposal_id, refusals.PROPOSAL_CLOSED)
        proposal = stored.proposal
        if proposal.state not in (ProposalState.SECONDED, ProposalState.VOTING):
            raise NotAllowed(refusals.PROPOSAL_CLOSED)
        if concerned_member(proposal.motion) != ctx.who(group, user):
            raise NotAllowed(refusals.refused(core.DecisionRefusal.NOT_THE_MEMBER))
        return (await ctx.settings(group)).statement_max_chars

    async def read_notice(self, proposal_id: str, user: User) -> NoticeShown:
        """The member concerned opens, in the channel, the notice a private message couldn't
        carry. From now they could read it: the hearing runs its whole length from here (not
        shorter than planned), and voting opens when it ends."""
        ctx = self._ctx
        group, stored = await ctx.group_of(proposal_id, refusals.PROPOSAL_CLOSED)
        proposal, motion = stored.proposal, stored.proposal.motion
        if proposal.state not in (ProposalState.SECONDED, ProposalState.VOTING):
            raise NotAllowed(refusals.PROPOSAL_CLOSED)
        if not isinstance(motion, ExcludeMember) or motion.target != ctx.who(group, user):
            raise NotAllowed(reaching.NOTICE_NOT_YOURS)
        settings = await ctx.settings(group)
        now = ctx.clock.now()
        opens = now  # voting already open (they didn't read it within the longest wait)
        if proposal.state is ProposalState.SECONDED:
            opens, heard = proposal.deadline, stored.heard_at
            if await ctx.repo.mark_read(proposal_id, now.timestamp()):
                heard = now
                log.info("A member opened the notice left for them in the channel")
            if heard is not None:
                opens = max(proposal.deadline, heard + settings.hearing)
            payload = {"group_id": group.id, "key": proposal_id}
            await ctx.scheduler.schedule(OPENS, proposal_id, opens.timestamp(), payload)
        try:
            plan = await ctx.formats.current(group)
        except InvalidInput:
            plan = None
        titles = [
            found.title if plan and (found := plan.guideline(key)) else key
            for key in motion.guidelines
        ]
        return NoticeShown(proposal_id, motion.meetings, titles, opens, settings)

    async def give_statement(self, proposal_id: str, user: User, text: str) -> None:
        """The member concerned gives their side (the form under their private notice). Only a
        database change, guarded by its conditional update, so it is taken in any process: a
        direct message reaches the process holding shard 0, whoever's group it is. Showing it
        on an open ballot is Discord work, left in the outbox for the group's own process,
        which picks it up (:meth:`~bot.runtime.decisions.engine.Engine.pick_up`)."""
        ctx = self._ctx
        group, _ = await ctx.group_of(proposal_id, refusals.PROPOSAL_CLOSED)
        who = ctx.who(group, user)
        now = ctx.clock.now()

        async def op(proposal: Proposal, t: DecisionTx) -> tuple[Proposal, list[Effect]]:
            settings = decision_settings(await t.settings(group.id))
            try:
                return core.submit_statement(proposal, who, text, settings=settings, now=now)
            except core.WrongState:
                raise NotAllowed(refusals.PROPOSAL_CLOSED) from None
            except core.Refused as error:
                raise ctx.refuse(error, settings) from None

        async with ctx.locks(group.id):
            await ctx.engine.transition(group, proposal_id, op, closed=refusals.PROPOSAL_CLOSED)
        log.info("A member gave their side")

    # --- deadline (under the group's lock) ---------------------------------------------------

    async def lapse(self, group: GroupRecord, proposal_id: str) -> None:
        """Nobody seconded it in time."""
        now = self._ctx.clock.now()

        async def op(proposal: Proposal, t: DecisionTx) -> tuple[Proposal, list[Effect]]:
            return core.lapse(proposal, now=now)

        await self._ctx.engine.transition(group, proposal_id, op)
        log.info("A proposal lapsed")
