"""Durable deadlines: a table of due times, re-armed at start-up, fired at or after they are due.

- ``schedule`` commits the deadline before returning; scheduling the same ``(kind, key)`` again
  replaces it, so a newer decision cancels the pending one and a stale timer never fires.
- ``start`` (called from ``setup_hook``) loads every pending deadline, with no page cap; past-due
  ones fire at once. Calling it twice is harmless.
- Handlers must be idempotent (they claim their work with a conditional update): a crash after
  the handler's effect but before the row is deleted fires it again on restart.
- One failing handler never stops the others: it is retried later with a growing delay.
- If the loop itself dies, it is restarted.
- While the disk can't take writes (:class:`bot.errors.StorageUnavailable`), a deadline whose
  handler (or its bookkeeping) could not save stays pending, in memory and in its row as it
  was, and is tried again every :data:`STORAGE_WAIT` real seconds; nothing is logged per try
  (the store tells the host once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from typing import Any

from bot.errors import StorageUnavailable
from bot.runtime.clock import Clock
from bot.store.deadlines import DeadlineRecord, DeadlineRepository

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
        self._clock = clock
        self._handlers: dict[str, Handler] = {}
        self._pending: dict[tuple[str, str], DeadlineRecord] = {}
        #: Deadlines the disk refused to save, and the clock time to try them again.
        self._held: dict[tuple[str, str], float] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def kinds(self) -> frozenset[str]:
        """The deadline kinds this process carries out."""
        return frozenset(self._handlers)

    def register(self, kind: str, handler: Handler) -> None:
        if kind in self._handlers:
            raise ValueError(f"a handler for {kind!r} is already registered")
        self._handlers[kind] = handler

    async def overdue(self, before: float) -> int:
        """How many of this process's armed deadlines were due before ``before`` and still wait
        (sharded: another process's overdue work is not this one's health)."""
        return sum(
            1 for d in self._pending.values() if d.kind in self._handlers and d.due_at < before
        )

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def ahead_of(self, kind: str, key: str, field: str, value: object) -> int:
        """How many other pending deadlines of ``kind`` carry the same ``payload[field]`` with
        a lower key (numbers compared as numbers): a place in a queue of work due together."""

        def order(k: str) -> tuple[int, str]:
            return (int(k), "") if k.isdigit() else (0, k)

        mine = order(key)
        return sum(
            1
            for (k, other_key), d in self._pending.items()
            if k == kind and d.payload.get(field) == value and order(other_key) < mine
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
        self._pending = {(d.kind, d.key): d for d in await self._mine()}
        self._wake.set()

    async def cancel(self, kind: str, key: str) -> None:
        await self._repo.cancel(kind, key)
        self._pending.pop((kind, key), None)
        self._wake.set()

    async def start(self) -> None:
        """Re-arm every pending deadline and run the loop; a no-op while already running."""
        if self._task is not None and not self._task.done():
            return
        self._stopping = False
        self._pending = {(d.kind, d.key): d for d in await self._mine()}
        now = self._clock.timestamp()
        for kind, key in self._drains:
            if kind in self._handlers and (kind, key) not in self._pending:
                # No row behind it (id 0): completing it deletes nothing.
                self._pending[(kind, key)] = DeadlineRecord(0, kind, key, now, {}, 0)
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

    async def stop(self) -> None:
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _reload_one(self, kind: str, key: str) -> None:
        record = await self._repo.get(kind, key)
        if record is None:
            self._pending.pop((kind, key), None)
        else:
            self._pending[(kind, key)] = record
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._fire_due()
                await self._sleep_until_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The loop must not die: log, breathe, go on.
                log.exception("The deadline loop failed; restarting it")
                await asyncio.sleep(1.0)

    async def _sleep_until_next(self) -> None:
        self._wake.clear()
        runnable = [self._ready_at(d) for d in self._pending.values() if d.kind in self._handlers]
        timeout = self._clock.real_seconds_until(min(runnable)) if runnable else None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _fire_due(self) -> None:
        now = self._clock.timestamp()
        due = sorted(
            (d for d in self._pending.values() if self._ready_at(d) <= now),
            key=lambda d: (d.due_at, d.id),
        )
        for deadline in due:
            handler = self._handlers.get(deadline.kind)
            if handler is None:
                continue  # a feature not loaded in this process; keep the row for the one that is
            if self._pending.get((deadline.kind, deadline.key)) is not deadline:
                continue  # cancelled or rescheduled by an earlier handler in this batch
            self._held.pop((deadline.kind, deadline.key), None)
            try:
                await handler(deadline.payload)
            except StorageUnavailable:
                self._wait_for_room(deadline, now)
                continue
            except Exception:
                delay = min(RETRY_MAX, RETRY_BASE * 2**deadline.attempts)
                log.exception("Deadline %s failed; trying again in %.0fs", deadline.kind, delay)
                try:
                    await self._repo.retry_later(deadline, now + delay)
                except StorageUnavailable:
                    self._wait_for_room(deadline, now)
                    continue
                await self._reload_one(deadline.kind, deadline.key)
                continue
            try:
                completed = await self._repo.complete(deadline)
            except StorageUnavailable:
                # Carried out, but not marked so: it runs again (handlers are idempotent).
                self._wait_for_room(deadline, now)
                continue
            if completed:
                # (equal, not only the same object: a refresh meanwhile re-read the same row)
                if self._pending.get((deadline.kind, deadline.key)) == deadline:
                    del self._pending[(deadline.kind, deadline.key)]
            else:
                # The handler (or someone) rescheduled it: keep the newer deadline.
                await self._reload_one(deadline.kind, deadline.key)

    def _wait_for_room(self, deadline: DeadlineRecord, now: float) -> None:
        """Nothing of this run was saved: keep the deadline pending as it is (its row is
        unchanged) and try it again in a moment."""
        self._held[(deadline.kind, deadline.key)] = now + STORAGE_WAIT * self._clock.rate

    def _ready_at(self, deadline: DeadlineRecord) -> float:
        return max(deadline.due_at, self._held.get((deadline.kind, deadline.key), 0.0))

    async def carry_on(self) -> None:
        """Writes work again: what waited for the disk is due now (re-read from the table)."""
        self._held.clear()
        await self.refresh_all()
