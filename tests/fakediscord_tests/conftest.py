"""Fixtures: a fake Discord with a small server, and a minimal discord.py bot pointed at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field

import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import Channel, FakeDiscord, GuildHandle, Role, SimulatedMember


@dataclass
class World:
    fake: FakeDiscord
    guild: GuildHandle
    text: Channel
    voice: Channel
    members_role: Role
    alice: SimulatedMember
    bob: SimulatedMember


@dataclass
class Received:
    """What the test bot saw, for assertions."""

    messages: list[discord.Message] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, message: discord.Message) -> None:
        self.messages.append(message)
        self.changed.set()


@pytest.fixture
def point_discord_py_at() -> Iterator[Callable[[FakeDiscord], None]]:
    """Set discord.py's REST base and gateway to the fake; restore them afterwards."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY

    def point(fake: FakeDiscord) -> None:
        discord.http.Route.BASE = fake.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)

    yield point
    discord.http.Route.BASE = old_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def build_world(fake: FakeDiscord) -> World:
    guild = fake.add_guild("Tuesday Circle")
    text = fake.add_channel(guild.id, "meeting-room", type=0)
    voice = fake.add_channel(guild.id, "meeting-voice", type=2)
    members_role = fake.add_role(guild.id, "Members")
    alice = fake.add_member(
        guild.id, "alice", global_name="Alice Example", nick="Al", roles=[members_role.id]
    )
    bob = fake.add_member(guild.id, "bob", global_name="Bob Example")
    return World(fake, guild, text, voice, members_role, alice, bob)


@pytest.fixture
async def world(point_discord_py_at: Callable[[FakeDiscord], None]) -> AsyncIterator[World]:
    async with FakeDiscord(privileged_intents_granted={"members"}) as fake:
        point_discord_py_at(fake)
        yield build_world(fake)


class PanelView(discord.ui.View):
    """A persistent view, registered in setup_hook like the real bot's meeting panel."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Raise hand", custom_id="pc:test:hand")
    async def hand(
        self, interaction: discord.Interaction, button: discord.ui.Button[PanelView]
    ) -> None:
        await interaction.response.send_message("hand raised", ephemeral=True)

    @discord.ui.button(label="Next", custom_id="pc:test:next")
    async def next_(
        self, interaction: discord.Interaction, button: discord.ui.Button[PanelView]
    ) -> None:
        await interaction.response.edit_message(content="section 2", view=self)


class PickView(discord.ui.View):
    """A non-persistent view: discord.py binds it when the response that carries it arrives."""

    @discord.ui.select(
        custom_id="pc:test:pick", options=[discord.SelectOption(label=x) for x in "abc"]
    )
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.Select[PickView]
    ) -> None:
        await interaction.response.send_message(f"picked {select.values[0]}", ephemeral=True)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    feedback: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="Your feedback", custom_id="feedback", max_length=200
    )

    def __init__(self) -> None:
        super().__init__(custom_id="pc:test:form")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"thanks ({len(self.feedback.value)})", ephemeral=True
        )


def make_bot(
    *, intents: discord.Intents | None = None, received: Received | None = None
) -> commands.Bot:
    if intents is None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.members = True
        intents.guild_messages = True
        intents.voice_states = True
        intents.dm_messages = True

    class TestBot(commands.Bot):
        async def setup_hook(self) -> None:
            self.add_view(PanelView())

    bot = TestBot(
        command_prefix=commands.when_mentioned,
        intents=intents,
        guild_ready_timeout=0.1,
        allowed_mentions=discord.AllowedMentions.none(),
    )
    group = app_commands.Group(name="group", description="Group things")

    @group.command(name="settings", description="Show the settings")
    @app_commands.describe(name="A setting")
    async def settings(interaction: discord.Interaction, name: str | None = None) -> None:
        await interaction.response.send_message(f"settings {name}", ephemeral=True)

    bot.tree.add_command(group)

    @bot.tree.command(name="hello", description="Say hello in public")
    async def hello(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("hello everyone @everyone")

    @bot.tree.command(name="slow", description="Defer, edit, follow up")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.edit_original_response(content="step 1")
        await interaction.followup.send("more", ephemeral=True)

    @bot.tree.command(name="thinking", description="Defer then follow up")
    async def thinking(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("done thinking")

    @bot.tree.command(name="form", description="Open a form")
    async def form(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @bot.tree.command(name="panel", description="Post the panel")
    async def panel(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("posting", ephemeral=True)
        assert isinstance(interaction.channel, discord.TextChannel)
        await interaction.channel.send("section 1", view=PanelView())

    @bot.tree.command(name="late", description="Answer too late")
    async def late(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.4)
        await interaction.response.send_message("too late")

    @bot.tree.command(name="choose", description="Pick a letter")
    async def choose(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pick one", view=PickView())

    fmt = app_commands.Group(name="format", description="Formats")

    async def complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["open-share", "step-study", "speaker"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    @fmt.command(name="show", description="Show a format")
    @app_commands.autocomplete(name=complete)
    async def show(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"format {name}", ephemeral=True)

    @fmt.command(name="upload", description="Upload a format")
    async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        await interaction.response.send_message(
            f"{file.filename}: {len(data)} bytes", ephemeral=True
        )

    bot.tree.add_command(fmt)

    @bot.tree.context_menu(name="Gentle reminder")
    async def remind(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message("sent anonymously", ephemeral=True)
        assert interaction.channel is not None
        await interaction.channel.send("A gentle reminder about crosstalk.")  # type: ignore[union-attr]

    @bot.tree.context_menu(name="Send concern")
    async def concern(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"noted for {member.id}", ephemeral=True)

    if received is not None:

        @bot.event
        async def on_message(message: discord.Message) -> None:
            received.add(message)

    return bot


@dataclass
class RunningBot:
    bot: commands.Bot
    task: asyncio.Task[None]

    async def close(self) -> None:
        await self.bot.close()
        await self.task


async def start_bot(fake: FakeDiscord, bot: commands.Bot, *, sync: bool = True) -> RunningBot:
    task = asyncio.create_task(bot.start(fake.token))
    ready = asyncio.create_task(bot.wait_until_ready())
    await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if not ready.done():
        ready.cancel()
        await bot.close()
        await task  # raises what stopped the bot (e.g. PrivilegedIntentsRequired)
        raise TimeoutError("the bot did not become ready")
    if sync:
        await bot.tree.sync()
    return RunningBot(bot, task)


@pytest.fixture
async def received() -> Received:
    return Received()


@pytest.fixture
async def running(world: World, received: Received) -> AsyncIterator[RunningBot]:
    running = await start_bot(world.fake, make_bot(received=received))
    yield running
    await running.close()
