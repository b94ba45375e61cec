"""Slash commands, deferrals, followups, buttons and modals through the fake."""

from __future__ import annotations

import aiohttp
import discord
import pytest
from discord.http import Route

from tests.fakediscord import FakeDiscord, SimulationError

from .conftest import RunningBot, World, make_bot, start_bot


async def test_ephemeral_reply_to_a_subcommand(world: World, running: RunningBot) -> None:
    it = await world.alice.slash(world.text.id, "group settings", options={"name": "rotation"})
    reply = await it.wait_response(timeout=5)
    assert reply.type == 4
    assert reply.data is not None
    assert reply.data["content"] == "settings rotation"
    assert it.ephemeral
    assert it.original is not None
    assert it.original["flags"] & 64
    assert world.fake.channel_messages(world.text.id) == []  # ephemeral: not in the channel
    assert it.payload["data"]["options"][0]["options"][0]["value"] == "rotation"


async def test_public_reply_is_a_channel_message(world: World, running: RunningBot) -> None:
    it = await world.alice.slash(world.text.id, "hello")
    await it.wait_response()
    [message] = world.fake.channel_messages(world.text.id)
    assert message["content"] == "hello everyone @everyone"
    assert message["type"] == 20
    assert message["interaction_metadata"]["user"]["id"] == str(world.alice.id)
    # AllowedMentions.none(): nobody was pinged.
    assert message["mention_everyone"] is False
    callback = world.fake.requests_matching("POST", r"/interactions/\d+/[^/]+/callback")[0]
    assert callback.query == {"with_response": "1"}
    assert callback.json["data"]["allowed_mentions"] == {"parse": []}


async def test_deferred_reply_then_edit_and_followup(world: World, running: RunningBot) -> None:
    it = await world.alice.slash(world.text.id, "slow")
    assert (await it.wait_response()).type == 5
    followups = await it.wait_followups(1)
    assert it.original is not None
    assert it.original["content"] == "step 1"
    assert it.original["flags"] & 64
    assert [m["content"] for m in followups] == ["more"]
    assert followups[0]["flags"] & 64


async def test_first_followup_after_thinking_replaces_the_loading_message(
    world: World, running: RunningBot
) -> None:
    it = await world.alice.slash(world.text.id, "thinking")
    await it.wait_followups(1)
    original = await it.wait_original()
    assert original["content"] == "done thinking"
    assert [m["content"] for m in world.fake.channel_messages(world.text.id)] == ["done thinking"]


async def test_button_on_a_persistent_view(world: World, running: RunningBot) -> None:
    it = await world.alice.slash(world.text.id, "panel")
    await it.wait_response()
    request = await world.fake.wait_for_request("POST", r"/channels/\d+/messages")
    panel_id = int(request.response["id"])
    click = await world.bob.click(panel_id, "pc:test:hand")
    reply = await click.wait_response()
    assert reply.type == 4
    assert reply.data is not None
    assert reply.data["content"] == "hand raised"
    assert click.ephemeral
    # An update-message click edits the panel itself.
    nxt = await world.bob.click(panel_id, "pc:test:next")
    assert (await nxt.wait_response()).type == 7
    assert world.fake.message(panel_id) is not None
    assert world.fake.channel_messages(world.text.id)[0]["content"] == "section 2"
    with pytest.raises(SimulationError):
        await world.bob.click(panel_id, "pc:test:missing", timeout=0.2)


async def test_modal_submit(world: World, running: RunningBot) -> None:
    it = await world.alice.slash(world.text.id, "form")
    reply = await it.wait_response()
    assert reply.type == 9
    assert it.modal is not None
    assert it.modal["custom_id"] == "pc:test:form"
    submitted = await world.alice.submit_modal("pc:test:form", {"feedback": "kind words"})
    answer = await submitted.wait_response()
    assert answer.data is not None
    assert answer.data["content"] == "thanks (10)"
    with pytest.raises(SimulationError):  # the modal is closed once submitted
        await world.alice.submit_modal("pc:test:form", {"feedback": "again"}, timeout=0.2)


async def test_unregistered_command_or_bad_option_is_refused(
    world: World, running: RunningBot
) -> None:
    with pytest.raises(SimulationError, match="not registered"):
        await world.alice.slash(world.text.id, "nonsense")
    with pytest.raises(SimulationError, match="unknown option"):
        await world.alice.slash(world.text.id, "group settings", options={"colour": "red"})
    with pytest.raises(SimulationError, match="needs a subcommand"):
        await world.alice.slash(world.text.id, "group")


async def test_late_or_repeated_acknowledgement(point_discord_py_at: object) -> None:
    async with FakeDiscord(
        privileged_intents_granted={"members"}, interaction_ack_timeout=0.2
    ) as fake:
        point_discord_py_at(fake)  # type: ignore[operator]
        guild = fake.add_guild("Circle")
        channel = fake.add_channel(guild.id, "room")
        running = await start_bot(fake, make_bot())
        try:
            it = await guild.owner.slash(channel.id, "late")
            failed = await fake.wait_for_request("POST", r"/interactions/\d+/[^/]+/callback")
            await fake.wait_until(lambda: failed.status != 0)
            assert failed.status == 404
            assert failed.response["code"] == 10062
            assert it.response is None

            answered = await guild.owner.slash(channel.id, "hello")
            await answered.wait_response()
            url = f"{fake.api_base}/interactions/{answered.id}/{answered.token}/callback"
            async with (
                aiohttp.ClientSession() as session,
                session.post(url, json={"type": 4, "data": {"content": "x"}}) as response,
            ):
                assert response.status == 400
                assert response.headers["Content-Type"] == "application/json"
                assert (await response.json())["code"] == 40060
        finally:
            await running.close()


