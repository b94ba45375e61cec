"""The bot: discord.py's client with Peer Circle's intents, command tree and lifetime.

It is built by :func:`bot.wiring.build_bot`, which hands it a factory for its services; the bot
owns their lifetime (open the store, re-arm deadlines, resume meetings, drain, close).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import field, fields
from typing import Any, TypeVar

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.adapters.meetings import MeetingPresenter
from bot.adapters.messages import MessageListener
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonymizer
from bot.core.shards import EVERY_GUILD, Shards
from bot.guild import ensure_members
from bot.health import Heartbeat
from bot.i18n import render
from bot.metrics import MetricsServer
from bot.runtime.backoff import IdentifyGate, start_wait
from bot.runtime.business import BusinessService
from bot.runtime.clock import Clock
from bot.runtime.crosstalk import CrosstalkService
from bot.runtime.decisions import DecisionService
from bot.runtime.events import EventBus
from bot.runtime.formats import FormatLibrary
from bot.runtime.groups import GroupService
from bot.runtime.languages import GroupLanguages
from bot.runtime.live import LiveMeetings
from bot.runtime.meetings import MeetingService
from bot.runtime.newcomer import NewcomerService
from bot.runtime.ownership import Ownership
from bot.runtime.privacy import PrivacyService
from bot.runtime.room_rules import RaidLockService, RoomRulesService
from bot.runtime.rotation import RotationService
from bot.runtime.schedule import ScheduleService
from bot.runtime.scheduler import Scheduler
from bot.runtime.voice_floor import VoiceFloorService
from bot.store import Store
from bot.ui.business import DYNAMIC_ITEMS as BUSINESS_BUTTONS
from bot.ui.decisions import DYNAMIC_ITEMS as DECISION_BUTTONS
from bot.ui.locale import private_locale
from bot.ui.meeting import MeetingActions, MeetingButton
from bot.ui.meeting_panel import MeetingChoice
from bot.ui.raid_lock import RaidLockButton
from bot.ui.replies import STALE, STALE_LOG, reply_privately
from bot.ui.rotation import RotationButton
from bot.ui.routing import FirstDelivery, answer_error
from bot.ui.translator import CatalogueTranslator

log = logging.getLogger(__name__)

#: discord.py names the tasks that run event handlers, slash commands and buttons like this.
HANDLER_TASK_NAMES = ("discord.py: ", "CommandTree-invoker", "discord-ui-view-dispatch")
DRAIN_SECONDS = 5.0

#: Every persistent button (a DynamicItem: ``custom_id`` starts with ``pc:``).
PERSISTENT_PREFIX = "pc:"
PERSISTENT_BUTTONS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    MeetingButton,
    MeetingChoice,
    RotationButton,
    *DECISION_BUTTONS,
    *BUSINESS_BUTTONS,
    RaidLockButton,
)

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
    "cogs.voice_floor",
    "cogs.room_rules",
    "cogs.business",
)


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


S = TypeVar("S")


@lazy_dataclass(frozen=True)
class Services:
    """Everything the cogs and the buttons reach, built once per bot."""

    store: Store
    clock: Clock
    scheduler: Scheduler
    pseudonyms: Pseudonymizer
    bus: EventBus
    live: LiveMeetings
    formats: FormatLibrary
    languages: GroupLanguages  # the language of each group (bot/i18n, docs/translating.md)
    groups: GroupService
    privacy: PrivacyService
    decisions: DecisionService
    presenter: MeetingPresenter
    rotation: RotationService
    meetings: MeetingService
    meeting_actions: MeetingActions
    crosstalk: CrosstalkService
    voice_floor: VoiceFloorService
    room_rules: RoomRulesService
    raid_lock: RaidLockService
    business: BusinessService
    newcomer: NewcomerService  # /resources, /newcomer and the welcome between meetings
    messages: MessageListener  # every message the bot sees (dispatch), decided at once
    schedule: ScheduleService
    deliveries: FirstDelivery
    heartbeat: Heartbeat
    metrics: MetricsServer | None = None  # METRICS_PORT set: aggregate metrics on 127.0.0.1
    ownership: Ownership = field(default_factory=Ownership)  # SHARD_IDS: whose work is whose

    def get(self, kind: type[S]) -> S:
        """The one service of this type (how a button finds the service it routes to)."""
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, kind):
                return value
        raise LookupError(f"no {kind.__name__} was built")

    async def close(self) -> None:
        """Stop background work before Discord and the database close."""
        await self.heartbeat.stop()
        if self.metrics is not None:
            await self.metrics.stop()
        await self.presenter.close()
        await self.decisions.close()
        await self.rotation.close()
        await self.voice_floor.close()
        await self.room_rules.close()
        await self.business.settle()


def guild_of(item: object) -> int | None:
    """The server an event's first argument belongs to, if it says."""
    if isinstance(item, discord.Guild):
        return item.id
    guild_id = getattr(item, "guild_id", None)
    if isinstance(guild_id, int):
        return guild_id
    guild = getattr(item, "guild", None)
    return guild.id if isinstance(guild, discord.Guild) else None


