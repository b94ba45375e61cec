"""End-to-end harness: the bot runs as ``python -m bot`` would, against the fake Discord.

The fake lives in the test's event loop; the bot is a real child process configured only through
its documented settings (``DISCORD_API_BASE``, ``DISCORD_GATEWAY_URL``, ``DISCORD_TOKEN``,
``DATA_DIR`` …). Every bot process's log is kept, and when a test ends its logs and database are
scanned for the simulated members' ids and names: any hit fails the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fakediscord import FakeDiscord
from tests.support.privacy import assert_nothing_identifies

#: Generous: a loaded machine may take this long to start Python and discord.py (a bot that
#: exits at start-up is caught at once, without waiting for it).
STARTUP_TIMEOUT = 90.0
READY_LINE = "Connected to Discord"


@dataclass
class BotRunner:
    """Runs the bot's command line as child processes and keeps their logs."""

    fake: FakeDiscord
    workdir: Path
    settings: dict[str, str] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None
    #: A test that provokes an unexpected error on purpose sets this.
    allow_tracebacks: bool = False
    log_files: list[Path] = field(default_factory=list)

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    @property
    def database(self) -> Path:
        return self.data_dir / "peercircle.sqlite3"

    def environment(self) -> dict[str, str]:
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(
                ("DISCORD_", "DATA_DIR", "PSEUDONYM_KEY", "DEV_GUILD", "CLOCK_", "MESSAGE_CONTENT")
            )
        }
        return {
            **inherited,
            "DISCORD_TOKEN": self.fake.token,
            "DISCORD_API_BASE": self.fake.api_base,
            "DISCORD_GATEWAY_URL": self.fake.gateway_url,
            "DATA_DIR": str(self.data_dir),
            "LOG_LEVEL": "DEBUG",
            "PYTHONUNBUFFERED": "1",
            **self.settings,
        }

    def _new_log(self, name: str) -> Path:
        path = self.workdir / f"{len(self.log_files):02d}-{name}.log"
        self.log_files.append(path)
        return path

    async def command(self, *args: str, limit: float = STARTUP_TIMEOUT) -> tuple[int, str, str]:
        """Run a one-shot command (``sync``, ``migrate``) to completion (generous: starting
        Python and discord.py is slow on a loaded machine; a quick command returns at once)."""
        log_path = self._new_log("-".join(args))
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=self.workdir,
            env=self.environment(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(limit):
            stdout, stderr = await process.communicate()
        log_path.write_bytes(stderr)
        assert process.returncode is not None
        return process.returncode, stdout.decode(), stderr.decode()

    async def start(self) -> None:
        """Start ``python -m bot run`` and wait until the fake has sent it every guild."""
        assert self.process is None or self.process.returncode is not None, "already running"
        log_handle = self._new_log("run").open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=self.workdir,
            env=self.environment(),
            stdout=log_handle,
            stderr=log_handle,
        )
        log_handle.close()
        ready = asyncio.create_task(self.fake.wait_ready(timeout=STARTUP_TIMEOUT))
        exited = asyncio.create_task(self.process.wait())
        done, _ = await asyncio.wait({ready, exited}, return_when=asyncio.FIRST_COMPLETED)
        if exited in done:
            ready.cancel()
            raise AssertionError(f"the bot exited at start-up:\n{self.logs()}")
        exited.cancel()
        await ready
        # Then until the bot itself says it is ready (discord.py dispatches on_ready a moment
        # after the last GUILD_CREATE; stopping before that trips a race inside discord.py).
        async with asyncio.timeout(STARTUP_TIMEOUT):
            # A file written by another process: polling is the honest way to wait.
            while READY_LINE not in self.log_files[-1].read_text(errors="replace"):  # noqa: ASYNC110
                await asyncio.sleep(0.02)

    async def stop(self) -> int | None:
        """SIGTERM, as a service manager would; returns the exit status."""
        if self.process is None or self.process.returncode is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(60):  # a loaded machine drains slowly; done when it exits
            return await self.process.wait()

    async def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.log_files if p.exists())


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(privileged_intents_granted={"members"}) as fake:
        yield fake
        assert not fake.internal_errors, fake.internal_errors


async def _runner_for(fake: FakeDiscord, workdir: Path) -> AsyncIterator[BotRunner]:
    runner = BotRunner(fake=fake, workdir=workdir)
    try:
        yield runner
    finally:
        with contextlib.suppress(ProcessLookupError):
            await runner.stop()
    # The privacy invariant, checked after every end-to-end test.
    assert_nothing_identifies(
        fake.all_member_identifiers(), logs=runner.logs(), database=runner.database
    )
    if not runner.allow_tracebacks:
        assert "Traceback" not in runner.logs(), runner.logs()


@pytest.fixture
async def bot_runner(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[BotRunner]:
    async for runner in _runner_for(fake, tmp_path):
        yield runner


@pytest.fixture
async def second_runner(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[BotRunner]:
    """A second bot process against the same fake Discord (its own ``DATA_DIR``): two
    processes sharing one PostgreSQL database, each over its own shards."""
    workdir = tmp_path / "second"
    workdir.mkdir()
    async for runner in _runner_for(fake, workdir):
        yield runner
