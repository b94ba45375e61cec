"""The real bot (``python -m bot run``) on PostgreSQL: ``DATABASE_URL`` set, a whole meeting held
against the fake Discord, the group kept in PostgreSQL and no SQLite file written."""

from __future__ import annotations

import asyncpg

from tests.e2e.conftest import BotRunner
from tests.e2e.test_meeting_in_spanish import test_a_whole_meeting_in_spanish as whole_meeting
from tests.fakediscord import FakeDiscord
from tests.postgres_server import Databases
from tests.store.conftest import need, postgres  # noqa: F401 - the server's fixture


async def test_a_whole_meeting_runs_on_postgresql(
    fake: FakeDiscord,
    bot_runner: BotRunner,
    postgres: Databases | None,  # noqa: F811 - the fixture imported above
) -> None:
    databases = need(postgres)
    url = await databases.empty()  # the bot migrates it itself
    bot_runner.settings["DATABASE_URL"] = url
    try:
        await whole_meeting(fake, bot_runner)
        assert not bot_runner.database.exists()
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM groups") == 1
            assert await conn.fetchval("SELECT count(*) FROM meetings") == 0  # it ended
        finally:
            await conn.close()
    finally:
        await bot_runner.stop()  # before its database goes
        await databases.drop(url)
