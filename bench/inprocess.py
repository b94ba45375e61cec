"""The real runtime services in this process, on a real SQLite database, with a port that shows
nothing (Discord's side costs nothing here): what B3 measures, and how B5 writes its database
of meetings under way through the store's own repositories."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.core.meeting.effects import ChannelEffect
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.runtime.clock import Clock
from bot.runtime.events import EventBus
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import LiveMeeting, LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.meetings import MeetingService, Unshown
from bot.runtime.scheduler import Scheduler
from bot.store import Store

START = 1_800_000_000.0


class Time:
    """A real-time source moved by hand: ``Clock(real_time=Time())``."""

    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


class Shown:
    """The meeting port: counts what would be shown, per meeting; shows nothing."""

    def __init__(self) -> None:
        self.shown: dict[int, int] = {}
        self.panel = 9_000
        self._awaited: set[int] = set()
        self._all_shown = asyncio.Event()

    def expect(self, meeting_ids: Iterable[int]) -> asyncio.Event:
        """An event set once each of these meetings has shown something more."""
        self._awaited = set(meeting_ids)
        self._all_shown = asyncio.Event()
        return self._all_shown

    async def open_panel(self, live: LiveMeeting) -> int | None:
        self.panel += 1
        return self.panel

    async def show(self, live: LiveMeeting, effects: Sequence[ChannelEffect]) -> Unshown | None:
        self.shown[live.id] = self.shown.get(live.id, 0) + 1
        if self._awaited:
            self._awaited.discard(live.id)
            if not self._awaited:
                self._all_shown.set()
        return None

    async def cannot_post(self, live: LiveMeeting, missing: tuple[str, ...]) -> None:
        return None

    async def tell_chair(self, live: LiveMeeting, missing: tuple[str, ...]) -> bool:
        return True

    def forget(self, live: LiveMeeting, who: Pseudonym) -> None:
        return None


def scratch() -> tempfile.TemporaryDirectory[str]:
    """A folder for a benchmark's database: in memory-backed ``/dev/shm`` when there is one, so
    that a slow shared disk's fsyncs don't drown the CPU cost being measured."""
    shm = Path("/dev/shm")  # noqa: S108 - a private TemporaryDirectory inside it
    where = str(shm) if shm.is_dir() else None
    return tempfile.TemporaryDirectory(prefix="pc-bench-", dir=where)


class Runtime:
    """The meeting service with its real store, scheduler, formats, locks and bus."""

    def __init__(self, store: Store, key: bytes, *, clock: Clock | None = None) -> None:
        self.store = store
        self.time = Time()
        self.clock = clock or Clock(rate=1.0, anchor=START, real_time=self.time)
        self.scheduler = Scheduler(store.deadlines, self.clock)
        self.live = LiveMeetings()
        self.port = Shown()
        self.pseudonyms = Pseudonymizer(key)
        self.service = MeetingService(
            store=store,
            clock=self.clock,
            scheduler=self.scheduler,
            formats=FormatLibrary(store),
            live=self.live,
            locks=GroupLocks(),
            bus=EventBus(),
            port=self.port,
        )

    async def meetings(
        self, guild_id: int, channels: Sequence[int], starters: Sequence[int] = ()
    ) -> list[LiveMeeting]:
        """A group in each channel, and a meeting under way in each (its countdown running),
        started by ``starters[n]`` (a user id; made up when not given)."""
        started = []
        for n, channel in enumerate(channels):
            made = await self.store.groups.create(
                guild_id=guild_id,
                channel_id=channel,
                format_id="open-discussion",
                member_role_id=None,
                now=self.clock.now().timestamp(),
            )
            if made is None:
                raise RuntimeError("a bench group could not be made")
            user_id = starters[n] if starters else 10_000_000 + n
            starter = self.pseudonyms.of(guild_id, user_id)
            started.append(await self.service.start(channel, starter, user_id))
        return started
