"""Two bot processes (``python -m bot run``, ``SHARD_COUNT=4``, ``SHARD_IDS`` 0-1 and 2-3)
against one fake Discord with four servers (one per shard) and one PostgreSQL database
(issue 19).

Every server holds a business meeting with a secret ballot and a sharing meeting at once. With
ballots cast and a member holding the floor everywhere, process A (shards 0-1) is killed (-9);
B's votes close and its shares go on meanwhile, and B never touches A's servers, not even when
A's ballots fall due while A is down. A comes back: its ballots close once with every ballot
counted, and its shares go on from the member who had the floor, handed over once.

Which process made a REST call: each process reaches the same stand-in under its own host name
(A ``127.0.0.1``, B ``localhost``; Discord too answers under several, like ``discord.com`` and
``canary.discord.com``), and the stand-in records every request's headers, ``Host`` among them.

Clock: at CLOCK_RATE 10 a ballot's two clock minutes take 12 s (outliving a kill -9 and a
restart's start-up on a loaded machine), a share's three-minute note comes after 18 s, and the
sharing section closes 500 s in (never, here).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import asyncpg

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import panel, press, slash, start_meeting, wait_message
from tests.e2e.test_business_meeting import LONG_AGO, bz, move, next_until
from tests.fakediscord import FakeDiscord, GuildHandle, SimulatedMember
from tests.postgres_server import Databases
from tests.store.conftest import need, postgres  # noqa: F401 - the server's fixture
from tests.support.privacy import find_identifiers

JSON = dict[str, Any]
RATE = 10
BALLOT_SECONDS = 2 * 60 / RATE  # the business meeting's "voting: 2m", in real seconds
NAMES = ("larchmoor", "pebbleford", "rushwater", "sedgebrook", "teasleby", "wrenholt")
KEY = "two-processes-one-database-shared-pseudonym-key"
HOSTS = ("127.0.0.1", "localhost")  # process A's and process B's way to the stand-in
RESULT = "**The motion carried** (Yes 3, No 1, Abstain 1)"
BALLOT = "**Secret ballot: the motion above.**"
FLOOR = "the floor is yours"


@dataclass
class Circle:
    """One server: its business room, its sharing room and six long-standing members."""

    number: int
    guild: GuildHandle
    business: int
    sharing: int
    people: list[SimulatedMember]
    ballot: JSON | None = None
    ballot_opened: float = 0.0

    @property
    def process(self) -> int:
        return self.number // 2  # shards 0-1: A (0); shards 2-3: B (1)


def floors(fake: FakeDiscord, room: int, member: SimulatedMember) -> int:
    """How many times the floor was handed to ``member`` in ``room``."""
    return sum(
        FLOOR in m.get("content", "") and f"<@{member.id}>" in m["content"]
        for m in fake.channel_messages(room)
    )


def posts(fake: FakeDiscord, room: int, text: str) -> int:
    return sum(text in m.get("content", "") for m in fake.channel_messages(room))


async def gather_circles(fake: FakeDiscord) -> list[Circle]:
    circles = []
    for number in range(4):
        guild = fake.add_guild(f"Circle {number}", shard=(number, 4))
        assert (guild.id >> 22) % 4 == number
        business = fake.add_channel(guild.id, "group-conscience").id
        sharing = fake.add_channel(guild.id, "sharing-room").id
        people = [
            fake.add_member(guild.id, f"{name}{number}", global_name=f"{name.title()} {number}")
            for name in NAMES
        ]
        for person in people:
            person.member.joined_at = LONG_AGO
        circles.append(Circle(number, guild, business, sharing, people))
    return circles


async def set_up(fake: FakeDiscord, circle: Circle) -> None:
    """Both rooms set up; the share under way (the floor is the fourth member's, the fifth's
    hand up) and the motion moved and seconded."""
    chair, mover, seconder, first, second, circle_chair = circle.people
    for room, form in ((circle.business, "business-meeting"), (circle.sharing, "open-discussion")):
        done = await circle.guild.owner.slash(room, "group setup", {"format": form})
        await done.wait_response()
        await wait_message(fake, room, "home to a peer group")

    room = circle.sharing
    assert "Thank you for chairing" in await start_meeting(fake, circle_chair, room)
    board = panel(fake, room)
    for _ in range(10):  # the welcome, the silence, the readings, the question, …
        if posts(fake, room, "The floor is open"):
            break
        await press(circle_chair, board, "next")
    await wait_message(fake, room, "The floor is open")
    assert "hand is up" in await press(first, board, "hand")
    await wait_message(fake, room, f"<@{first.id}>, {FLOOR}")
    assert "hand is up" in await press(second, board, "hand")

    room = circle.business
    await slash(chair, room, "meeting start")
    await next_until(fake, room, chair, "Any member may press **Make a motion**")
    motion = await move(fake, room, mover, "I move that we keep a quiet corner.")
    assert "Thank you for seconding" in await bz(seconder, motion, "second")
    await wait_message(fake, room, "The motion is seconded")
    circle.ballot = fake.state.messages[int(motion["id"])].data  # its buttons, as they are now


async def vote(fake: FakeDiscord, circle: Circle) -> None:
    """The chair calls the vote; five members cast their ballots (the vote stays open)."""
    chair, mover, seconder, first, second, _ = circle.people
    assert circle.ballot is not None
    assert await bz(chair, circle.ballot, "call") == "The ballot is open."
    circle.ballot_opened = asyncio.get_running_loop().time()
    ballot = await wait_message(fake, circle.business, BALLOT, with_buttons=True)
    choices = (
        (chair, "yes"),
        (mover, "yes"),
        (seconder, "no"),
        (first, "yes"),
        (second, "abstain"),
    )
    answers = await asyncio.gather(*(bz(who, ballot, choice) for who, choice in choices))
    assert all("your vote is counted" in answer for answer in answers), answers


async def share_goes_on(fake: FakeDiscord, circle: Circle) -> None:
    """The member with the floor finishes; the floor goes to the raised hand, once."""
    _, _, _, first, second, _ = circle.people
    assert floors(fake, circle.sharing, first) == 1  # still theirs, never handed out again
    assert "Thank you for sharing" in await press(first, panel(fake, circle.sharing), "done")
    await wait_message(fake, circle.sharing, f"<@{second.id}>, {FLOOR}")


def guild_of(fake: FakeDiscord, path: str) -> int | None:
    """The server a REST call acts on: by its channel, its server, or its interaction."""
    if found := re.match(r"/channels/(\d+)", path):
        channel = fake.state.channels.get(int(found[1]))
        return None if channel is None else channel.guild_id
    if found := re.match(r"/guilds/(\d+)", path):
        return int(found[1])
    if found := re.match(r"/(?:interactions/\d+|webhooks/\d+)/([^/]+)", path):
        record = fake.state.interactions_by_token.get(found[1])
        return None if record is None else record.guild_id
    return None


def acted_on(fake: FakeDiscord, after: int = 0, before: int | None = None) -> dict[int, set[str]]:
    """For each server, the hosts (so the processes) whose REST calls acted on it."""
    hosts: dict[int, set[str]] = {}
    for request in fake.requests[after:before]:
        guild = guild_of(fake, request.path)
        if guild is not None:
            hosts.setdefault(guild, set()).add(request.headers.get("Host", "").split(":")[0])
    return hosts


async def rows(url: str, table: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await conn.close()


async def nothing_identifies(fake: FakeDiscord, url: str) -> None:
    """No member's id or name anywhere in the shared database (every table, every row)."""
    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
        dump = [
            str(await conn.fetch(f'SELECT row_to_json(t)::text FROM "{row[0]}" t'))
            for row in tables
        ]
    finally:
        await conn.close()
    assert not find_identifiers("\n".join(dump), fake.all_member_identifiers())


