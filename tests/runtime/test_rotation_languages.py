"""The rotation in the group's language and the member's (docs/translating.md): a Spanish
group's roles, announcement, buttons and the reminder the bot sends on its own are in Spanish;
the answers to a member (rendered where the member is known) follow the member's language."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.pseudonyms import Pseudonymizer
from bot.core.schedule.stored import StoredSchedule
from bot.errors import NotAllowed
from bot.i18n import render
from bot.runtime.clock import Clock
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.rotation import RotationService
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.ui.rotation import ask_view, reminder_view, show_text
from tests.runtime.test_rotation_service import (
    CHANNEL,
    GUILD,
    START,
    Bench,
    FakeDiscord,
    User,
    last_announcement,
)
from tests.support.clock import FakeTime

EVENING = datetime(2027, 1, 18, 23, 0, tzinfo=UTC)  # Monday 18:00 in New York


@pytest.fixture
async def spanish(tmp_path: Path) -> AsyncIterator[tuple[Bench, FakeTime, Scheduler]]:
    """A group that decided to speak Spanish, meeting Tuesdays at 19:00 in New York."""
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    made = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert made is not None
    await store.db.execute(  # the group's own decision (a passed /propose change)
        "INSERT INTO group_settings (group_id, name, value) VALUES (?, 'language', 'es')",
        (made.id,),
    )
    spec = StoredSchedule(zone="America/New_York").changed("schedule", "Tuesdays 19:00")
    await store.schedules.save(made.id, spec, START)
    time = FakeTime()
    clock = Clock(rate=1.0, anchor=START, real_time=time)
    discord = FakeDiscord(Pseudonymizer(b"r" * 32))
    scheduler = Scheduler(store.deadlines, clock)
    live = LiveMeetings()
    service = RotationService(
        store=store, clock=clock, formats=FormatLibrary(store), meetings=live,
        locks=GroupLocks(), port=discord, scheduler=scheduler,
    )  # fmt: skip
    yield Bench(store, clock, discord, service, live, made.id), time, scheduler
    await scheduler.stop()
    await service.close()
    await store.close()


async def test_a_spanish_group_hears_its_rotation_in_spanish(
    spanish: tuple[Bench, FakeTime, Scheduler],
) -> None:
    bench, time, scheduler = spanish
    d = bench.discord
    people = [d.add(100 + i, name) for i, name in enumerate(("Lucía", "Mateo", "Inés"))]
    for person in people:
        joined = await bench.service.join(CHANNEL, person, None)
        assert render("es", joined).startswith("Ya estás en la rotación de chair")
        assert render("fr", joined).startswith("Vous êtes dans la rotation « chair »")
    # The server's roles are named in the group's language (the title is the format's own).
    assert sorted(d.roles.values()) == [
        "Chair hoy · #circle-room",
        "Rotación de Chair · #circle-room",
    ]

    await bench.hold_meeting(people[0])
    text, asked, meeting = last_announcement(
        bench, "**La próxima vez (martes 19 de enero), según la rotación:**"
    )
    assert f"• Chair: <@{asked}>" in text
    assert "Si eres tú, pulsa **Lo haré**, o **No puedo**" in text
    assert "**Recuérdamelo** te manda un recordatorio privado" in text
    assert "Next time" not in text
    assert meeting is not None

    # The answer is the member's alone: rendered in their language where they are known.
    answer = await bench.service.remind_me(bench.group_id, meeting, User(asked))
    assert "martes 19 de enero a las 19:00, hora del grupo" in render("es", answer)
    assert render("fr", answer).startswith(
        "Je vous le rappellerai en privé la veille au soir (18 h 00) et une heure avant — la "
        "réunion a lieu mardi 19 janvier à 19:00, heure du groupe."
    )
    assert "Tuesday 19 January at 19:00" in str(answer)  # English stays as it was
    someone_else = next(p for p in people if p.id != asked)
    with pytest.raises(NotAllowed) as refused:
        await bench.service.cant_make_it(bench.group_id, meeting, someone_else)
    assert refused.value.words("fr") == (
        "Ce tour n'est pas le vôtre, ou il est déjà passé à quelqu'un d'autre. Rien n'a changé."
    )

    # The reminder the bot sends on its own: no member's language to go by, the group's.
    time.now = EVENING.timestamp() + 60
    await scheduler.start()
    for _ in range(200):
        if d.reminded:
            break
        await asyncio.sleep(0.01)
    ((to, reminder, for_meeting),) = d.reminded
    assert (to, for_meeting) == (asked, meeting)
    assert reminder.startswith(
        "Un recordatorio amable: mañana te toca chair en la reunión de #circle-room."
    )


async def test_a_swap_request_is_sent_in_the_groups_language(
    spanish: tuple[Bench, FakeTime, Scheduler],
) -> None:
    bench, _, _ = spanish
    d = bench.discord
    people = [d.add(100 + i, name) for i, name in enumerate(("Lucía", "Mateo", "Inés", "Noa"))]
    for person in people:
        await bench.service.join(CHANNEL, person, None)
    await bench.hold_meeting(people[0])
    _, asked, _ = last_announcement(bench, "**La próxima vez")
    partner = next(p for p in people if p.id not in (asked, people[0].id))
    answer = await bench.service.ask_swap(CHANNEL, User(asked), partner, None)
    assert render("fr", answer) == (
        f"J'ai demandé à {d.people[partner.id].name} en privé. Si cette personne accepte, vous "
        "échangerez vos places dans la rotation « chair » et je vous préviendrai."
    )
    (to, request, swap_id) = d.dms[-1]
    assert (to, swap_id is not None) == (partner.id, True)
    assert request.startswith(
        f"**{d.people[asked].name}**, de #circle-room, quiere intercambiar su lugar contigo"
    )
    shown = show_text(await bench.service.show(CHANNEL), "fr")
    assert "Prochaine réunion : **" in shown


async def test_the_rotation_buttons_are_labelled_in_the_language_given() -> None:
    channel = ask_view(7, 2, "es")
    assert [item.item.label for item in channel.children] == [  # type: ignore[attr-defined]
        "Lo haré",
        "No puedo",
        "Recuérdamelo",
    ]
    private = reminder_view(7, 2, "fr")
    assert [item.item.label for item in private.children] == [  # type: ignore[attr-defined]
        "Je m'en charge",
        "Je ne peux pas",
    ]
    english = ask_view(7, 2)
    first = english.children[0]
    assert first.item.label == "I'll do it"  # type: ignore[attr-defined]
