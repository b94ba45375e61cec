"""Between meetings, on a real database without Discord: what ``/resources`` shows (the format's
list, the group's decision, the default), and the newcomer welcome — once per person and group,
never during a meeting, nothing kept when Discord refuses the private message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.pseudonyms import Pseudonymizer
from bot.core.resources import DANGER_LINE, DIRECTORY_URL, SETTING_NAME, paginate
from bot.errors import NoGroupHere, StorageUnavailable
from bot.i18n import Msg, render, render_lines
from bot.runtime.clock import Clock
from bot.runtime.events import GuildLeft, MemberForgotten
from bot.runtime.formats import FormatLibrary
from bot.runtime.languages import GroupLanguages
from bot.runtime.live import LiveMeetings
from bot.runtime.newcomer import Arrival, NewcomerService, Welcomed
from bot.store import Store
from bot.store.groups import GroupRecord
from tests.support.clock import FakeTime

GUILD, ROOM, ELSEWHERE = 8801, 31, 32
ANN, BO = 910_000_000_000_000_001, 910_000_000_000_000_002
KEY = b"a test key that is long enough!!"
WITH_RESOURCES = """
format: 1
name: Our circle
resources:
  - title: Our warmline
    line: Weekday evenings, 7 to 10 pm.
    link: https://example.org/warm
sections:
  - share: Open sharing.
