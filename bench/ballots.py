"""B4 ballots: many secret ballots cast at once across ten votes, through the bot's own path
(eligibility checked on each click, the voter's roll entry and the ballot in one transaction:
:meth:`bot.runtime.decisions.DecisionService.cast`), against the floor: a raw aiosqlite loop
inserting the same number of ballots, one transaction each, with the same pragmas. Goal: at
least half the floor's speed, and the cost per ballot flat as the vote grows.

Each side is timed twice: wall time, and CPU time (``time.process_time``: this process, SQLite's
thread included). Wall time per ballot with thousands of casts in flight at once also measures
the queue and whatever else the machine is doing; the CPU time per ballot is the work a ballot
costs, so the "flat" figure is read from it (the wall times are printed beside it)."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import aiosqlite

from bench.harness import Figure, Size, Spread
from bot.core.decisions import TWO_THIRDS, Choice, ExcludeMember, Proposal, ProposalState
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.runtime.clock import Clock
from bot.runtime.decisions import DecisionService
from bot.runtime.decisions.port import Person
from bot.runtime.formats import FormatLibrary
from bot.runtime.locks import GroupLocks
from bot.runtime.scheduler import Scheduler
from bot.store import Store

NAME = "B4 ballots: cast at once across 10 votes, vs a raw aiosqlite insert loop"
GUILD, CHANNEL = 7001, 7002
VOTES = 10
PRAGMAS = (
    "PRAGMA journal_mode=TRUNCATE",
    "PRAGMA synchronous=FULL",
    "PRAGMA secure_delete=ON",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
)


class Took(NamedTuple):
    """Seconds of wall time and of CPU time (this process, every thread)."""

    wall: float
    cpu: float


class Stopwatch:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def took(self) -> Took:
        return Took(time.perf_counter() - self.wall, time.process_time() - self.cpu)


@dataclass(frozen=True)
class Voter:
    id: int
    bot: bool = False


class Members:
    """The decision port, as far as casting needs it: everyone is a member of long standing."""

    def __init__(self, clock: Clock) -> None:
        self.joined = clock.now() - timedelta(days=400)

    async def ready(self) -> None:
        return None

    async def person(self, group: Any, user: Voter) -> Person:
        return Person(user.id, False, True, self.joined)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"casting a ballot should not need the port's {name}")


class Casting(NamedTuple):
    group_id: int
    service: DecisionService
    pseudonyms: Pseudonymizer
    clock: Clock


async def casting(store: Store, channel_id: int = CHANNEL) -> Casting:
    """A group in ``store`` and the bot's own decision service to cast its ballots (its port a
    stand-in that knows every voter as a member)."""
    group = await store.groups.create(
        guild_id=GUILD, channel_id=channel_id, format_id="open-discussion", member_role_id=None,
        now=0.0,
    )  # fmt: skip
    if group is None:
        raise RuntimeError("the bench group could not be made")
    clock = Clock()
    pseudonyms = Pseudonymizer(secrets.token_bytes(32))
    service = DecisionService(
        store=store,
        clock=clock,
        scheduler=Scheduler(store.deadlines, clock),
        pseudonyms=pseudonyms,
        formats=FormatLibrary(store),
        port=Members(clock),
        locks=GroupLocks(),
    )
    return Casting(group.id, service, pseudonyms, clock)


async def ours(folder: Path, ballots: int) -> Took:
    """Time to cast ``ballots`` at once through the bot's path (votes already open)."""
    store = Store(folder / "ours.sqlite3")
    await store.open()
    try:
        group_id, service, pseudonyms, clock = await casting(store)
        per_vote = ballots // VOTES
        voters = [Voter(1000 + n) for n in range(per_vote)]
        roll = [pseudonyms.of(GUILD, v.id) for v in voters]
        proposals = [f"bench{n}" for n in range(VOTES)]
        now = clock.now()
        async with store.decisions.transaction() as t:
            for proposal_id in proposals:
                await t.insert_proposal(group_id, voting(proposal_id, now))
                await t.save_roll(proposal_id, roll)
        choices = list(Choice)
        watch = Stopwatch()
        await asyncio.gather(
            *(
                service.cast(p, v, choices[(i + j) % 3])
                for i, p in enumerate(proposals)
                for j, v in enumerate(voters)
            )
        )
        took = watch.took()
        counted = await store.db.fetchval("SELECT count(*) FROM ballots")
        if counted != per_vote * VOTES:
            raise AssertionError(f"{counted} ballots counted, {per_vote * VOTES} cast")
        return took
    finally:
        await store.close()


