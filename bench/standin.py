"""Processes against the Discord stand-in (:mod:`discord_standin`), for the benchmarks measured
from outside: the real bot as ``python -m bot run`` (configured only through its documented
settings, as ``tests/e2e/conftest.py`` does), and its floor, a bare discord.py client
(:mod:`bench.bare_client`) with the same intents and cache settings and no work of its own.

CPU time is read from ``/proc/<pid>/stat`` (Linux), so a benchmark sees what the process itself
spent, not the stand-in in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from discord_standin import FakeDiscord, GuildHandle, SimulatedMember

READY_LINE = "Connected to Discord"
BARE_READY = "BARE READY"
LIMIT = 120.0
JSON = dict[str, Any]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


class Process:
    """A child process pointed at the stand-in."""

    def __init__(
        self, fake: FakeDiscord, folder: Path, settings: Mapping[str, str] | None = None
    ) -> None:
        self.fake = fake
        self.folder = folder
        self.settings = dict(settings or {})
        self.process: asyncio.subprocess.Process | None = None
        self.log = folder / "process.log"

    def environment(self) -> dict[str, str]:
        kept = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DISCORD_", "DATA_DIR", "PSEUDONYM_KEY", "DEV_GUILD", "CLOCK_"))
        }
        return {
            **kept,
            "DISCORD_TOKEN": self.fake.token,
            "DISCORD_API_BASE": self.fake.api_base,
            "DISCORD_GATEWAY_URL": self.fake.gateway_url,
            "DATA_DIR": str(self.folder / "data"),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **self.settings,
        }

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("not started")
        return self.process.pid

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    async def spawn(self, *args: str) -> float:
        """Start ``python ARGS`` and wait for its ready line; seconds from spawn to ready."""
        began = time.perf_counter()
        with self.log.open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, *args, env=self.environment(), stdout=out, stderr=out
            )
        async with asyncio.timeout(LIMIT):
            while True:
                text = self.log.read_text(errors="replace")
                if self.ready_line in text:
                    return time.perf_counter() - began
                if self.process.returncode is not None:
                    raise RuntimeError(f"{args} exited at start-up:\n{text}")
                # A file written by another process: polling is the honest way to wait.
                await asyncio.sleep(0.005)

    ready_line = READY_LINE

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(15):
                await self.process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()

    async def settle(self, quiet: float = 0.3) -> float:
        """Wait until the process has used no CPU for ``quiet`` seconds; its CPU time then."""
        last = self.cpu()
        calm_since = time.perf_counter()
        async with asyncio.timeout(LIMIT):
            while time.perf_counter() - calm_since < quiet:
                await asyncio.sleep(0.05)
                now = self.cpu()
                if now != last:
                    last, calm_since = now, time.perf_counter()
        return last


class Bot(Process):
    """``python -m bot run`` (after ``python -m bot sync``)."""

    async def command(self, *args: str) -> str:
        done = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            env=self.environment(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        async with asyncio.timeout(LIMIT):
            out, _ = await done.communicate()
        if done.returncode != 0:
            raise RuntimeError(f"python -m bot {' '.join(args)} failed:\n{out.decode()}")
        return out.decode()

    async def start(self) -> float:
        return await self.spawn("-m", "bot", "run")


class Bare(Process):
    """A bare discord.py client: connects, parses what Discord sends, does nothing else."""

    ready_line = BARE_READY

    async def start(self) -> float:
        return await self.spawn("-m", "bench.bare_client")


def people(fake: FakeDiscord, guild: GuildHandle, count: int) -> list[SimulatedMember]:
    return [fake.add_member(guild.id, f"benchmember{n:05d}") for n in range(count)]


def buttons(message: JSON) -> list[JSON]:
    return [c for row in message.get("components", []) for c in row.get("components", [])]


def button(message: JSON, action: str) -> str:
    for candidate in buttons(message):
        if candidate.get("custom_id", "").endswith(":" + action):
            return str(candidate["custom_id"])
    raise LookupError(f"no {action!r} button")


async def wait_message(
    fake: FakeDiscord, channel_id: int, text: str, *, after: int = 0, action: str = ""
) -> JSON:
    """The first message from position ``after`` containing ``text`` (with an ``action``
    button, if named)."""

    def found() -> JSON | None:
        for message in fake.channel_messages(channel_id)[after:]:
            if text in message.get("content", "") and (
                not action
                or any(b.get("custom_id", "").endswith(":" + action) for b in buttons(message))
            ):
                return message
        return None

    await fake.wait_until(lambda: found() is not None, LIMIT, what=repr(text))
    message = found()
    if message is None:
        raise LookupError(text)
    return message


async def start_meeting(fake: FakeDiscord, chair: SimulatedMember, room: int) -> JSON:
    """``/meeting start``; **Start now** when the format counts down first. The panel."""
    mark = len(fake.channel_messages(room))
    started = await chair.slash(room, "meeting start")
    await started.wait_followups(timeout=LIMIT)
    for message in fake.channel_messages(room)[mark:]:
        if any(b.get("custom_id", "").endswith(":startnow") for b in buttons(message)):
            pressed = await chair.click(int(message["id"]), button(message, "startnow"))
            await pressed.wait_response(timeout=LIMIT)
            break
    return await wait_message(fake, room, "", after=mark, action="hand")


async def setup_group(fake: FakeDiscord, guild: GuildHandle, room: int) -> None:
    made = await guild.owner.slash(room, "group setup", {"format": "open-discussion"})
    await made.wait_response(timeout=LIMIT)
