"""B6 the evening peak: many groups scheduled for the same minute (19:00 on a Tuesday), the bot
as ``python -m bot run`` against the Discord stand-in enforcing Discord's documented limits
(the global 50 requests a second, per-route buckets: discord_standin/limits.py).

Measured: the REST calls per meeting start (from the first opening until every meeting has
begun) and per member action (a "Raise hand" press), the 429s Discord would have answered
(goal: 0), and whether every meeting opened within its `before:` window and began on its minute
(goal: all), with the openings spread over the window (bot/runtime/schedule/service.py).
The floor is Discord's own limit; the figures are counts, not ratios to a second program."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.harness import Figure, Size, Spread
from bot.core.formats import load_builtin_format
from bot.core.meeting.state import MeetingState
from bot.core.schedule.stored import StoredSchedule
from bot.store import Store
from bot.store.schedules import save_in
from discord_standin import FakeDiscord, SimulatedMember
from discord_standin.permissions import DEFAULT_BOT_PERMISSIONS, PERMISSION_BITS

NAME = "B6 the evening peak: groups meeting at the same minute, under Discord's rate limits"
#: The minute every group meets: a Tuesday, 19:00 UTC.
MINUTE = datetime(2027, 3, 16, 19, 0, tzinfo=UTC)
SCHEDULE = "Tuesdays 19:00"
FORMAT = "open-discussion"
PRESSES = 5


@dataclass(frozen=True)
class Shape:
    groups: int
    rate: float  # CLOCK_RATE: a tiny run compresses the `before:` window
    lead: float  # real seconds from the start to the window, for the bot to sync every group


SHAPES = {Size.TINY: Shape(20, 30.0, 8.0), Size.FULL: Shape(1_000, 1.0, 90.0)}


class Bot:
    """``python -m bot`` as a child process, configured by its documented settings only."""

    def __init__(self, fake: FakeDiscord, folder: Path, rate: float) -> None:
        self.folder, self.log = folder, folder / "bot.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "CLOCK_"))},
            "DISCORD_TOKEN": fake.token,
            "DISCORD_API_BASE": fake.api_base,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "DATA_DIR": str(folder / "data"),
            "CLOCK_RATE": repr(rate),
            "LOG_LEVEL": "INFO",
        }
        self.process: asyncio.subprocess.Process | None = None

    @property
    def database(self) -> Path:
        return self.folder / "data" / "peercircle.sqlite3"

    async def migrate(self) -> None:
        done = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "migrate", cwd=self.folder, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await done.communicate()
        if done.returncode != 0:
            raise RuntimeError(f"migrate failed: {err.decode()}")

    async def run(self) -> None:
        with self.log.open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=self.folder, env=self.env,
                stdout=out, stderr=out,
            )  # fmt: skip
        async with asyncio.timeout(60):
            while "Connected to Discord" not in self.log.read_text(errors="replace"):
                if self.process.returncode is not None:
                    raise RuntimeError(f"the bot exited:\n{self.log.read_text()}")
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(30):
                await self.process.wait()


async def seed(bot: Bot, rooms: list[tuple[int, int]], starts: datetime, rate: float) -> None:
    """The groups, each meeting on Tuesdays at 19:00, and the bot's clock at ``starts``."""
    store = Store(bot.database)
    await store.open()
    try:
        spec = StoredSchedule().changed("timezone", "UTC").changed("schedule", SCHEDULE)
        for guild_id, channel_id in rooms:
            group = await store.groups.create(
                guild_id=guild_id, channel_id=channel_id, format_id=FORMAT,
                member_role_id=None, now=starts.timestamp(),
            )  # fmt: skip
            if group is None:
                raise RuntimeError("a bench group could not be made")
            async with store.db.transaction() as tx:
                await save_in(tx, group.id, spec, starts.timestamp())
    finally:
        await store.close()
    conn = sqlite3.connect(bot.database)
    with conn:
        conn.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [
                ("clock_base", repr(starts.timestamp())),
                ("clock_base_real", repr(time.time())),
                ("clock_rate", repr(rate)),
            ],
        )
    conn.close()


def clock_of(database: Path, real: float) -> float:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        base = dict(conn.execute("SELECT key, value FROM meta WHERE key LIKE 'clock_%'"))
    finally:
        conn.close()
    clock, at, rate = (float(base[k]) for k in ("clock_base", "clock_base_real", "clock_rate"))
    return clock + (real - at) * rate


def begun(database: Path) -> list[datetime]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT state FROM meetings").fetchall()
    finally:
        conn.close()
    return [MeetingState.from_json(row[0]).started_at for row in rows]


def first_post(fake: FakeDiscord, channel_id: int) -> float:
    """When the meeting opened in the channel: its first post (real seconds)."""
    stamp = fake.channel_messages(channel_id)[0]["timestamp"]
    return datetime.fromisoformat(stamp).timestamp()


def panel_of(fake: FakeDiscord, channel_id: int) -> tuple[int, str] | None:
    for message in fake.channel_messages(channel_id):
        for row in message.get("components", []):
            for button in row.get("components", []):
                if str(button.get("custom_id", "")).endswith(":hand"):
                    return int(message["id"]), str(button["custom_id"])
    return None


async def settle(fake: FakeDiscord, quiet: float = 1.0, limit: float = 300.0) -> bool:
    """Until no REST call came for ``quiet`` seconds (the panel's redraw waits 0.3 s); False if
    calls were still coming after ``limit`` seconds."""
    seen = -1
    deadline = time.monotonic() + limit
    while seen != len(fake.requests):
        if time.monotonic() > deadline:
            return False
        seen = len(fake.requests)
        await asyncio.sleep(quiet)
    return True


