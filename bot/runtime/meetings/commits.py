"""Group commit: the operations on one meeting that arrive while its last step is being saved
wait their turn, then are saved together, in one transaction.

Without it, 200 members pressing **Raise hand** in the same second are saved one after the
other, each in its own transaction under the group's lock, and the last hears "your hand is
up" only after 200 saves. With it, the first press is saved at once; every press that came
in meanwhile is applied to the meeting's state in the order it arrived and saved with the
others in the next transaction, and each is answered after that commit.

What still holds, press by press:

* **durable first**: nobody is answered before the step their press made is committed (and
  shown in the channel, as before);
* **order**: operations are applied in the order they reached the service;
* **refusals stay one's own**: an operation the core refuses (a hand already up, a meeting that
  moved on) changes nothing and is refused alone, the others go on;
* **a failed save is the truth for all**: if the transaction fails, nothing of the batch was
  kept, and every operation in it is told so (its error is the batch's error);
* a meeting that ends within a batch refuses the operations after the end, as it would have
  one by one.

How: each operation joins its meeting's line (:meth:`Waiting.join`). If nobody is carrying
out that line, it does: it takes the group's lock and the whole line (:meth:`Waiting.take`),
and carries it out. Otherwise it waits to be woken: all the operations of a round are woken at
once when it is done (no hand-over from one to the next), and the first still waiting is woken
to carry out the next round (:meth:`Waiting.pass_on`). Nothing here is kept but in memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.core.meeting import MeetingRunner, MeetingState
from bot.core.meeting.effects import Effect, MeetingEnded, MeetingError, MeetingRefusal
from bot.core.meeting.flow import Outcome
from bot.runtime.clock import Clock
from bot.runtime.events import EventBus
from bot.runtime.live import LiveMeeting, LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.meetings.closing import Closing, closing_events, meeting_now
from bot.runtime.meetings.refusals import CannotPost
from bot.runtime.meetings.steps import write_timers
from bot.runtime.scheduler import Scheduler
from bot.store import Store

log = logging.getLogger(__name__)

#: A meeting's deadlines are keyed ``meeting.<kind>`` / ``<meeting id>:<key>``.
TIMER_KEY_PREFIX = "meeting."

Operation = Callable[[MeetingRunner, MeetingState, datetime], Outcome]
#: The state an operation is given: ``state`` with who took part so far (in memory).
Counted = Callable[[LiveMeeting, MeetingState], MeetingState]
#: Show a committed step in the channel and tell the features that follow meetings (raises
#: :class:`CannotPost` when Discord refused to post there; the meeting then paused).
Shown = Callable[[LiveMeeting, Sequence[Effect]], Awaitable[None]]


class Pending:
    """One operation waiting to be carried out, and, once it was, how it went. Whoever waits
    for it is woken when it is done, or when it is their turn to carry out the line."""

    __slots__ = ("_asked", "_woken", "error", "finished", "op")

    def __init__(self, op: Operation) -> None:
        self.op = op
        self.finished = False
        self.error: BaseException | None = None
        self._asked = False
        self._woken = asyncio.get_running_loop().create_future()

    def succeed(self) -> None:
        self.finished = True
        self._wake()

    def fail(self, error: BaseException) -> None:
        self.finished, self.error = True, error
        self._wake()

    def lead(self) -> None:
        """Its turn to carry out the line (it is still waiting in it)."""
        self._asked = True
        self._wake()

    @property
    def asked_to_lead(self) -> bool:
        return self._asked and not self.finished

    def _wake(self) -> None:
        if not self._woken.done():
            self._woken.set_result(None)

    async def woken(self) -> None:
        await self._woken

    def outcome(self) -> None:
        """Return if it was carried out (committed and shown); raise its error otherwise."""
        if not self.finished:  # pragma: no cover - whoever leads finishes every one it took
            raise RuntimeError("an operation was left undone")
        if self.error is not None:
            raise self.error


class Waiting:
    """Per meeting, the operations that reached the service and are not yet carried out, in
    the order they came, and whether someone is carrying out its line now."""

    def __init__(self) -> None:
        self._lines: dict[int, list[Pending]] = {}
        self.leading: set[int] = set()  # meeting ids

    def join(self, meeting_id: int, op: Operation) -> Pending:
        pending = Pending(op)
        self._lines.setdefault(meeting_id, []).append(pending)
        return pending

    def take(self, meeting_id: int) -> list[Pending]:
        """Every operation waiting for this meeting (the line is then empty)."""
        return self._lines.pop(meeting_id, [])

    def leave(self, meeting_id: int, pending: Pending) -> None:
        """A caller stopped waiting (cancelled): its operation is not carried out."""
        line = self._lines.get(meeting_id, [])
        if pending in line:
            line.remove(pending)
        if not line:
            self._lines.pop(meeting_id, None)

    def put_back(self, meeting_id: int, undone: Iterable[Pending]) -> None:
        """Operations a cancelled leader left undone go back to the head of the line."""
        back = list(undone)
        if back:
            self._lines[meeting_id] = back + self._lines.get(meeting_id, [])

    def pass_on(self, meeting_id: int) -> None:
        """Wake the first still waiting, to carry out the rest of the line."""
        line = self._lines.get(meeting_id)
        if line:
            self.leading.add(meeting_id)
            line[0].lead()


class GroupCommit:
    """Carries out a meeting's operations under its group's lock, a line at a time."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        scheduler: Scheduler,
        live: LiveMeetings,
        locks: GroupLocks,
        bus: EventBus,
        counted: Counted,
        shown: Shown,
    ) -> None:
        self._store = store
        self._clock = clock
        self._scheduler = scheduler
        self._live = live
        self._lock = locks
        self._bus = bus
        self._counted = counted
        self._shown = shown
        self._waiting = Waiting()

    async def apply(self, live: LiveMeeting, op: Operation) -> None:
        """Carry out ``op``; return once its step is committed and shown, or raise why not."""
        mine = self._waiting.join(live.id, op)
        if live.id in self._waiting.leading:  # a step is being saved: wait for the next round
            try:
                await mine.woken()  # done (with the others), or its turn to lead
            except BaseException:  # cancelled while waiting: not carried out
                self._waiting.leave(live.id, mine)
                if mine.asked_to_lead:
                    self._waiting.leading.discard(live.id)
                    self._waiting.pass_on(live.id)
                raise
        if not mine.finished:
            await self._lead(live, mine)
        mine.outcome()

    async def _lead(self, live: LiveMeeting, mine: Pending) -> None:
        """Carry out the meeting's whole line, in one transaction, under the group's lock.
        Cancelled (while waiting for the lock, or before its commit), ``mine`` is not carried
        out and leaves the line; the others wait for the next in line to lead."""
        self._waiting.leading.add(live.id)
        closing: Closing = []
        try:
            async with self._lock(live.group.id):
                batch = self._waiting.take(live.id)
                try:
                    closing = await self._commit(live, batch)
                except Exception as error:  # nothing was kept: the truth for every one
                    for pending in batch:
                        if not pending.finished:
                            pending.fail(error)
                except BaseException:  # cancelled: the next in line does the rest
                    undone = (p for p in batch if not p.finished and p is not mine)
                    self._waiting.put_back(live.id, undone)
                    raise
        except BaseException:
            self._waiting.leave(live.id, mine)  # else it would be woken to lead: nobody would
            raise
        finally:
            self._waiting.leading.discard(live.id)
            self._waiting.pass_on(live.id)  # whoever came meanwhile: the next round
        for event, held in closing:
            await self._bus.publish(event, held)

    async def _commit(self, live: LiveMeeting, batch: list[Pending]) -> Closing:
        """Apply the batch's operations in order, commit the result in one transaction, show
        it, and only then mark each carried out (or refused, each for its own reason)."""
        if not self._live.is_current(live):
            for pending in batch:
                pending.fail(MeetingError(MeetingRefusal.ENDED))
            return []
        now = meeting_now(self._clock.now(), live)
        state, effects, applied = live.state, list[Effect](), list[Pending]()
        ended: MeetingEnded | None = None
        last = state  # the state before the step that ended it, if one did
        for pending in batch:
            if ended is not None:  # the meeting ended earlier in this batch
                pending.fail(MeetingError(MeetingRefusal.ENDED))
                continue
            last = state
            try:
                state, more = pending.op(live.runner, self._counted(live, state), now)
            except Exception as error:  # refused (or failed) alone; the state is unchanged
                pending.fail(error)
                continue
            applied.append(pending)
            effects += more
            ended = next((e for e in more if isinstance(e, MeetingEnded)), None)
        if not applied:
            return []
        saving = asyncio.ensure_future(self._save(live, state, ended, effects, now, last))
        try:
            changed, closing = await asyncio.shield(saving)
        except asyncio.CancelledError:
            # SQLite's commit goes on in its thread: wait for how it ended. Kept, the batch is
            # done (never put back to be applied again); not kept, the next leader does it.
            await _settled(saving)
            if not saving.cancelled() and saving.exception() is None:
                live.state = state
                for pending in applied:
                    pending.succeed()
            raise
        live.state = state
        try:
            await self._after_commit(live, ended, changed, effects)
        except CannotPost as refused:  # committed, but the room couldn't be told: each hears so
            applied[0].fail(refused)
            for pending in applied[1:]:
                pending.fail(CannotPost(refused.missing, new=False))
            return closing
        except Exception:
            raise  # each is told of the error (as one operation alone would have been)
        except BaseException:  # cancelled after the commit: kept, so never carried out again
            for pending in applied:
                pending.succeed()
            raise
        for pending in applied:
            pending.succeed()
        return closing

    async def _save(
        self,
        live: LiveMeeting,
        state: MeetingState,
        ended: MeetingEnded | None,
        effects: Sequence[Effect],
        now: datetime,
        last: MeetingState,
    ) -> tuple[list[tuple[str, str]], Closing]:
        """The batch's one transaction: the deadlines it changed, and the closing events."""
        closing: Closing = []
        async with self._store.db.transaction() as tx:
            if ended is None:
                await self._store.meetings.save(tx, live.id, state.to_json())
                changed = await write_timers(self._store.deadlines, tx, live.id, effects)
            else:
                await self._store.meetings.delete(tx, live.id)
                await self._store.deadlines.cancel_prefix_in(tx, TIMER_KEY_PREFIX, f"{live.id}:")
                changed = []
                closing = await closing_events(
                    tx, self._store, self._bus, live, ended.counted, now.timestamp(), last
                )
        return changed, closing

    async def _after_commit(
        self,
        live: LiveMeeting,
        ended: MeetingEnded | None,
        changed: list[tuple[str, str]],
        effects: Sequence[Effect],
    ) -> None:
        """Re-arm the deadlines the step changed, and show it (:class:`CannotPost` if Discord
        refused to post in the channel)."""
        if ended is None:
            await self._scheduler.refresh(dict.fromkeys(changed))
        else:
            self._live.remove(live)
            await self._scheduler.refresh_all()
            log.info("A meeting ended (counted: %s)", ended.counted)
        await self._shown(live, effects)


async def _settled(task: asyncio.Future[Any]) -> None:
    """Wait until ``task`` is done, whatever cancels the waiter meanwhile (its caller raises
    the cancellation afterwards)."""
    while not task.done():
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:
            continue
