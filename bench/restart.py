"""B5 restart: the bot started over a database with meetings under way (1,000), votes open
(100) and 10,000 pending deadlines in all, written straight into the database beforehand with
the store's repositories and the real meeting service (:mod:`bench.inprocess`) — then
``python -m bot run`` against the Discord stand-in, timed from process start until every
meeting answers (``/meeting status`` in each meeting's channel, answered with its panel; its
timeline picture is added to the answer after, once drawn: timed too, outside the figure).

The floor, side by side: a bare discord.py client's start to READY against the same stand-in
and server (:mod:`bench.bare_client`). Figure: ours over the floor (goal ≤ 1.5).

Each repeat restarts the same data folder (its start-up back-off file removed first: this is
not a crash loop)."""

from __future__ import annotations

import asyncio
import re
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from bench.ballots import voting
from bench.harness import Figure, Size, Spread
from bench.inprocess import Runtime
from bench.standin import LIMIT, Bare, Bot, people
from bot.core.decisions.effects import DeadlineKind
from bot.runtime.clock import Clock
from bot.runtime.decisions.engine import DEADLINE_PREFIX
from bot.store import Store
from discord_standin import FakeDiscord, SimulatedInteraction, SimulatedMember
from discord_standin.rest_core import RecordedRequest

NAME = "B5 restart: start to every meeting answering, over pending deadlines, vs a bare client"
CLOSES = DEADLINE_PREFIX + DeadlineKind.BALLOT_CLOSES.value


async def write_database(
    path: Path,
    key: bytes,
    guild_id: int,
    rooms: list[int],
    votes: int,
    deadlines: int,
    people: Sequence[int],
) -> None:
    """Meetings under way in every room, ``votes`` open, deadlines topped up to ``deadlines``
    (the rest far off: loaded at start, never due during the benchmark). ``people``: members
    of the server (user ids), one chair a meeting, the first twelve on every vote's roll; all
    still in the server (one who had left would be forgotten at the start, a cost of its own)."""
    store = Store(path)
    await store.open()
    try:
        runtime = Runtime(store, key, clock=Clock())
        await runtime.meetings(guild_id, rooms, people[: len(rooms)])
        now = runtime.clock.now()
        groups = [await store.groups.by_channel(room) for room in rooms[:votes]]
        voters = [runtime.pseudonyms.of(guild_id, user_id) for user_id in people[:12]]
        async with store.decisions.transaction() as t:
            for n, group in enumerate(groups):
                if group is None:
                    raise RuntimeError("a bench group is missing")
                await t.insert_proposal(group.id, voting(f"benchvote{n}", now))
                await t.save_roll(f"benchvote{n}", voters)
        for n, group in enumerate(groups):
            assert group is not None  # noqa: S101 - checked above
            closes = (now + timedelta(days=1)).timestamp()
            payload = {"group_id": group.id, "key": f"benchvote{n}"}
            await store.deadlines.upsert(CLOSES, f"benchvote{n}", closes, payload)
        pending = len(await store.deadlines.all())
        far = (now + timedelta(days=20)).timestamp()
        for n in range(max(0, deadlines - pending)):
            group = groups[n % len(groups)]
            assert group is not None  # noqa: S101 - checked above
            payload = {"group_id": group.id, "key": f"benchlater{n}"}
            await store.deadlines.upsert(CLOSES, f"benchlater{n}", far + n, payload)
    finally:
        await store.close()


async def every_meeting_answers(
    owner: SimulatedMember, rooms: list[int]
) -> tuple[list[SimulatedInteraction], float]:
    """``/meeting status`` in every room, 64 asked at a time; each answered with its panel.
    Returns the interactions and the slowest answer, in seconds from its asking."""
    gate = asyncio.Semaphore(64)  # members don't all type at once; neither do we
    slowest = 0.0

    async def ask(room: int) -> SimulatedInteraction:
        nonlocal slowest
        async with gate:
            asked = time.perf_counter()
            status = await owner.slash(room, "meeting status")
            answer = await status.wait_response(timeout=LIMIT)
            slowest = max(slowest, time.perf_counter() - asked)
        if answer.data is None or not answer.data.get("embeds"):
            raise AssertionError(f"a meeting answered without its panel: {answer.data}")
        return status

    asked = await asyncio.gather(*(ask(room) for room in rooms))
    return asked, slowest


async def every_picture_added(asked: list[SimulatedInteraction]) -> None:
    """Each answer's timeline picture, added to it once drawn (one drawing at a time)."""
    await asyncio.gather(
        *(
            status.wait_original(lambda m: bool(m.get("attachments")), timeout=LIMIT * 2)
            for status in asked
        )
    )


def paced_calls(requests: Sequence[RecordedRequest]) -> Counter[str]:
    """The calls that wait their turn at the bot's pace (``bot/adapters/pacing.py``): all but
    the answers to interactions; by method and route."""
    return Counter(
        f"{r.method} {r.route or r.path}"
        for r in requests
        if not r.path.startswith(("/interactions/", "/webhooks/"))
    )


