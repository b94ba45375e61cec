"""Durable deadlines: a table of due times, re-armed at start-up, fired at or after they are due.

- ``schedule`` commits the deadline before returning; scheduling the same ``(kind, key)`` again
  replaces it, so a newer decision cancels the pending one and a stale timer never fires.
- ``start`` (called from ``setup_hook``) loads every pending deadline, with no page cap; past-due
  ones fire at once. Calling it twice is harmless.
- Handlers must be idempotent (they claim their work with a conditional update): a crash after
  the handler's effect but before the row is deleted fires it again on restart.
- One failing handler never stops the others: it is retried later with a growing delay. If
  the loop itself dies, it is restarted.
- Deadlines of different groups run side by side, at most :data:`IN_FLIGHT` at once; those of
  one group (its *lane*, :func:`lane_of`: what the payload names) run one after another in due
  order, so a handler may cancel or reschedule a later deadline of its own group and it won't
  fire. Deadlines that name no group (drains of many groups' rows, the privacy sweep) share one
  lane of their own, and a kind registered ``one_at_a_time`` runs all its deadlines in one lane.
  Due times are kept in a heap: a wake costs the same with 10 or 10,000 deadlines pending.
- Before firing a deadline the scheduler claims it (:meth:`DeadlineRepository.claim`: a lock
  held by this process until it lets go or dies), so two processes never fire the same deadline
  while one takes over the other's shards: one another process holds waits :data:`CLAIM_WAIT`
  (or until a new record for it arrives), one whose row moved is re-read at once. The drains
  (``drains``) are not claimed: every process runs them for its own groups' rows. A claim lost
  while the handler ran (its connection dropped, another took it) is seen before the outcome is
  saved: this process then neither completes nor reschedules it.
- ``stop`` lets the handlers under way finish (at most :data:`STOP_GRACE` real seconds: a
  handler cancelled inside a transaction could leave it half done) and starts no new one.
- While the disk can't take writes (:class:`bot.errors.StorageUnavailable`), a deadline whose
  handler (or its bookkeeping) could not save stays pending, in memory and in its row as it
  was, and is tried again every :data:`STORAGE_WAIT` real seconds; nothing is logged per try
  (the store tells the host once); so is one that can't be claimed (PostgreSQL unreachable).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Hashable, Iterable, Mapping
from typing import Any

from bot.errors import StorageUnavailable
from bot.runtime.clock import Clock
from bot.store.deadlines import Claim, DeadlineRecord, DeadlineRepository

log = logging.getLogger(__name__)

Handler = Callable[[Mapping[str, Any]], Awaitable[None]]
#: Whether this process re-arms a deadline (sharded processes: bot/runtime/ownership.py).
Owns = Callable[[DeadlineRecord], Awaitable[bool]]
#: Whether a group's work is this process's, for services that drain many groups' rows (sharded
#: processes: :meth:`bot.runtime.ownership.Ownership.owns_group`).
OwnsGroup = Callable[[int], Awaitable[bool]]


async def every_group(group_id: int) -> bool:
    """Unsharded: every group's work is this process's."""
    return True


#: Clock seconds before a failed deadline is tried again: 5 s, 10 s, 20 s … at most an hour.
RETRY_BASE = 5.0
RETRY_MAX = 3600.0
#: Real seconds before a deadline that couldn't be saved (a full disk) is tried again.
STORAGE_WAIT = 2.0
#: Groups whose deadlines run at once. An opening or a countdown's end waits mostly on Discord
#: round trips (paced by bot/adapters/pacing.py) and on commits (one writer at a time), so a few
#: dozen side by side keep both busy; more would only queue on the same two, holding memory and
#: stretching each one's time from due to done.
IN_FLIGHT = 24
#: Real seconds before a deadline another process holds is tried again.
CLAIM_WAIT = 5.0
#: Real seconds ``stop`` waits for the handlers under way before cancelling them.
STOP_GRACE = 30.0
BREATHE = 1.0  # real seconds before a deadline whose bookkeeping failed is tried again

#: Payload fields that name whose work a deadline is, most specific group first.
_LANE_FIELDS: tuple[tuple[str, str], ...] = (
    ("group_id", "group"),
    ("group", "group"),
    ("meeting", "meeting"),
    ("matter", "matter"),
    ("rotation", "rotation"),
    ("channel", "channel"),
)
#: The lane of deadlines that name no group: they run one after another.
NO_GROUP: Hashable = ("", "")


def lane_of(deadline: DeadlineRecord) -> Hashable:
    """The lane a deadline runs in: the group, meeting, matter, rotation or channel its
    payload names (the fields :class:`bot.runtime.ownership.Ownership` also reads), or
    :data:`NO_GROUP`. A meeting's deadlines and a rotation's reminders for it share the
    meeting's lane; lanes are not merged further (a meeting's lane and its group's schedule
    lane may run side by side, as a press and a deadline already do)."""
    for field, family in _LANE_FIELDS:
        value = deadline.payload.get(field)
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            return (family, value)
    return NO_GROUP


class Scheduler:
    def __init__(
        self,
        deadlines: DeadlineRepository,
        clock: Clock,
        owns: Owns | None = None,
        drains: Collection[tuple[str, str]] = (),
    ) -> None:
        self._repo = deadlines
        self._owns = owns
        #: Sharded: drains of many groups' rows share one deadline row, which another process
        #: may have completed; each process runs them once at start for its own rows.
        self._drains = tuple(drains)
        self._unclaimed = frozenset(kind for kind, _ in self._drains)
        self._clock = clock
        self._handlers: dict[str, Handler] = {}
        self._pending: dict[tuple[str, str], DeadlineRecord] = {}
        #: The pending deadlines by kind.
        self._by_kind: dict[str, dict[str, DeadlineRecord]] = {}
        #: (ready at, due at, id, tie, deadline): the soonest first. An entry whose deadline is
        #: no longer the pending one for its kind and key is stale, dropped when it surfaces.
        self._heap: list[tuple[float, float, int, int, DeadlineRecord]] = []
        self._tie = itertools.count()
        #: Deadlines the disk refused to save (or another process holds), and the clock time
        #: to try them again.
        self._held: dict[tuple[str, str], float] = {}
        #: Lanes under way, each with the deadlines waiting in it (in due order).
        self._lanes: dict[Hashable, deque[DeadlineRecord]] = {}
        self._lane_tasks: set[asyncio.Task[None]] = set()
        #: The lane of each deadline being carried out now.
        self._running: dict[tuple[str, str], Hashable] = {}
        #: Kinds whose deadlines all share one lane (``register(..., one_at_a_time=True)``).
        self._kind_lanes: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def kinds(self) -> frozenset[str]:
        """The deadline kinds this process carries out."""
        return frozenset(self._handlers)

    def register(self, kind: str, handler: Handler, *, one_at_a_time: bool = False) -> None:
        """Carry out deadlines of ``kind`` with ``handler``. ``one_at_a_time``: every deadline
        of this kind runs in one lane, in due order, whatever group it names (a handler that
        reads the other groups' pending deadlines)."""
        if kind in self._handlers:
            raise ValueError(f"a handler for {kind!r} is already registered")
        self._handlers[kind] = handler
        if one_at_a_time:
            self._kind_lanes.add(kind)
        for deadline in self._by_kind.get(kind, {}).values():
            self._arm(deadline)
        self._wake.set()

    async def overdue(self, before: float) -> int:
        """How many of this process's armed deadlines were due before ``before`` and still wait
        (sharded: another process's overdue work is not this one's health)."""
        return sum(
            1 for d in self._pending.values() if d.kind in self._handlers and d.due_at < before
        )

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def in_flight(self) -> int:
        """How many deadlines are being carried out now."""
        return len(self._running)

    def settled(self, through: float) -> bool:
        """Whether nothing is under way and nothing due at or before ``through`` waits (every
        deadline due by then has been carried out, or waits for the disk or another process)."""
        if self._lanes:
            return False
        return not any(
            d.kind in self._handlers and self._ready_at(d) <= through
            for d in self._pending.values()
        )

    async def schedule(
        self, kind: str, key: str, due_at: float, payload: Mapping[str, Any]
    ) -> None:
        """Commit a deadline (replacing one with the same kind and key), then arm it."""
        await self._repo.upsert(kind, key, due_at, payload)
        await self._reload_one(kind, key)

    async def pending(self, kind: str) -> list[DeadlineRecord]:
        """The deadlines of one kind still to come, read from the table (a feature's durable
        state kept as deadlines, read back at start-up)."""
        return [deadline for deadline in await self._mine() if deadline.kind == kind]

    async def refresh(self, keys: Iterable[tuple[str, str]]) -> None:
        """Re-read deadlines a caller changed inside its own transaction (after the commit)."""
        for kind, key in keys:
            await self._reload_one(kind, key)

    async def refresh_all(self) -> None:
        """Re-read the whole table (after a caller cancelled deadlines in bulk)."""
        self._replace_all(await self._mine())

    async def cancel(self, kind: str, key: str) -> None:
        await self._repo.cancel(kind, key)
        self._drop((kind, key))

    async def start(self) -> None:
        """Re-arm every pending deadline and run the loop; a no-op while already running."""
        if self._task is not None and not self._task.done():
            return
        self._stopping = False
        mine = await self._mine()
        now = self._clock.timestamp()
        armed = {(d.kind, d.key) for d in mine}
        for kind, key in self._drains:
            if kind in self._handlers and (kind, key) not in armed:
                # No row behind it (id 0): completing it deletes nothing.
                mine.append(DeadlineRecord(0, kind, key, now, {}, 0))
        self._replace_all(mine)
        log.info("Re-armed %d pending deadline(s)", len(self._pending))
        self._task = asyncio.create_task(self._run(), name="peercircle-scheduler")
        self._task.add_done_callback(self._restart_if_dead)

    async def _mine(self) -> list[DeadlineRecord]:
        """Every pending deadline this process carries out (another process's shards' are
        left to it). Deadlines this process schedules itself are its own, so they skip this."""
        every = await self._repo.all()
        if self._owns is None:
            return every
        return [deadline for deadline in every if await self._owns(deadline)]

    def _restart_if_dead(self, task: asyncio.Task[None]) -> None:
        if self._stopping or task.cancelled():
            return
        log.error(
            "The deadline loop stopped unexpectedly; starting it again", exc_info=task.exception()
        )
        self._task = asyncio.create_task(self._run(), name="peercircle-scheduler")
        self._task.add_done_callback(self._restart_if_dead)

    def pause_firing(self) -> None:
        """The bot is stopping: start no new deadline from now on (those under way go on;
        :meth:`stop` then waits for them)."""
        self._stopping = True
        self._wake.set()  # the loop sees it now and ends

    async def stop(self) -> None:
        """Stop firing: no new deadline starts; those under way may finish (at most
        :data:`STOP_GRACE` real seconds), so none is cut off inside a transaction."""
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        lanes = set(self._lane_tasks)
        if not lanes:
            return
        _, late = await asyncio.wait(lanes, timeout=STOP_GRACE)
        for lane in late:
            log.warning("A deadline was still under way when the bot stopped; it runs again later")
            lane.cancel()
        if late:
            await asyncio.wait(late)

    # --- what is pending ---------------------------------------------------------------------

    def _put(self, deadline: DeadlineRecord, was: DeadlineRecord | None = None) -> None:
        key = (deadline.kind, deadline.key)
        if (self._pending.get(key) if was is None else was) != deadline:
            self._held.pop(key, None)  # a new record for it: no longer held back
        self._pending[key] = deadline
        self._by_kind.setdefault(deadline.kind, {})[deadline.key] = deadline
        self._arm(deadline)

    def _drop(self, key: tuple[str, str]) -> None:
        self._held.pop(key, None)
        if self._pending.pop(key, None) is not None:
            kind = self._by_kind.get(key[0])
            if kind is not None:
                kind.pop(key[1], None)
        self._wake.set()

    def _replace_all(self, deadlines: Iterable[DeadlineRecord]) -> None:
        was, self._pending, self._by_kind, self._heap = self._pending, {}, {}, []
        for deadline in deadlines:
            self._put(deadline, was.get((deadline.kind, deadline.key)))

    def _arm(self, deadline: DeadlineRecord) -> None:
        if deadline.kind not in self._handlers:
            return  # a feature not loaded in this process; keep the row for the one that is
        entry = (self._ready_at(deadline), deadline.due_at, deadline.id, next(self._tie), deadline)
        heapq.heappush(self._heap, entry)
        if len(self._heap) > 2 * len(self._pending) + 1024:  # stale entries: start afresh
            self._heap = [e for e in self._heap if self._current(e[-1])]
            heapq.heapify(self._heap)
        self._wake.set()

    def _current(self, deadline: DeadlineRecord) -> bool:
        return self._pending.get((deadline.kind, deadline.key)) is deadline

    def _next_ready(self) -> float | None:
        """When the soonest armed deadline is ready (stale entries dropped on the way)."""
        while self._heap:
            ready_at, *_, deadline = self._heap[0]
            if not self._current(deadline):
                heapq.heappop(self._heap)
                continue
            actual = self._ready_at(deadline)
            if actual > ready_at:  # held back since it was armed
                heapq.heapreplace(
                    self._heap,
                    (actual, deadline.due_at, deadline.id, next(self._tie), deadline),
                )
                continue
            return ready_at
        return None

    async def _reload_one(self, kind: str, key: str) -> None:
        record = await self._repo.get(kind, key)
        if record is None:
            self._drop((kind, key))
        else:
            self._put(record)

    # --- firing ------------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            try:
                self._dispatch()
                await self._sleep_until_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The loop must not die: log, breathe, go on.
                log.exception("The deadline loop failed; restarting it")
                await asyncio.sleep(1.0)

    def _dispatch(self) -> None:
        """Hand every deadline ready now to its lane, in due order, starting lanes up to
        :data:`IN_FLIGHT`."""
        now = self._clock.timestamp()
        while (ready_at := self._next_ready()) is not None and ready_at <= now:
            deadline = self._heap[0][-1]
            key = (deadline.kind, deadline.key)
            lane = self._running.get(key)  # the same deadline under way: after it, in its lane
            if lane is None:
                kind = deadline.kind
                lane = ("kind", kind) if kind in self._kind_lanes else lane_of(deadline)
            waiting = self._lanes.get(lane)
            if waiting is None:
                if len(self._lanes) >= IN_FLIGHT:
                    return  # a lane ends, then this one starts (it wakes the loop)
                waiting = self._lanes[lane] = deque()
                task = asyncio.create_task(self._run_lane(lane, waiting), name="peercircle-lane")
                self._lane_tasks.add(task)
                task.add_done_callback(self._lane_tasks.discard)
            heapq.heappop(self._heap)
            waiting.append(deadline)

    async def _fire_due(self) -> None:
        """Carry out every deadline ready now, and return once they are done (the loop's work
        without the loop, for a test that moves its own clock)."""
        self._dispatch()
        while self._lane_tasks:
            await asyncio.wait(set(self._lane_tasks))
            self._dispatch()

    async def _sleep_until_next(self) -> None:
        self._wake.clear()
        ready_at = self._next_ready()
        if ready_at is None or (
            len(self._lanes) >= IN_FLIGHT and ready_at <= self._clock.timestamp()
        ):
            timeout = None  # nothing armed, or every lane busy: a change or a lane's end wakes
        else:
            timeout = self._clock.real_seconds_until(ready_at)
        # (not wait_for: on 3.11 one timing out as the task is cancelled can swallow the cancel)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._wake.wait()

    async def _run_lane(self, lane: Hashable, waiting: deque[DeadlineRecord]) -> None:
        """One group's deadlines, one after another in due order."""
        try:
            while waiting and not self._stopping:
                deadline = waiting.popleft()
                key = (deadline.kind, deadline.key)
                now = self._clock.timestamp()
                if not self._current(deadline) or self._ready_at(deadline) > now:
                    continue  # cancelled or rescheduled by an earlier handler, or held back
                self._running[key] = lane
                try:
                    await self._fire(deadline, now)
                except Exception:
                    log.exception("A deadline's bookkeeping failed; trying it again shortly")
                    self._hold_off(deadline, now + BREATHE * self._clock.rate)
                finally:
                    del self._running[key]
        finally:
            if self._lanes.get(lane) is waiting:
                del self._lanes[lane]
            self._wake.set()

    async def _fire(self, deadline: DeadlineRecord, now: float) -> None:
        handler = self._handlers[deadline.kind]
        self._held.pop((deadline.kind, deadline.key), None)
        if deadline.kind in self._unclaimed:
            await self._carry_out(deadline, handler, now)
            return
        try:
            claimed = await self._repo.claim(deadline)
        except StorageUnavailable:
            self._wait_for_room(deadline, now)  # the database can't be reached: it waits
            return
        if not claimed:  # another process holds it (look again later), or its row moved
            await self._elsewhere(deadline, now, held=claimed is Claim.HELD_ELSEWHERE)
            return
        try:
            await self._carry_out(deadline, handler, now, claimed=True)
        finally:
            try:
                await self._repo.let_go(deadline)
            except Exception:
                log.warning("Could not let go of a deadline's claim", exc_info=True)

    async def _carry_out(
        self, deadline: DeadlineRecord, handler: Handler, now: float, *, claimed: bool = False
    ) -> None:
        try:
            await handler(deadline.payload)
        except StorageUnavailable:
            self._wait_for_room(deadline, now)
            return
        except Exception:
            delay = min(RETRY_MAX, RETRY_BASE * 2**deadline.attempts)
            log.exception("Deadline %s failed; trying again in %.0fs", deadline.kind, delay)
            retry_at: float | None = now + delay
        else:
            retry_at = None
        if claimed and not await self._still_ours(deadline, now):
            return
        try:
            if retry_at is not None:
                await self._repo.retry_later(deadline, retry_at)
                await self._reload_one(deadline.kind, deadline.key)
                return
            completed = await self._repo.complete(deadline)
        except StorageUnavailable:
            # Not marked as carried out (or failed): it runs again (handlers are idempotent).
            self._wait_for_room(deadline, now)
            return
        if completed:
            # (equal, not only the same object: a refresh meanwhile re-read the same row)
            if self._pending.get((deadline.kind, deadline.key)) == deadline:
                self._drop((deadline.kind, deadline.key))
        else:
            # The handler (or someone) rescheduled it: keep the newer deadline.
            await self._reload_one(deadline.kind, deadline.key)

    async def _still_ours(self, deadline: DeadlineRecord, now: float) -> bool:
        """Is the claim still this process's (see the module's docstring)?"""
        try:
            if await self._repo.still_ours(deadline):
                return True
        except StorageUnavailable:
            self._wait_for_room(deadline, now)
            return False
        log.warning("Another process took over a deadline (%s): left to it", deadline.kind)
        await self._elsewhere(deadline, now)
        return False

    async def _elsewhere(self, deadline: DeadlineRecord, now: float, *, held: bool = True) -> None:
        """Another process holds it (``held``: look again later), or its row moved: re-read it."""
        if held:
            self._held[(deadline.kind, deadline.key)] = now + CLAIM_WAIT * self._clock.rate
        await self._reload_one(deadline.kind, deadline.key)

    def _wait_for_room(self, deadline: DeadlineRecord, now: float) -> None:
        """Nothing of this run was saved: keep the deadline pending as it is (its row is
        unchanged) and try it again in a moment."""
        self._hold_off(deadline, now + STORAGE_WAIT * self._clock.rate)

    def _hold_off(self, deadline: DeadlineRecord, until: float) -> None:
        """Try ``deadline`` again at ``until`` (if it is still the pending one)."""
        self._held[(deadline.kind, deadline.key)] = until
        if self._current(deadline):
            self._arm(deadline)  # its entry was taken when it fired

    def _ready_at(self, deadline: DeadlineRecord) -> float:
        return max(deadline.due_at, self._held.get((deadline.kind, deadline.key), 0.0))

    async def carry_on(self) -> None:
        """Writes work again: what waited for the disk is due now (re-read from the table)."""
        self._held.clear()
        await self.refresh_all()
