"""No member stays shut out beyond their time, whatever fails.

Every channel the bot closes to a member by a group's decision is recorded (by coded key, in
``channel_denials``) before the permission overwrite is made, and the record goes only once the
overwrite is gone. Letting a member back in is retried with a growing delay until it is done
(:class:`~bot.runtime.decisions.port.NotYet`). And on start and every hour, :class:`Denials`
looks for a closed channel that no exclusion in force accounts for — a lift that was lost, or an
overwrite that landed after its lift — and lets the member back in: the same "remove" work as a
lift, carried out by the outbox, which touches only the bot's own overwrite for that member and
only the bits it set.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.core.decisions.effects import RemoveExclusion
from bot.runtime.decisions.context import DecisionContext
from bot.runtime.decisions.engine import Committed

log = logging.getLogger(__name__)

#: The scheduler's job (not under "decisions.": it is a standing check, not a decision's step).
RECONCILE_KIND = "denials.reconcile"
RECONCILE_KEY = "hourly"
#: Clock seconds between two checks.
RECONCILE_EVERY = 3600.0


class Denials:
    def __init__(self, ctx: DecisionContext) -> None:
        self._ctx = ctx
        ctx.scheduler.register(RECONCILE_KIND, self._due)

    async def arm(self) -> None:
        """Check now, then every :data:`RECONCILE_EVERY` clock seconds (safe to repeat)."""
        await self._ctx.scheduler.schedule(
            RECONCILE_KIND, RECONCILE_KEY, self._ctx.clock.timestamp(), {}
        )

    async def _due(self, payload: Mapping[str, Any]) -> None:
        ctx = self._ctx
        try:
            await self.reconcile()
        finally:
            await ctx.scheduler.schedule(
                RECONCILE_KIND, RECONCILE_KEY, ctx.clock.timestamp() + RECONCILE_EVERY, {}
            )

    async def reconcile(self) -> int:
        """Let back in every member whose closed channel no exclusion in force accounts for;
        returns how many lifts were started."""
        ctx = self._ctx
        await ctx.port.ready()
        started = 0
        for group_id, target in await ctx.repo.denials.unaccounted(ctx.clock.timestamp()):
            group = await ctx.store.groups.by_id(group_id)
            if group is None:
                continue  # its rows went with it
            if not await ctx.owns_group(group_id):
                continue  # another process's (its shards)
            done = Committed()
            async with ctx.locks(group.id):
                if await ctx.repo.denials.lift_queued(group.id, target):
                    continue  # already under way (and retried until done)
                async with ctx.repo.transaction() as t:
                    current = await t.exclusion(group.id, target)
                    if current is not None and current.in_force(ctx.clock.now()):
                        continue  # a new decision since the list was read
                    await ctx.engine.commit(t, group, [RemoveExclusion(target)], None, done)
                started += 1
                await ctx.engine.after(done)
        if started:
            log.info("Letting %d member(s) back into a channel no decision keeps closed", started)
        return started
