"""Secret and forgotten at rest: a copy of the data directory, read byte by byte with the
pseudonym key in hand, links no voter to a choice and holds no deleted row.

The attacker is tests/privacy/at_rest.py (what a *link* is, precisely, is in its docstring). A
copy is taken after every step, with the write lock held so that it falls between two
transactions: the database file, its journal and anything else in the directory, read raw.
The vote runs through the real decision service on a real database (the fakes of
tests/runtime/test_decisions_service.py); deletions run through the real repositories and the
privacy service. The control test shows the attacker at work on a database kept the old way
(a write-ahead log, deleted bytes left where they were): there it finds every ballot's voter.
One test catches a cast in the instant of its commit, the limit bot/store/db.py owns up to,
and checks that it shows that one ballot's voter and nobody else's.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from shutil import copyfile as copy_file

import pytest

from bot.core.decisions import effects as fx
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.runtime.clock import Clock
from bot.runtime.events import EventBus
from bot.runtime.privacy import PrivacyService
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.db import Database
from bot.store.decisions import DecisionTx
from bot.store.meetings import MeetingRepository
from tests.privacy.at_rest import Copy, fragments, links
from tests.privacy.population import MEMBERS, Place, populate
from tests.runtime.test_decisions_service import (
    CHANNEL,
    GUILD,
    Bench,
    FakeTime,
    User,
    build,
    give_chances,
    propose_and_second,
    settle,
)

KEY = b"k" * 32  # the key tests/runtime/test_decisions_service.py's bench uses
HOUR = 3600.0
HOME, AWAY, NOW = 350_000_000_000_000_001, 350_000_000_000_000_002, 1_800_000_000.0
STATEMENT = (
    "I did not see how often I talked over people when they were sharing, and I am sorry. "
    "Since the notes I have been writing down what I want to say and waiting for the chair. "
) * 5  # a long statement: it spills onto an overflow page
VOTERS = {1: "yes", 2: "no", 3: "yes", 4: "abstain", 5: "yes", 6: "yes"}
TARGET = 9


async def copy_of(store: Store) -> Copy:
    """Every file under the data directory, read between two transactions."""
    async with store.db.transaction():
        return Copy.take(store.db.path.parent, store.db.path)


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    store = Store(tmp_path / "data" / "peercircle.sqlite3")
    await store.open()
    group = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=FakeTime().now,
    )  # fmt: skip
    assert group is not None
    made = build(store, FakeTime())
    made.group = group
    await made.scheduler.start()
    yield made
    await made.scheduler.stop()
    await store.close()


async def keep_it_the_old_way(bench: Bench) -> None:
    """For the control test: a write-ahead log, and deleted bytes left where they were."""
    assert await bench.store.db.fetchval("PRAGMA journal_mode=WAL") == "wal"
    await bench.store.db.conn.execute("PRAGMA secure_delete=OFF")


async def a_vote_with_a_hearing(bench: Bench) -> tuple[str, dict[str, User], str]:
    """Notes, a proposal, a second, the member's statement, and ballots open.

    Returns the proposal, the roll's users by pseudonym, and the target's pseudonym."""
    d = bench.discord
    users = {n: d.add(n) for n in VOTERS}
    target = d.add(TARGET)
    await give_chances(bench, users[1], users[2], target)
    pid = await propose_and_second(bench, users[3], users[4], target)
    await bench.service.give_statement(pid, target, STATEMENT)
    await bench.advance(12 * HOUR)  # the hearing ends: ballots open
    pseudonyms = Pseudonymizer(KEY)
    by_pseudonym = {pseudonyms.of(GUILD, n): user for n, user in users.items()}
    assert await bench.rows("voters") == len(VOTERS)
    return pid, by_pseudonym, pseudonyms.of(GUILD, TARGET)


def roll_layout(copy: Copy, roll: dict[str, User]) -> dict[str, int]:
    """Where each voter's entry sits in the database file."""
    main = copy.side("")
    return {voter: main.find(voter.encode()) for voter in roll}


