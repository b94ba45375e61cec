"""A group whose format says `language: es` is told in Spanish when its meeting opens itself
(a meeting on a real database, scheduler and meeting service; the schedule's real Discord
adapter renders the words, with the group's language from bot/runtime/languages.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import bot.adapters.schedule
from bot.adapters.schedule import DiscordSchedule
from bot.i18n import Msg
from bot.runtime.formats import FormatLibrary
from bot.runtime.languages import GroupLanguages
from bot.runtime.schedule import texts
from bot.store import Store
from bot.store.groups import GroupRecord
from tests.runtime.test_schedule_service import (
    CHANNEL,
    FIRST,
    GUILD,
    MONDAY_BEFORE,
    Bench,
    FakeEvents,
)
from tests.support.clock import FakeTime


class SpokenEvents(FakeEvents):
    """The events as Discord keeps them; what the channel is told goes through the real
    adapter, which renders it in the group's language."""

    def __init__(self, adapter: DiscordSchedule) -> None:
        super().__init__()
        self.adapter = adapter
        self.said: list[Msg | str] = []

    async def tell(self, group: GroupRecord, text: Msg | str) -> None:
        self.said.append(text)
        await self.adapter.tell(group, text)


@pytest.mark.parametrize(
    ("format_id", "words"),
    [
        ("discusion-abierta", "La reunión se ha abierto a su hora de siempre."),
        ("discussion-ouverte", "La réunion s'est ouverte à son heure habituelle."),
        ("open-discussion", "The meeting has opened at its usual time."),
    ],
)
async def test_a_meeting_that_opens_itself_speaks_the_formats_language(
    store: Store, monkeypatch: pytest.MonkeyPatch, format_id: str, words: str
) -> None:
    posted: list[str] = []

    async def post_quietly(client: object, group: GroupRecord, text: str) -> None:
        posted.append(text)

    monkeypatch.setattr(bot.adapters.schedule, "post_quietly", post_quietly)
    time = FakeTime(MONDAY_BEFORE)
    bench = Bench(store, time)
    languages = GroupLanguages(store=store, formats=FormatLibrary(store))
    port = SpokenEvents(DiscordSchedule(None, languages))  # type: ignore[arg-type]
    bench.port = port
    bench.service._port = port
    group = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id=format_id, member_role_id=None, now=time.now
    )
    assert group is not None
    stored = bench.service.for_setup("Tuesdays 19:00 America/New_York", None)
    assert stored is not None
    await bench.service.keep(group, stored)
    await bench.run_due()

    time.now = FIRST.timestamp()
    await bench.run_due()
    assert bench.live.in_channel(CHANNEL) is not None
    assert port.said == [texts.ASK_FOR_A_CHAIR]
    (said,) = posted
    assert said.startswith(words)
    assert datetime.fromtimestamp(time.now, tz=UTC) == FIRST
