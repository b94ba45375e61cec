"""Is the running bot healthy? A heartbeat file in ``DATA_DIR``, and ``python -m bot health``.

The bot rewrites ``DATA_DIR/heartbeat`` every :data:`INTERVAL` real seconds with three facts:
when, whether it is connected to Discord's gateway, and how many deadlines are overdue (due a
minute or more ago and not carried out: the deadline loop is stuck). ``python -m bot health``
reads it: exit 0 when it is fresh, connected and nothing is overdue; else exit 1 with one line
saying why. A container's ``HEALTHCHECK`` and a service manager can run it. The file holds no
names, ids or anything about a group or a person.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.core.lazy_dataclasses import lazy_dataclass

log = logging.getLogger(__name__)

HEARTBEAT_FILE = "heartbeat"
INTERVAL = 15.0  # real seconds between beats
STALE_AFTER = 90.0  # a beat older than this: the bot is stopped or its event loop is stuck
OVERDUE_GRACE = 60.0  # real seconds a deadline may be late before the loop counts as stuck


@lazy_dataclass(frozen=True)
class Beat:
    at: float  # real time (Unix seconds)
    connected: bool
    overdue: int


class Heartbeat:
    """Writes the heartbeat while the bot runs."""

    def __init__(
        self,
        data_dir: Path,
        connected: Callable[[], bool],
        overdue: Callable[[], Awaitable[int]],
        interval: float = INTERVAL,
    ) -> None:
        self._path = data_dir / HEARTBEAT_FILE
        self._connected = connected
        self._overdue = overdue
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._beat_forever(), name="peercircle-heartbeat")

    async def stop(self) -> None:
        if self._task is None:
            return  # never started (python -m bot sync): the running bot's file is not ours
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        with contextlib.suppress(OSError):
            self._path.unlink()  # stopped on purpose: not "unhealthy", just not running

    async def beat(self) -> None:
        try:
            overdue = await self._overdue()
        except Exception:
            log.warning("The heartbeat could not count overdue deadlines")
            overdue = -1
        write_beat(self._path, Beat(time.time(), self._connected(), overdue))

    async def _beat_forever(self) -> None:
        failing = False
        while True:
            try:
                await self.beat()
            except OSError as error:
                if not failing:  # once, not every beat (a full disk can last a while)
                    log.warning("The heartbeat file could not be written (%s)", error.strerror)
                failing = True
            else:
                if failing:
                    log.info("The heartbeat file is written again")
                failing = False
            await asyncio.sleep(self._interval)


def write_beat(path: Path, beat: Beat) -> None:
    """Replace the file atomically (a reader never sees half a beat)."""
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(
            json.dumps({"at": beat.at, "connected": beat.connected, "overdue": beat.overdue})
        )
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()  # a full disk: leave no empty file behind
        raise


#: Below this many free bytes, the disk holding DATA_DIR counts as full (a beat is ~80 bytes,
#: a database write needs a few pages).
FULL_BELOW = 64 * 1024


def disk_full(data_dir: Path) -> bool:
    try:
        return shutil.disk_usage(data_dir).free < FULL_BELOW
    except OSError:
        return False


def check(data_dir: Path, now: float | None = None) -> tuple[bool, str]:
    """(healthy, one line saying so or why not)."""
    now = time.time() if now is None else now
    path = data_dir / HEARTBEAT_FILE
    try:
        data = json.loads(path.read_text())
        beat = Beat(float(data["at"]), bool(data["connected"]), int(data["overdue"]))
    except FileNotFoundError:
        return False, f"the bot is not running with DATA_DIR {data_dir} (no heartbeat file)"
    except (OSError, ValueError, KeyError, TypeError):
        return False, f"the heartbeat file in {data_dir} can't be read"
    age = now - beat.at
    if age > STALE_AFTER:
        if disk_full(data_dir):
            return False, (
                f"no heartbeat for {age:.0f} seconds: the disk holding DATA_DIR {data_dir} is "
                "full (free some space there; the bot carries on by itself)"
            )
        return False, f"no heartbeat for {age:.0f} seconds: the bot is stopped or stuck"
    if not beat.connected:
        return False, "the bot is running but not connected to Discord right now"
    if beat.overdue < 0:
        return False, "the bot can't read its database"
    if beat.overdue:
        return False, f"{beat.overdue} scheduled job(s) are overdue: the deadline loop is stuck"
    return True, "healthy: connected to Discord, and every scheduled job is on time"
