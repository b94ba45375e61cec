"""The requests' side of Discord (:class:`~bot.runtime.meetings.requests.RequestPort`): a topic
or a milestone posted in the meeting's channel without a name, a request passed to the chair
by a private message without a name. The member's words are sent and not kept; no mention in
them pings anyone."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.adapters import meeting_words as words
from bot.runtime.live import LiveMeeting
from bot.runtime.meetings.requests import Chooser

if TYPE_CHECKING:
    from bot.adapters.meetings import MeetingPresenter

log = logging.getLogger(__name__)


class RequestPresenter:
    """Shows what members ask, through the meeting's presenter (its channel and members)."""

    def __init__(self, presenter: MeetingPresenter) -> None:
        self._presenter = presenter

    async def _in_room(self, live: LiveMeeting, text: str) -> bool:
        try:
            await self._presenter._channel(live).send(
                text, allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException:
            log.info("A member's words could not be posted in a meeting's channel")
            return False
        return True

    async def topic_chosen(self, live: LiveMeeting, topic: str, chooser: Chooser | None) -> bool:
        locale = await self._presenter.speaks(live)
        return await self._in_room(live, words.topic_words(topic, chooser, locale=locale))

    async def milestone(self, live: LiveMeeting, what: str) -> bool:
        locale = await self._presenter.speaks(live)
        return await self._in_room(live, words.milestone_words(what, locale=locale))

    async def for_chair(self, live: LiveMeeting, text: str, title: str) -> bool:
        chairs = live.chairs
        member = self._presenter.member(live, chairs[0]) if chairs else None
        if member is None:
            return False
        locale = await self._presenter.speaks(live)
        note = words.chair_request_words(text, title, live.group.channel_id, locale=locale)
        try:
            await member.send(note, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            log.info("A private request could not be passed to the chair (DMs closed)")
            return False
        return True
