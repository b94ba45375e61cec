"""The composition root: every store, service, adapter and event subscription is built here, once.

Read it top to bottom to answer "what is there?" (:func:`build_services`) and "what happens when
…?" (:func:`subscribe`). Every object gets its collaborators through its constructor; nothing
else in the code assigns another object's attribute, and a cog's ``setup()`` only adds the cog.

Layers (see docs/architecture.md): ``bot/core`` is pure; ``bot/store`` holds the SQL;
``bot/runtime`` holds the services (no ``discord`` import) and their ports; ``bot/adapters``
implements the ports with discord.py; ``bot/ui`` holds the buttons and replies; ``cogs`` are
the slash commands and gateway listeners.
"""

from __future__ import annotations

from pathlib import Path

import discord
import yarl

from bot.adapters.business import DiscordBusiness
from bot.adapters.crosstalk import DiscordCrosstalk
from bot.adapters.decisions import DiscordDecisions
from bot.adapters.meetings import MeetingPresenter
from bot.adapters.messages import MessageListener
from bot.adapters.newcomer import DiscordNewcomer
from bot.adapters.pacing import Pace, paced
from bot.adapters.room_requests import RequestPresenter
from bot.adapters.room_rules import DiscordRoomRules
from bot.adapters.rotation import DiscordRotation
from bot.adapters.schedule import DiscordSchedule
from bot.adapters.voice_floor import DiscordVoiceFloor
from bot.app import PeerCircle, Services, ShardedPeerCircle
from bot.config import Settings
from bot.core.pseudonyms import Pseudonymizer
from bot.guild import Directory
from bot.health import OVERDUE_GRACE, Heartbeat
from bot.metrics import Metrics, MetricsServer
from bot.runtime import markup
from bot.runtime.business import BusinessService
from bot.runtime.clock import Clock
from bot.runtime.crosstalk import CrosstalkService
from bot.runtime.decisions import DecisionService
from bot.runtime.events import (
    Delivery,
    EventBus,
    GuildLeft,
    MeetingClosed,
    MeetingCounted,
    MeetingStepped,
    MemberForgotten,
    ServiceElected,
)
from bot.runtime.formats import FormatLibrary
from bot.runtime.groups import GroupService
from bot.runtime.languages import GroupLanguages
from bot.runtime.live import LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.meetings import MeetingService
from bot.runtime.meetings.requests import RoomRequests
from bot.runtime.newcomer import NewcomerService
from bot.runtime.ownership import Ownership
from bot.runtime.privacy import PrivacyService
from bot.runtime.room_rules import RaidLockService, RoomRulesService
from bot.runtime.rotation import RotationService
from bot.runtime.schedule import ScheduleService
from bot.runtime.scheduler import Scheduler
from bot.runtime.voice_floor import VoiceFloorService
from bot.store import Store, store_for
from bot.ui.meeting import MeetingActions
from bot.ui.routing import FirstDelivery


