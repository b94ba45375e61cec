"""Start-up back-off: a crash loop must not burn Discord's 1,000 IDENTIFYs a day.

Each start is noted (a timestamp, nothing else) in ``DATA_DIR/starts``. After four starts
in ten minutes, each further start waits before connecting: 5 s, then 10 s, 20 s …
up to five minutes. A service manager that restarts it in a loop therefore slows down by itself.

Sharded (``SHARD_COUNT``), a start IDENTIFYs once per shard, so each start notes one line per
shard and the longest wait grows with the shards: at the cap, a crash loop costs Discord's daily
limit no more than an unsharded one does.
At connecting, :func:`start_wait` checks the real ``session_start_limit`` from GET /gateway/bot
(enough left for every shard, or wait for ``reset_after``), and :class:`IdentifyGate` lets the
shards IDENTIFY ``max_concurrency`` at a time: one per rate-limit key (``shard_id %
max_concurrency``) every :data:`IDENTIFY_WINDOW` seconds, as Discord's sharding docs ask.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

WINDOW_SECONDS = 600.0
FREE_STARTS = 4
BASE_DELAY = 5.0
MAX_DELAY = 300.0
KEPT = 20


#: Seconds in which each rate-limit key may IDENTIFY once (Discord's sharding docs).
IDENTIFY_WINDOW = 5.0


def record_start(data_dir: Path, now: float | None = None, identifies: int = 1) -> float:
    """Note this start (``identifies``: one per shard it connects); return how many seconds to
    wait before connecting (0 for most starts)."""
    now = time.time() if now is None else now
    path = data_dir / "starts"
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        earlier = [float(line) for line in path.read_text().split() if line.strip()]
    except (OSError, ValueError):
        earlier = []
    identifies = max(1, identifies)
    recent = [t for t in earlier if now - WINDOW_SECONDS <= t <= now]
    kept = [*recent, *[now] * identifies][-KEPT * identifies :]
    path.write_text("\n".join(f"{t:.3f}" for t in kept) + "\n")
    over = len(recent) // identifies - FREE_STARTS
    # A crash loop at the cap IDENTIFYs no more often per day than one unsharded process does
    # (Discord counts each shard's IDENTIFY against the same daily limit).
    return 0.0 if over < 0 else min(MAX_DELAY * identifies, BASE_DELAY * 2**over)


def start_wait(remaining: int, reset_after_ms: int, shards: int) -> float:
    """Seconds to wait before IDENTIFYing ``shards`` shards, given GET /gateway/bot's
    ``session_start_limit``: none while enough starts are left today, else until it resets."""
    return 0.0 if remaining >= shards else max(0.0, reset_after_ms / 1000.0)


class IdentifyGate:
    """One IDENTIFY per rate-limit key (``shard_id % max_concurrency``) per window."""

    def __init__(
        self,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.max_concurrency = 1
        self._now = now
        self._sleep = sleep
        self._last: dict[int, float] = {}

    def configure(self, max_concurrency: int) -> None:
        self.max_concurrency = max(1, max_concurrency)

    async def wait(self, shard_id: int) -> float:
        """Wait until ``shard_id`` may IDENTIFY; the seconds waited."""
        key = shard_id % self.max_concurrency
        last = self._last.get(key)
        waited = 0.0 if last is None else max(0.0, last + IDENTIFY_WINDOW - self._now())
        if waited:
            await self._sleep(waited)
        self._last[key] = self._now()
        return waited