async def test_select_on_a_freshly_sent_view(world: World, running: RunningBot) -> None:
    it = await world.alice.slash(world.text.id, "choose")
    await it.wait_response()
    assert it.original is not None
    picked = await world.alice.select(int(it.original["id"]), "pc:test:pick", ["b"])
    answer = await picked.wait_response()
    assert answer.data is not None
    assert answer.data["content"] == "picked b"
    with pytest.raises(SimulationError, match="offers only"):
        await world.alice.select(int(it.original["id"]), "pc:test:pick", ["z"])


async def test_autocomplete_and_attachment_options(world: World, running: RunningBot) -> None:
    typing = await world.alice.autocomplete(
        world.text.id, "format show", {"name": "s"}, focused="name"
    )
    choices = await typing.wait_response()
    assert choices.type == 8
    assert choices.data is not None
    assert [c["value"] for c in choices.data["choices"]] == ["step-study", "speaker"]

    upload = world.fake.make_attachment("format.yaml", b"name: x\n", "application/yaml")
    it = await world.alice.slash(world.text.id, "format upload", options={"file": upload})
    reply = await it.wait_response()
    assert reply.data is not None
    assert reply.data["content"] == "format.yaml: 8 bytes"


async def test_context_menus(world: World, running: RunningBot) -> None:
    said = await world.bob.say(world.text.id, "I think you should...")
    it = await world.alice.message_command(int(said["id"]), "Gentle reminder")
    assert (await it.wait_response()).type == 4
    assert (
        it.payload["data"]["resolved"]["messages"][said["id"]]["content"] == "I think you should..."
    )
    await world.fake.wait_until(lambda: len(world.fake.channel_messages(world.text.id)) == 2)
    assert (
        world.fake.channel_messages(world.text.id)[1]["content"]
        == "A gentle reminder about crosstalk."
    )

    concern = await world.alice.user_command(world.text.id, "Send concern", world.bob)
    reply = await concern.wait_response()
    assert reply.data is not None
    assert reply.data["content"] == f"noted for {world.bob.id}"


async def test_members_and_guilds_joining_and_leaving(world: World, running: RunningBot) -> None:
    bot = running.bot
    carol = world.fake.add_member(world.guild.id, "carol")
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    await world.fake.wait_until(
        lambda: guild.get_member(carol.id) is not None, what="GUILD_MEMBER_ADD"
    )
    world.fake.remove_member(world.guild.id, carol.id)
    await world.fake.wait_until(
        lambda: guild.get_member(carol.id) is None, what="GUILD_MEMBER_REMOVE"
    )

    other = world.fake.add_guild("Thursday Circle")
    await world.fake.wait_until(lambda: bot.get_guild(other.id) is not None, what="GUILD_CREATE")
    world.fake.remove_guild(other.id)
    await world.fake.wait_until(lambda: bot.get_guild(other.id) is None, what="GUILD_DELETE")


async def test_commands_keep_their_localisations_as_discord_does(
    world: World, running: RunningBot
) -> None:
    """A bulk overwrite keeps ``name_localizations``/``description_localizations`` (commands,
    options, choices) and gives them back; an unknown locale or a name Discord would refuse
    in one of them is refused (50035) like the default name; a member's Discord language
    arrives as the interaction's ``locale``."""
    french = world.fake.add_member(world.guild.id, "claire", locale="fr")
    tapped = await french.slash(world.text.id, "hello")
    assert tapped.payload["locale"] == "fr"
    assert (await world.alice.slash(world.text.id, "hello")).payload["locale"] == "en-US"

    app = world.fake.state.application_id
    route = Route("PUT", "/applications/{app}/commands", app=app)
    command = {
        "name": "about",
        "description": "What this is.",
        "name_localizations": {"es-ES": "acerca-de", "fr": "à-propos"},
        "description_localizations": {"es-ES": "Qué es.", "fr": "Ce que c'est."},
        "options": [
            {
                "type": 3,
                "name": "day",
                "description": "A day",
                "name_localizations": {"fr": "jour"},
                "choices": [
                    {"name": "Monday", "value": "0", "name_localizations": {"fr": "lundi"}}
                ],
            }
        ],
    }
    stored = await running.bot.http.request(route, json=[command])
    assert stored[0]["name_localizations"] == {"es-ES": "acerca-de", "fr": "à-propos"}
    assert world.fake.global_commands[0]["description_localizations"]["fr"] == "Ce que c'est."
    option = world.fake.global_commands[0]["options"][0]
    assert option["name_localizations"] == {"fr": "jour"}
    assert option["choices"][0]["name_localizations"] == {"fr": "lundi"}
    listed = await running.bot.http.request(Route("GET", "/applications/{app}/commands", app=app))
    assert listed[0]["name_localizations"]["es-ES"] == "acerca-de"

    for bad in ({"xx-YY": "about"}, {"fr": "À Propos"}):
        with pytest.raises(discord.HTTPException) as refused:
            await running.bot.http.request(route, json=[{**command, "name_localizations": bad}])
        assert refused.value.code == 50035
