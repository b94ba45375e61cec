"""The decision tables on real aiosqlite: exact tallies under concurrency, one ballot per voter,
the roll and the ballots written together, conditional transitions, the 2-meeting cap as a
CHECK, and nothing left after a close."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.decisions import (
    TWO_THIRDS,
    Change,
    Choice,
    Concern,
    ExcludeMember,
    Exclusion,
    Proposal,
    ProposalState,
)
from bot.core.pseudonyms import Pseudonym
from bot.store import Store
from bot.store.db import Database
from tests.store.backends import INTEGRITY

T0 = datetime(2025, 3, 3, 19, 0, tzinfo=UTC)
VOTERS = [Pseudonym(f"{n:064x}") for n in range(1, 51)]
TARGET = Pseudonym("f" * 64)


@pytest.fixture
async def store(where: Path | Database) -> AsyncIterator[Store]:
    store = Store(where)
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def group_id(store: Store) -> int:
    group = await store.groups.create(
        guild_id=1, channel_id=2, format_id="open-discussion", member_role_id=None, now=0.0
    )
    assert group is not None
    return group.id


def a_proposal(proposal_id: str = "p1", state: ProposalState = ProposalState.VOTING) -> Proposal:
    return Proposal(
        id=proposal_id,
        motion=ExcludeMember(TARGET, 1, ("crosstalk",)),
        state=state,
        created_at=T0,
        deadline=T0 + timedelta(hours=24),
        threshold=TWO_THIRDS,
        quorum=3,
        proposer=VOTERS[0],
        statement="I hear you.",
    )


async def open_vote(store: Store, group_id: int, proposal_id: str = "p1") -> None:
    async with store.decisions.transaction() as t:
        await t.insert_proposal(group_id, a_proposal(proposal_id))
        await t.save_roll(proposal_id, VOTERS)


async def cast(store: Store, proposal_id: str, voter: Pseudonym, choice: Choice) -> bool:
    """One click: the roll flag and the ballot in one transaction, or nothing."""
    async with store.decisions.transaction() as t:
        if not await t.mark_voted(proposal_id, voter):
            return False
        await t.store_ballot(proposal_id, secrets.token_urlsafe(16), choice)
    return True


async def rows(store: Store, table: str) -> int:
    return int(await store.db.fetchval(f"SELECT count(*) FROM {table}"))


async def test_fifty_concurrent_ballots_give_an_exact_tally(store: Store, group_id: int) -> None:
    await open_vote(store, group_id)
    choices = [list(Choice)[n % 3] for n in range(50)]
    done = await asyncio.gather(
        *(cast(store, "p1", voter, choice) for voter, choice in zip(VOTERS, choices, strict=True))
    )
    assert all(done)
    async with store.decisions.transaction() as t:
        stored = await t.proposal("p1", with_box=True)
    assert stored is not None
    assert stored.proposal.box is not None
    box = stored.proposal.box
    assert box.voted == frozenset(VOTERS)
    assert Counter(b.choice for b in box.ballots) == Counter(choices)
    assert len(box.ballots) == 50


async def test_a_double_click_gives_one_ballot(store: Store, group_id: int) -> None:
    await open_vote(store, group_id)
    results = await asyncio.gather(*(cast(store, "p1", VOTERS[3], Choice.YES) for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    assert await rows(store, "ballots") == 1
    # Someone not on the roll changes nothing either.
    assert not await cast(store, "p1", TARGET, Choice.NO)
    assert await rows(store, "ballots") == 1


async def test_the_roll_flag_and_the_ballot_commit_together(store: Store, group_id: int) -> None:
    await open_vote(store, group_id)

    async def dies_half_way() -> None:
        async with store.decisions.transaction() as t:
            assert await t.mark_voted("p1", VOTERS[0])
            raise RuntimeError("the process dies before the ballot is written")

    with pytest.raises(RuntimeError):
        await dies_half_way()
    # Nothing happened: the voter has not voted and can still vote, exactly once.
    assert await rows(store, "ballots") == 0
    assert await cast(store, "p1", VOTERS[0], Choice.NO)
    assert not await cast(store, "p1", VOTERS[0], Choice.NO)


async def test_ballots_carry_no_order_time_or_voter(store: Store, group_id: int) -> None:
    if store.db.backend == "sqlite":
        columns = [row["name"] for row in await store.db.fetchall("PRAGMA table_info(ballots)")]
        assert columns == ["proposal_id", "key", "choice"]
        # WITHOUT ROWID: there is no hidden insertion order to match against the roll.
        with pytest.raises(sqlite3.OperationalError):
            await store.db.fetchall("SELECT rowid FROM ballots")
        return
    columns = await store.db.fetchall(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'ballots' "
        "ORDER BY ordinal_position"
    )
    assert [row[0] for row in columns] == ["proposal_id", "key", "choice"]
    # PostgreSQL stamps every row version with the transaction that wrote it (xmin): after each
    # cast, the whole roll and the whole box carry that cast's stamp, so no ballot shares one
    # with its voter's place on the roll alone; on disk, the roll lies in the order of its
    # coded keys and the box in the order of its random keys, whoever voted last.
    await open_vote(store, group_id)
    order = [row[0] for row in await store.db.fetchall("SELECT voter FROM voters ORDER BY ctid")]
    for voter in reversed(VOTERS[:5]):
        assert await cast(store, "p1", voter, Choice.YES)
        stamps = await store.db.fetchall(
            "SELECT DISTINCT xmin::text FROM voters UNION SELECT DISTINCT xmin::text FROM ballots"
        )
        assert len(stamps) == 1
        roll = [row[0] for row in await store.db.fetchall("SELECT voter FROM voters ORDER BY ctid")]
        assert roll == order == sorted(order)
        box = [row[0] for row in await store.db.fetchall("SELECT key FROM ballots ORDER BY ctid")]
        assert box == sorted(box)


async def test_a_transition_changes_exactly_one_row_once(store: Store, group_id: int) -> None:
    async with store.decisions.transaction() as t:
        await t.insert_proposal(group_id, a_proposal(state=ProposalState.AWAITING_SECOND))
    seconded = replace(
        a_proposal(state=ProposalState.SECONDED), proposer=None, deadline=T0 + timedelta(hours=12)
    )

    async def try_second() -> bool:
        async with store.decisions.transaction() as t:
            return await t.transition(seconded, expected=ProposalState.AWAITING_SECOND)

    assert sorted(await asyncio.gather(try_second(), try_second())) == [False, True]
    stored = await store.decisions.proposal("p1")
    assert stored is not None
    assert stored.proposal.state is ProposalState.SECONDED
    assert stored.proposal.proposer is None  # forgotten once seconded


async def test_closing_deletes_the_roll_the_ballots_and_the_statement(
    store: Store, group_id: int
) -> None:
    await open_vote(store, group_id)
    for voter in VOTERS[:7]:
        await cast(store, "p1", voter, Choice.YES)
    async with store.decisions.transaction() as t:
        assert await t.transition(
            replace(a_proposal(), state=ProposalState.CARRIED), expected=ProposalState.VOTING
        )
        await t.delete_votes("p1")
        await t.delete_proposal("p1")
    for table in ("proposals", "voters", "ballots"):
        assert await rows(store, table) == 0, table


async def test_round_trips_every_kind_of_proposal(store: Store, group_id: int) -> None:
    change = replace(
        a_proposal("p2", ProposalState.AWAITING_SECOND),
        motion=Change("voting-hours", "12"),
        statement=None,
    )
    async with store.decisions.transaction() as t:
        await t.insert_proposal(group_id, a_proposal())
        await t.insert_proposal(group_id, change)
        assert {p.id for p in await t.open_proposals(group_id)} == {"p1", "p2"}
    stored = await store.decisions.proposal("p2")
    assert stored is not None
    assert stored.proposal == change
    first = await store.decisions.proposal("p1")
    assert first is not None
    assert first.proposal == a_proposal()


async def test_one_concern_per_requester_member_and_meeting(store: Store, group_id: int) -> None:
    note = Concern(TARGET, VOTERS[0], 3, "crosstalk")
    async with store.decisions.transaction() as t:
        assert await t.insert_concern(group_id, note)
        assert not await t.insert_concern(group_id, replace(note, guideline="sharing-time"))
        assert await t.insert_concern(group_id, replace(note, meeting=4))
        assert await t.delete_concerns_before(group_id, 4) == 1
        assert await t.concerns(group_id) == [replace(note, meeting=4)]


async def test_the_database_refuses_an_exclusion_longer_than_two_meetings_or_sixty_days(
    store: Store, group_id: int
) -> None:
    async def insert(meetings: int, days: int) -> None:
        await store.db.execute(
            "INSERT INTO exclusions (group_id, target, meetings, first_meeting, began_at, ends_by)"
            " VALUES (?, ?, ?, 5, ?, ?)",
            (group_id, TARGET, meetings, T0.timestamp(), (T0 + timedelta(days=days)).timestamp()),
        )

    for meetings, days in ((3, 30), (0, 30), (1, 61)):
        with pytest.raises(INTEGRITY):
            await insert(meetings, days)
    await insert(2, 60)
    stored = await store.decisions.exclusion(group_id, TARGET)
    assert stored is not None
    assert stored.last_meeting == 6


async def test_an_exclusion_lifts_exactly_once(store: Store, group_id: int) -> None:
    excluded = Exclusion(TARGET, 1, 5, T0, T0 + timedelta(days=30))
    async with store.decisions.transaction() as t:
        row = await t.save_exclusion(group_id, excluded)
        assert await t.exclusion_by_id(group_id, row) == excluded

    async def lift() -> bool:
        async with store.decisions.transaction() as t:
            return await t.delete_exclusion(group_id, TARGET)

    assert sorted(await asyncio.gather(lift(), lift())) == [False, True]
    assert await rows(store, "exclusions") == 0


async def test_leaving_a_server_deletes_every_decision_row(store: Store, group_id: int) -> None:
    await open_vote(store, group_id)
    await cast(store, "p1", VOTERS[0], Choice.YES)
    async with store.decisions.transaction() as t:
        await t.insert_concern(group_id, Concern(TARGET, VOTERS[1], 1, "crosstalk"))
        await t.save_exclusion(group_id, Exclusion(VOTERS[2], 2, 3, T0, T0 + timedelta(days=30)))
        await t.set_setting(group_id, "quorum", "4")
        await t.enqueue(group_id, {"task": "SendWelcomeBack", "fields": {}})
    await store.groups.delete_guild(1)
    for table in (
        "concerns",
        "proposals",
        "voters",
        "ballots",
        "exclusions",
        "group_settings",
        "decision_outbox",
    ):
        assert await rows(store, table) == 0, table


async def test_a_voter_reads_only_their_own_roll_entry(store: Store, group_id: int) -> None:
    """Casting reads the voter's own roll entry and no ballots, so a ballot's cost does not grow
    with the ballots already cast (the whole box is read only to count it at the close)."""
    if store.db.backend != "sqlite":
        pytest.skip("reads SQLite's statement trace; the SQL is the same text on PostgreSQL")
    await open_vote(store, group_id)
    for voter in VOTERS[:40]:
        assert await cast(store, "p1", voter, Choice.YES)
    statements: list[str] = []
    async with store.decisions.transaction() as t:
        await t.tx._conn.set_trace_callback(statements.append)
        voted = await t.proposal_for_voter("p1", VOTERS[1])
        fresh = await t.proposal_for_voter("p1", VOTERS[45])
        stranger = await t.proposal_for_voter("p1", TARGET)
        await t.tx._conn.set_trace_callback(None)
    boxes = [s.proposal.box for s in (voted, fresh, stranger) if s is not None]
    assert [(b.roll, b.voted, b.ballots) for b in boxes] == [
        (frozenset({VOTERS[1]}), frozenset({VOTERS[1]}), frozenset()),
        (frozenset({VOTERS[45]}), frozenset(), frozenset()),
        (frozenset(), frozenset(), frozenset()),
    ]
    assert not any("ballots" in s for s in statements)
    assert len(statements) == 3  # one read a voter, the proposal and its voter's entry joined
    assert all("JOIN voters v ON v.proposal_id = p.id AND v.voter = " in s for s in statements)