async def figures(size: Size) -> list[Figure]:
    if size is Size.TINY:
        return await measure(meetings=20, votes=2, deadlines=200, repeats=1)
    return await measure(meetings=1_000, votes=100, deadlines=10_000, repeats=3)


async def measure(*, meetings: int, votes: int, deadlines: int, repeats: int) -> list[Figure]:
    """B5 at any size (``figures`` gives the two sizes ``python -m bench`` runs)."""
    ours: list[float] = []
    ready: list[float] = []
    resumed: list[float] = []
    floor: list[float] = []
    paced: Counter[str] = Counter()
    worked: list[float] = []  # the bot's CPU seconds by then
    slowest_answer: list[float] = []
    pictured: list[float] = []
    rearmed = 0
    key = secrets.token_hex(32)
    async with FakeDiscord(privileged_intents_granted={"members"}) as fake:
        guild = fake.add_guild("Bench Circle", owner_username="benchowner")
        rooms = [fake.add_channel(guild.id, f"room-{n}").id for n in range(meetings)]
        members = [m.id for m in people(fake, guild, max(12, meetings))]
        with tempfile.TemporaryDirectory(prefix="pc-bench-b5-") as folder:
            (Path(folder) / "bare").mkdir()
            # Both sides import compiled bytecode, as a deployed bot does (the Docker image
            # compiles it when built), even where PYTHONDONTWRITEBYTECODE is set here.
            compiled = {
                "PYTHONPYCACHEPREFIX": str(Path(folder) / "pyc"),
                "PYTHONDONTWRITEBYTECODE": "",
            }
            settings = {"DEV_GUILD_ID": str(guild.id), "PSEUDONYM_KEY": key, **compiled}
            bot = Bot(fake, Path(folder), settings)
            bare = Bare(fake, Path(folder) / "bare", compiled)
            await bot.command("sync")  # (fills the bytecode cache, as does the bare start below)
            await bare.start()
            await bare.stop()
            await write_database(
                Path(folder) / "data" / "peercircle.sqlite3",
                key.encode(),
                guild.id,
                rooms,
                votes,
                deadlines,
                members,
            )
            for _ in range(repeats):
                floor.append(await bare.start())
                await bare.stop()
                (Path(folder) / "data" / "starts").unlink(missing_ok=True)
                began, mark = time.perf_counter(), len(fake.requests)
                try:
                    ready.append(await bot.start())
                    try:
                        asked, slowest = await every_meeting_answers(guild.owner, rooms)
                    except TimeoutError as error:
                        tail = "\n".join(bot.log.read_text().splitlines()[-15:])
                        raise AssertionError(
                            f"not every meeting answered ({error}); the bot's last lines:\n{tail}"
                        ) from error
                    ours.append(time.perf_counter() - began)
                    slowest_answer.append(slowest)
                    # Not part of the figure either: the pictures added to the answers.
                    await every_picture_added(asked)
                    pictured.append(time.perf_counter() - began)
                    # The deadlines are re-armed once the meetings have resumed (each has
                    # posted its notice and panel, at the bot's paced 40 calls a second): wait
                    # for it before stopping, so the count below is read, not raced, and note
                    # when (not part of the figure: every meeting already answers by then).
                    async with asyncio.timeout(LIMIT * 2):
                        while "Re-armed " not in bot.log.read_text():  # noqa: ASYNC110 - a file
                            await asyncio.sleep(0.1)
                    resumed.append(time.perf_counter() - began)
                    worked.append(bot.cpu())
                    paced = paced_calls(fake.requests[mark:])
                finally:
                    await bot.stop()
                found = re.findall(r"Re-armed (\d+) pending", bot.log.read_text())
                rearmed = int(found[-1]) if found else 0
            if rearmed < deadlines:
                raise AssertionError(f"only {rearmed} deadlines re-armed, {deadlines} written")
    return [
        Figure(
            f"{meetings:,} meetings, {votes} votes, {rearmed:,} deadlines: "
            "start to every meeting answering, over a bare client's start",
            Spread(tuple(o / f for o, f in zip(ours, floor, strict=True))),
            goal=1.5,
            detail="seconds, ours (to ready) / bare: "
            + ", ".join(
                f"{o:.2f} ({r:.2f}) / {f:.2f}" for o, r, f in zip(ours, ready, floor, strict=True)
            )
            + "; the slowest answer (from its asking; Discord waits 3 s): "
            + ", ".join(f"{t:.2f}" for t in slowest_answer)
            + "; every answer's picture added after: "
            + ", ".join(f"{t:.1f}" for t in pictured)
            + "; every meeting resumed (notice and panel posted) and the deadlines re-armed "
            + "after: "
            + ", ".join(f"{t:.1f}" for t in resumed)
            + " (the bot's CPU seconds by then: "
            + ", ".join(f"{t:.1f}" for t in worked)
            + ")"
            + f"; the bot's calls bound by Discord's global limit, last run: {paced.total():,} "
            + "("
            + ", ".join(f"{route} {n:,}" for route, n in paced.most_common(4))
            + ")",
        )
    ]