async def test_two_processes_share_one_database_and_keep_to_their_shards(
    fake: FakeDiscord,
    bot_runner: BotRunner,
    second_runner: BotRunner,
    postgres: Databases | None,  # noqa: F811 - the fixture imported above
) -> None:
    databases = need(postgres)
    url = await databases.fresh()
    runners = (bot_runner, second_runner)
    try:
        await two_processes(fake, runners, url)
    finally:
        for runner in runners:
            await runner.stop()  # before their database goes
        await databases.drop(url)


async def two_processes(fake: FakeDiscord, runners: tuple[BotRunner, BotRunner], url: str) -> None:
    first, second = runners
    fake.gateway.max_concurrency = 4  # all four shards may IDENTIFY at once
    circles = await gather_circles(fake)
    for runner, shards, host in zip(runners, ("0-1", "2-3"), HOSTS, strict=True):
        runner.settings.update(
            DATABASE_URL=url,
            SHARD_COUNT="4",
            SHARD_IDS=shards,
            PSEUDONYM_KEY=KEY,
            CLOCK_RATE=str(RATE),
            DISCORD_API_BASE=fake.api_base.replace("127.0.0.1", host),
            DISCORD_GATEWAY_URL=fake.gateway_url.replace("127.0.0.1", host),
        )
    assert (await first.command("sync"))[0] == 0  # global commands, every server
    await asyncio.gather(first.start(), second.start())
    assert "shard(s) 0-1 of 4" in first.logs()
    assert "shard(s) 2-3 of 4" in second.logs()
    assert sorted(tuple(p["shard"]) for p in fake.gateway.identify_payloads) == [
        (n, 4) for n in range(4)
    ]

    # Every server: a share under way and a motion seconded; then the votes, ballots cast.
    await asyncio.gather(*(set_up(fake, circle) for circle in circles))
    await asyncio.gather(*(vote(fake, circle) for circle in circles))
    ours, theirs = circles[2:], circles[:2]  # B's servers go on; A's wait for A

    # kill -9 of A: mid-vote (five ballots in, the vote open) and mid-share (the floor taken).
    await first.kill()
    killed_at = len(fake.requests)
    for circle in theirs:
        assert posts(fake, circle.business, "**The motion") == 0, "closed before the kill"
    await nothing_identifies(fake, url)  # with every meeting, roll and ballot box in it
    # B's votes close on their own time, its shares go on, all while A is down …
    await asyncio.gather(*(share_goes_on(fake, circle) for circle in ours))
    for circle in ours:
        await wait_message(fake, circle.business, RESULT, limit=BALLOT_SECONDS + 30)
    # … and A's ballots fall due meanwhile: B leaves them alone.
    due = max(circle.ballot_opened for circle in theirs) + BALLOT_SECONDS + 1.0
    await asyncio.sleep(max(0.0, due - asyncio.get_running_loop().time()))
    for circle in theirs:
        assert posts(fake, circle.business, "**The motion") == 0
    down = acted_on(fake, killed_at)
    assert not any(circle.guild.id in down for circle in theirs), "B acted on A's servers"

    # A's restart: the overdue votes close once, every ballot counted; the shares go on.
    await first.start()
    for circle in theirs:
        await wait_message(fake, circle.business, RESULT)
    await asyncio.gather(*(share_goes_on(fake, circle) for circle in theirs))

    async def close(circle: Circle) -> None:
        chair, *_, circle_chair = circle.people
        assert "closed" in await slash(circle_chair, circle.sharing, "meeting end")
        assert "closed" in await slash(chair, circle.business, "meeting end")

    await asyncio.gather(*(close(circle) for circle in circles))
    for circle in circles:
        _, _, _, sharer, next_sharer, _ = circle.people
        assert posts(fake, circle.business, "**The motion") == 1  # one result, never two
        assert posts(fake, circle.business, BALLOT) == 1
        assert floors(fake, circle.sharing, sharer) == 1  # one handover each, none doubled
        assert floors(fake, circle.sharing, next_sharer) == 1
        restarted = 1 if circle.process == 0 else 0  # A's meetings heard of its restart, once
        for room in (circle.business, circle.sharing):
            assert posts(fake, room, "I had to restart for a moment") == restarted
    for table in ("meetings", "business_ballots", "business_roll", "business_matters"):
        assert await rows(url, table) == 0, table

    # Each server was served by its own process only, from start to end.
    hosts = acted_on(fake)
    for circle in circles:
        assert hosts[circle.guild.id] == {HOSTS[circle.process]}, (circle.number, hosts)
    for runner in runners:
        assert "another process's shards" not in runner.logs()
