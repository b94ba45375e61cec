"""Waiting for a :class:`bot.runtime.scheduler.Scheduler` to be done with what is due.

A test that moves a fake clock past a deadline wants the deadline's handler to have *finished*
(its commit, what it shows, its bookkeeping), not only to have begun: the first change a test can
see (a state in memory) comes before the rest. The scheduler carries out what is due one by
one, oldest first, so a marker deadline due just after the others runs only once every one
before it has returned.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from typing import Any

from bot.runtime.scheduler import Scheduler
from bot.store.deadlines import DeadlineRepository

_markers = itertools.count()


async def carried_out_by(
    scheduler: Scheduler, repository: DeadlineRepository, due_at: float, limit: float = 60.0
) -> None:
    """Until every deadline due at or before ``due_at`` has been carried out (handlers
    returned). The scheduler must be running and the clock at or past ``due_at``. Done as soon
    as it holds; the limit is generous for a loaded machine."""
    passed = asyncio.Event()
    kind = f"test.marker.{next(_markers)}"

    async def mark(payload: Mapping[str, Any]) -> None:
        passed.set()

    scheduler.register(kind, mark)
    await scheduler.schedule(kind, "-", due_at, {})
    async with asyncio.timeout(limit):
        await passed.wait()
        # The marker's own row goes just after: then the scheduler is between deadlines, and
        # stopping it interrupts nothing.
        while await repository.get(kind, "-") is not None:  # noqa: ASYNC110 - polling the table
            await asyncio.sleep(0.01)
