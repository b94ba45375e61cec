"""With the database but without the pseudonym key, nobody can be re-identified.

An attacker knows the members' ids (Discord shows them to anyone in the server) and tries
plain SHA-256 and HMAC under a guessed key: nothing. With the right key the same search *does*
find them, which proves the search works and the check can fail.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.core.pseudonyms import Pseudonymizer
from bot.store import Store
from bot.store.privacy import REGISTRY
from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import meeting_rows, slash
from tests.fakediscord import FakeDiscord
from tests.privacy.population import MEMBERS, populate
from tests.privacy.reidentify import pseudonym_places, reidentify

KEY = b"the real key, kept outside the db"
WRONG_KEYS = (b"a guessed key of the right length", b"", b"peercircle", b"0" * 32)


async def test_a_stolen_database_reveals_nobody_without_the_key(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    async with store.db.transaction() as tx:
        await populate(tx, Pseudonymizer(KEY), guild_id=41, channel_id=1, now=0.0)
        await populate(tx, Pseudonymizer(KEY), guild_id=42, channel_id=2, now=0.0)
    # Read while the bot would still hold it open.
    database, ids, guilds = store.db.path, list(MEMBERS.values()), [41, 42, 43]
    assert reidentify(database, guilds, ids, key=None) == set()
    for wrong in WRONG_KEYS:
        assert reidentify(database, guilds, ids, key=wrong) == set()
    assert reidentify(database, guilds, ids, key=KEY) == set(ids)  # the check can fail
    await store.close()
    assert reidentify(database, guilds, ids, key=None) == set()
    assert reidentify(database, guilds, ids, key=KEY) == set(ids)


async def test_coded_keys_outside_registered_columns_are_found(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    pseudonyms = Pseudonymizer(KEY)
    async with store.db.transaction() as tx:
        await populate(tx, pseudonyms, guild_id=41, channel_id=1, now=0.0)
    index = pseudonyms.index(41, MEMBERS.values())
    allowed = {(entry.table, column) for entry in REGISTRY for column in entry.person_columns}
    assert pseudonym_places(store.db.path, index) <= allowed
    # A feature that put a coded key in a deadline's payload would be caught.
    someone = pseudonyms.of(41, MEMBERS["bea"])
    await store.deadlines.upsert("rotation.ask", "k", 0.0, {"who": someone})
    assert pseudonym_places(store.db.path, index) - allowed == {("deadlines", "payload")}
    await store.close()


async def test_the_bots_own_database_reveals_nobody_without_its_key(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Kestrel Circle", owner_username="kestrelmoorcroft")
    room = fake.add_channel(guild.id, "kestrel-room")
    others = [fake.add_member(guild.id, f"kestrelfriend{n}") for n in range(5)]
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    setup = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    await setup.wait_response()
    await slash(guild.owner, room.id, "meeting start")  # the live state holds the chair
    async with asyncio.timeout(10):
        while not meeting_rows(bot_runner.database):  # noqa: ASYNC110 - another process's file
            await asyncio.sleep(0.05)

    ids = [guild.owner.id, *(member.id for member in others)]
    guilds = [guild.id]
    database = bot_runner.database
    assert reidentify(database, guilds, ids, key=None) == set()
    for wrong in WRONG_KEYS:
        assert reidentify(database, guilds, ids, key=wrong) == set()
    key = bytes.fromhex((bot_runner.data_dir / "pseudonym.key").read_text().strip())
    assert guild.owner.id in reidentify(database, guilds, ids, key=key)
    state = json.loads(meeting_rows(database)[0][1])
    assert Pseudonymizer(key).of(guild.id, guild.owner.id) in json.dumps(state)