"""


class Live(LiveMeetings):
    """Meetings under way, by channel only (all the welcome asks)."""

    def __init__(self) -> None:
        super().__init__()
        self.rooms: set[int] = set()

    def under_way(self, channel_id: int | None) -> bool:
        return channel_id in self.rooms


class FakePort:
    def __init__(self) -> None:
        self.sent: list[tuple[int, int, str]] = []
        self.closed: set[int] = set()  # users whose private messages are closed (50007)
        self.slow: asyncio.Event | None = None
        self.locales: list[str] = []

    async def send_privately(
        self, guild_id: int, user_id: int, lines: Sequence[Msg | str], locale: str
    ) -> bool:
        text = render_lines(locale, lines)
        self.locales.append(locale)
        if self.slow is not None:
            await self.slow.wait()
        if user_id in self.closed:
            return False
        self.sent.append((guild_id, user_id, text))
        return True


class Bench:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.time = FakeTime()
        self.live = Live()
        self.port = FakePort()
        self.next: datetime | None = None
        self.formats = FormatLibrary(store)
        self.service = NewcomerService(
            store=store,
            formats=self.formats,
            live=self.live,
            pseudonyms=Pseudonymizer(KEY),
            clock=Clock(real_time=self.time),
            port=self.port,
            next_meeting=self.next_meeting,
        )

    async def next_meeting(self, group: GroupRecord) -> datetime | None:
        return self.next

    async def group(self, channel_id: int = ROOM) -> int:
        made = await self.store.groups.create(
            guild_id=GUILD,
            channel_id=channel_id,
            format_id="open-discussion",
            member_role_id=None,
            now=self.time.now,
        )
        assert made is not None
        return made.id

    async def pages(self, channel_id: int | None) -> list[str]:
        """What /resources shows an English reader here."""
        lines = await self.service.resources(channel_id)
        return paginate([render("en", line) for line in lines])

    async def rows(self) -> int:
        return int(await self.store.db.fetchval("SELECT count(*) FROM newcomer_welcomes"))


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    yield Bench(store)
    await store.close()


def came(user_id: int, channel_id: int = ROOM) -> Arrival:
    return Arrival(GUILD, channel_id, user_id)


# --- /resources ---------------------------------------------------------------------------------


async def test_resources_default_points_to_emergency_numbers_and_a_directory(bench: Bench) -> None:
    for where in (None, ELSEWHERE):  # a private message, a channel that is no group's
        (page,) = await bench.pages(where)
        assert render("en", DANGER_LINE) in page
        assert f"<{DIRECTORY_URL}>" in page
        assert "propose" not in page  # no group here to propose anything to
    await bench.group()
    (page,) = await bench.pages(ROOM)
    assert page.splitlines()[1] == render("en", DANGER_LINE)
    assert "hasn't added its own list yet" in page
    assert "`/propose change`" in page


async def test_resources_from_the_format_then_from_the_groups_decision(bench: Bench) -> None:
    group_id = await bench.group()
    async with bench.store.db.transaction() as tx:
        format_id = await tx.insert(
            "INSERT INTO group_formats (group_id, label, source, status, uploaded_at) "
            "VALUES (?, 'ours', ?, 'adopted', ?)",
            (group_id, WITH_RESOURCES, bench.time.now),
        )
        await tx.execute(
            "UPDATE groups SET format_id = ? WHERE id = ?", (f"group:{format_id}", group_id)
        )
    (page,) = await bench.pages(ROOM)
    assert "• **Our warmline** — Weekday evenings, 7 to 10 pm. <https://example.org/warm>" in page
    assert render("en", DANGER_LINE) in page  # whatever the group's list says, this comes first
    assert "hasn't added" not in page

    await bench.store.db.execute(
        "INSERT INTO group_settings (group_id, name, value) VALUES (?, ?, ?)",
        (group_id, SETTING_NAME, "Text line | Text HELLO to 555 0101"),
    )
    (page,) = await bench.pages(ROOM)
    assert "• **Text line** — Text HELLO to 555 0101" in page
    assert "warmline" not in page
    await bench.store.db.execute(
        "UPDATE group_settings SET value = 'format' WHERE name = ?", (SETTING_NAME,)
    )
    assert "Our warmline" in (await bench.pages(ROOM))[0]


async def test_newcomer_orientation_offers_resources(bench: Bench) -> None:
    with pytest.raises(NoGroupHere):
        await bench.service.orientation(ROOM)
    await bench.group()
    text = render_lines("en", await bench.service.orientation(ROOM))
    assert "Raise hand" in text
    assert "`/resources`" in text


# --- the welcome --------------------------------------------------------------------------------


async def test_welcomed_once_per_person_and_group(bench: Bench) -> None:
    await bench.group()
    await bench.group(ELSEWHERE)
    assert await bench.service.arrived(came(ANN)) is Welcomed.SENT
    assert await bench.service.arrived(came(ANN)) is Welcomed.ALREADY
    assert await bench.service.arrived(came(ANN, ELSEWHERE)) is Welcomed.SENT  # another group
    assert await bench.service.arrived(came(BO)) is Welcomed.SENT
    assert [(u, f"<#{ROOM}>" in t) for _, u, t in bench.port.sent] == [
        (ANN, True),
        (ANN, False),
        (BO, True),
    ]
    text = bench.port.sent[0][2]
    assert "Raise hand" in text
    assert "`/resources`" in text
    assert "won't come again" in text
    assert "next meeting" not in text  # no schedule: the time is left out
    assert len(text) <= 2000
    assert await bench.rows() == 3


async def test_a_restart_does_not_welcome_again(bench: Bench) -> None:
    await bench.group()
    await bench.service.arrived(came(ANN))
    again = Bench(bench.store)  # a new run: nothing in memory, the row in the database
    assert await again.service.arrived(came(ANN)) is Welcomed.ALREADY
    assert again.port.sent == []


async def test_two_posts_at_once_send_one_welcome(bench: Bench) -> None:
    await bench.group()
    other = Bench(bench.store)  # two handlers racing, each with its own memory
    bench.port.slow = asyncio.Event()
    first = asyncio.create_task(bench.service.arrived(came(ANN)))
    await asyncio.sleep(0.05)
    assert await other.service.arrived(came(ANN)) is Welcomed.ALREADY  # claimed by the first
    bench.port.slow.set()
    assert await first is Welcomed.SENT
    assert len(bench.port.sent) + len(other.port.sent) == 1


async def test_not_during_a_meeting_and_not_outside_a_group(bench: Bench) -> None:
    await bench.group()
    bench.live.rooms.add(ROOM)  # a meeting under way in the room
    assert await bench.service.arrived(came(ANN)) is Welcomed.MEETING
    assert await bench.rows() == 0
    bench.live.rooms.clear()
    assert await bench.service.arrived(came(ANN)) is Welcomed.SENT  # after it: welcomed
    assert await bench.service.arrived(came(BO, ELSEWHERE)) is Welcomed.NO_GROUP
    assert [u for _, u, _ in bench.port.sent] == [ANN]


async def test_closed_private_messages_keep_nothing_and_are_not_retried(bench: Bench) -> None:
    await bench.group()
    bench.port.closed.add(ANN)
    assert await bench.service.arrived(came(ANN)) is Welcomed.REFUSED
    assert await bench.rows() == 0  # not claimed: nothing kept about someone never welcomed
    assert await bench.service.arrived(came(ANN)) is Welcomed.ALREADY  # not tried again
    bench.port.closed.clear()
    later = Bench(bench.store)  # after a restart, the next post may try once more
    assert await later.service.arrived(came(ANN)) is Welcomed.SENT


async def test_a_welcome_that_fails_midway_is_not_claimed(bench: Bench) -> None:
    await bench.group()

    async def broken(guild_id: int, user_id: int, lines: object, locale: str) -> bool:
        raise RuntimeError("boom")

    bench.port.send_privately = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await bench.service.arrived(came(ANN))
    assert await bench.rows() == 0


async def test_the_next_meeting_is_said_when_the_schedule_knows_it(bench: Bench) -> None:
    await bench.group()
    bench.next = datetime(2027, 3, 2, 19, 0, tzinfo=UTC)
    await bench.service.arrived(came(ANN))
    stamp = round(bench.next.timestamp())
    assert f"**The next meeting** begins <t:{stamp}:R>" in bench.port.sent[0][2]


async def test_after_90_days_a_returning_person_is_welcomed_once_more(bench: Bench) -> None:
    await bench.group()
    await bench.service.arrived(came(ANN))
    bench.time.now += 89 * 86400
    assert await Bench(bench.store).service.arrived(came(ANN)) is Welcomed.ALREADY
    later = Bench(bench.store)
    later.time.now = bench.time.now + 2 * 86400
    assert await later.service.arrived(came(ANN)) is Welcomed.SENT


async def test_forget_me_and_leaving_the_server_empty_the_memory(bench: Bench) -> None:
    await bench.group()
    bench.port.closed.add(ANN)
    await bench.service.arrived(came(ANN))
    bench.port.closed.clear()
    who = Pseudonymizer(KEY).of(GUILD, ANN)
    await bench.service.member_forgotten(MemberForgotten(GUILD, who))
    assert await bench.service.arrived(came(ANN)) is Welcomed.SENT  # a fresh start
    await bench.store.db.execute("DELETE FROM newcomer_welcomes")
    await bench.service.guild_left(GuildLeft(GUILD))
    assert await bench.service.arrived(came(ANN)) is Welcomed.SENT


async def test_a_full_disk_sends_no_welcome_rather_than_two(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bench.group()

    async def full(*args: object) -> bool:
        raise StorageUnavailable("disk full")

    monkeypatch.setattr(bench.store.welcomes, "claim", full)
    assert await bench.service.arrived(came(ANN)) is Welcomed.UNSAVED
    assert bench.port.sent == []


# --- in the group's language --------------------------------------------------------------------

IN_SPANISH = """
format: 1
name: Círculo abierto
language: es
sections:
  - say: Bienvenida.
    title: Bienvenida
  - share: Compartir abierto.
    title: Compartimos
