"""The one path every decision takes: transition, commit, carry out.

* :meth:`Engine.transition` runs a core operation on a stored proposal and commits it with a
  conditional update that must change exactly one row (else :class:`Stale`: it already
  happened);
* :meth:`Engine.commit` writes the store effects (rows, deadlines) and puts the Discord effects
  in the outbox, inside the caller's transaction, together with the outbox's own deadline so a
  restart finds any work a crash left behind;
* :meth:`Engine.after` arms the deadlines and carries out the work, deleting each item once
  done. Work that fails for a reason that may pass is tried again later (with a growing delay,
  in real seconds whatever the clock rate); work the adapter calls undeliverable (a message to
  a member who left, most 403s) is dropped, but never what matters: letting a member back in
  (:class:`~bot.runtime.decisions.port.NotYet`) is retried until it is done.

An item is carried out by one path at a time: in one process by the in-memory ``_in_flight``
set (every item of a call is reserved at once), across processes by ``Database.hold`` (on
PostgreSQL an advisory lock of this process's session, which the server lets go if the process
dies): and a path that finds it gone does nothing. So the inline path, the restart's drain, a
retry and another process taking over the same shards can never do the same work twice at once.

Sharded, an item of a group on another process's shards is left for that process (a direct
message reaches the process holding shard 0, whoever's group it is: see
:mod:`bot.runtime.decisions.proposals`' ``give_statement``). The owner picks it up
(:meth:`Engine.pick_up`, every :data:`PICKUP_SECONDS` while sharded): an item of its own
groups that no attempt was made on, seen there twice in a row and not being carried out here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import field
from enum import Enum
from typing import Any

from bot.core import decisions as core
from bot.core.decisions import DeadlineKind, DiscordEffect, Effect, Proposal
from bot.core.decisions.effects import (
    ApplyChange,
    CancelDeadline,
    DeleteConcernsAbout,
    DeleteConcernsBefore,
    DeleteExclusion,
    DeleteProposal,
    DeleteVotes,
    MarkVoted,
    SaveExclusion,
    SaveRoll,
    ScheduleDeadline,
    SendNotice,
    StartExclusion,
    StoreBallot,
)
from bot.core.decisions.hearing import NoticeState
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.core.schedule.stored import SUBJECTS as SCHEDULE_SUBJECTS
from bot.errors import NotAllowed
from bot.i18n import Msg, msg
from bot.runtime.clock import Clock
from bot.runtime.decisions.outbox import About, AdoptFormat, Work, decode, encode
from bot.runtime.decisions.port import DecisionPort, NotYet, Undeliverable, User
from bot.runtime.decisions.settings import FORMAT
from bot.runtime.scheduler import OwnsGroup, Scheduler, every_group
from bot.store import Store
from bot.store.decisions import DecisionTx
from bot.store.groups import GroupRecord
from bot.store.schedules import changed_in as schedule_changed_in

log = logging.getLogger(__name__)

DEADLINE_PREFIX = "decisions."
OUTBOX_DEADLINE = "decisions.outbox"
OUTBOX_KEY = "drain"
#: Real seconds before failed Discord work is tried again: 5 s, 10 s, 20 s … at most an hour.
RETRY_BASE = 5.0
RETRY_MAX = 3600.0
#: The table whose rows ``Database.hold`` claims, one per item.
OUTBOX_TABLE = "decision_outbox"
#: Real seconds between two looks for work another process left for this one (sharded only).
PICKUP_SECONDS = 3.0

Operation = Callable[[Proposal, DecisionTx], Awaitable[tuple[Proposal, list[Effect]]]]


class Delivery(Enum):
    DONE = "done"
    UNDELIVERABLE = "undeliverable"  # dropped: a 403, or the member or channel is gone
    PENDING = "pending"  # failed for now; tried again later


class Stale(Exception):
    """The transition already happened (a race, a repeated notification): roll back, drop."""


#: Sharded: a change that can't be made from a private message (see :class:`NotThisProcess`).
NOT_FROM_A_DM = msg(
    "I can't do this from a private message, so nothing changed. Please do it in your group's "
    "channel on the server."
)


class NotThisProcess(NotAllowed):
    """A change that arms or cancels a deadline, for a group another process serves (a press
    in a direct message reaches the process holding shard 0): rolled back, not committed where
    that process's scheduler would never hear of it."""

    def __init__(self) -> None:
        super().__init__(NOT_FROM_A_DM)


