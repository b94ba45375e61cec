"""Every message the bot sees, in one place: the hot path of a busy server.

discord.py would run each ``on_message`` listener as a task of its own for every message in
every channel. Instead :meth:`MessageListener.seen` is called from ``PeerCircle.dispatch`` and
decides at once, in memory, what a message calls for; only work that needs Discord or the
database becomes a task (one per message at most), and most messages need none:

* **a meeting's channel**: the chair's post shows they're here (the meeting service); anyone
  else's, while someone holds the floor, is checked for crosstalk (a reminder, or hold mode) —
  decided from who posted, never from what was written;
* **any other channel**: someone's first post there may earn them the group's private welcome
  (the newcomer service), once per person, channel and run.

Who posted becomes a pseudonym once per person: the coded key is kept here, in memory only,
keyed by server and user id (never on disk or in a log line), at most :data:`REMEMBERED` of
them, and dropped with forget-me, when a member leaves, and when the bot leaves a server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

import discord

from bot.adapters.crosstalk import MEMBER_MESSAGE_TYPES, post_of
from bot.adapters.newcomer import arrival_by_post
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.runtime.crosstalk import CrosstalkService
from bot.runtime.events import GuildLeft, MemberForgotten
from bot.runtime.live import LiveMeeting, LiveMeetings
from bot.runtime.meetings import MeetingService
from bot.runtime.newcomer import NewcomerService

#: Pseudonyms remembered (then forgotten oldest first; computing one again is all it costs).
REMEMBERED = 20_000

Work = Callable[[], Coroutine[Any, Any, None]]

log = logging.getLogger(__name__)


class MessageListener:
    def __init__(
        self,
        *,
        live: LiveMeetings,
        pseudonyms: Pseudonymizer,
        meetings: MeetingService,
        crosstalk: CrosstalkService,
        newcomer: NewcomerService,
        me: Callable[[], int | None],
        serving: Callable[[], bool] = lambda: True,
        owns_guild: Callable[[int], bool] = lambda guild_id: True,
    ) -> None:
        self._live = live
        self._pseudonyms = pseudonyms
        self._meetings = meetings
        self._crosstalk = crosstalk
        self._newcomer = newcomer
        self._me = me
        self._serving = serving  # `python -m bot sync` and the like welcome nobody
        self._owns_guild = owns_guild  # sharded: only this process's servers (ownership.py)
        self._known: dict[tuple[int, int], Pseudonym] = {}  # (guild, user) -> coded key
        self._chairs_of: tuple[object, tuple[Pseudonym, ...]] = (None, ())  # state -> chairs

    def seen(self, message: discord.Message) -> Work | None:
        """What ``message`` calls for, decided at once: None (nothing to do), or the work to
        run as one task. (Sharded, the meetings under way here are this process's own; a
        welcome checks whose server it is.) This runs inside discord.py's gateway reader, where
        an exception would end the connection: a failure drops this one message (logged by
        kind only: never its words, ids or names) and the next is looked at as usual."""
        try:
            return self._decide(message)
        except Exception as error:
            log.error("A message could not be looked at (%s); skipped it", type(error).__name__)
            return None

    def _decide(self, message: discord.Message) -> Work | None:
        live = self._live.in_channel(message.channel.id)
        if live is None:
            return self._newcomer_work(message)
        author = message.author
        if author.bot:
            return None
        who = self.who(live.group.guild_id, author.id)
        if message.webhook_id is None and message.type in MEMBER_MESSAGE_TYPES:
            crosstalk = self._crosstalk.posted_in(live, who, lambda: post_of(message))
        else:
            crosstalk = None  # a pin, a join, a webhook's post: never crosstalk
        if who not in self._chairs(live):
            return crosstalk
        channel_id = live.group.channel_id

        async def work() -> None:
            await self._meetings.activity(channel_id, who)  # the chair's post: present
            if crosstalk is not None:
                await crosstalk()

        return work

    def _chairs(self, live: LiveMeeting) -> tuple[Pseudonym, ...]:
        """Today's chairs, worked out again only when the meeting's state changed."""
        if live.state is not self._chairs_of[0]:
            self._chairs_of = (live.state, live.chairs)
        return self._chairs_of[1]

    def _newcomer_work(self, message: discord.Message) -> Work | None:
        if not self._serving():
            return None
        arrival = arrival_by_post(message, self._me())
        if arrival is None or not self._owns_guild(arrival.guild_id):
            return None
        if not self._newcomer.welcome_due(arrival, self.who(arrival.guild_id, arrival.user_id)):
            return None  # the common case: tried this run, or a meeting is under way

        async def work() -> None:
            await self._newcomer.arrived(arrival)

        return work

    def who(self, guild_id: int, user_id: int) -> Pseudonym:
        """The member's pseudonym in this server, computed once (kept in memory only)."""
        key = (guild_id, user_id)
        known = self._known.get(key)
        if known is None:
            if len(self._known) >= REMEMBERED:
                del self._known[next(iter(self._known))]
            known = self._known[key] = self._pseudonyms.of(guild_id, user_id)
        return known

    async def member_forgotten(self, event: MemberForgotten) -> None:
        """Forget-me, or a member with rows kept here left the server: their coded key goes
        too. (One who leaves with nothing kept here is not announced; their key stays in memory
        only until it is pushed out by newer ones — at most :data:`REMEMBERED` — or the bot
        stops. It never reaches the disk or a log.)"""
        for key in [k for k, who in self._known.items() if who == event.who]:
            if key[0] == event.guild_id:
                del self._known[key]

    async def guild_left(self, event: GuildLeft) -> None:
        for key in [k for k in self._known if k[0] == event.guild_id]:
            del self._known[key]
