"""The newcomer welcome's table (``newcomer_welcomes``) keeps nothing longer than it should: the
member's row goes with forget-me and when they leave the server, every row goes after 90 days
(the hourly sweep), and a welcome that was never delivered leaves no trace on disk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.pseudonyms import Pseudonymizer
from bot.runtime.clock import Clock
from bot.runtime.events import EventBus
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import LiveMeetings
from bot.runtime.newcomer import Arrival, NewcomerService, Welcomed
from bot.runtime.privacy import PrivacyService
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from tests.privacy.at_rest import Copy
from tests.support.clock import FakeTime

GUILD, ROOM = 340_000_000_000_000_001, 41
ANN, BO, CY = 340_000_000_000_000_011, 340_000_000_000_000_012, 340_000_000_000_000_013
KEY = b"a test key that is long enough!!"
DAY = 86400


class Port:
    def __init__(self) -> None:
        self.closed: set[int] = set()

    async def send_privately(self, guild_id: int, user_id: int, lines: object, locale: str) -> bool:
        return user_id not in self.closed


class Bench:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.time = FakeTime()
        self.pseudonyms = Pseudonymizer(KEY)
        clock = Clock(real_time=self.time)
        self.port = Port()
        self.welcome = NewcomerService(
            store=store,
            formats=FormatLibrary(store),
            live=LiveMeetings(),
            pseudonyms=self.pseudonyms,
            clock=clock,
            port=self.port,
        )
        self.privacy = PrivacyService(
            store, self.pseudonyms, clock, Scheduler(store.deadlines, clock), EventBus()
        )

    def who(self, user_id: int) -> str:
        return self.pseudonyms.of(GUILD, user_id)

    async def kept(self) -> set[str]:
        rows = await self.store.db.fetchall("SELECT member FROM newcomer_welcomes")
        return {row["member"] for row in rows}

    async def copy(self) -> Copy:
        async with self.store.db.transaction():
            return Copy.take(self.store.db.path.parent, self.store.db.path)


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    data = tmp_path / "data"
    data.mkdir()
    store = Store(data / "peercircle.sqlite3")
    await store.open()
    bench = Bench(store)
    made = await store.groups.create(
        guild_id=GUILD, channel_id=ROOM, format_id="open-discussion", member_role_id=None, now=0
    )
    assert made is not None
    yield bench
    await store.close()


async def test_forget_me_and_leaving_delete_the_members_row(bench: Bench) -> None:
    for user in (ANN, BO, CY):
        assert await bench.welcome.arrived(Arrival(GUILD, ROOM, user)) is Welcomed.SENT
    preview = await bench.privacy.what_i_keep(guild_id=GUILD, channel_id=ROOM, user_id=ANN)
    assert {rows.entry.table for rows in preview.yours} == {"newcomer_welcomes"}

    await bench.privacy.forget_member(guild_id=GUILD, user_id=ANN)
    await bench.privacy.forget_member(guild_id=GUILD, user_id=BO, left=True)  # left the server
    assert await bench.kept() == {bench.who(CY)}
    copy = await bench.copy()
    for gone in (ANN, BO):
        assert copy.holds(bench.who(gone)) == [], "a forgotten member's key is still on disk"
    assert copy.holds(bench.who(CY)) != []  # the search can find a key that is there


async def test_rows_expire_after_90_days(bench: Bench) -> None:
    await bench.welcome.arrived(Arrival(GUILD, ROOM, ANN))
    bench.time.now += 30 * DAY
    await bench.welcome.arrived(Arrival(GUILD, ROOM, BO))
    bench.time.now += 60 * DAY + 1  # ANN's welcome is 90 days old, BO's 60
    assert await bench.privacy.retention.sweep() == 1
    assert await bench.kept() == {bench.who(BO)}
    assert (await bench.copy()).holds(bench.who(ANN)) == []


async def test_a_welcome_never_delivered_leaves_no_trace(bench: Bench) -> None:
    bench.port.closed.add(ANN)  # their private messages are closed (50007)
    assert await bench.welcome.arrived(Arrival(GUILD, ROOM, ANN)) is Welcomed.REFUSED
    assert await bench.kept() == set()
    assert (await bench.copy()).holds(bench.who(ANN)) == []  # the claim was overwritten
