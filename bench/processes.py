"""Processes: the per-event cost of the same load served by one bot process over four shards,
and by two processes over two shards each (``SHARD_IDS`` 0-1 and 2-3), both on PostgreSQL
(issue 19).

Four servers, one on each shard of four, each with a meeting whose floor is taken; members
press **Raise hand** then **Lower hand** (each press a real interaction, its hand saved in
PostgreSQL and answered privately), the same presses in both set-ups. Each set-up has its own
Discord stand-in and its own database on one throwaway PostgreSQL server (the tests' own,
``tests/postgres_server.py``, from the machine's binaries); both run side by side, and the
bursts alternate between them.

Cost: the bot processes' CPU time (``/proc``, summed over the set-up's processes) from just
before a burst until they have been idle for a moment, less their idle rate over that time, per
press. Figure: two processes' cost per press over one process's (goal ≤ 1.2: splitting the
shards adds no real cost per event)."""

from __future__ import annotations

import asyncio
import copy
import tempfile
import time
from pathlib import Path

from bench.harness import Figure, Size, Spread
from bench.messages import share_under_way
from bench.standin import LIMIT, Bot, button, people, wait_message
from discord_standin import FakeDiscord, GuildHandle, SimulatedMember

NAME = "Processes: per-press cost at 2 processes (2 shards each) vs 1 process (4 shards)"
SHARDS = 4
#: The same in every process of a set-up (a partial SHARD_IDS needs it; see the README).
KEY = "bench-processes-shared-pseudonym-key-0123456789"
PRESSED = ("hand is up", "hand is down")


class SetUp:
    """One stand-in with four servers (one per shard) and the bot processes serving them."""

    def __init__(self, fake: FakeDiscord, folder: Path, url: str, split: tuple[str, ...]) -> None:
        self.fake = fake
        self.split = split
        self.bots = [
            Bot(
                fake,
                folder / f"bot-{n}",
                {
                    "DATABASE_URL": url,
                    "SHARD_COUNT": str(SHARDS),
                    "SHARD_IDS": ids,
                    "PSEUDONYM_KEY": KEY,
                },
            )
            for n, ids in enumerate(split)
        ]
        #: Each server's crowd (who press), its panel's id and its buttons' custom ids.
        self.rooms: list[tuple[list[SimulatedMember], int, dict[str, str]]] = []

    async def start(self, members: int) -> None:
        self.fake.gateway.max_concurrency = SHARDS  # every shard may IDENTIFY at once
        guilds: list[tuple[GuildHandle, int, list[SimulatedMember]]] = []
        for shard in range(SHARDS):
            guild = self.fake.add_guild(f"Bench Circle {shard}", shard=(shard, SHARDS))
            room = self.fake.add_channel(guild.id, "bench-room").id
            guilds.append((guild, room, people(self.fake, guild, members + 2)))
        for bot in self.bots:
            bot.folder.mkdir(parents=True)
        await asyncio.gather(*(bot.start() for bot in self.bots))
        for guild, room, crowd in guilds:
            await share_under_way(self.fake, guild, room, crowd)  # the floor is crowd[1]'s
            panel = await wait_message(self.fake, room, "", action="hand")
            ids = {action: button(panel, action) for action in ("hand", "lower")}
            self.rooms.append((crowd[2:], int(panel["id"]), ids))

    def cpu(self) -> float:
        return sum(bot.cpu() for bot in self.bots)

    async def settle(self) -> float:
        for bot in self.bots:
            await bot.settle()
        return self.cpu()

    async def burst(self) -> int:
        """Every member of every server raises then lowers a hand; how many presses."""

        async def press(member: SimulatedMember, panel: int, custom_id: str, words: str) -> None:
            pressed = await member.click(panel, custom_id, timeout=LIMIT)
            answer = (await pressed.wait_followups(timeout=LIMIT))[0]
            if words not in str(answer.get("content", "")):
                raise AssertionError(f"a press answered {answer.get('content')!r}")

        presses = 0
        for action, words in zip(("hand", "lower"), PRESSED, strict=True):
            await asyncio.gather(
                *(
                    press(member, panel, ids[action], words)
                    for crowd, panel, ids in self.rooms
                    for member in crowd
                )
            )
            presses += sum(len(crowd) for crowd, _, _ in self.rooms)
        return presses

    async def cost(self) -> float:
        """CPU seconds per press for one burst."""
        idle_from, idle_cpu = time.perf_counter(), await self.settle()
        await asyncio.sleep(0.5)
        idle_rate = (self.cpu() - idle_cpu) / (time.perf_counter() - idle_from)
        began, before = time.perf_counter(), self.cpu()
        presses = await self.burst()
        after = await self.settle()
        spent = after - before - idle_rate * (time.perf_counter() - began)
        return max(spent, 0.0) / presses

    async def stop(self) -> None:
        await asyncio.gather(*(bot.stop() for bot in self.bots))


async def figures(size: Size) -> list[Figure]:
    try:  # the tests' throwaway server: in a source checkout, as the benchmarks are run
        from tests.postgres_server import Databases, find_bin_dir, start_server
    except ImportError:
        print("  (skipped: needs the source checkout's tests/postgres_server.py)")
        return []
    members, repeats = (3, 1) if size is Size.TINY else (40, 5)
    if find_bin_dir() is None:
        print("  (skipped: no PostgreSQL binaries (initdb, pg_ctl) on this machine)")
        return []
    one: list[float] = []
    two: list[float] = []
    with tempfile.TemporaryDirectory(prefix="pc-bench-processes-") as folder:
        async with (
            FakeDiscord(privileged_intents_granted={"members"}) as fake_one,
            FakeDiscord(privileged_intents_granted={"members"}) as fake_two,
        ):
            # The global commands registered once (both stand-ins are the same application),
            # while the PostgreSQL server starts.
            (Path(folder) / "sync").mkdir()
            syncing = Bot(fake_one, Path(folder) / "sync").command("sync")
            server, _ = await asyncio.gather(asyncio.to_thread(start_server), syncing)
            if server is None:
                print("  (skipped: as root, PostgreSQL needs runuser and a postgres user)")
                return []
            fake_two.state.global_commands[:] = copy.deepcopy(fake_one.state.global_commands)
            try:
                databases = Databases(server)
                single = SetUp(fake_one, Path(folder) / "one", await databases.fresh(), ("0-3",))
                split = SetUp(
                    fake_two, Path(folder) / "two", await databases.fresh(), ("0-1", "2-3")
                )
                try:
                    await asyncio.gather(single.start(members), split.start(members))
                    for _ in range(repeats):
                        one.append(await single.cost())
                        two.append(await split.cost())
                finally:
                    await asyncio.gather(single.stop(), split.stop())
            finally:
                await asyncio.to_thread(server.stop)
    presses = 2 * SHARDS * members
    ratios = tuple(t / o for t, o in zip(two, one, strict=True) if o > 0)
    return [
        Figure(
            f"{presses} presses over {SHARDS} servers: CPU per press, 2 processes / 1",
            Spread(ratios or (float("nan"),)),
            goal=1.2,
            detail="µs of CPU per press, 2 processes / 1: "
            + ", ".join(f"{t * 1e6:.0f}/{o * 1e6:.0f}" for t, o in zip(two, one, strict=True)),
        )
    ]