def build_services(
    client: discord.Client,
    *,
    store: Store,
    clock: Clock,
    scheduler: Scheduler,
    pseudonyms: Pseudonymizer,
    data_dir: Path | None = None,
    metrics: Metrics | None = None,
    metrics_port: int | None = None,
    ownership: Ownership | None = None,
) -> Services:
    """Build every service and adapter for one bot, then subscribe them to each other's events."""
    # SHARD_COUNT/SHARD_IDS: every start-up load, re-arm and drain asks it (bot/runtime/ownership)
    ownership = ownership or Ownership()
    owns_group, owns_guild = ownership.owns_group, ownership.owns_guild
    bus = EventBus(
        outbox=store.event_outbox,
        clock=clock,
        scheduler=scheduler,
        ready=client.wait_until_ready,
        owns_group=owns_group,
    )
    # A disk that was full takes writes again: what waited carries on (bot/store/db.py).
    store.db.when_writable_again(scheduler.carry_on)
    store.db.when_writable_again(bus.resume)
    if clock.rate != 1:  # a rehearsal: countdowns people see count real seconds
        markup.count_down_in_real_time(clock.real_time_of)
    live = LiveMeetings()
    formats = FormatLibrary(store)
    languages = GroupLanguages(store=store, formats=formats)  # each group's (bot/i18n)
    groups = GroupService(store, formats, bus)
    privacy = PrivacyService(store, pseudonyms, clock, scheduler, bus, home=ownership.home)
    directory = Directory(client, pseudonyms)
    decisions = DecisionService(
        store=store,
        clock=clock,
        scheduler=scheduler,
        pseudonyms=pseudonyms,
        formats=formats,
        port=DiscordDecisions(
            client,
            directory=directory,
            repo=store.decisions,
            formats=formats,
            clock=clock,
            languages=languages,
        ),
        locks=GroupLocks(),
        meeting_under_way=lambda group: live.under_way(group.channel_id),
        owns_group=owns_group,
    )
    presenter = MeetingPresenter(client, directory, clock, languages)
    rotation = RotationService(
        store=store,
        clock=clock,
        formats=formats,
        meetings=live,
        locks=GroupLocks(),
        port=DiscordRotation(client, pseudonyms, languages),
        scheduler=scheduler,  # posts an announcement of who is up next a crash left unposted
        languages=languages,
        owns_group=owns_group,
    )
    meetings = MeetingService(
        store=store,
        clock=clock,
        scheduler=scheduler,
        formats=formats,
        live=live,
        locks=GroupLocks(),
        bus=bus,
        port=presenter,
        roles=rotation,
        switches=decisions,
        owns_guild=owns_guild,
    )
    room_port = DiscordRoomRules(client, languages)
    room_rules = RoomRulesService(
        room_port, live, pseudonyms, clock, scheduler, store.room_plans, owns_guild
    )
    schedule = ScheduleService(
        store=store,
        clock=clock,
        scheduler=scheduler,
        formats=formats,
        live=live,
        locks=GroupLocks(),
        port=DiscordSchedule(client, languages),
        opener=meetings,  # a scheduled meeting opens itself through the meeting service
    )
    crosstalk = CrosstalkService(
        DiscordCrosstalk(client),
        live,
        pseudonyms,
        clock,
        message_content=client.intents.message_content,
        values=presenter.values,
        switches=decisions.switches,
        languages=languages,
    )
    newcomer = NewcomerService(
        store=store,
        formats=formats,
        live=live,
        pseudonyms=pseudonyms,
        clock=clock,
        port=DiscordNewcomer(client, directory),
        next_meeting=schedule.next_meeting,  # the welcome says when the next one is
        languages=languages,
    )
    services = Services(
        store=store,
        clock=clock,
        scheduler=scheduler,
        pseudonyms=pseudonyms,
        bus=bus,
        live=live,
        formats=formats,
        languages=languages,
        groups=groups,
        privacy=privacy,
        decisions=decisions,
        presenter=presenter,
        rotation=rotation,
        meetings=meetings,
        meeting_actions=MeetingActions(
            meetings, presenter, pseudonyms, RoomRequests(RequestPresenter(presenter))
        ),
        crosstalk=crosstalk,
        deliveries=FirstDelivery(),
        heartbeat=Heartbeat(
            data_dir or store.db.path.parent,
            connected=lambda: (
                client.is_ready()
                and not client.is_closed()
                and client.ws is not None
                and client.ws.open
            ),
            overdue=lambda: (
                scheduler.overdue(clock.timestamp() - OVERDUE_GRACE * clock.rate)
                if ownership.shards.sharded  # its own deadlines, not another process's
                else store.deadlines.overdue(
                    clock.timestamp() - OVERDUE_GRACE * clock.rate, scheduler.kinds()
                )
            ),
        ),
        voice_floor=VoiceFloorService(
            DiscordVoiceFloor(client, languages),
            live,
            pseudonyms,
            clock,
            scheduler,
            store.floor_plans,
            owns_guild,
        ),
        metrics=None
        if metrics is None or metrics_port is None
        else MetricsServer(
            metrics,
            metrics_port,
            running=lambda: len(meetings.running()),
            pending=lambda: store.deadlines.overdue(float("inf"), scheduler.kinds()),
            overdue=lambda: store.deadlines.overdue(
                clock.timestamp() - OVERDUE_GRACE * clock.rate, scheduler.kinds()
            ),
        ),
        room_rules=room_rules,
        raid_lock=RaidLockService(room_rules, room_port, live, clock, scheduler),  # a raid lock
        business=BusinessService(
            store=store,
            clock=clock,
            scheduler=scheduler,
            formats=formats,
            live=live,
            port=DiscordBusiness(client, directory, languages),
            locks=GroupLocks(),
            bus=bus,  # who is elected: the rotation holds the role for them
            languages=languages,
            owns_group=owns_group,
        ),
        newcomer=newcomer,
        messages=MessageListener(  # every message: decided at once, a task only for work
            live=live,
            pseudonyms=pseudonyms,
            meetings=meetings,
            crosstalk=crosstalk,
            newcomer=newcomer,
            me=lambda: client.user.id if client.user else None,
            serving=lambda: getattr(client, "serve", True),
            owns_guild=owns_guild,
        ),
        schedule=schedule,
        ownership=ownership,
    )
    subscribe(bus, services)
    return services


