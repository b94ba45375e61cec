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
us when a meeting counts (the ``MeetingCounted`` event); exclusions are counted in those meetings.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core import decisions as core
from bot.core.decisions import (
    CancelReason,
    Choice,
    Concern,
    DeadlineKind,
    DecisionSettings,
    Effect,
    ExcludeMember,
    Proposal,
    ProposalState,
    VoterFacts,
    WelcomeBack,
)
from bot.core.decisions.effects import ApplyExclusion
from bot.core.decisions.proposals import concerned_member
from bot.core.formats.plan import Guideline
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import InvalidInput, NoGroupHere, NotAllowed
from bot.runtime.clock import Clock
from bot.runtime.decisions import texts
from bot.runtime.decisions.engine import (
    DEADLINE_PREFIX,
    OUTBOX_DEADLINE,
    Committed,
    Delivery,
    Engine,
    Stale,
)
from bot.runtime.decisions.outbox import About
from bot.runtime.decisions.port import DecisionPort, User
from bot.runtime.decisions.settings import (
    FORMAT,
    ChangeChoice,
    change_choices,
    decision_settings,
    normalise_setting,
    switches,
)
from bot.runtime.events import MeetingCounted
from bot.runtime.formats import FormatLibrary
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.decision_rows import StoredProposal
from bot.store.decisions import DecisionTx
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Proposed:
    proposal_id: str
    second_by: datetime


@dataclass(frozen=True)
class Seconded:
    exclusion: bool
    ballot_opens: datetime


@dataclass(frozen=True)
class OpenProposals:
    group: GroupRecord
    proposals: list[StoredProposal]