class PeerCircleTree(app_commands.CommandTree["PeerCircle"]):
    """The single place where command errors become kind, private replies."""

    async def interaction_check(self, interaction: discord.Interaction[PeerCircle]) -> bool:
        """Each interaction is carried out once, however often Discord delivers it; one for a
        server on another process's shards is not this process's (Discord won't send it)."""
        services = interaction.client.services
        if interaction.guild_id is not None and not services.ownership.owns_guild(
            interaction.guild_id
        ):
            return False
        return services.deliveries.first(interaction.id)

    async def on_error(
        self, interaction: discord.Interaction[PeerCircle], error: app_commands.AppCommandError
    ) -> None:
        name = interaction.command.qualified_name if interaction.command else "unknown"
        await answer_error(interaction, error, f"/{name}")


class PeerCircle(commands.Bot):
    """The bot. Built by :func:`bot.wiring.build_bot` with its services passed in."""

    def __init__(
        self,
        services: Callable[[discord.Client], Services],
        *,
        dev_guild_id: int | None = None,
        serve: bool = True,
        message_content: bool = False,
        http_trace: aiohttp.TraceConfig | None = None,
        shards: Shards = EVERY_GUILD,
    ) -> None:
        # METRICS_PORT: Discord's answers are counted (bot/metrics.py).
        traced: dict[str, Any] = {} if http_trace is None else {"http_trace": http_trace}
        if shards.sharded:  # SHARD_COUNT: this process's gateway connections (ShardedPeerCircle)
            traced |= {"shard_count": shards.count, "shard_ids": list(shards.ids)}
        super().__init__(
            **traced,
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
        #: Every service, adapter and subscription, built by the composition root.
        self.services = services(self)
        self.store = self.services.store
        self.clock = self.services.clock
        self.dev_guild_id = dev_guild_id
        self.serve = serve
        self.version = __version__
        self._resume_task: asyncio.Task[None] | None = None
        self._outbox_task: asyncio.Task[int] | None = None

    async def setup_hook(self) -> None:
        log.info("Serving %s", self.services.ownership.shards.describe())
        version = await self.store.open()
        log.info("Database ready (schema version %d)", version)
        # Keep one sped-up timeline across restarts and rate changes (bot/runtime/clock.py).
        await self.clock.keep_one_timeline(self.store.meta)
        # Command names and descriptions in each member's language, published by `sync`.
        await self.tree.set_translator(CatalogueTranslator())
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.serve:
            running = await self.services.meetings.load_all()
            if not running:
                await self.services.scheduler.start()
            self.services.heartbeat.start()
            if self.services.metrics is not None:
                await self.services.metrics.start()
            # What follows a meeting, left undone by a crash or a stop (once Discord is ready).
            self._outbox_task = asyncio.create_task(self.services.bus.resume())
            if running:
                log.info("Resuming %d meeting(s) after a restart", running)
                self._resume_task = asyncio.create_task(self._resume_meetings())

    async def _resume_meetings(self) -> None:
        await self.wait_until_ready()
        # The names on the panels come from Discord's member list (kept in memory only).
        meetings = self.services.meetings
        for guild_id in {live.group.guild_id for live in meetings.running()}:
            guild = self.get_guild(guild_id)
            if guild is not None:
                await ensure_members(guild)
        try:
            await meetings.resume_all()
        finally:
            # Only now (unless stopping): a meeting's deadline that fell due while the bot was
            # down shows its step with the members' names, after the word that it restarted.
            task = asyncio.current_task()
            if task is None or not task.cancelling():
                await self.services.scheduler.start()

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

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """Sharded: an event about a server on another process's shards is not this process's
        (Discord sends none; this keeps a stray one from acting there). A message, the most
        frequent event, is decided at once by ``services.messages`` (which checks whose server
        it is where that matters): a task only for real work, none for most messages."""
        if event_name == "message":
            work = self.services.messages.seen(args[0])
            if work is not None:
                self._schedule_event(work, "on_message")
            return
        guild_id = guild_of(args[0]) if args and not isinstance(args[0], str) else None
        if guild_id is not None and not self.services.ownership.owns_guild(guild_id):
            log.warning("Ignored an event for a server on another process's shards")
            return
        super().dispatch(event_name, *args, **kwargs)

    async def on_interaction(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """A press on one of our persistent buttons that this version no longer knows (an old
        message) would otherwise get no answer at all: say so kindly, with the fix."""
        if interaction.type is not discord.InteractionType.component:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if custom_id.startswith(PERSISTENT_PREFIX) and not any(
            item.__discord_ui_compiled_template__.fullmatch(custom_id)
            for item in PERSISTENT_BUTTONS
        ):
            log.warning(STALE_LOG)
            await reply_privately(interaction, render(await private_locale(interaction), STALE))

    async def on_message(self, message: discord.Message, /) -> None:
        """Nothing: the bot has no prefix commands, so discord.py's default (parsing every
        message in every channel for one) would be wasted work. Messages go to
        ``services.messages`` from :meth:`dispatch` (``bench/messages.py`` measures that path)."""

    async def on_ready(self) -> None:
        log.info("Connected to Discord; serving %d server(s)", len(self.guilds))
        if self.serve:
            await self.services.heartbeat.beat()  # healthy from now, not in a few seconds

    async def close(self) -> None:
        for task in (self._resume_task, self._outbox_task):
            if task is not None and not task.done():
                task.cancel()
        self.services.scheduler.pause_firing()  # no deadline starts against closing services
        await self._drain_handlers()
        await self.services.scheduler.stop()  # those under way finish while services still serve
        await self.services.close()
        await super().close()
        await self.store.close()


class ShardedPeerCircle(PeerCircle, commands.AutoShardedBot):
    """The bot over several gateway connections (``SHARD_COUNT``): discord.py's AutoShardedBot
    over this process's shards (``SHARD_IDS``), serving only the guilds on them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.identify_gate = IdentifyGate()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Discord's IDENTIFY limits (bot/runtime/backoff.py): before the first shard, enough
        session starts left today for every shard (else wait for the reset); then shards
        IDENTIFY ``max_concurrency`` at a time, one per rate-limit key every 5 seconds."""
        if initial:
            limits = await self.fetch_session_start_limits()
            self.identify_gate.configure(limits.max_concurrency)
            shards = len(self.services.ownership.shards.ids)
            wait = start_wait(limits.remaining, limits.reset_after, shards)
            if wait:
                log.warning(
                    "Discord allows only %d more connection start(s) today and %d shard(s) need "
                    "one each; waiting %.0fs for the limit to reset",
                    limits.remaining,
                    shards,
                    wait,
                )
                await asyncio.sleep(wait)
        await self.identify_gate.wait(shard_id or 0)
