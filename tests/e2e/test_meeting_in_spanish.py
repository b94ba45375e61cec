"""A whole meeting in Spanish through the fake Discord: a group whose format says
``language: es`` hears its reading offered, its sharing, its floor, the format's built-in time
note, its closing and its end in Spanish, and its meeting panel's buttons are Spanish — and no
English sentence of the bot's words leaks into the channel, from the welcome posted at
``/group setup`` on; a member whose Discord is in Spanish gets ``/group settings`` in Spanish.

Clock: CLOCK_RATE 40, so a 3-minute share's one-minute note comes after 3 real seconds, and the
format's ``counts: minutes: 20`` (30 real seconds) is never reached: the close says, in
Spanish, that this meeting doesn't count.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR
from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import buttons, panel, press, start_meeting, wait_message
from tests.fakediscord import FakeDiscord

JSON = dict[str, Any]
CLOCK_RATE = "40"
FORMAT_NAME = "Círculo de los martes"
SPANISH_FORMAT = """\
format: 1
name: Círculo de los martes
about: Un círculo de apoyo entre iguales, en español.
language: es
length: 30m
counts:
  minutes: 20
  members: 2
share:
  limit: 3m
  warn: [1m]
texts:
  promesa:
    title: La promesa
    text: Nos reunimos como iguales, para escucharnos con respeto.
sections:
  - read: promesa
  - share: Quien quiera compartir, que levante la mano.
  - closing: Gracias por venir, ${chair}. Lo que se dice aquí, aquí se queda.
