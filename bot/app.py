"""Wiring: Settings -> Store, Clock, Scheduler, Pseudonymizer -> the Bot. Owns their lifetimes."""

from __future__ import annotations

import asyncio
import logging

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.config import Settings
from bot.core.pseudonyms import Pseudonymizer
from bot.runtime.clock import Clock
from bot.runtime.decisions import DecisionService, DiscordDecisions
from bot.runtime.formats import FormatLibrary
from bot.runtime.groups import GroupService
from bot.runtime.hooks import Hooks
from bot.runtime.meetings import MeetingService
from bot.runtime.members import ensure_members
from bot.runtime.presenter import Presenter
from bot.runtime.privacy import PrivacyService
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.ui import message_for, reply_privately

log = logging.getLogger(__name__)

#: discord.py names the tasks that run event handlers, slash commands and buttons like this.
HANDLER_TASK_NAMES = ("discord.py: ", "CommandTree-invoker", "discord-ui-view-dispatch")
DRAIN_SECONDS = 5.0

#: Every cog, loaded explicitly and in this order.
EXTENSIONS: tuple[str, ...] = (
    "cogs.about",
    "cogs.groups",
    "cogs.formats",
    "cogs.meetings",
    "cogs.newcomer",
    "cogs.privacy",
    "cogs.decisions",
    "cogs.rotation",
    "cogs.crosstalk",
)


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at the Discord API and gateway the settings name.

    By default that is Discord itself; ``DISCORD_API_BASE`` / ``DISCORD_GATEWAY_URL`` let a group
    self-host on a Discord-compatible server (and let the tests use a local fake).
    """
    discord.http.Route.BASE = settings.discord_api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def intents(message_content: bool = False) -> discord.Intents:
    """Only what the bot uses. No Message Content: crosstalk is noticed by who posts, not what —
    unless the setting ``MESSAGE_CONTENT_INTENT`` asks for it (for hold mode)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.members = True  # who holds a group's role, who can see its channel
    wanted.guild_messages = True  # who posts while someone else holds the floor
    wanted.voice_states = True  # who is in a voice or stage meeting
    wanted.message_content = message_content  # hold mode hands crosstalk back to its author
    return wanted


class PeerCircleTree(app_commands.CommandTree["PeerCircle"]):
    """The single place where command errors become kind, private replies."""

    async def on_error(
        self, interaction: discord.Interaction[PeerCircle], error: app_commands.AppCommandError
    ) -> None:
        name = interaction.command.qualified_name if interaction.command else "unknown"
        await reply_privately(interaction, message_for(error, f"/{name}"))


class PeerCircle(commands.Bot):
    """The bot. Built by :func:`build_bot` with its dependencies passed in."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        scheduler: Scheduler,
        pseudonyms: Pseudonymizer,
        dev_guild_id: int | None = None,
        serve: bool = True,
        message_content: bool = False,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(message_content),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=PeerCircleTree,
            # Members are fetched when a feature needs them, not all at start-up.
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.from_intents(intents(message_content)),
            guild_ready_timeout=0.1,
        )
        self.store = store
        self.clock = clock
        self.scheduler = scheduler
        self.pseudonyms = pseudonyms
        self.hooks = Hooks()
        self.formats = FormatLibrary(store)
        self.groups = GroupService(store, self.formats)
        self.privacy = PrivacyService(store, pseudonyms, clock, scheduler)
        self.meetings = MeetingService(
            store=store, clock=clock, scheduler=scheduler, formats=self.formats, hooks=self.hooks
        )
        self.presenter: Presenter | None = None  # set by cogs.meetings
        self.decisions = DecisionService(
            store=store,
            clock=clock,
            scheduler=scheduler,
            pseudonyms=pseudonyms,
            formats=self.formats,
            hooks=self.hooks,
            port=DiscordDecisions(
                self, repo=store.decisions, pseudonyms=pseudonyms, formats=self.formats, clock=clock
            ),
            meeting_under_way=lambda group: self.meetings.in_channel(group.channel_id) is not None,
        )
        # Switches the group has decided apply from its next meeting.
        self.meetings.switch_provider = self.decisions.switches
        self.dev_guild_id = dev_guild_id
        self.serve = serve
        self.version = __version__
        self._resume_task: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        version = await self.store.open()
        log.info("Database ready (schema version %d)", version)
        # Keep one sped-up timeline across restarts (see bot/runtime/clock.py).
        anchor = await self.store.meta.get_or_set("clock_anchor", repr(self.clock.anchor))
        self.clock.anchor = float(anchor)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.serve:
            running = await self.meetings.load_all()
            await self.scheduler.start()
            if running:
                log.info("Resuming %d meeting(s) after a restart", running)
                self._resume_task = asyncio.create_task(self._resume_meetings())

    async def _resume_meetings(self) -> None:
        await self.wait_until_ready()
        # The names on the panels come from Discord's member list (kept in memory only).
        for guild_id in {live.group.guild_id for live in self.meetings.running()}:
            guild = self.get_guild(guild_id)
            if guild is not None:
                await ensure_members(guild)
        await self.meetings.resume_all()

    async def _drain_handlers(self) -> None:
        """Let event, command and button handlers already running finish (a few seconds at
        most) while Discord and the database are still open: a stop never cuts a commit or a
        reply in half."""
        current = asyncio.current_task()
        busy = [
            task
            for task in asyncio.all_tasks()
            if task is not current
            and not task.done()
            and task.get_name().startswith(HANDLER_TASK_NAMES)
        ]
        if busy:
            await asyncio.wait(busy, timeout=DRAIN_SECONDS)

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        """Publish the slash commands: to DEV_GUILD_ID when set, else globally."""
        if self.dev_guild_id is not None:
            guild = discord.Object(id=self.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            return await self.tree.sync(guild=guild)
        return await self.tree.sync()

    async def on_ready(self) -> None:
        log.info("Connected to Discord; serving %d server(s)", len(self.guilds))

    async def close(self) -> None:
        if self._resume_task is not None and not self._resume_task.done():
            self._resume_task.cancel()
        await self._drain_handlers()
        if self.presenter is not None:
            await self.presenter.close()
        await self.scheduler.stop()
        await super().close()
        await self.store.close()


def build_bot(settings: Settings, *, serve: bool = True) -> PeerCircle:
    """Build the bot and everything it depends on from the settings."""
    configure_endpoints(settings)
    store = Store(settings.database_path)
    clock = Clock(rate=settings.clock_rate)
    return PeerCircle(
        store=store,
        clock=clock,
        scheduler=Scheduler(store.deadlines, clock),
        pseudonyms=Pseudonymizer(settings.pseudonym_key_bytes()),
        dev_guild_id=settings.dev_guild_id,
        message_content=settings.message_content_intent,
        serve=serve,
    )
