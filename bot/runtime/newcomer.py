"""Between meetings: ``/resources``, ``/newcomer``, and the private welcome someone gets the
first time they post in (or join the voice of) a group's meeting channel.

The welcome, step by step (:meth:`NewcomerService.arrived`):

* never during a meeting (people then see the meeting's own words), never for a bot (the cog
  leaves bots and the bot itself out before calling), never in a channel that is no group's;
* at most once per person and group: a row keyed by their coded key is *claimed* before the
  private message is sent (``newcomer_welcomes``, bot/store/welcomes.py), so two posts at once
  send one welcome; the row goes after 90 days, with forget-me, or when they leave the server;
* if Discord refuses the private message (they don't accept messages from server members:
  50007), the claim is deleted — nothing is kept about someone who never got it — and it is not
  tried again while the bot runs (who was tried is kept in memory only, by coded key).

Who posted is all it needs: never what they wrote (no Message Content intent).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Protocol

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.newcomer import orientation, welcome
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.core.resources import SETTING_NAME, chosen, resources_lines
from bot.errors import NoGroupHere, StorageUnavailable
from bot.i18n import Msg
from bot.runtime.clock import Clock
from bot.runtime.events import GuildLeft, MemberForgotten
from bot.runtime.formats import FormatLibrary
from bot.runtime.languages import GroupLanguages
from bot.runtime.live import LiveMeetings
from bot.runtime.markup import when
from bot.store import Store
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

#: Who was tried this run, at most this many (then forgotten, oldest first: a second try
#: after that is only a claim the database refuses).
TRIED_LIMIT = 20_000

NextMeeting = Callable[[GroupRecord], Awaitable[datetime | None]]


async def no_schedule(group: GroupRecord) -> datetime | None:
    """Until the group's schedule is known here, the welcome leaves the next meeting out."""
    return None


class NewcomerPort(Protocol):
    async def send_privately(
        self, guild_id: int, user_id: int, lines: Sequence[Msg | str], locale: str
    ) -> bool:
        """Send ``lines``, in ``locale``, to the member by private message; False if Discord
        refused it (their private messages are closed: 50007) or they are gone."""
        ...


@lazy_dataclass(frozen=True)
class Arrival:
    """Someone (not a bot) posted in, or joined the voice of, a channel."""

    guild_id: int
    channel_id: int
    user_id: int


class Welcomed(Enum):
    SENT = "sent"
    ALREADY = "already"  # sent before (or tried this run)
    NO_GROUP = "no group"
    MEETING = "meeting under way"
    REFUSED = "refused"  # Discord didn't deliver it: nothing kept
    UNSAVED = "unsaved"  # the database can't be written just now: not sent


class NewcomerService:
    def __init__(
        self,
        *,
        store: Store,
        formats: FormatLibrary,
        live: LiveMeetings,
        pseudonyms: Pseudonymizer,
        clock: Clock,
        port: NewcomerPort,
        next_meeting: NextMeeting = no_schedule,
        languages: GroupLanguages | None = None,
    ) -> None:
        self._store = store
        self._formats = formats
        self._live = live
        self._pseudonyms = pseudonyms
        self._clock = clock
        self._port = port
        self._next_meeting = next_meeting
        self._languages = languages or GroupLanguages(store=store, formats=formats)
        # (guild, channel, coded key) -> None: tried this run (a dict keeps insertion order).
        self._tried: dict[tuple[int, int, Pseudonym], None] = {}

    # --- /resources and /newcomer ----------------------------------------------------------

    async def resources(self, channel_id: int | None) -> list[Msg | str]:
        """What ``/resources`` shows here, line by line: the group's list, or the kind
        default (the cog renders it in the member's language and cuts it into pages)."""
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        if group is None:
            return resources_lines((), in_group=False)
        plan = await self._formats.current(group)
        decided = (await self._store.decisions.settings(group.id)).get(SETTING_NAME)
        return resources_lines(chosen(plan.resources, decided), in_group=True)

    async def orientation(self, channel_id: int | None) -> list[Msg | str]:
        """``/newcomer``: how this group's meetings go, line by line."""
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        if group is None:
            raise NoGroupHere
        return orientation(await self._formats.current(group))

    # --- the welcome -------------------------------------------------------------------------

    def welcome_due(self, arrival: Arrival, who: Pseudonym) -> bool:
        """Whether a welcome may be due (asked at once, in memory, on every post): False during
        a meeting there and for whoever was tried this run (``who``: their coded key)."""
        if self._live.under_way(arrival.channel_id):
            return False
        return (arrival.guild_id, arrival.channel_id, who) not in self._tried

    async def arrived(self, arrival: Arrival) -> Welcomed:
        if self._live.under_way(arrival.channel_id):
            return Welcomed.MEETING  # the meeting's own words say it all
        who = self._pseudonyms.of(arrival.guild_id, arrival.user_id)
        key = (arrival.guild_id, arrival.channel_id, who)
        if key in self._tried:
            return Welcomed.ALREADY  # the common case: one dictionary lookup
        self._remember(key)
        group = await self._store.groups.by_channel(arrival.channel_id)
        if group is None or group.guild_id != arrival.guild_id:
            return Welcomed.NO_GROUP
        try:
            if not await self._store.welcomes.claim(group.id, who, self._clock.timestamp()):
                return Welcomed.ALREADY
        except StorageUnavailable:
            return Welcomed.UNSAVED  # the disk is full: better no welcome than two
        try:
            lines = await self._welcome_lines(group)
            locale = await self._languages.of_group(group)  # no member locale outside a command
            sent = await self._port.send_privately(arrival.guild_id, arrival.user_id, lines, locale)
        except Exception:
            await self._unclaim(group.id, who)
            raise
        if not sent:
            await self._unclaim(group.id, who)
            log.info("A newcomer's welcome could not be delivered; nothing of it is kept")
            return Welcomed.REFUSED
        log.info("A newcomer was welcomed privately")
        return Welcomed.SENT

    async def _unclaim(self, group_id: int, who: Pseudonym) -> None:
        # On a full disk the claim stays, and goes with the 90-day sweep: never a welcome twice.
        with contextlib.suppress(StorageUnavailable):
            await self._store.welcomes.unclaim(group_id, who)

    async def _welcome_lines(self, group: GroupRecord) -> list[Msg | str]:
        plan = await self._formats.current(group)
        moment = await self._next_meeting(group)
        return welcome(plan, group.channel_id, when(moment) if moment else None)

    def _remember(self, key: tuple[int, int, Pseudonym]) -> None:
        if len(self._tried) >= TRIED_LIMIT:
            del self._tried[next(iter(self._tried))]
        self._tried[key] = None

    # --- events --------------------------------------------------------------------------------

    async def member_forgotten(self, event: MemberForgotten) -> None:
        """Forget-me (or leaving the server): their row is already deleted; drop them from
        memory too, so nothing about them is left."""
        for key in [k for k in self._tried if k[0] == event.guild_id and k[2] == event.who]:
            del self._tried[key]

    async def guild_left(self, event: GuildLeft) -> None:
        for key in [k for k in self._tried if k[0] == event.guild_id]:
            del self._tried[key]
