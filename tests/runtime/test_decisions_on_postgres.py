"""The bot carries on from a database moved to PostgreSQL: a vote opened on SQLite, half cast,
moved with ``migrate --to``, then cast, closed and carried out by the decisions service on the
PostgreSQL store (its deadlines re-armed from there), each ballot once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.core.decisions import effects as fx
from bot.errors import NotAllowed
from bot.store import Store
from bot.store.move import move_to_postgres
from bot.store.postgres import PostgresDatabase
from tests.postgres_server import Databases
from tests.runtime.test_decisions_service import (
    CHANNEL,
    GUILD,
    START,
    build,
    give_chances,
    propose_and_second,
)
from tests.store.conftest import need, postgres  # noqa: F401 - the server's fixture
from tests.support.clock import FakeTime


async def test_a_vote_begun_on_sqlite_finishes_on_postgresql(
    tmp_path: Path,
    postgres: Databases | None,  # noqa: F811 - the fixture imported above
) -> None:
    databases = need(postgres)
    url = await databases.empty()
    time = FakeTime()
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    made = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert made is not None
    bench = build(store, time)
    bench.group = made
    await bench.scheduler.start()
    d = bench.discord
    ana, bo, cy, di, ed = (d.add(n) for n in range(1, 6))
    target = d.add(9)
    await give_chances(bench, ana, bo, target)
    pid = await propose_and_second(bench, cy, di, target)
    await bench.advance(12 * 3600)  # ballots open
    assert d.kinds()[-1] == "PostBallot"
    await asyncio.gather(*(bench.service.cast(pid, u, fx.Choice.YES) for u in (ana, bo)))
    await bench.scheduler.stop()
    await store.close()

    await move_to_postgres(tmp_path / "db.sqlite3", url)
    moved = Store(PostgresDatabase(url))
    await moved.open()
    try:
        after = build(moved, time, d)
        after.group = made
        await after.scheduler.start()  # re-arms the close from PostgreSQL
        with pytest.raises(NotAllowed, match="already voted"):
            await after.service.cast(pid, ana, fx.Choice.NO)
        await asyncio.gather(
            after.service.cast(pid, cy, fx.Choice.YES),
            after.service.cast(pid, di, fx.Choice.YES),
            after.service.cast(pid, ed, fx.Choice.NO),
        )
        assert await after.rows("ballots") == 5
        await after.advance(24 * 3600)  # voting closes
        result = d.tasks(fx.AnnounceResult)[-1].result
        assert result.outcome.value == "carried"
        assert (result.counts.yes, result.counts.no, result.counts.abstain) == (4, 1, 0)
        assert await after.rows("exclusions") == 1
        for table in ("proposals", "voters", "ballots"):
            assert await after.rows(table) == 0, table
        await after.scheduler.stop()
    finally:
        await moved.close()
        await databases.drop(url)