async def test_no_copy_links_a_voter_to_a_choice_at_any_step_of_a_vote(bench: Bench) -> None:
    pid, roll, _ = await a_vote_with_a_hearing(bench)
    opened = await copy_of(bench.store)
    assert links(opened.versions()) == set()
    layout = roll_layout(opened, roll)

    for voter, user in roll.items():
        await bench.service.cast(pid, user, fx.Choice(VOTERS[user.id]))
        await settle(bench)
        copy = await copy_of(bench.store)
        versions = copy.versions()
        assert links(versions) == set(), f"after the ballot of {voter[:8]}"
        assert [v.where for v in versions] == ["the database file"]  # one version, no history
        assert voter in versions[0].voted[pid]  # the copy does show the roll as it is now
        assert copy.side("-journal") == b""
        assert copy.side("-wal") == b""
        # Flipping "voted" rewrites the roll entry in place: no order of voting in the layout.
        assert roll_layout(copy, roll) == layout
        assert all(at > 0 for at in layout.values())

    keys = [row["key"] for row in await bench.store.db.fetchall("SELECT key FROM ballots")]
    assert len(keys) == len(VOTERS)
    await bench.advance(24 * HOUR)  # voting closes
    assert bench.discord.tasks(fx.AnnounceResult)[-1].result.outcome.value == "carried"
    closed = await copy_of(bench.store)
    assert links(closed.versions()) == set()
    # The roll, the ballots and the member's statement were deleted at the close: no byte left.
    for voter in roll:
        assert closed.holds(voter) == [], f"the roll entry of {voter[:8]} is still on disk"
    for key in keys:
        assert closed.holds(key) == [], "a ballot is still on disk"
    for piece in fragments(STATEMENT.strip()):
        assert closed.holds(piece) == [], f"the statement is still on disk: {piece!r}"


async def test_a_copy_in_the_instant_of_a_commit_shows_that_one_ballot_and_no_other(
    bench: Bench, tmp_path: Path
) -> None:
    """The limit bot/store/db.py owns up to: while a cast commits, the journal holds the old
    images of its pages beside the new ones. Caught in that instant (here: a copy of the
    database with its cache made so small that the new pages reach the file before the commit),
    a copy links that one voter to their choice, and no one else."""
    pid, roll, _ = await a_vote_with_a_hearing(bench)
    voters = list(roll.items())
    for _, user in voters[:3]:
        await bench.service.cast(pid, user, fx.Choice(VOTERS[user.id]))
    await settle(bench)
    scratch = tmp_path / "instant"
    scratch.mkdir()
    async with bench.store.db.transaction():
        copy_file(bench.store.db.path, scratch / bench.store.db.path.name)
    db = Database(scratch / bench.store.db.path.name)
    await db.open()
    await db.conn.execute("PRAGMA cache_size=1")
    await db.conn.execute("PRAGMA cache_spill=1")
    in_flight, user = voters[3]
    async with db.transaction() as tx:
        t = DecisionTx(tx)  # the cast's two writes, as the engine makes them
        assert await t.mark_voted(pid, Pseudonym(in_flight))
        await t.store_ballot(pid, "in-flight-ballot", fx.Choice(VOTERS[user.id]))
        await tx.fetchall("SELECT * FROM deadlines")  # reading on spills the new pages
        caught = Copy.take(scratch, db.path)
    await db.close()
    assert len(caught.side("-journal")) > 0
    assert [v.where for v in caught.versions()] == ["the database file", "the journal rolled back"]
    assert {(link.voter, link.choice) for link in links(caught.versions())} == {
        (in_flight, VOTERS[user.id])
    }