async def measure(size: Size) -> list[Figure]:
    shape = SHAPES[size]
    before = load_builtin_format(FORMAT).before_start
    countdown = 0 if before is None else before.countdown_seconds
    window_start = MINUTE - timedelta(seconds=countdown)
    starts = window_start - timedelta(seconds=shape.lead * shape.rate)
    events = DEFAULT_BOT_PERMISSIONS | PERMISSION_BITS["create_events"]
    with tempfile.TemporaryDirectory(prefix="pc-peak-") as folder:
        async with FakeDiscord(privileged_intents_granted={"members"}, discord_limits=True) as fake:
            guilds = [
                fake.add_guild(f"Circle {n}", bot_permissions=events) for n in range(shape.groups)
            ]
            rooms = [(g.id, fake.add_channel(g.id, "meeting").id) for g in guilds]
            bot = Bot(fake, Path(folder), shape.rate)
            await bot.migrate()
            await seed(bot, rooms, starts, shape.rate)
            try:
                await bot.run()
                owners = [g.owner for g in guilds]
                return await observe(fake, bot, owners, rooms, shape, window_start)
            finally:
                await bot.stop()


async def observe(
    fake: FakeDiscord,
    bot: Bot,
    owners: list[SimulatedMember],
    rooms: list[tuple[int, int]],
    shape: Shape,
    window_start: datetime,
) -> list[Figure]:
    real_start = time.time() + (window_start.timestamp() - clock_of(bot.database, time.time())) / (
        shape.rate
    )

    # Set-up: every group's next meeting is made in the server's Events before the window.
    def made() -> int:
        return sum(1 for g, _ in rooms if fake.scheduled_events(g))

    while made() < len(rooms) and time.time() < real_start:  # noqa: ASYNC110
        await asyncio.sleep(0.2)
    synced = made()
    synced_429 = fake.rate_limited_count
    await asyncio.sleep(max(0.0, real_start - time.time()))
    first = len(fake.requests)
    minute_real = real_start + (MINUTE - window_start).total_seconds() / shape.rate
    async with asyncio.timeout(max(0.0, minute_real - time.time()) + 60):
        while any(panel_of(fake, c) is None for _, c in rooms):  # noqa: ASYNC110
            await asyncio.sleep(0.2)
    await asyncio.sleep(max(0.0, minute_real - time.time()))
    settled = await settle(fake)
    quiet_after = time.time() - minute_real  # real seconds from the minute to the last call
    tail = "" if settled else ", and still coming"
    start_calls = fake.requests[first:]
    opened = [clock_of(bot.database, first_post(fake, c)) for _, c in rooms]
    begins = begun(bot.database)
    late = [(b - MINUTE).total_seconds() for b in begins]
    on_the_minute = sum(1 for s in late if 0 <= s < 60)  # begun within the minute, not before
    in_window = sum(1 for o in opened if window_start.timestamp() - 1 <= o <= MINUTE.timestamp())

    # Member actions: a member raises a hand in a few groups, one at a time.
    per_press: list[float] = []
    interaction_share: list[float] = []
    for owner, (_, channel_id) in list(zip(owners, rooms, strict=True))[:PRESSES]:
        found = panel_of(fake, channel_id)
        if found is None:
            continue
        mark = len(fake.requests)
        pressed = await owner.click(found[0], found[1])
        await pressed.wait_followups()
        await settle(fake, quiet=0.8)
        calls = fake.requests[mark:]
        per_press.append(len(calls))
        interaction_share.append(sum(1 for r in calls if _interaction(r.route)))
    routes = Counter(f"{r.method} {r.route}" for r in start_calls)
    top = ", ".join(f"{n / len(rooms):.2g} {route}" for route, n in routes.most_common(6))
    spread = max(opened) - min(opened)
    return [
        Figure(
            "429s answered (whole run)",
            Spread((float(fake.rate_limited_count),)),
            goal=0,
            unit="",
            detail=f"{synced_429} while {len(rooms):,} groups were set up "
            f"({synced:,} events made before the window); "
            f"Cloudflare's ban comes at 10,000 in 10 minutes",
        ),
        Figure(
            f"meetings begun on their minute ({len(rooms):,} groups)",
            Spread((on_the_minute / len(rooms),)),
            goal=1.0,
            at_most=False,
            detail=f"{len(begins):,} begun, at most {max(late, default=0):.1f} clock s after the "
            f"minute (its calls done {quiet_after:.0f} real s after it{tail}); "
            f"{in_window:,} opened within their `before:` window; openings spread over "
            f"{spread:.0f} of its {(MINUTE - window_start).total_seconds():.0f} clock seconds "
            f"(CLOCK_RATE {shape.rate:g})",
        ),
        Figure(
            "REST calls per meeting start",
            Spread((len(start_calls) / len(rooms),)),
            unit="",
            detail=f"per meeting, by route: {top}",
        ),
        Figure(
            "REST calls per member action (Raise hand)",
            Spread(tuple(float(n) for n in per_press) or (0.0,)),
            unit="",
            detail="of which interaction calls (outside the global limit): "
            + ", ".join(f"{n:g}" for n in interaction_share),
        ),
    ]


def _interaction(route: str | None) -> bool:
    return bool(route) and str(route).startswith(("/interactions/", "/webhooks/"))


async def figures(size: Size) -> list[Figure]:
    return await measure(size)