"""


async def adopt(bench: Bench, group_id: int, source: str) -> None:
    async with bench.store.db.transaction() as tx:
        format_id = await tx.insert(
            "INSERT INTO group_formats (group_id, label, source, status, uploaded_at) "
            "VALUES (?, 'ours', ?, 'adopted', ?)",
            (group_id, source, bench.time.now),
        )
        await tx.execute(
            "UPDATE groups SET format_id = ? WHERE id = ?", (f"group:{format_id}", group_id)
        )


async def test_a_spanish_group_welcomes_and_guides_in_spanish(bench: Bench) -> None:
    """The format says ``language: es``: the welcome (a direct message: no member locale to
    go by) is in Spanish, and so are /newcomer and /resources for a reader in Spanish."""
    group_id = await bench.group()
    languages = GroupLanguages(store=bench.store, formats=bench.formats)
    assert await languages.of_channel(ROOM) == "en"  # the built-in format: English
    await adopt(bench, group_id, IN_SPANISH)
    assert await languages.of_channel(ROOM) == "es"
    assert await languages.of_channel(ELSEWHERE) == "en"  # no group meets there

    assert await bench.service.arrived(came(ANN)) is Welcomed.SENT
    assert bench.port.locales == ["es"]
    text = bench.port.sent[0][2]
    assert text.startswith(f"¡Hola! Acabas de pasar por <#{ROOM}>")
    assert "**Levantar la mano**" in text
    assert "**El orden:** Bienvenida → Compartimos" in text  # the format's own words
    assert "Raise hand" not in text
    assert "Welcome" not in text

    guide = render_lines("es", await bench.service.orientation(ROOM))
    assert guide.startswith("**Bienvenida, bienvenido: nos alegra que estés aquí.**")
    support = paginate([render("es", line) for line in await bench.service.resources(ROOM)])
    assert support[0].splitlines()[1] == (
        "Si estás en peligro ahora mismo, llama al número de emergencias de donde estés."
    )
    assert "Solo tú puedes ver este mensaje" in support[-1]


async def test_a_groups_own_decision_sets_its_language(bench: Bench) -> None:
    group_id = await bench.group()
    await adopt(bench, group_id, IN_SPANISH)
    await bench.store.db.execute(
        "INSERT INTO group_settings (group_id, name, value) VALUES (?, 'language', 'fr')",
        (group_id,),
    )
    languages = GroupLanguages(store=bench.store, formats=bench.formats)
    assert await languages.of_channel(ROOM) == "fr"  # the decision wins over the format
    assert await bench.service.arrived(came(BO)) is Welcomed.SENT
    assert bench.port.sent[0][2].startswith("Bonjour ! Vous venez de passer dans")
