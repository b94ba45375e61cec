"""Waiting for a :class:`bot.runtime.scheduler.Scheduler` to be done with what is due.

A test that moves a fake clock past a deadline wants the deadline's handler to have *finished*
(its commit, what it shows, its bookkeeping), not only to have begun: the first change a test can
see (a state in memory) comes before the rest. The scheduler runs different groups' deadlines
side by side, so a marker deadline due just after the others wakes it, and then the test waits
until the scheduler is :meth:`~bot.runtime.scheduler.Scheduler.settled`: nothing under way and
nothing due by then still waiting.

Reads through the store's own connection also see a write still inside another task's open
transaction; stopping the scheduler then would roll it back. :func:`committed` reads through a
connection of its own, which sees only what is committed.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.runtime.scheduler import Scheduler
from bot.store import Store
from tests.support.sqlite_read import rows

_markers = itertools.count()


def committed(database: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows as committed (a connection of its own; waits out a commit under way)."""
    return rows(database, sql, params, timeout=30)


async def carried_out_by(
    scheduler: Scheduler, store: Store, due_at: float, limit: float = 60.0
) -> None:
    """Until every deadline due at or before ``due_at`` has been carried out (handlers
    returned, rows committed): then the scheduler is between deadlines, and stopping it
    interrupts nothing. The scheduler must be running and the clock at or past ``due_at``.
    Done as soon as it holds; the limit is generous for a loaded machine."""
    passed = asyncio.Event()
    kind = f"test.marker.{next(_markers)}"

    async def mark(payload: Mapping[str, Any]) -> None:
        passed.set()

    scheduler.register(kind, mark)
    await scheduler.schedule(kind, "-", due_at, {})
    async with asyncio.timeout(limit):
        await passed.wait()
        # The marker's own row goes just after it runs, in a commit of its own; the other
        # groups' deadlines may still be under way beside it.
        while not scheduler.settled(due_at) or committed(  # noqa: ASYNC110
            store.db.path, "SELECT 1 FROM deadlines WHERE kind = ?", (kind,)
        ):
            await asyncio.sleep(0.01)
