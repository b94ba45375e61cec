"""Two bot processes on one PostgreSQL database (two store connections, as two processes have):
what both try at once is done once — a ballot, a decision's transition, a fired deadline's
completion and its retry."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import replace
from datetime import timedelta

import pytest

import bot.app  # noqa: F401 - imports every module that registers a table
from bot.core.decisions import Choice, ProposalState
from bot.store import Store
from bot.store.privacy import REGISTRY, UNSCOPED_TABLES
from bot.store.privacy.guard import predicate_problems, read_schema, schema_problems
from tests.store.test_decisions_store import T0, VOTERS, a_proposal


@pytest.fixture
async def two(two_stores: tuple[Store, Store]) -> tuple[Store, Store, int]:
    first, second = two_stores
    group = await first.groups.create(
        guild_id=1, channel_id=2, format_id="open-discussion", member_role_id=None, now=0.0
    )
    assert group is not None
    return first, second, group.id


async def cast(store: Store, voter: str, choice: Choice) -> bool:
    async with store.decisions.transaction() as t:
        if not await t.mark_voted("p1", voter):  # type: ignore[arg-type]
            return False
        await t.store_ballot("p1", secrets.token_urlsafe(16), choice)
    return True


async def test_the_same_ballot_from_two_processes_counts_once(
    two: tuple[Store, Store, int],
) -> None:
    first, second, group_id = two
    async with first.decisions.transaction() as t:
        await t.insert_proposal(group_id, a_proposal("p1"))
        await t.save_roll("p1", VOTERS[:10])
    # Every voter clicks in both processes at once; different voters race each other too.
    results = await asyncio.gather(
        *(cast(store, voter, Choice.YES) for voter in VOTERS[:10] for store in (first, second))
    )
    assert sum(results) == 10
    async with second.decisions.transaction() as t:
        stored = await t.proposal("p1", with_box=True)
    assert stored is not None
    assert stored.proposal.box is not None
    assert stored.proposal.box.voted == frozenset(VOTERS[:10])
    assert len(stored.proposal.box.ballots) == 10


async def test_a_transition_from_two_processes_happens_once(two: tuple[Store, Store, int]) -> None:
    first, second, group_id = two
    async with first.decisions.transaction() as t:
        await t.insert_proposal(group_id, a_proposal(state=ProposalState.AWAITING_SECOND))
    seconded = replace(
        a_proposal(state=ProposalState.SECONDED), proposer=None, deadline=T0 + timedelta(hours=12)
    )

    async def second_it(store: Store) -> bool:
        async with store.decisions.transaction() as t:
            return await t.transition(seconded, expected=ProposalState.AWAITING_SECOND)

    assert sorted(await asyncio.gather(second_it(first), second_it(second))) == [False, True]


async def test_a_deadline_is_completed_or_retried_by_one_process(
    two: tuple[Store, Store, int],
) -> None:
    first, second, _ = two
    await first.deadlines.upsert("decisions.close", "p1", 10.0, {"proposal": "p1"})
    [deadline] = await first.deadlines.all()
    [same] = await second.deadlines.all()
    done = await asyncio.gather(first.deadlines.complete(deadline), second.deadlines.complete(same))
    assert sorted(done) == [False, True]
    assert await first.deadlines.all() == []

    await first.deadlines.upsert("decisions.close", "p2", 10.0, {"proposal": "p2"})
    [deadline] = await first.deadlines.all()
    retried = await asyncio.gather(
        first.deadlines.retry_later(deadline, 20.0), second.deadlines.retry_later(deadline, 30.0)
    )
    assert sorted(retried) == [False, True]
    [after] = await second.deadlines.all()
    assert after.attempts == 1


async def test_the_privacy_schema_guard_passes_on_postgresql(
    two: tuple[Store, Store, int],
) -> None:
    """The start-up check (bot/runtime/privacy.py) reads PostgreSQL's catalogue: every table is
    the root, one of the unscoped few, or registered; no undeclared column; keep predicates run."""
    store, _, _ = two
    schema = await read_schema(store.db)
    assert schema_problems(schema) == []
    assert await predicate_problems(store.db) == []
    assert set(schema) == {"groups", *UNSCOPED_TABLES, *(entry.table for entry in REGISTRY)}
    # A column nobody declared is caught there too.
    await store.db.execute("ALTER TABLE concerns ADD COLUMN note TEXT")
    problems = schema_problems(await read_schema(store.db))
    assert any("concerns.note" in problem for problem in problems)


async def test_an_outbox_row_is_claimed_by_one_live_process_and_taken_over_when_it_dies(
    two: tuple[Store, Store, int],
) -> None:
    first, second, group_id = two
    row = await first.event_outbox.add(
        group_id=group_id, subscriber="rotation", event="MeetingCounted", payload={}, due_at=0.0
    )
    claims = await asyncio.gather(
        first.event_outbox.claim(row, token=111), second.event_outbox.claim(row, token=222)
    )
    assert sorted(claims) == [False, True]
    holder, other = (first, second) if claims[0] else (second, first)
    other_token = 222 if claims[0] else 111
    # While the holder lives, the other process can't take it, however often it tries.
    assert not await other.event_outbox.claim(row, token=other_token)
    # The holder dies mid-work (its connections close): the other takes the row over, once.
    await holder.close()
    assert await other.event_outbox.claim(row, token=other_token)
    assert not await other.event_outbox.claim(row, token=other_token)
    await other.event_outbox.done(row)
    assert await other.event_outbox.count() == 0