def subscribe(bus: EventBus, s: Services) -> None:
    """What happens when …: one row per consequence, run in this order."""
    # … a meeting takes a step (after it is committed and shown in the channel)
    bus.subscribe(MeetingStepped, s.rotation.meeting_stepped)  # "… today" roles, who served
    bus.subscribe(MeetingStepped, s.crosstalk.meeting_stepped)  # who may post now
    bus.subscribe(MeetingStepped, s.voice_floor.meeting_stepped)  # who may speak in voice
    bus.subscribe(MeetingStepped, s.room_rules.meeting_stepped)  # who may post; slow mode; lock
    bus.subscribe(MeetingStepped, s.business.meeting_stepped)  # motions, ballots, elections
    # … a meeting counts (its closing, or 15 minutes); carried by the event outbox, written in
    # the transaction that ends the meeting: it happens even if the bot dies right after
    durable = Delivery.DURABLE
    bus.subscribe(MeetingCounted, s.decisions.meeting_counted, durable)  # exclusions, concerns
    bus.subscribe(MeetingCounted, s.rotation.meeting_counted, durable)  # served; who is up next
    # … a meeting closes, counted or not (durable too)
    bus.subscribe(MeetingClosed, s.decisions.meeting_closed, durable)  # decided during it: starts
    bus.subscribe(MeetingClosed, s.schedule.meeting_closed, durable)  # its event done; the next one
    # … a member confirms /privacy forget-me (their rows are already deleted)
    bus.subscribe(MemberForgotten, s.meetings.forget_member)  # out of meetings under way
    bus.subscribe(MemberForgotten, s.rotation.member_forgotten)  # out of the rotation
    bus.subscribe(MemberForgotten, s.room_rules.member_forgotten)  # their overwrite put back
    bus.subscribe(MemberForgotten, s.business.member_forgotten)  # their id out of memory
    bus.subscribe(MemberForgotten, s.newcomer.member_forgotten)  # welcome tried: out of memory
    bus.subscribe(MemberForgotten, s.messages.member_forgotten)  # their coded key: out of memory
    # … a business meeting elects a member to a service role (durable: held in the transaction
    # that decides the election, carried out after the result is posted)
    bus.subscribe(ServiceElected, s.rotation.service_elected, durable)  # they hold the role
    # … the bot is removed from a server (its groups' rows are already deleted)
    bus.subscribe(GuildLeft, s.voice_floor.guild_left)  # nothing to give back there
    bus.subscribe(GuildLeft, s.room_rules.guild_left)  # no channel to put back there
    bus.subscribe(GuildLeft, s.newcomer.guild_left)  # welcomes tried there: out of memory
    bus.subscribe(GuildLeft, s.messages.guild_left)  # coded keys there: out of memory


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at the Discord API and gateway the settings name.

    By default that is Discord itself; ``DISCORD_API_BASE`` / ``DISCORD_GATEWAY_URL`` let a group
    self-host on a Discord-compatible server (and let the tests use a local fake).
    """
    discord.http.Route.BASE = settings.discord_api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def build_bot(settings: Settings, *, serve: bool = True) -> PeerCircle:
    """Build the bot and everything it depends on from the settings."""
    configure_endpoints(settings)
    url = settings.database_url
    store = store_for(url.get_secret_value() if url else None, settings.database_path)
    clock = Clock(rate=settings.clock_rate)
    ownership = Ownership(settings.shards(), store)
    scheduler = Scheduler(
        store.deadlines, clock, ownership.owns_deadline, ownership.drains_at_start()
    )
    pseudonyms = Pseudonymizer(settings.pseudonym_key_bytes())
    metrics = Metrics() if settings.metrics_port is not None and serve else None
    bot_class = ShardedPeerCircle if ownership.shards.sharded else PeerCircle
    bot = bot_class(
        lambda client: build_services(
            client,
            store=store,
            clock=clock,
            scheduler=scheduler,
            pseudonyms=pseudonyms,
            data_dir=settings.data_dir,
            metrics=metrics,
            metrics_port=settings.metrics_port,
            ownership=ownership,
        ),
        shards=ownership.shards,
        http_trace=None if metrics is None else metrics.trace_config(),
        dev_guild_id=settings.dev_guild_id,
        message_content=settings.message_content_intent,
        serve=serve,
    )
    # Under Discord's global limit before Discord has to say so (bot/adapters/pacing.py).
    bot.http.request = paced(bot.http.request, Pace())  # type: ignore[method-assign,assignment]
    return bot