def voting(proposal_id: str, now: datetime) -> Proposal:
    return Proposal(
        id=proposal_id,
        motion=ExcludeMember(Pseudonym("f" * 64), 1, ("crosstalk",)),
        state=ProposalState.VOTING,
        created_at=now - timedelta(days=3),
        deadline=now + timedelta(days=1),
        threshold=TWO_THIRDS,
        quorum=3,
        proposer=None,
        statement=None,
    )


async def floor(folder: Path, ballots: int) -> Took:
    """Time for a raw aiosqlite loop to insert as many ballots, a transaction each."""
    async with aiosqlite.connect(folder / "floor.sqlite3") as conn:
        for pragma in PRAGMAS:
            await conn.execute(pragma)
        await conn.execute(
            "CREATE TABLE ballots (proposal_id TEXT NOT NULL, key TEXT NOT NULL, "
            "choice TEXT NOT NULL, PRIMARY KEY (proposal_id, key)) STRICT, WITHOUT ROWID"
        )
        await conn.commit()
        watch = Stopwatch()
        for n in range(ballots):
            await conn.execute("BEGIN IMMEDIATE")
            await conn.execute(
                "INSERT INTO ballots VALUES (?, ?, ?)",
                (f"bench{n % VOTES}", secrets.token_urlsafe(16), "yes"),
            )
            await conn.commit()
        return watch.took()


async def figures(size: Size) -> list[Figure]:
    sizes = (20, 40) if size is Size.TINY else (100, 1_000, 10_000)
    speed: list[float] = []
    cpu_speed: list[float] = []
    wall: dict[int, list[float]] = {n: [] for n in sizes}  # ms per ballot
    cpu: dict[int, list[float]] = {n: [] for n in sizes}
    for repeat in range(1 if size is Size.TINY else 3):
        for ballots in sizes:
            if repeat and ballots > 1_000:
                continue  # one run of the largest (a few minutes on a slow disk)
            with tempfile.TemporaryDirectory(prefix="pc-bench-") as folder:
                theirs = await floor(Path(folder), ballots)
                mine = await ours(Path(folder), ballots)
            wall[ballots].append(mine.wall / ballots * 1000)
            cpu[ballots].append(mine.cpu / ballots * 1000)
            if ballots >= 1_000 or size is Size.TINY:
                speed.append(theirs.wall / mine.wall)
                cpu_speed.append(theirs.cpu / mine.cpu)
    smallest, largest = sizes[0], sizes[-1]
    growth = [c / min(cpu[smallest]) for c in cpu[largest]]

    def best(costs: Mapping[int, list[float]]) -> str:
        return ", ".join(f"{n:,}: {min(c):.2f}" for n, c in costs.items())

    return [
        Figure(
            "speed vs the raw loop",
            Spread(tuple(speed)),
            goal=0.5,
            at_most=False,
            detail=f"in wall time; ms per ballot (best), wall: {best(wall)}; CPU: {best(cpu)}; "
            f"speed in CPU time: {Spread(tuple(cpu_speed)).median:.2f}×",
        ),
        Figure(
            f"CPU per ballot at {largest:,} over {smallest:,} ballots (flat is 1)",
            Spread(tuple(growth)),
            goal=1.5,
            detail="wall time per ballot at the same sizes over the smallest's best: "
            + ", ".join(f"{n:,}: {min(w) / min(wall[smallest]):.2f}×" for n, w in wall.items()),
        ),
    ]
