"""Background work a service starts and must let finish (briefly) before the database closes."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

#: Real seconds pending work gets at shutdown before it is cancelled.
GRACE_SECONDS = 5.0


class BackgroundTasks:
    """The tasks a service spawned and still waits on: kept referenced until done (so the event
    loop can't drop them), given a few seconds at shutdown, then cancelled."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Let pending work finish (up to :data:`GRACE_SECONDS`), then cancel what is left."""
        pending = [task for task in self._tasks if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=GRACE_SECONDS)
        for task in pending:
            task.cancel()
