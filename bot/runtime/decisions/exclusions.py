"""Time away: exclusions counted in the group's meetings (the ``MeetingCounted`` event), their
calendar backstop, and keeping the channel closed to a member who rejoins the server meanwhile.
A counted meeting also ages the group's concerns. An exclusion decided during a meeting starts
when that meeting closes (the ``MeetingClosed`` event). Both events are carried durably and may
be delivered twice after a crash: each step is measured by the meeting's number or id, so a
repeat changes nothing."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.core import decisions as core
from bot.core.decisions import CancelReason, WelcomeBack
from bot.core.decisions.effects import ApplyExclusion
from bot.core.pseudonyms import Pseudonym
from bot.runtime.decisions.context import DecisionContext
from bot.runtime.decisions.engine import Committed
from bot.runtime.decisions.outbox import About
from bot.runtime.decisions.port import User
from bot.runtime.decisions.settings import decision_settings
from bot.runtime.events import MeetingClosed, MeetingCounted
from bot.store.decisions import DecisionTx
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)


class Exclusions:
    def __init__(self, ctx: DecisionContext) -> None:
        self._ctx = ctx

    async def meeting_counted(self, event: MeetingCounted) -> None:
        """A meeting counted: lift the exclusions it completes, expire old concerns.

        Safe to repeat (a restart may deliver the same notification again)."""
        ctx = self._ctx
        group = await ctx.store.groups.by_id(event.group_id)
        if group is None:
            return
        now = ctx.clock.now()
        done = Committed()
        lifted = 0
        async with ctx.locks(group.id):
            async with ctx.repo.transaction() as t:
                for exclusion in await t.exclusions(group.id):
                    kept, effects = core.meeting_held(exclusion, event.number, now)
                    if kept is None:
                        lifted += 1
                        await ctx.engine.commit(t, group, effects, None, done)
                        await self._cancel_welcome_backs(t, group, exclusion.target, now, done)
                settings = decision_settings(await t.settings(group.id))
                _, effects = core.expire(await t.concerns(group.id), event.number, settings)
                await ctx.engine.commit(t, group, effects, None, done)
            await ctx.engine.after(done)
        if lifted:
            log.info("A counted meeting ended %d member(s)' time away", lifted)

    async def meeting_closed(self, event: MeetingClosed) -> None:
        """A meeting closed, counted or not: an exclusion decided while it was under way starts
        now (the member's channel closes; it covers the next meeting(s) to start)."""
        ctx = self._ctx
        group = await ctx.store.groups.by_id(event.group_id)
        if group is None:
            return
        now = ctx.clock.now()
        done = Committed()
        started = 0
        async with ctx.locks(group.id):
            async with ctx.repo.transaction() as t:
                for exclusion in await t.exclusions(group.id):
                    _, effects = core.meeting_closed(exclusion, event.meeting_id, event.held, now)
                    if effects:
                        started += 1
                        await ctx.engine.commit(t, group, effects, None, done)
            await ctx.engine.after(done)
        if started:
            log.info("A meeting closed; %d member(s)' time away starts now", started)

    async def member_joined(self, guild_id: int, user: User) -> None:
        """Someone (re)joined the server: if they are sitting out a group's meetings, keep the
        group's channel closed to them until their time away ends."""
        ctx = self._ctx
        who = ctx.pseudonyms.of(guild_id, int(user.id))
        now = ctx.clock.now()
        for group_id, exclusion in await ctx.repo.exclusions_in_guild(guild_id, who):
            group = await ctx.store.groups.by_id(group_id)
            if group is None or not exclusion.applies(now):
                continue
            done = Committed()
            async with ctx.locks(group.id):
                async with ctx.repo.transaction() as t:
                    await ctx.engine.commit(t, group, [ApplyExclusion(who)], None, done)
                await ctx.engine.after(done, {who: user})
            log.info("A member sitting out meetings rejoined; their channel stays closed")

    async def backstop(self, group: GroupRecord, exclusion_id: int) -> None:
        """The calendar backstop (under the group's lock): the time away ends even if the group
        stopped meeting."""
        ctx = self._ctx
        now = ctx.clock.now()
        done = Committed()
        async with ctx.repo.transaction() as t:
            exclusion = await t.exclusion_by_id(group.id, exclusion_id)
            if exclusion is None:
                return
            await ctx.engine.commit(t, group, core.backstop_due(exclusion, now), None, done)
            await self._cancel_welcome_backs(t, group, exclusion.target, now, done)
        await ctx.engine.after(done)
        log.info("An exclusion reached its calendar backstop and lifted")

    async def _cancel_welcome_backs(
        self, t: DecisionTx, group: GroupRecord, target: Pseudonym, now: datetime, done: Committed
    ) -> None:
        """The exclusion ended on its own: a vote to end it early has nothing left to decide."""
        for proposal in await t.open_proposals(group.id):
            if isinstance(proposal.motion, WelcomeBack) and proposal.motion.target == target:
                stored = await t.proposal(proposal.id)
                cancelled, effects = core.cancel(proposal, CancelReason.EXCLUSION_ENDED, now=now)
                if stored is not None and await t.transition(cancelled, expected=proposal.state):
                    about = About.of(proposal, stored.message_id, stored.ballot_message_id)
                    await self._ctx.engine.commit(t, group, effects, about, done)