@lazy_dataclass
class Committed:
    deadlines: list[tuple[str, str]] = field(default_factory=list)
    work: list[int] = field(default_factory=list)
    #: Exclusion row ids by member, so a backstop deadline is keyed by the row, not the person.
    exclusions: dict[Pseudonym, int] = field(default_factory=dict)


class Engine:
    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        scheduler: Scheduler,
        port: DecisionPort,
        owns_group: OwnsGroup = every_group,
    ) -> None:
        self._owns_group = owns_group  # sharded: only this process's groups' work
        self._store = store
        self._repo = store.decisions
        self._clock = clock
        self._scheduler = scheduler
        self.port = port
        self._in_flight: set[int] = set()
        #: Items of this process's groups seen waiting, untried, at the last look (pick_up).
        self._seen_waiting: set[int] = set()
        self._watch: asyncio.Task[None] | None = None

    async def deadline_key(
        self, t: DecisionTx, group: GroupRecord, kind: DeadlineKind, key: str, done: Committed
    ) -> str:
        """The scheduler's key for a core deadline. Proposal ids are opaque and unique; the core
        keys a backstop by the member, which the scheduler's table must never hold, so it is
        keyed by the exclusion's row id instead."""
        if kind is not DeadlineKind.EXCLUSION_BACKSTOP:
            return key
        target = Pseudonym(key)
        if target not in done.exclusions:
            found = await t.exclusion_id(group.id, target)
            if found is None:
                raise Stale
            done.exclusions[target] = found
        return str(done.exclusions[target])

    async def transition(
        self,
        group: GroupRecord,
        proposal_id: str,
        op: Operation,
        *,
        with_box: bool = False,
        closed: Msg | None = None,
    ) -> Proposal:
        """Run ``op`` on the stored proposal and commit it with a conditional update that must
        change exactly one row; then carry out its Discord effects."""
        done = Committed()
        async with self._repo.transaction() as t:
            stored = await t.proposal(proposal_id, with_box=with_box)
            if stored is None or stored.group_id != group.id:
                raise (NotAllowed(closed) if closed is not None else Stale())
            new, effects = await op(stored.proposal, t)
            if not await t.transition(new, expected=stored.proposal.state):
                raise Stale
            about = About.of(stored.proposal, stored.message_id, stored.ballot_message_id)
            await self.commit(t, group, effects, about, done)
        await self.after(done)
        return new

    async def commit(
        self,
        t: DecisionTx,
        group: GroupRecord,
        effects: Sequence[Effect],
        about: About | None,
        done: Committed,
    ) -> None:
        """Write the store effects and queue the Discord ones, inside the caller's transaction."""
        deadlines = self._store.deadlines
        queued = len(done.work)
        timed = (ScheduleDeadline, CancelDeadline)
        if any(isinstance(e, timed) for e in effects) and not await self._owns_group(group.id):
            raise NotThisProcess
        for effect in effects:
            match effect:
                case ScheduleDeadline(kind=kind, key=key, at=at):
                    name = DEADLINE_PREFIX + kind.value
                    dkey = await self.deadline_key(t, group, kind, key, done)
                    payload = {"group_id": group.id, "key": dkey}
                    await deadlines.upsert_in(t.tx, name, dkey, at.timestamp(), payload)
                    done.deadlines.append((name, dkey))
                case CancelDeadline(kind=kind, key=key):
                    name = DEADLINE_PREFIX + kind.value
                    dkey = await self.deadline_key(t, group, kind, key, done)
                    await deadlines.cancel_in(t.tx, name, dkey)
                    done.deadlines.append((name, dkey))
                case SaveRoll(proposal_id=proposal_id, voters=voters):
                    await t.save_roll(proposal_id, voters)
                case MarkVoted(proposal_id=proposal_id, voter=voter):
                    if not await t.mark_voted(proposal_id, voter):
                        raise core.Refused(core.DecisionRefusal.ALREADY_VOTED)
                case StoreBallot(proposal_id=proposal_id, key=key, choice=choice):
                    await t.store_ballot(proposal_id, key, choice)
                case DeleteVotes(proposal_id=proposal_id):
                    await t.delete_votes(proposal_id)
                case DeleteProposal(proposal_id=proposal_id):
                    await t.delete_proposal(proposal_id)
                case SaveExclusion(exclusion=exclusion):
                    row = await t.save_exclusion(group.id, exclusion)
                    done.exclusions[exclusion.target] = row
                case StartExclusion(target=target, after_meeting=after, first_meeting=first):
                    await t.start_exclusion(group.id, target, after, first)
                case DeleteExclusion(target=target):
                    await self.deadline_key(t, group, DeadlineKind.EXCLUSION_BACKSTOP, target, done)
                    if not await t.delete_exclusion(group.id, target):
                        raise Stale
                case DeleteConcernsAbout(target=target):
                    await t.delete_concerns_about(group.id, target)
                case DeleteConcernsBefore(meeting=meeting):
                    await t.delete_concerns_before(group.id, meeting)
                case ApplyChange(proposal_id=proposal_id, subject=subject, value=value):
                    if subject == FORMAT:
                        work = Work(AdoptFormat(proposal_id, value), about)
                        done.work.append(await t.enqueue(group.id, encode(work)))
                    elif subject in SCHEDULE_SUBJECTS:  # re-armed by the schedule's own deadline
                        now = self._clock.timestamp()
                        sync = await schedule_changed_in(t.tx, group.id, subject, value, now)
                        done.deadlines.append(sync)
                    else:
                        await t.set_setting(group.id, subject, value)
                case DiscordEffect():
                    done.work.append(await t.enqueue(group.id, encode(Work(effect, about))))
                case _:
                    raise TypeError(f"unknown effect {effect!r}")
        if len(done.work) > queued:
            # Written with the work: after a crash, the restart carries it out.
            await deadlines.upsert_in(
                t.tx, OUTBOX_DEADLINE, OUTBOX_KEY, self._clock.timestamp(), {}
            )

    async def after(
        self, done: Committed, hint: Mapping[Pseudonym, User] | None = None
    ) -> dict[int, Delivery]:
        mine = self._reserve(done.work)  # from the commit on: a pick-up never takes them
        try:
            await self._scheduler.refresh(done.deadlines)
            delivered = await self._deliver_reserved(mine, hint or {})
        finally:
            self._in_flight.difference_update(mine)
        if delivered:
            await self.tidy_outbox()
        return delivered

    async def tidy_outbox(self) -> None:
        """With nothing left to carry out, the outbox's deadline goes too (no row outlives its
        purpose); while work waits, it stays, so a restart finds it."""
        if await self._repo.drop_idle_deadline(OUTBOX_DEADLINE, OUTBOX_KEY):
            await self._scheduler.refresh([(OUTBOX_DEADLINE, OUTBOX_KEY)])

    async def deliver(
        self, ids: Sequence[int], hint: Mapping[Pseudonym, User]
    ) -> dict[int, Delivery]:
        mine = self._reserve(ids)
        try:
            return await self._deliver_reserved(mine, hint)
        finally:
            self._in_flight.difference_update(mine)

    def _reserve(self, ids: Sequence[int]) -> list[int]:
        """The ids no other path of this process is carrying out, now reserved for the caller
        (all at once, not one by one: a pick-up never takes one still waiting its turn)."""
        mine = list(dict.fromkeys(i for i in ids if i not in self._in_flight))
        self._in_flight.update(mine)
        return mine

    async def _deliver_reserved(
        self, ids: Sequence[int], hint: Mapping[Pseudonym, User]
    ) -> dict[int, Delivery]:
        results: dict[int, Delivery] = {}
        for item_id in ids:
            try:
                results[item_id] = await self._deliver_held(item_id, hint)
            finally:
                self._in_flight.discard(item_id)
        return results

    async def _deliver_held(self, item_id: int, hint: Mapping[Pseudonym, User]) -> Delivery:
        """Carry out one item while this process holds it (no other process can meanwhile)."""
        db = self._store.db
        if not await db.hold(OUTBOX_TABLE, item_id):
            return Delivery.PENDING  # another live process is carrying it out right now
        try:
            return await self.deliver_one(item_id, hint)
        finally:
            await db.let_go(OUTBOX_TABLE, item_id)

    async def deliver_one(self, item_id: int, hint: Mapping[Pseudonym, User]) -> Delivery:
        item = await self._repo.outbox_item(item_id)
        if item is None:
            return Delivery.DONE  # carried out already
        if not await self._owns_group(item.group_id):
            return Delivery.PENDING  # another process's group: left for it to pick up
        group = await self._store.groups.by_id(item.group_id)
        if group is None:
            await self._repo.done(item_id)
            return Delivery.UNDELIVERABLE
        work = decode(item.payload)
        name = type(work.task).__name__
        try:
            reached = await self.port.carry_out(group, work, hint)
            if isinstance(work.task, SendNotice):  # how far it got: voting waits for it
                state = reached or NoticeState.PRIVATE
                await self._repo.set_notice(work.task.proposal_id, state, self._clock.timestamp())
        except Undeliverable:
            await self._repo.done(item_id)
            log.info("Dropped Discord work that can't be done (%s)", name)
            return Delivery.UNDELIVERABLE
        except Exception as error:
            if not await self._store.db.still_holds(OUTBOX_TABLE, item_id):
                return Delivery.PENDING  # another process took it over: its outcome to save
            await self._repo.failed(item_id)
            delay = min(RETRY_MAX, RETRY_BASE * 2**item.attempts) * self._clock.rate
            log.log(
                logging.INFO if isinstance(error, NotYet) else logging.WARNING,
                "Discord work (%s) failed (%s); trying again later",
                name,
                type(error).__name__,
            )
            now = self._clock.timestamp()
            retry_at = now + delay
            armed = await self._store.deadlines.get(OUTBOX_DEADLINE, OUTBOX_KEY)
            # (An armed deadline already due is the one firing now: it is gone when we return.)
            if armed is None or armed.due_at <= now or retry_at < armed.due_at:
                # One deadline drains every waiting item: only ever bring it forward, so a
                # long back-off for one item never holds up the retry another needs sooner.
                await self._scheduler.schedule(OUTBOX_DEADLINE, OUTBOX_KEY, retry_at, {})
            return Delivery.PENDING
        if not await self._store.db.still_holds(OUTBOX_TABLE, item_id):
            return Delivery.PENDING  # (as above)
        await self._repo.done(item_id)
        return Delivery.DONE

    async def drain(self, payload: Mapping[str, Any]) -> None:
        """Carry out whatever Discord work is left (after a restart, or to retry)."""
        await self.port.ready()
        items = [
            item for item in await self._repo.outbox() if await self._owns_group(item.group_id)
        ]
        if items:
            log.info("Carrying out %d piece(s) of pending Discord work", len(items))
        await self.deliver([item.id for item in items], {})
        await self.tidy_outbox()

    # --- work another process left for this one (sharded) -----------------------------------

    async def pick_up(self) -> int:
        """Carry out the items of this process's groups that another process left: untried,
        not being carried out here, and seen waiting at the last look too. Returns how many."""
        waiting = {
            item.id
            for item in await self._repo.outbox()
            if item.attempts == 0
            and item.id not in self._in_flight
            and await self._owns_group(item.group_id)
        }
        left, self._seen_waiting = sorted(waiting & self._seen_waiting), waiting
        if not left:
            return 0
        await self.port.ready()
        log.info("Carrying out %d piece(s) of Discord work another process left", len(left))
        delivered = await self.deliver(left, {})
        self._seen_waiting -= set(delivered)
        if delivered:
            await self.tidy_outbox()
        return sum(1 for result in delivered.values() if result is not Delivery.PENDING)

    def watch(self) -> None:
        """Sharded: look for work left for this process every :data:`PICKUP_SECONDS`."""
        if self._owns_group is every_group or (self._watch and not self._watch.done()):
            return
        self._watch = asyncio.create_task(self._watching(), name="peercircle-decision-pickup")

    async def _watching(self) -> None:
        failing = False
        while True:
            await asyncio.sleep(PICKUP_SECONDS)
            try:
                await self.pick_up()
            except Exception as error:  # the database away for a moment: look again later
                if not failing:  # said once, not every few seconds
                    log.warning("Can't look for Discord work left here (%s)", type(error).__name__)
                failing = True
            else:
                failing = False

    async def stop_watching(self) -> None:
        task, self._watch = self._watch, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
