"""The rehearsal's stage: the Discord stand-in with a server, a meeting room and its members,
and the real bot — ``python -m bot sync`` then ``python -m bot run``, child processes running
the same code a host runs — configured only through its documented settings.

Everything is in one temporary folder: the bot's data, its log, and its working directory (so a
host's own ``.env`` is never read). Every setting is passed explicitly; any the host has set in
the environment are left out.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from dataclasses import field
from pathlib import Path

from bot.config import Settings
from bot.core.lazy_dataclasses import lazy_dataclass
from discord_standin import Channel, FakeDiscord, GuildHandle, SimulatedMember

#: The people in the room, by the names the group knows them by.
NAMES = (
    "Robin",
    "Sam",
    "Noor",
    "Kit",
    "Priya",
    "Tomás",
    "Ines",
    "Wen",
    "Ade",
    "Mira",
    "Jonah",
    "Lea",
)
PERSON = "You"
READY_LINE = "Connected to Discord"
STARTUP_LIMIT = 60.0


class StageError(Exception):
    """The rehearsal couldn't go on; ``str()`` says why, in one line."""


@lazy_dataclass
class Stage:
    """The stand-in's world and the bot that serves it."""

    folder: Path
    speed: float
    fake: FakeDiscord
    guild: GuildHandle
    channel: Channel
    members: list[SimulatedMember]  # the simulated members; the first chairs unless told not to
    person: SimulatedMember | None = None  # the one at the keyboard (``--play``)
    process: asyncio.subprocess.Process | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.folder / "bot.log"

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def person_name(self) -> str:
        return self.person.display_name if self.person else ""

    @property
    def everyone(self) -> list[SimulatedMember]:
        return [*self.members, *([self.person] if self.person else [])]

    def environment(self) -> dict[str, str]:
        """The bot's settings, every one explicit; the host's own (and any ``.env``) unused."""
        own = {name.upper() for name in Settings.model_fields}
        inherited = {k: v for k, v in os.environ.items() if k.upper() not in own}
        # The same code as this command: the folder this package was imported from comes first.
        source = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(p for p in (source, inherited.get("PYTHONPATH", "")) if p)
        return {
            **inherited,
            "PYTHONPATH": path,
            "PYTHONUNBUFFERED": "1",
            "DISCORD_TOKEN": self.fake.token,
            "DISCORD_API_BASE": self.fake.api_base,
            "DISCORD_GATEWAY_URL": self.fake.gateway_url,
            "DATA_DIR": str(self.data_dir),
            "DEV_GUILD_ID": str(self.guild.id),
            "CLOCK_RATE": repr(float(self.speed)),
            "LOG_LEVEL": "INFO",
            "MESSAGE_CONTENT_INTENT": "false",
        }

    async def _spawn(self, *args: str) -> asyncio.subprocess.Process:
        with self.log_path.open("ab") as log:
            log.write(f"--- python -m bot {' '.join(args)}\n".encode())
            log.flush()
            return await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                *args,
                cwd=self.folder,
                env=self.environment(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )

    async def sync(self) -> None:
        """``python -m bot sync``: publish the commands to the rehearsal's server."""
        process = await self._spawn("sync")
        try:
            async with asyncio.timeout(STARTUP_LIMIT):
                status = await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()
            raise StageError("the bot's `sync` took too long") from None
        if status != 0:
            raise StageError(f"the bot's `sync` stopped with status {status}")

    async def start(self) -> None:
        """``python -m bot run``, until it says it is connected."""
        self.process = await self._spawn("run")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STARTUP_LIMIT
        while READY_LINE not in self.log_path.read_text(errors="replace"):
            if self.process.returncode is not None:
                raise StageError(f"the bot stopped at start-up (status {self.process.returncode})")
            if loop.time() > deadline:
                raise StageError("the bot took too long to connect")
            await asyncio.sleep(0.05)  # a file another process writes: polling is honest

    def bot_stopped(self) -> int | None:
        """The bot's exit status if it stopped on its own, else None."""
        return None if self.process is None else self.process.returncode

    async def stop(self) -> None:
        """SIGTERM, as a service manager would; kill -9 if it doesn't stop in time."""
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(10):
                await process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    def last_log_lines(self, count: int = 20) -> list[str]:
        if not self.log_path.exists():
            return []
        return self.log_path.read_text(errors="replace").splitlines()[-count:]


def build_world(fake: FakeDiscord, folder: Path, speed: float, members: int, play: bool) -> Stage:
    """A server with a meeting room, ``members`` simulated members and, with ``play``, you."""
    guild = fake.add_guild("Rehearsal Circle", owner_username="host")
    channel = fake.add_channel(guild.id, "rehearsal-circle", topic="A rehearsal of a meeting")
    simulated = [
        fake.add_member(guild.id, name.lower(), global_name=name) for name in NAMES[:members]
    ]
    person = fake.add_member(guild.id, "you", global_name=PERSON) if play else None
    return Stage(folder, speed, fake, guild, channel, simulated, person)
