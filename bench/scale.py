"""B3 scale: the cost of one event, and the memory, as the number of meetings under way grows
(10, 1,000, 10,000). In this process: the real meeting service, store (SQLite, its own
pragmas, in ``/dev/shm`` when there is one), scheduler, formats, locks and bus, with a port that
shows nothing (:mod:`bench.inprocess`) — Discord's side is B1's and B2's business.

- a press: "Raise hand" then "Lower hand" in meetings picked at random, each through
  :meth:`MeetingService.act` (the state saved in a transaction, as the bot does);
- timers firing in every meeting at once: the clock moves past the ``before:`` countdown of all
  the meetings together and the scheduler fires each one's deadline (CPU time of this process,
  which the machine's other load leaves alone; the deadlines run side by side);
- a timer alone: deadlines due one after another, the clock moved past each in turn, while
  as many others as there are meetings wait far ahead — the scheduler's own cost per wake
  (CPU time; it once looked at every pending deadline on each);
- memory: the Python memory still held once the meetings have started, per meeting
  (tracemalloc, in the first repeat only: it slows what it traces).

Figures: each cost at the largest size over the same cost at the smallest (goal ≤ 1.2), and
KiB per meeting (goal ≤ 16)."""

from __future__ import annotations

import asyncio
import gc
import random
import secrets
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bench.harness import Figure, Size, Spread
from bench.inprocess import Runtime, Time, scratch
from bot.core.meeting.flow import Outcome
from bot.core.meeting.runner import MeetingRunner
from bot.core.meeting.state import MeetingState
from bot.core.pseudonyms import Pseudonym
from bot.runtime.clock import Clock
from bot.runtime.scheduler import Scheduler
from bot.store import Store

NAME = "B3 scale: per-event cost and memory as the meetings under way grow"
GUILD = 8001
COUNTDOWN = 5 * 60  # open-discussion's `before:` countdown
#: Lone timers fired before the measured ones (caches, the loop's first wakes).
WARM_UP = 10


def hand(who: Pseudonym, up: bool) -> Callable[[MeetingRunner, MeetingState, datetime], Outcome]:
    def op(runner: MeetingRunner, state: MeetingState, now: datetime) -> Outcome:
        if up:
            return runner.raise_hand(state, who, now)
        return runner.lower_hand(state, who, now)

    return op


async def at_size(
    meetings: int, presses: int, repeats: int, *, weigh: bool
) -> tuple[list[float], float, float]:
    """Seconds per press (each repeat), seconds per timer fired, and (``weigh``) KiB of Python
    memory per meeting still held once they have started (tracemalloc: the meetings, their
    states and caches; not SQLite's page cache, which its pragmas bound)."""
    with scratch() as folder:
        store = Store(Path(folder) / "scale.sqlite3")
        await store.open()
        try:
            runtime = Runtime(store, secrets.token_bytes(32))
            gc.collect()
            if weigh:  # tracemalloc slows what it traces: only the meetings' start, once
                tracemalloc.start()
            live = await runtime.meetings(GUILD, range(5_000_000, 5_000_000 + meetings))
            gc.collect()
            per_meeting = tracemalloc.get_traced_memory()[0] / 1024 / meetings if weigh else 0.0
            tracemalloc.stop()
            chance = random.Random(meetings)  # noqa: S311 - which meetings, not a secret
            per_press = []
            for repeat in range(repeats + 1):  # the first warms the caches up: not counted
                picked = [chance.choice(live) for _ in range(presses)]
                who = [runtime.pseudonyms.of(GUILD, 20_000_000 + n) for n in range(presses)]
                began = time.perf_counter()
                for meeting, person in zip(picked, who, strict=True):
                    await runtime.service.act(meeting, hand(person, True))
                    await runtime.service.act(meeting, hand(person, False))
                if repeat:
                    per_press.append((time.perf_counter() - began) / (2 * presses))
            # Every meeting's countdown ends at the same moment.
            await runtime.scheduler.start()
            all_shown = runtime.port.expect(m.id for m in live)
            runtime.time.now += COUNTDOWN + 1
            began = time.process_time()  # CPU time: what a loaded machine leaves alone
            await runtime.scheduler.refresh_all()
            async with asyncio.timeout(600):
                await all_shown.wait()
            per_timer = (time.process_time() - began) / meetings
            await runtime.scheduler.stop()
            return per_press, per_timer, per_meeting
        finally:
            await store.close()


