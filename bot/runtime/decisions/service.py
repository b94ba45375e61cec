"""Due process at run time: the pure core (:mod:`bot.core.decisions`), the store, the scheduler
and Discord, tied together.

Every operation follows one path:

1. gather the Discord facts it needs (who someone is, whether Discord lets the bot keep them
   out, the voter roll) through the :class:`~bot.runtime.decisions.port.DecisionPort`;
2. in one write transaction, read the state, ask the core for ``(new state, effects)``, write
   the new state with a conditional update that must change exactly one row, write the store
   effects (rows, deadlines) and put the Discord effects in the outbox;
3. only after the commit, carry out the outbox items (:mod:`.engine` has this one path).

Deadlines (second due, ballot opens, ballot closes, exclusion backstop) live in the scheduler's
table, written in the same transaction as the state they belong to. The meeting runtime tells
us when a meeting counts (the ``MeetingCounted`` event); exclusions are counted in those meetings,
and one decided during a meeting starts when it closes (``MeetingClosed``).

:class:`DecisionService` is the one face the cogs, the buttons and the event bus see; the work
is done by its parts, one per responsibility, sharing a :class:`~.context.DecisionContext`:
:mod:`.concerns`, :mod:`.proposals` (proposing, seconding, the hearing), :mod:`.voting` (the
secret ballots), :mod:`.exclusions` (time away, counted meetings, members rejoining) and
:mod:`.denials` (no member stays shut out of a channel beyond their time, whatever fails).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.core import decisions as core
from bot.core.decisions import Choice, DeadlineKind, DecisionSettings
from bot.core.formats.plan import Guideline
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonymizer
from bot.errors import NotAllowed
from bot.runtime.clock import Clock
from bot.runtime.decisions.concerns import Concerns
from bot.runtime.decisions.context import DecisionContext
from bot.runtime.decisions.denials import Denials
from bot.runtime.decisions.engine import DEADLINE_PREFIX, OUTBOX_DEADLINE, Stale
from bot.runtime.decisions.exclusions import Exclusions
from bot.runtime.decisions.port import DecisionPort, User
from bot.runtime.decisions.proposals import NoticeShown, Proposals, Proposed, Seconded
from bot.runtime.decisions.settings import ChangeChoice, change_choices, switches
from bot.runtime.decisions.voting import Voting
from bot.runtime.events import MeetingClosed, MeetingCounted
from bot.runtime.formats import FormatLibrary
from bot.runtime.locks import GroupLocks
from bot.runtime.scheduler import OwnsGroup, Scheduler, every_group
from bot.store import Store
from bot.store.decision_rows import StoredProposal
from bot.store.groups import GroupRecord

__all__ = ["DecisionService", "NoticeShown", "OpenProposals", "Proposed", "Seconded"]


@lazy_dataclass(frozen=True)
class OpenProposals:
    group: GroupRecord
    proposals: list[StoredProposal]


class DecisionService:
    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        scheduler: Scheduler,
        pseudonyms: Pseudonymizer,
        formats: FormatLibrary,
        port: DecisionPort,
        locks: GroupLocks,
        meeting_under_way: Callable[[GroupRecord], bool] = lambda group: False,
        owns_group: OwnsGroup = every_group,
    ) -> None:
        ctx = DecisionContext(
            store=store,
            clock=clock,
            scheduler=scheduler,
            pseudonyms=pseudonyms,
            formats=formats,
            port=port,
            locks=locks,
            meeting_under_way=meeting_under_way,
            owns_group=owns_group,
        )
        self._ctx = ctx
        self._concerns = Concerns(ctx)
        self._proposals = Proposals(ctx)
        self._voting = Voting(ctx)
        self._exclusions = Exclusions(ctx)
        self._denials = Denials(ctx)
        for kind in DeadlineKind:
            scheduler.register(DEADLINE_PREFIX + kind.value, self._deadline_handler(kind))
        scheduler.register(OUTBOX_DEADLINE, ctx.engine.drain)

    # --- reading (for the cogs and the meeting runtime) --------------------------------------

    async def settings(self, group: GroupRecord) -> DecisionSettings:
        return await self._ctx.settings(group)

    async def switches(self, group: GroupRecord) -> dict[str, bool]:
        """The format's switches as the group decided them (for the meeting runtime)."""
        plan = await self._ctx.formats.current(group)
        return switches(plan, await self._ctx.repo.settings(group.id))

    async def guidelines(self, channel_id: int | None) -> tuple[Guideline, ...]:
        group = await self._ctx.group_here(channel_id)
        return (await self._ctx.formats.current(group)).guidelines

    async def change_choices(self, channel_id: int | None) -> list[ChangeChoice]:
        group = await self._ctx.group_here(channel_id)
        return change_choices(await self._ctx.formats.current(group))

    async def open_proposals(self, channel_id: int | None) -> OpenProposals:
        group = await self._ctx.group_here(channel_id)
        return OpenProposals(group, await self._ctx.repo.open_proposals(group.id))

    # --- what members do (see the parts) -----------------------------------------------------

    async def raise_concern(
        self, channel_id: int | None, requester: User, target: User, guideline: str
    ) -> Guideline:
        """Send ``target`` a kind, private note about one guideline, for ``requester``."""
        return await self._concerns.raise_concern(channel_id, requester, target, guideline)

    async def propose_exclusion(
        self, channel_id: int | None, proposer: User, target: User, meetings: int
    ) -> Proposed:
        return await self._proposals.propose_exclusion(channel_id, proposer, target, meetings)

    async def propose_change(
        self, channel_id: int | None, proposer: User, subject: str, value: str
    ) -> Proposed:
        return await self._proposals.propose_change(channel_id, proposer, subject, value)

    async def propose_welcome_back(
        self, channel_id: int | None, proposer: User, target: User
    ) -> Proposed:
        return await self._proposals.propose_welcome_back(channel_id, proposer, target)

    async def second(self, proposal_id: str, user: User) -> Seconded:
        return await self._proposals.second(proposal_id, user)

    async def statement_limit(self, proposal_id: str, user: User) -> int:
        """Before showing the form: check ``user`` may give their side; return its length cap."""
        return await self._proposals.statement_limit(proposal_id, user)

    async def give_statement(self, proposal_id: str, user: User, text: str) -> None:
        await self._proposals.give_statement(proposal_id, user, text)

    async def read_notice(self, proposal_id: str, user: User) -> NoticeShown:
        """The member concerned opens the notice left for them in the channel."""
        return await self._proposals.read_notice(proposal_id, user)

    async def cast(self, proposal_id: str, user: User, choice: Choice) -> None:
        """One secret ballot. Eligibility is checked now, on every click."""
        await self._voting.cast(proposal_id, user, choice)

    # --- what happens around the group ------------------------------------------------------

    async def meeting_counted(self, event: MeetingCounted) -> None:
        """A meeting counted: lift the exclusions it completes, expire old concerns."""
        await self._exclusions.meeting_counted(event)

    async def meeting_closed(self, event: MeetingClosed) -> None:
        """A meeting closed (counted or not): exclusions decided during it start now."""
        await self._exclusions.meeting_closed(event)

    async def member_joined(self, guild_id: int, user: User) -> None:
        """Someone (re)joined the server: keep a group's channel closed to them while they are
        sitting out its meetings."""
        await self._exclusions.member_joined(guild_id, user)

    async def start(self) -> None:
        """On connecting: look now, and every hour, for a channel the bot closed to a member that
        no exclusion in force accounts for, and let them back in (:mod:`.denials`). Sharded:
        from now on, pick up the Discord work another process left for this one's groups."""
        await self._denials.arm()
        self._ctx.engine.watch()

    async def close(self) -> None:
        """Stop looking for work left here (the bot is stopping)."""
        await self._ctx.engine.stop_watching()

    async def pick_up(self) -> int:
        """Carry out now the Discord work another process left for this one's groups (a
        member's side given in a direct message, which reached the process holding shard 0):
        what was seen waiting at the last look. Returns how many were carried out."""
        return await self._ctx.engine.pick_up()

    async def reconcile(self) -> int:
        """That check, once, now (returns how many lifts it started)."""
        return await self._denials.reconcile()

    # --- deadlines ---------------------------------------------------------------------------

    def _deadline_handler(
        self, kind: DeadlineKind
    ) -> Callable[[Mapping[str, Any]], Awaitable[None]]:
        ctx = self._ctx

        async def fire(payload: Mapping[str, Any]) -> None:
            await ctx.port.ready()
            group = await ctx.store.groups.by_id(int(payload["group_id"]))
            if group is None:
                return  # the group is gone (the bot left the server), and its rows with it
            key = str(payload["key"])
            try:
                async with ctx.locks(group.id):
                    if kind is DeadlineKind.EXCLUSION_BACKSTOP:
                        await self._exclusions.backstop(group, int(key))
                    elif kind is DeadlineKind.BALLOT_OPENS:
                        await self._voting.open_voting(group, key)
                    elif kind is DeadlineKind.BALLOT_CLOSES:
                        await self._voting.close_voting(group, key)
                    else:
                        await self._proposals.lapse(group, key)
            except core.TooEarly as early:
                await ctx.scheduler.schedule(
                    DEADLINE_PREFIX + kind.value, key, early.due.timestamp(), payload
                )
            except (core.WrongState, Stale, NotAllowed):
                return  # it already happened, or the proposal is gone: nothing to do

        return fire
