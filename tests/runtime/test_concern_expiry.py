"""A concern ends after 90 days of clock time even if the group stops meeting: it is stored
with its end, and the hourly retention sweep deletes it then (and not before)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runtime.events import EventBus
from bot.runtime.privacy import PrivacyService
from bot.store import Store
from tests.runtime.test_decisions_service import CHANNEL, GUILD, START, FakeTime, build

DAY = 86400.0


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = Store(tmp_path / "db.sqlite3")
    await opened.open()
    made = await opened.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert made is not None
    yield opened
    await opened.close()


async def test_a_concern_ends_after_90_days_even_without_meetings(store: Store) -> None:
    time = FakeTime()
    bench = build(store, time)
    group = await store.groups.by_channel(CHANNEL)
    assert group is not None
    bench.group = group
    ana, target = bench.discord.add(1), bench.discord.add(9)
    await bench.service.raise_concern(CHANNEL, ana, target, "crosstalk")
    ends = await store.db.fetchval("SELECT expires_at FROM concerns")
    assert ends == pytest.approx(START + 90 * DAY)

    privacy = PrivacyService(
        store, bench.discord.pseudonyms, bench.clock, bench.scheduler, EventBus()
    )
    time.now = START + 89 * DAY  # no meeting held all this while
    assert await privacy.retention.sweep() == 0
    assert await bench.rows("concerns") == 1
    time.now = START + 90 * DAY + 3600  # the next hourly sweep after its end
    assert await privacy.retention.sweep() == 1
    assert await bench.rows("concerns") == 0