def new_id() -> str:
    """An opaque proposal id: random, short enough for a button's custom_id."""
    return secrets.token_urlsafe(9)


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
        meeting_under_way: Callable[[GroupRecord], bool] = lambda group: False,
    ) -> None:
        self._store = store
        self._repo = store.decisions
        self._clock = clock
        self._scheduler = scheduler
        self._pseudonyms = pseudonyms
        self._formats = formats
        self.port = port
        self.meeting_under_way = meeting_under_way
        self._locks: dict[int, asyncio.Lock] = {}
        self._engine = Engine(store=store, clock=clock, scheduler=scheduler, port=port)
        for kind in DeadlineKind:
            scheduler.register(DEADLINE_PREFIX + kind.value, self._deadline_handler(kind))
        scheduler.register(OUTBOX_DEADLINE, self._engine.drain)

    # --- small helpers -----------------------------------------------------------------------

    def _lock(self, group_id: int) -> asyncio.Lock:
        return self._locks.setdefault(group_id, asyncio.Lock())

    def _who(self, group: GroupRecord, user: User) -> Pseudonym:
        return self._pseudonyms.of(group.guild_id, int(user.id))

    async def _group_here(self, channel_id: int | None) -> GroupRecord:
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        if group is None:
            raise NoGroupHere
        return group

    async def _group_of(self, proposal_id: str, closed: str) -> tuple[GroupRecord, StoredProposal]:
        stored = await self._repo.proposal(proposal_id)
        group = None if stored is None else await self._store.groups.by_id(stored.group_id)
        if stored is None or group is None:
            raise NotAllowed(closed)
        return group, stored

    async def settings(self, group: GroupRecord) -> DecisionSettings:
        return decision_settings(await self._repo.settings(group.id))

    async def switches(self, group: GroupRecord) -> dict[str, bool]:
        """The format's switches as the group decided them (for the meeting runtime)."""
        plan = await self._formats.current(group)
        return switches(plan, await self._repo.settings(group.id))

    def _refuse(self, error: core.Refused, settings: DecisionSettings) -> NotAllowed:
        return NotAllowed(texts.refusal(error, settings))

    async def _require_member(self, group: GroupRecord, target: User) -> None:
        """A concern or a proposal is about a member of the group (not a bot, not a passer-by).
        Someone sitting out meetings can't see the channel: say that, not "not a member"."""
        person = await self.port.person(group, target)
        if person.is_bot:
            raise NotAllowed(texts.NOT_A_BOT)
        if person.in_group:
            return
        away = await self._repo.exclusion(group.id, self._who(group, target))
        if away is not None and away.in_force(self._clock.now()):
            raise NotAllowed(texts.refused(core.DecisionRefusal.MEMBER_EXCLUDED))
        raise NotAllowed(texts.NOT_IN_GROUP)

    # --- reading for the cogs ----------------------------------------------------------------

    async def guidelines(self, channel_id: int | None) -> tuple[Guideline, ...]:
        group = await self._group_here(channel_id)
        return (await self._formats.current(group)).guidelines

    async def change_choices(self, channel_id: int | None) -> list[ChangeChoice]:
        group = await self._group_here(channel_id)
        return change_choices(await self._formats.current(group))

    async def open_proposals(self, channel_id: int | None) -> OpenProposals:
        group = await self._group_here(channel_id)
        return OpenProposals(group, await self._repo.open_proposals(group.id))

    # --- concerns ----------------------------------------------------------------------------

    async def raise_concern(
        self, channel_id: int | None, requester: User, target: User, guideline: str
    ) -> Guideline:
        """Send ``target`` a kind, private note about one guideline, for ``requester``."""
        group = await self._group_here(channel_id)
        plan = await self._formats.current(group)
        if not plan.guidelines:
            raise NotAllowed(texts.NO_GUIDELINES)
        await self._require_member(group, target)
        who, asking = self._who(group, target), self._who(group, requester)
        now = self._clock.now()
        done = Committed()
        async with self._lock(group.id):
            async with self._repo.transaction() as t:
                settings = decision_settings(await t.settings(group.id))
                meeting = await t.meetings_held(group.id) + int(self.meeting_under_way(group))
                try:
                    concern, effects = core.record_concern(
                        await t.concerns(group.id),
                        Concern(who, asking, meeting, guideline),
                        guidelines={g.key for g in plan.guidelines},
                        exclusions=await t.exclusions(group.id),
                        now=now,
                    )
                except core.Refused as error:
                    raise self._refuse(error, settings) from None
                if not await t.insert_concern(group.id, concern):
                    raise self._refuse(
                        core.Refused(core.DecisionRefusal.DUPLICATE_CONCERN), settings
                    )
                await self._engine.commit(t, group, effects, None, done)
            delivered = await self._engine.after(done, {who: target})
        if Delivery.UNDELIVERABLE in delivered.values():
            # A note that never arrived is no chance to change: keep nothing.
            async with self._repo.transaction() as t:
                await t.delete_concern(group.id, concern)
            raise NotAllowed(texts.CONCERN_UNDELIVERABLE)
        log.info("A concern was sent")
        found = plan.guideline(guideline)
        assert found is not None  # noqa: S101 - the core accepted it as one of the guidelines
        return found

    # --- proposing ---------------------------------------------------------------------------

    async def propose_exclusion(
        self, channel_id: int | None, proposer: User, target: User, meetings: int
    ) -> Proposed:
        group = await self._group_here(channel_id)
        await self._require_member(group, target)
        if (blocker := await self.port.cannot_exclude(group, target)) is not None:
            raise NotAllowed(texts.unexcludable(blocker))
        if missing := await self.port.missing_permissions(group):
            raise NotAllowed(texts.missing_permissions(missing))
        who, proposing = self._who(group, target), self._who(group, proposer)

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
                now=self._clock.now(),
            )

        return await self._propose(group, propose, {who: target})

    async def propose_change(
        self, channel_id: int | None, proposer: User, subject: str, value: str
    ) -> Proposed:
        group = await self._group_here(channel_id)
        subject = subject.strip()
        plan = await self._formats.current(group)
        if subject == FORMAT:
            ref = value.strip()
            await self._formats.compiled(group, ref)  # refuses an unknown format kindly
            if ref == group.format_id:
                raise InvalidInput("That's already the group's format. Nothing was proposed.")
            value = ref
        else:
            value = normalise_setting(subject, value, plan, await self._repo.settings(group.id))
        proposing = self._who(group, proposer)

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
                now=self._clock.now(),
            )

        return await self._propose(group, propose, {})

    async def propose_welcome_back(
        self, channel_id: int | None, proposer: User, target: User
    ) -> Proposed:
        group = await self._group_here(channel_id)
        who, proposing = self._who(group, target), self._who(group, proposer)

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
                now=self._clock.now(),
            )

        return await self._propose(group, propose, {who: target})

    async def _propose(
        self,
        group: GroupRecord,
        propose: Callable[[DecisionTx, DecisionSettings], Awaitable[tuple[Proposal, list[Effect]]]],
        hint: Mapping[Pseudonym, User],
    ) -> Proposed:
        done = Committed()
        async with self._lock(group.id):
            async with self._repo.transaction() as t:
                settings = decision_settings(await t.settings(group.id))
                try:
                    proposal, effects = await propose(t, settings)
                except core.Refused as error:
                    raise self._refuse(error, settings) from None
                await t.insert_proposal(group.id, proposal)
                await self._engine.commit(t, group, effects, About.of(proposal, None, None), done)
            await self._engine.after(done, hint)
        log.info("A proposal was made")
        return Proposed(proposal.id, proposal.deadline)

    # --- second, hearing, ballots ------------------------------------------------------------

    async def second(self, proposal_id: str, user: User) -> Seconded:
        group, _ = await self._group_of(proposal_id, texts.PROPOSAL_CLOSED)
        person = await self.port.person(group, user)
        if person.is_bot or not person.in_group:
            raise NotAllowed(texts.SECOND_NOT_MEMBER)
        seconder = self._who(group, user)
        now = self._clock.now()

        async def op(proposal: Proposal, t: DecisionTx) -> tuple[Proposal, list[Effect]]:
            settings = decision_settings(await t.settings(group.id))
            try:
                return core.second(proposal, seconder, settings=settings, now=now)
            except core.WrongState:
                raise NotAllowed("It has already been seconded — thank you.") from None
            except core.Refused as error:
                raise self._refuse(error, settings) from None

        async with self._lock(group.id):
            seconded = await self._engine.transition(
                group, proposal_id, op, closed=texts.PROPOSAL_CLOSED
            )
        log.info("A proposal was seconded")
        return Seconded(isinstance(seconded.motion, ExcludeMember), seconded.deadline)

    async def statement_limit(self, proposal_id: str, user: User) -> int:
        """Before showing the form: check ``user`` may give their side; return its length cap."""
        group, stored = await self._group_of(proposal_id, texts.PROPOSAL_CLOSED)
        proposal = stored.proposal
        if proposal.state not in (ProposalState.SECONDED, ProposalState.VOTING):
            raise NotAllowed(texts.PROPOSAL_CLOSED)
        if concerned_member(proposal.motion) != self._who(group, user):
            raise NotAllowed(
                texts.refusal(core.Refused(core.DecisionRefusal.NOT_THE_MEMBER), DecisionSettings())
            )
        return (await self.settings(group)).statement_max_chars

    async def give_statement(self, proposal_id: str, user: User, text: str) -> None:
        group, _ = await self._group_of(proposal_id, texts.PROPOSAL_CLOSED)
        who = self._who(group, user)
        now = self._clock.now()

        async def op(proposal: Proposal, t: DecisionTx) -> tuple[Proposal, list[Effect]]:
            settings = decision_settings(await t.settings(group.id))
            try:
                return core.submit_statement(proposal, who, text, settings=settings, now=now)
            except core.WrongState:
                raise NotAllowed(texts.PROPOSAL_CLOSED) from None
            except core.Refused as error:
                raise self._refuse(error, settings) from None

        async with self._lock(group.id):
            await self._engine.transition(group, proposal_id, op, closed=texts.PROPOSAL_CLOSED)
        log.info("A member gave their side")

    async def cast(self, proposal_id: str, user: User, choice: Choice) -> None:
        """One secret ballot. Eligibility is checked now, on every click."""
        group, stored = await self._group_of(proposal_id, texts.VOTE_CLOSED)
        if stored.proposal.state is not ProposalState.VOTING:
            raise NotAllowed(texts.VOTE_CLOSED)
        settings = await self.settings(group)
        person = await self.port.person(group, user)
        voter = self._who(group, user)
        now = self._clock.now()
        if person.joined_at is None:
            raise NotAllowed(texts.INELIGIBLE[core.Ineligible.NOT_IN_GROUP])
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
            raise NotAllowed(texts.INELIGIBLE[reason])
        # No group lock: the transaction alone makes this exact (the roll entry flips from
        # "not voted" in the same transaction as the ballot insert, or nothing happens).
        async with self._repo.transaction() as t:
            current = await t.proposal(proposal_id, with_box=True)
            if current is None or current.proposal.state is not ProposalState.VOTING:
                raise NotAllowed(texts.VOTE_CLOSED)
            try:
                _, effects = core.cast_ballot(
                    current.proposal, voter, choice, key=secrets.token_urlsafe(16), now=now
                )
                await self._engine.commit(t, group, effects, None, Committed())
            except core.Refused as error:
                raise self._refuse(error, settings) from None

    # --- deadlines ---------------------------------------------------------------------------

    def _deadline_handler(
        self, kind: DeadlineKind
    ) -> Callable[[Mapping[str, Any]], Awaitable[None]]:
        async def fire(payload: Mapping[str, Any]) -> None:
            await self.port.ready()
            group = await self._store.groups.by_id(int(payload["group_id"]))
            if group is None:
                return  # the group is gone (the bot left the server), and its rows with it
            key = str(payload["key"])
            try:
                async with self._lock(group.id):
                    if kind is DeadlineKind.EXCLUSION_BACKSTOP:
                        await self._backstop(group, int(key))
                    elif kind is DeadlineKind.BALLOT_OPENS:
                        await self._open_voting(group, key)
                    elif kind is DeadlineKind.BALLOT_CLOSES:
                        await self._close_voting(group, key)
                    else:
                        await self._lapse(group, key)
            except core.TooEarly as early:
                await self._scheduler.schedule(
                    DEADLINE_PREFIX + kind.value, key, early.due.timestamp(), payload
                )
            except (core.WrongState, Stale, NotAllowed):
                return  # it already happened, or the proposal is gone: nothing to do

        return fire

    async def _lapse(self, group: GroupRecord, proposal_id: str) -> None:
        now = self._clock.now()

        async def op(proposal: Proposal, t: DecisionTx) -> tuple[Proposal, list[Effect]]:
            return core.lapse(proposal, now=now)

        await self._engine.transition(group, proposal_id, op)
        log.info("A proposal lapsed")

    async def _open_voting(self, group: GroupRecord, proposal_id: str) -> None:
        stored = await self._repo.proposal(proposal_id)
        if stored is None or stored.proposal.state is not ProposalState.SECONDED:
            return
        now = self._clock.now()
        if now < stored.proposal.deadline:
            raise core.TooEarly(stored.proposal.deadline)
        motion = stored.proposal.motion
        if (
            isinstance(motion, ExcludeMember)
            and await self.port.cannot_exclude_member(group, motion.target) is not None
        ):
            await self._cancel(group, proposal_id, CancelReason.TARGET_NOT_EXCLUDABLE, now)
            return
        settings = await self.settings(group)
        roll = await self.port.roll(group, stored.proposal, settings, now)

        async def op(proposal: Proposal, t: DecisionTx) -> tuple[Proposal, list[Effect]]:
            return core.open_voting(proposal, roll, settings=settings, now=now)

        await self._engine.transition(group, proposal_id, op)
        log.info("Voting opened (%d on the roll)", len(roll))

    async def _close_voting(self, group: GroupRecord, proposal_id: str) -> None:
        now = self._clock.now()

        async def op(proposal: Proposal, t: DecisionTx) -> tuple[Proposal, list[Effect]]:
            held = await t.meetings_held(group.id)
            target = concerned_member(proposal.motion)
            return core.close_voting(
                proposal,
                settings=decision_settings(await t.settings(group.id)),
                next_meeting=held + 1 + int(self.meeting_under_way(group)),
                exclusion=None if target is None else await t.exclusion(group.id, target),
                now=now,
            )

        closed = await self._engine.transition(group, proposal_id, op, with_box=True)
        outcome = closed.result.outcome.value if closed.result else "unknown"
        log.info("A vote closed (%s)", outcome)

    async def _cancel(
        self, group: GroupRecord, proposal_id: str, reason: CancelReason, now: datetime
    ) -> None:
        async def op(proposal: Proposal, t: DecisionTx) -> tuple[Proposal, list[Effect]]:
            return core.cancel(proposal, reason, now=now)

        await self._engine.transition(group, proposal_id, op)
        log.info("A proposal was withdrawn (%s)", reason.value)

    async def _backstop(self, group: GroupRecord, exclusion_id: int) -> None:
        now = self._clock.now()
        done = Committed()
        async with self._repo.transaction() as t:
            exclusion = await t.exclusion_by_id(group.id, exclusion_id)
            if exclusion is None:
                return
            await self._engine.commit(t, group, core.backstop_due(exclusion, now), None, done)
            await self._cancel_welcome_backs(t, group, exclusion.target, now, done)
        await self._engine.after(done)
        log.info("An exclusion reached its calendar backstop and lifted")

    # --- meetings and members ----------------------------------------------------------------

    async def meeting_counted(self, event: MeetingCounted) -> None:
        """A meeting counted: lift the exclusions it completes, expire old concerns.

        Safe to repeat (a restart may deliver the same notification again)."""
        group = await self._store.groups.by_id(event.group_id)
        if group is None:
            return
        now = self._clock.now()
        done = Committed()
        lifted = 0
        async with self._lock(group.id):
            async with self._repo.transaction() as t:
                for exclusion in await t.exclusions(group.id):
                    kept, effects = core.meeting_held(exclusion, event.number, now)
                    if kept is None:
                        lifted += 1
                        await self._engine.commit(t, group, effects, None, done)
                        await self._cancel_welcome_backs(t, group, exclusion.target, now, done)
                settings = decision_settings(await t.settings(group.id))
                _, effects = core.expire(await t.concerns(group.id), event.number, settings)
                await self._engine.commit(t, group, effects, None, done)
            await self._engine.after(done)
        if lifted:
            log.info("A counted meeting ended %d member(s)' time away", lifted)

    async def member_joined(self, guild_id: int, user: User) -> None:
        """Someone (re)joined the server: if they are sitting out a group's meetings, keep the
        group's channel closed to them until their time away ends."""
        who = self._pseudonyms.of(guild_id, int(user.id))
        now = self._clock.now()
        for group_id, exclusion in await self._repo.exclusions_in_guild(guild_id, who):
            group = await self._store.groups.by_id(group_id)
            if group is None or not exclusion.in_force(now):
                continue
            done = Committed()
            async with self._lock(group.id):
                async with self._repo.transaction() as t:
                    await self._engine.commit(t, group, [ApplyExclusion(who)], None, done)
                await self._engine.after(done, {who: user})
            log.info("A member sitting out meetings rejoined; their channel stays closed")

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
                    await self._engine.commit(t, group, effects, about, done)