"""

#: Every area's catalogue: all the words the bot has, in every lane (meeting, room, decisions,
#: business, rotation, room rules, formats, groups, newcomer, privacy, common).
CHECKED_AREAS = tuple(
    sorted(
        p.name for p in (LOCALES_DIR / "es" / "LC_MESSAGES").glob("*.po") if p.name != "commands.po"
    )
)


@cache
def english_of(areas: tuple[str, ...] = CHECKED_AREAS) -> tuple[frozenset[str], frozenset[str]]:
    """(sentences, labels): every literal stretch of four words or more of the areas' English
    msgids (the parts between ``{placeholders}`` and Markdown), and the English msgids whose
    Spanish differs (a button label equal to one is a leak)."""
    sentences: set[str] = set()
    labels: set[str] = set()
    for area in areas:
        with (LOCALES_DIR / "es" / "LC_MESSAGES" / area).open("rb") as handle:
            catalogue = read_po(handle, locale="es")
        for message in catalogue:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for english in ids:
                if english not in strings:
                    labels.add(english)
                for part in re.split(r"\{[a-z_]+\}|\*\*|\n", english):
                    if len(part.split()) >= 4:
                        sentences.add(part.strip())
    return frozenset(sentences), frozenset(labels)


def assert_no_english_leaks(fake: FakeDiscord, room: int, *, since: int = 0) -> None:
    """No message the bot posted (from position ``since``) carries an English sentence of
    :data:`CHECKED_AREAS`, and no label is one of their English labels."""
    sentences, labels = english_of()
    leaks = []
    for message in fake.channel_messages(room)[since:]:
        for words in bot_words_of(fake, message):
            leaks += [f"{english!r} in {words!r}" for english in sentences if english in words]
            if words in labels:
                leaks.append(f"the label {words!r}")
    assert not leaks, "English in a Spanish meeting:\n" + "\n".join(leaks)


def bot_words_of(fake: FakeDiscord, message: JSON) -> list[str]:
    """Every word of one message, if the bot posted it: its text, embeds, labels."""
    if str(message.get("author", {}).get("id")) != str(fake.bot_user_id):
        return []
    found = [message.get("content") or ""]
    for embed in message.get("embeds", []):
        found += [embed.get("title") or "", embed.get("description") or ""]
    for item in buttons(message):
        found += [item.get("label") or "", item.get("placeholder") or ""]
    return [words for words in found if words]


async def test_a_whole_meeting_in_spanish(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    guild = fake.add_guild("Círculo", owner_username="marisolvera")
    room = fake.add_channel(guild.id, "sala-martes").id
    chair = guild.owner
    lucia, tomas = (
        fake.add_member(guild.id, name, global_name=shown)
        for name, shown in (("luciamar", "Lucía Mar"), ("tomasrio", "Tomás Río"))
    )
    marta = fake.add_member(guild.id, "martaluz", locale="es-ES")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = CLOCK_RATE
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    await (await chair.slash(room, "group setup", {"format": "discusion-abierta"})).wait_response()
    welcome = await wait_message(fake, room, "Este canal es ahora el hogar")
    assert "**Discusión abierta**" in welcome["content"]
    assert "`/group settings` muestra cómo se reúne el grupo." in welcome["content"]
    upload = fake.make_attachment("circulo.yaml", SPANISH_FORMAT.encode())
    uploaded = await chair.slash(room, "format upload", {"file": upload})
    offer = (await uploaded.wait_followups())[0]
    adopt = offer["components"][0]["components"][0]
    await (await chair.click(int(offer["id"]), adopt["custom_id"])).wait_response()
    await wait_message(fake, room, f"**{FORMAT_NAME}**")
    asked = await (await marta.slash(room, "group settings")).wait_response()
    assert asked.data is not None
    assert asked.data["content"].startswith("**Cómo se reúne este grupo**\nFormato: **")
    assert f"**{FORMAT_NAME}**" in asked.data["content"]
    since = 0  # every word the bot posted in the channel, from the setup's welcome on

    await start_meeting(fake, chair, room)
    board = panel(fake, room)
    assert board["embeds"][0]["title"] == "Reunión 1 · 1/3 La promesa"
    labels = {item["label"] for item in buttons(board)}
    assert {"Levantar la mano", "Paso", "Terminé de compartir", "Es mi primera vez"} <= labels
    assert {"Hoy prefiero escuchar", "Siguiente (coordinación)", "Saltar esta parte"} <= labels
    assert_no_english_leaks(fake, room, since=since)  # the live panel's labels too

    # The reading is offered to a volunteer, in Spanish, with Spanish buttons.
    reading = await wait_message(fake, room, "¿Alguien quiere leer", with_buttons=True)
    assert reading["content"] == "¿Alguien quiere leer **La promesa**?"
    assert [b["label"] for b in buttons(reading)] == ["Lo leo yo", "Que lo lea quien coordina"]
    await press(lucia, reading, "read")
    read = await wait_message(fake, room, "lo lee Lucía")
    assert read["content"] == (
        "**La promesa**, lo lee Lucía\nNos reunimos como iguales, para escucharnos con respeto."
    )

    # Sharing: its default heading, the open floor, the floor given, the built-in note.
    await press(chair, board, "next")
    await wait_message(fake, room, "**Compartir**, con marisolvera")
    await wait_message(
        fake, room, "La palabra está abierta: pulsa **Levantar la mano** si quieres compartir."
    )
    mark = len(fake.channel_messages(room))
    await press(lucia, board, "hand")
    given = await wait_message(fake, room, "tienes la palabra.", after=mark)
    assert given["content"].startswith(f"<@{lucia.id}>, tienes la palabra. Tu tiempo termina <t:")
    await wait_message(
        fake,
        room,
        "Queda más o menos un minuto; sin prisa, solo para que lo sepas.",
        after=mark,
        limit=8,
    )
    shown = panel(fake, room)["embeds"][0]["description"]
    assert "**Comparte:** Lucía · termina <t:" in shown
    assert "**Coordina:** marisolvera" in shown
    await press(lucia, board, "done")
    await wait_message(fake, room, "Gracias por compartir.", after=mark)
    mark = len(fake.channel_messages(room))
    await press(tomas, board, "hand")
    await wait_message(fake, room, f"<@{tomas.id}>, tienes la palabra.", after=mark)
    await press(tomas, board, "done")
    await wait_message(fake, room, "Gracias por compartir.", after=mark)

    # The closing, the end, and why this short meeting doesn't count.
    await press(chair, board, "next")
    closing = await wait_message(fake, room, "**Cierre**, con marisolvera")
    assert "Gracias por venir, marisolvera." in closing["content"]
    await press(chair, board, "next")
    ended = await wait_message(fake, room, "La reunión ha terminado.")
    assert ended["content"] == "\n".join(
        [
            "La reunión ha terminado. Gracias a todos por estar aquí; cuidémonos mucho. 💛",
            "Si te vendría bien apoyo entre reuniones, `/resources` te muestra dónde encontrarlo.",
            "Esta reunión no cuenta entre las reuniones celebradas del grupo, porque duró menos "
            "de 20 minutos. No pasa nada: gracias por este encuentro.",
        ]
    )
    final = panel_after_end(fake, room, int(board["id"]))
    assert final["embeds"][0]["title"] == "La reunión ha terminado"

    assert_no_english_leaks(fake, room, since=since)


def panel_after_end(fake: FakeDiscord, room: int, panel_id: int) -> JSON:
    return next(m for m in fake.channel_messages(room) if int(m["id"]) == panel_id)