async def test_the_attacker_finds_what_a_write_ahead_log_keeps(bench: Bench) -> None:
    """The control: kept the old way, a copy links every ballot to its voter and keeps the
    deleted statement and roll (so the checks above can fail)."""
    await keep_it_the_old_way(bench)
    pid, roll, _ = await a_vote_with_a_hearing(bench)
    for user in roll.values():
        await bench.service.cast(pid, user, fx.Choice(VOTERS[user.id]))
    found = links((await copy_of(bench.store)).versions())
    assert {(link.voter, link.choice) for link in found} == {
        (voter, VOTERS[user.id]) for voter, user in roll.items()
    }
    await bench.advance(24 * HOUR)
    await settle(bench)
    closed = await copy_of(bench.store)
    assert closed.holds(STATEMENT[:40])
    assert all(closed.holds(voter) for voter in roll)


@dataclass
class World:
    store: Store
    privacy: PrivacyService
    home: Place
    away: Place


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """Rows in every registered table for a group in each of two servers."""
    store = Store(tmp_path / "data" / "peercircle.sqlite3")
    await store.open()
    pseudonyms = Pseudonymizer(KEY)
    clock = Clock(real_time=lambda: NOW)
    privacy = PrivacyService(
        store, pseudonyms, clock, Scheduler(store.deadlines, clock), EventBus()
    )
    async with store.db.transaction() as tx:
        home = await populate(tx, pseudonyms, guild_id=HOME, channel_id=1, now=NOW)
        away = await populate(tx, pseudonyms, guild_id=AWAY, channel_id=2, now=NOW)
    yield World(store, privacy, home, away)
    await store.close()


async def end_the_meeting(world: World) -> list[str]:
    """A meeting under way saves its state at every step, then ends; returns the states."""
    store, who = world.store, world.home.who
    meeting = await store.db.fetchval(
        "SELECT id FROM meetings WHERE group_id = ?", (world.home.group_id,)
    )
    states = [
        json.dumps({"step": step, "floor": floor, "hands": hands})
        for step, (floor, hands) in enumerate(
            [
                (who["alice"], [who["bea"]]),
                (who["bea"], [who["cyd"], who["dot"]]),
                (who["cyd"], [who["dot"]]),
            ]
        )
    ]
    for state in states:
        async with store.db.transaction() as tx:
            await MeetingRepository.save(tx, meeting, state)
    assert (await copy_of(store)).holds(states[-1])  # the check can fail
    async with store.db.transaction() as tx:
        assert await MeetingRepository.delete(tx, meeting)
    return states


async def test_an_ended_meeting_leaves_no_state_behind(world: World) -> None:
    """Every version of the meeting's state, rewritten at each step, is gone once it ends."""
    states = await end_the_meeting(world)
    copy = await copy_of(world.store)
    for step, state in enumerate(states):
        assert copy.holds(state) == [], f"the meeting's state at step {step} is still on disk"


async def test_a_forgotten_member_leaves_no_key_behind(world: World) -> None:
    await end_the_meeting(world)  # with the meeting over, nothing of bea's is kept in force …
    async with world.store.db.transaction() as tx:  # … once what follows it is carried out:
        await tx.execute("DELETE FROM event_outbox")  # who served is recorded
        await tx.execute("DELETE FROM floor_restore")  # everyone has their voice back
        await tx.execute("DELETE FROM room_restore")  # the channel is back as it was
    bea = world.home.who["bea"]
    assert (await copy_of(world.store)).holds(bea)
    outcome = await world.privacy.forget_member(guild_id=HOME, user_id=MEMBERS["bea"])
    assert outcome.removed_total > 0
    assert not outcome.kept
    assert (await copy_of(world.store)).holds(bea) == [], "the forgotten key is still on disk"


async def test_a_server_the_bot_left_leaves_no_key_behind(world: World) -> None:
    assert await world.privacy.forget_guild(AWAY) == 1
    copy = await copy_of(world.store)
    for name, member in world.away.who.items():
        assert copy.holds(member) == [], f"{name}'s key in the server left is still on disk"
    assert copy.holds(world.home.who["alice"])  # the other server's rows stay, of course
