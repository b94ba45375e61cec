"""Concerns: a kind, private note to a member about one of the group's guidelines — the
chances to change that come before any proposal to exclude them."""

from __future__ import annotations

import logging

from bot.core import decisions as core
from bot.core.decisions import Concern
from bot.core.formats.plan import Guideline
from bot.errors import NotAllowed
from bot.runtime.decisions import refusal_words as refusals
from bot.runtime.decisions.context import DecisionContext
from bot.runtime.decisions.engine import Committed, Delivery
from bot.runtime.decisions.port import User
from bot.runtime.decisions.settings import decision_settings

log = logging.getLogger(__name__)

#: Clock seconds after which a concern ends even if the group stops meeting (90 days).
MAX_AGE = 90 * 86400.0


class Concerns:
    def __init__(self, ctx: DecisionContext) -> None:
        self._ctx = ctx

    async def raise_concern(
        self, channel_id: int | None, requester: User, target: User, guideline: str
    ) -> Guideline:
        """Send ``target`` a kind, private note about one guideline, for ``requester``."""
        ctx = self._ctx
        group = await ctx.group_here(channel_id)
        await ctx.require_in_group(group, requester, refusals.CONCERN_NOT_MEMBER)
        plan = await ctx.formats.current(group)
        if not plan.guidelines:
            raise NotAllowed(refusals.NO_GUIDELINES)
        await ctx.require_member(group, target)
        who, asking = ctx.who(group, target), ctx.who(group, requester)
        now = ctx.clock.now()
        done = Committed()
        async with ctx.locks(group.id):
            async with ctx.repo.transaction() as t:
                settings = decision_settings(await t.settings(group.id))
                meeting = await t.meetings_held(group.id) + int(ctx.meeting_under_way(group))
                try:
                    concern, effects = core.record_concern(
                        await t.concerns(group.id),
                        Concern(who, asking, meeting, guideline),
                        guidelines={g.key for g in plan.guidelines},
                        exclusions=await t.exclusions(group.id),
                        now=now,
                    )
                except core.Refused as error:
                    raise ctx.refuse(error, settings) from None
                if not await t.insert_concern(group.id, concern, now.timestamp() + MAX_AGE):
                    raise ctx.refuse(core.Refused(core.DecisionRefusal.DUPLICATE_CONCERN), settings)
                await ctx.engine.commit(t, group, effects, None, done)
            delivered = await ctx.engine.after(done, {who: target})
        if Delivery.UNDELIVERABLE in delivered.values():
            # A note that never arrived is no chance to change: keep nothing.
            async with ctx.repo.transaction() as t:
                await t.delete_concern(group.id, concern)
            raise NotAllowed(refusals.CONCERN_UNDELIVERABLE)
        log.info("A concern was sent")
        found = plan.guideline(guideline)
        assert found is not None  # noqa: S101 - the core accepted it as one of the guidelines
        return found
