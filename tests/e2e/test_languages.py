"""The bot in each member's language: ``sync`` publishes the commands' Spanish and French
names and descriptions, and a member whose Discord is in French gets /about, /privacy,
/newcomer, /resources and an error in French, while an English member's stay English."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import panel, press, slash, wait_message
from tests.fakediscord import FakeDiscord


def _named(commands: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(command for command in commands if command["name"] == name)


async def test_commands_and_private_replies_in_the_members_language(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Cercle du mardi", owner_username="gardienne")
    room = fake.add_channel(guild.id, "salle")
    claire = fake.add_member(guild.id, "claire", locale="fr")
    lucia = fake.add_member(guild.id, "lucia", locale="es-419")
    wren = fake.add_member(guild.id, "wrenfield")  # en-US
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0

    synced = fake.guild_commands[guild.id]
    about = _named(synced, "about")
    assert about["name_localizations"] == {
        "es-ES": "acerca-de",
        "es-419": "acerca-de",
        "fr": "à-propos",
    }
    assert about["description_localizations"]["es-419"].startswith("Qué es Peer Circle")
    privacy = _named(synced, "privacy")
    forget = _named(privacy["options"], "forget-me")
    assert forget["name_localizations"]["fr"] == "oublie-moi"
    rotation = _named(synced, "rotation")
    day = _named(_named(rotation["options"], "join")["options"], "day")
    assert day["choices"][0]["name_localizations"] == {
        "es-ES": "lunes",
        "es-419": "lunes",
        "fr": "lundi",
    }

    await bot_runner.start()
    refused = await (await claire.slash(room.id, "newcomer")).wait_response()
    assert refused.data is not None
    assert refused.data["content"].startswith("Ce salon n'a pas encore de groupe.")

    french = await (await claire.slash(room.id, "about")).wait_response()
    assert french.data is not None
    assert "**Ce que je garde sur les personnes : rien.**" in french.data["content"]
    english = await (await wren.slash(room.id, "about")).wait_response()
    assert english.data is not None
    assert "**What I keep about people: nothing.**" in english.data["content"]

    await (
        await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    ).wait_response()
    await wait_message(fake, room.id, "home to a peer group")

    kept = await (await claire.slash(room.id, "privacy what-i-keep")).wait_response()
    assert kept.data is not None
    (embed,) = kept.data["embeds"]
    assert embed["title"] == "Ce que Peer Circle garde"
    assert embed["description"].startswith("**Pour ce groupe, je garde en ce moment**")

    guide = await (await lucia.slash(room.id, "newcomer")).wait_response()
    assert guide.data is not None
    assert guide.data["content"].startswith(
        "**Bienvenida, bienvenido: nos alegra que estés aquí.**"
    )
    assert "**Levantar la mano**" in guide.data["content"]

    support = await (await claire.slash(room.id, "resources")).wait_response()
    assert support.data is not None
    assert "Si vous êtes en danger en ce moment" in support.data["content"]


async def test_a_french_member_raising_a_hand_is_answered_in_french(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    """An English group's meeting: the panel speaks the group's English, and a member whose
    Discord is in French hears back privately in French."""
    guild = fake.add_guild("Cercle du jeudi", owner_username="veilleuse")
    room = fake.add_channel(guild.id, "salle")
    claire = fake.add_member(guild.id, "claire", locale="fr")
    wren = fake.add_member(guild.id, "wrenfield")  # en-US
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = "60"
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    await (
        await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    ).wait_response()
    await wait_message(fake, room.id, "home to a peer group")

    assert "Thank you for chairing" in await slash(wren, room.id, "meeting start")
    board = panel(fake, room.id)
    assert await press(claire, board, "hand") == (
        "Votre main est levée. Je vous préviendrai quand ce sera votre tour."
    )
    assert await press(wren, board, "stepin") == "You're already chairing. Thank you for serving!"
