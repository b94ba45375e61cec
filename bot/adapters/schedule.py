"""The schedule's :class:`~bot.runtime.schedule.SchedulePort` on Discord: the server's scheduled
event for the next meeting, and a quiet post in the group's channel.

The event follows Discord's field requirements by entity type: a group meeting in a voice (or
stage) channel gets a ``VOICE`` (``STAGE_INSTANCE``) event in that channel; a text channel gets
an ``EXTERNAL`` event whose location names the channel, with the end time Discord requires.
Requests go straight to Discord's scheduled-event routes, so the bot never asks for the count or
the list of who is interested. Discord's 403 becomes
:class:`~bot.runtime.schedule.EventsNotAllowed`; a 404 (someone deleted the event) says it's gone.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import discord

from bot.errors import DiscordGone, DiscordRefused
from bot.guild import post_quietly, refusals
from bot.i18n import SOURCE, Msg, msg, render
from bot.runtime.languages import GroupLanguages
from bot.runtime.schedule import EventPlan, EventsNotAllowed, EventStatus
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

GUILD_ONLY = 2
STAGE_INSTANCE, VOICE, EXTERNAL = 1, 2, 3


class DiscordSchedule:
    def __init__(self, client: discord.Client, languages: GroupLanguages | None = None) -> None:
        self._client = client
        self._languages = languages  # the group's language for what the channel is told

    async def _locale(self, group: GroupRecord) -> str:
        return SOURCE if self._languages is None else await self._languages.of_group(group)

    def _where(self, group: GroupRecord, locale: str) -> dict[str, Any]:
        channel = self._client.get_channel(group.channel_id)
        if isinstance(channel, discord.StageChannel):
            return {"entity_type": STAGE_INSTANCE, "channel_id": channel.id}
        if isinstance(channel, discord.VoiceChannel):
            return {"entity_type": VOICE, "channel_id": channel.id}
        name = getattr(channel, "name", None)
        location = render(
            locale,
            msg("#{channel} on this server", channel=name)
            if name
            else msg("The group's channel on this server"),
        )
        return {
            "entity_type": EXTERNAL,
            "channel_id": None,
            "entity_metadata": {"location": location[:100]},
        }

    async def _payload(self, group: GroupRecord, plan: EventPlan) -> dict[str, Any]:
        locale = await self._locale(group)
        return {
            "name": plan.name,
            "description": render(locale, plan.description)[:1000],
            "privacy_level": GUILD_ONLY,
            "scheduled_start_time": plan.start.isoformat(),
            "scheduled_end_time": plan.end.isoformat(),
            **self._where(group, locale),
        }

    async def create_event(self, group: GroupRecord, plan: EventPlan) -> int:
        """Create the event — unless the bot's own event for this very meeting is already there
        (a crash came between creating it and keeping its id): Discord has no nonce for events,
        so the list (without any count of who is interested) is read first."""
        payload = await self._payload(group, plan)
        try:
            with refusals("create the next meeting's event"):
                existing = await self._already_made(group, payload)
                if existing is not None:
                    return existing
                made = await self._client.http.create_guild_scheduled_event(
                    group.guild_id, **payload
                )
        except DiscordRefused:
            raise EventsNotAllowed from None
        log.info("Created the scheduled event for a group's next meeting")
        return int(made["id"])

    async def _already_made(self, group: GroupRecord, payload: dict[str, Any]) -> int | None:
        me = self._client.user
        events = await self._client.http.get_scheduled_events(group.guild_id, False)
        for event in events:
            same = (
                me is not None
                and event.get("creator_id") == str(me.id)
                and event.get("status") == int(EventStatus.SCHEDULED)
                and event.get("name") == payload["name"]
                and _instant(event.get("scheduled_start_time"))
                == _instant(payload["scheduled_start_time"])
            )
            if same:
                log.info("Found the scheduled event made before a restart; keeping it")
                return int(event["id"])
        return None

    async def edit_event(self, group: GroupRecord, event_id: int, plan: EventPlan) -> bool:
        return await self._edit(group, event_id, await self._payload(group, plan))

    async def set_status(self, group: GroupRecord, event_id: int, status: EventStatus) -> bool:
        return await self._edit(group, event_id, {"status": int(status)})

    async def _edit(self, group: GroupRecord, event_id: int, payload: dict[str, Any]) -> bool:
        try:
            with refusals("change the next meeting's event"):
                await self._client.http.edit_scheduled_event(group.guild_id, event_id, **payload)
        except DiscordRefused:
            raise EventsNotAllowed from None
        except DiscordGone:
            return False
        except discord.HTTPException as error:
            # e.g. a status Discord no longer allows (an event someone ended by hand)
            log.warning("Discord didn't change a scheduled event (%s)", error.code)
            return False
        return True

    async def tell(self, group: GroupRecord, text: Msg | str) -> None:
        locale = await self._locale(group)
        await post_quietly(self._client, group, render(locale, text))


def _instant(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