async def lone_timers(pending: int, fires: int) -> float:
    """CPU seconds per deadline fired alone (each due a clock second after the last, the clock
    moved past it, the scheduler woken) while ``pending`` others wait far ahead."""
    with scratch() as folder:
        store = Store(Path(folder) / "timers.sqlite3")
        await store.open()
        try:
            time_ = Time()
            async with store.db.transaction() as tx:
                for n in range(pending):
                    far = time_.now + 10**7 + n
                    await store.deadlines.upsert_in(tx, "bench.far", str(n), far, {"meeting": n})
                for n in range(fires):
                    due = time_.now + 1 + n
                    await store.deadlines.upsert_in(tx, "bench.due", str(n), due, {"meeting": -n})
            scheduler = Scheduler(store.deadlines, Clock(real_time=time_))
            fired = asyncio.Event()

            async def handler(payload: object) -> None:
                fired.set()

            scheduler.register("bench.far", handler)
            scheduler.register("bench.due", handler)
            await scheduler.start()
            gc.collect()
            began = time.process_time()
            for n in range(fires):
                if n == WARM_UP:  # the first few warm the caches up: not counted
                    began = time.process_time()
                fired.clear()
                time_.now += 1
                await scheduler.refresh([("bench.due", str(n))])  # wakes the loop
                async with asyncio.timeout(60):
                    await fired.wait()
            per_fire = (time.process_time() - began) / (fires - WARM_UP)
            await scheduler.stop()
            return per_fire
        finally:
            await store.close()


async def figures(size: Size) -> list[Figure]:
    sizes, presses, repeats, lone = (
        ((10, 200), 50, 1, 40) if size is Size.TINY else ((10, 1_000, 10_000), 300, 3, 400)
    )
    press: dict[int, list[float]] = {n: [] for n in sizes}
    timer: dict[int, list[float]] = {n: [] for n in sizes}
    memory: dict[int, list[float]] = {n: [] for n in sizes}
    alone: dict[int, list[float]] = {n: [] for n in sizes}
    # Sizes alternate within each repeat, so a change in the machine's load hits them alike.
    for repeat in range(repeats):
        for meetings in sizes:
            pressed, fired, kib = await at_size(meetings, presses, 1, weigh=not repeat)
            press[meetings] += pressed
            timer[meetings].append(fired)
            if not repeat:
                memory[meetings].append(kib)
            alone[meetings].append(await lone_timers(meetings, lone))
    small, large = sizes[0], sizes[-1]
    return [
        Figure(
            f"a press at {large:,} meetings over at {small:,}",
            Spread(tuple(b / a for a, b in zip(press[small], press[large], strict=True))),
            goal=1.2,
            detail="ms per press (median): "
            + ", ".join(f"{n:,}: {statistics.median(v) * 1000:.2f}" for n, v in press.items()),
        ),
        Figure(
            f"a timer fired at {large:,} meetings at once over {small:,} at once",
            Spread(tuple(b / a for a, b in zip(timer[small], timer[large], strict=True))),
            goal=1.2,
            detail="ms of CPU per timer (median): "
            + ", ".join(f"{n:,}: {statistics.median(v) * 1000:.2f}" for n, v in timer.items()),
        ),
        Figure(
            f"a timer fired alone with {large:,} others pending over with {small:,}",
            Spread(tuple(b / a for a, b in zip(alone[small], alone[large], strict=True))),
            goal=1.2,
            detail="ms of CPU per timer (median): "
            + ", ".join(f"{n:,}: {statistics.median(v) * 1000:.2f}" for n, v in alone.items()),
        ),
        Figure(
            f"memory per meeting at {large:,} meetings (Python heap, tracemalloc)",
            Spread(tuple(memory[large])),
            goal=16,
            unit=" KiB",
            detail="KiB per meeting (median): "
            + ", ".join(f"{n:,}: {statistics.median(v):.1f}" for n, v in memory.items()),
        ),
    ]
