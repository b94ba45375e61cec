"""``python -m bot migrate --to postgresql://…``: a SQLite database with groups, a meeting under
way, an open vote, an exclusion, deadlines and both outboxes moves into PostgreSQL whole, and
the store carries on from it there (new rows get new ids, the vote goes on, exactly once)."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.core.decisions import Choice, Exclusion
from bot.store import Store
from bot.store.move import move_to_postgres
from bot.store.postgres import PostgresDatabase
from tests.postgres_server import Databases
from tests.store.conftest import need
from tests.store.test_decisions_store import TARGET, VOTERS, a_proposal

T0 = datetime(2025, 3, 3, 19, 0, tzinfo=UTC)


async def a_busy_sqlite_database(path: Path) -> dict[str, int]:
    store = Store(path)
    await store.open()
    await store.meta.put({"clock.base": "12345.5"})
    groups = []
    for n in range(3):
        group = await store.groups.create(
            guild_id=10 + n,
            channel_id=20 + n,
            format_id="open-discussion",
            member_role_id=None,
            now=float(n),
        )
        assert group is not None
        groups.append(group.id)
    async with store.db.transaction() as tx:
        meeting = await store.meetings.create(
            tx, group_id=groups[0], format_ref="open-discussion", state='{"step": 2}', now=5.0
        )
    assert meeting is not None
    async with store.decisions.transaction() as t:
        await t.insert_proposal(groups[0], a_proposal("p1"))
        await t.save_roll("p1", VOTERS[:5])
        for voter in VOTERS[:2]:
            assert await t.mark_voted("p1", voter)
            await t.store_ballot("p1", secrets.token_urlsafe(16), Choice.YES)
        await t.save_exclusion(groups[1], Exclusion(TARGET, 1, 5, T0, T0 + timedelta(days=30)))
        await t.enqueue(groups[0], {"task": "SendWelcomeBack", "fields": {}})
    await store.deadlines.upsert("decisions.close", "p1", 1000.0, {"proposal": "p1"})
    await store.event_outbox.add(
        group_id=groups[2],
        subscriber="rotation",
        event="MeetingCounted",
        payload={"meeting": 3},
        due_at=50.0,
    )
    await store.close()
    return {"group": groups[0], "excluded_in": groups[1], "meeting": meeting}


@pytest.fixture
async def target(postgres: Databases | None) -> str:
    databases = need(postgres)
    return await databases.empty()


async def test_a_sqlite_database_moves_whole_and_the_store_carries_on(
    tmp_path: Path, target: str
) -> None:
    ids = await a_busy_sqlite_database(tmp_path / "db.sqlite3")
    moved = await move_to_postgres(tmp_path / "db.sqlite3", target)
    assert moved.rows["groups"] == 3
    assert moved.rows["voters"] == 5
    assert moved.rows["ballots"] == 2

    store = Store(PostgresDatabase(target))
    assert await store.open() == moved.version  # nothing left to migrate
    try:
        assert await store.meta.get("clock.base") == "12345.5"
        group = await store.groups.by_id(ids["group"])
        assert group is not None
        assert group.channel_id == 20
        meeting = await store.meetings.get(ids["meeting"])
        assert meeting is not None
        assert meeting.state == '{"step": 2}'
        excluded = await store.decisions.exclusion(ids["excluded_in"], TARGET)
        assert excluded is not None
        assert excluded.first_meeting == 5
        assert [d.key for d in await store.deadlines.all()] == ["p1"]
        assert await store.event_outbox.count() == 1
        assert len(await store.decisions.outbox()) == 1
        # The vote goes on: who voted is kept (no second ballot), a new voter counts once.
        async with store.decisions.transaction() as t:
            assert not await t.mark_voted("p1", VOTERS[0])
            assert await t.mark_voted("p1", VOTERS[2])
            await t.store_ballot("p1", secrets.token_urlsafe(16), Choice.NO)
            stored = await t.proposal("p1", with_box=True)
        assert stored is not None
        assert stored.proposal.box is not None
        assert stored.proposal.box.voted == frozenset(VOTERS[:3])
        choices = sorted(ballot.choice.value for ballot in stored.proposal.box.ballots)
        assert choices == ["no", "yes", "yes"]
        # New rows get ids after the copied ones.
        new = await store.groups.create(
            guild_id=99, channel_id=99, format_id="open-discussion", member_role_id=None, now=9.0
        )
        assert new is not None
        assert new.id > max(ids.values())
    finally:
        await store.close()


async def test_the_command_copies_into_an_empty_database_only(
    tmp_path: Path, target: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    await a_busy_sqlite_database(data / "peercircle.sqlite3")
    (data / "peercircle.sqlite3").chmod(0o600)
    monkeypatch.setenv("DATA_DIR", str(data))
    monkeypatch.setenv("PSEUDONYM_KEY", "k" * 40)
    # main() runs its own event loop, as `python -m bot` does: in a thread of its own here.
    assert await asyncio.to_thread(main, ["migrate", "--to", target]) == 0
    assert "Copied" in capsys.readouterr().out
    # A second time: the database holds groups now, so nothing is copied.
    assert await asyncio.to_thread(main, ["migrate", "--to", target]) == 1
    assert "nothing was copied" in capsys.readouterr().err
