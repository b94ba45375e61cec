"""Crosstalk at run time: the pure guard (:mod:`bot.core.crosstalk`) wired to Discord.

* **The hot path** (:meth:`CrosstalkService.on_message`): every message the bot sees in any
  channel costs one dictionary lookup when no meeting runs there. In a meeting channel the
  decision is made in memory (who posted, who holds the floor) — never from what was written, so
  reminders work without the Message Content intent — and only then is anything sent.
* **Reminders** are posted with ``AllowedMentions.none()``, name nobody, reply to no message (a
  reply would show whom it is about), and fade after a short while (``delete_after``).
* **Requested reminders** (``/remind``, **Gentle reminder**): posted in the channel without
  naming who asked; the requester is answered privately. Cool-downs live in the guard, in memory.
* **Hold mode**: the group turns it on with the format switch :data:`HOLD_SWITCH` (in the format,
  or by a group decision). It works only when the bot runs with the Message Content intent
  (setting ``MESSAGE_CONTENT_INTENT``) and may manage messages in the channel; otherwise the
  group is told once, plainly, and reminders are used. A held message is first sent back to its
  author by DM, word for word, and only then deleted; if the DM fails the message stays and a
  reminder is given instead, so a member's words are never lost.

Nothing here is stored or logged: not who was reminded, who asked, or how often. The guards are
dropped when their meeting ends.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import discord

from bot.core.crosstalk import (
    NO_POLICY,
    CrosstalkGuard,
    Decision,
    Floor,
    Hold,
    HoldMode,
    Refused,
    Remind,
    ReminderRefusal,
    ReminderRules,
    Situation,
)
from bot.core.formats.render import render
from bot.core.meeting import MeetingState, Status
from bot.core.meeting.effects import ChannelEffect, MeetingEnded, Notice, NoticeKind
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import NotAllowed
from bot.runtime.clock import Clock
from bot.runtime.events import MeetingStepped
from bot.runtime.live import LiveMeeting, LiveMeetings
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

#: The format switch that turns hold mode on (``switches: hold-mode: on: true``).
HOLD_SWITCH = "hold-mode"
#: A reminder in the channel stays at least this many real seconds, however fast the clock runs.
MIN_FADE_SECONDS = 5.0
MESSAGE_LIMIT = 2000
#: Message types a member writes; joins, pins and the like are never crosstalk.
MEMBER_MESSAGE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})

SENT = (
    "Sent. The reminder is in the channel, and nobody can see it came from you. "
    "Thank you for looking after the group's space."
)
NO_MEETING_HERE = (
    "There's no meeting under way in this channel, so there's nothing to remind about just now."
)
NOT_A_MEMBER_MESSAGE = "That message is from me or an app, so there's nobody to remind."
HOLD_NEEDS_INTENT = (
    "This group has chosen hold mode, but I can't hold messages here: I run without Discord's "
    "**Message Content** permission, so I couldn't hand anyone's words back to them. I'll give "
    "gentle reminders instead. (Whoever runs the bot can turn on `MESSAGE_CONTENT_INTENT`.)"
)
HOLD_NEEDS_PERMISSION = (
    "This group has chosen hold mode, but I need the **Manage Messages** permission in this "
    "channel to hold a message. Until someone who manages the server gives it to me, I'll give "
    "gentle reminders instead."
)

#: Switches as the group decided them (the format's defaults with the group's decisions on top).
SwitchReader = Callable[[GroupRecord], Awaitable[Mapping[str, bool]]]
#: The values a format text may use (``group``, ``chair`` …), from the presenter.
ValuesOf = Callable[[LiveMeeting], Mapping[str, str]]


def refusal_text(refused: Refused, clock_rate: float) -> str:
    """A refused request, in kind private words."""
    match refused.reason:
        case ReminderRefusal.NO_MEETING:
            return (
                "Reminders are for the parts of a meeting where the group has guidelines about "
                "crosstalk, and none is running here right now."
            )
        case ReminderRefusal.JUST_REMINDED:
            return (
                "A gentle reminder is already on screen, so I won't add another. "
                "Thank you for caring about the group's space."
            )
        case ReminderRefusal.PLEASE_WAIT:
            wait = _real_seconds(refused.retry_after_seconds, clock_rate)
            return (
                "You asked for a reminder a moment ago. So that reminders stay gentle, you can "
                f"ask again {_in_about(wait)}."
            )
        case ReminderRefusal.SHARER:
            return (
                "That message is from the person sharing — it's their floor, so no reminder "
                "is needed."
            )
        case ReminderRefusal.ALREADY_REMINDED:
            return (
                "There's already been a gentle reminder about that during this share. "
                "Thank you for looking out for the group."
            )
    return "I can't send a reminder right now."


def situation_of(live: LiveMeeting) -> Situation:
    """What is in force in the meeting's channel now (policy of the section, who shares)."""
    state = live.state
    if state.status is Status.ENDED or state.step is None:
        return NO_POLICY
    section = live.plan.sections[state.step.index]
    turn = state.floor.turn
    if state.status is Status.PAUSED or turn is None:
        return Situation.of(section, None)
    return Situation.of(section, Floor(turn.who, turn.started_at))


def switches_of(live: LiveMeeting) -> dict[str, bool]:
    """The format's switch defaults with what this meeting started with on top."""
    values = {switch.name: switch.default for switch in live.plan.switches}
    values.update(dict(live.state.switches))
    return values


@dataclass
class _Watch:
    """One meeting's crosstalk memory: the guard, and the situation for the state it was built
    from (rebuilt only when the meeting's state object changes)."""

    guard: CrosstalkGuard
    state: MeetingState | None = None
    situation: Situation = NO_POLICY
    refined: bool = False  # the group's own switch decisions were read

    def now_in_force(self, live: LiveMeeting) -> Situation:
        if self.state is not live.state:
            self.state = live.state
            self.situation = situation_of(live)
        return self.situation


class CrosstalkService:
    def __init__(
        self,
        client: discord.Client,
        meetings: LiveMeetings,
        pseudonyms: Pseudonymizer,
        clock: Clock,
        *,
        message_content: bool,
        values: ValuesOf,
        switches: SwitchReader | None = None,
        rules: ReminderRules | None = None,
    ) -> None:
        self._client = client
        self._meetings = meetings
        self._pseudonyms = pseudonyms
        self._clock = clock
        self._message_content = message_content
        self._values = values
        self._switches = switches
        self._rules = rules or ReminderRules()
        self._watches: dict[int, _Watch] = {}  # meeting id -> watch; memory only

    # --- meetings tell us where they are ------------------------------------------------------

    async def meeting_stepped(self, event: MeetingStepped) -> None:
        await self.on_step(event.meeting, event.effects)

    async def on_step(self, live: LiveMeeting, effects: Sequence[ChannelEffect]) -> None:
        """A meeting listener: forget a meeting that ended; settle hold mode for a new one."""
        if any(isinstance(effect, MeetingEnded) for effect in effects):
            self._watches.pop(live.id, None)
            return
        watch = self._watches.get(live.id)
        if watch is not None and watch.refined:
            return
        decided = dict(switches_of(live))
        if self._switches is not None:
            try:
                decided.update(await self._switches(live.group))
            except Exception:
                log.exception("Could not read a group's switches; using its format's")
        hold, problem = self._hold_mode(live, wanted=decided.get(HOLD_SWITCH, False))
        watch = self._watch(live)
        watch.guard.hold = hold
        watch.refined = True
        restarted = any(
            isinstance(e, Notice) and e.kind is NoticeKind.RESUMED_AFTER_RESTART for e in effects
        )
        if problem is not None and not restarted:
            await self._post(live, problem)

    def _hold_mode(self, live: LiveMeeting, *, wanted: bool) -> tuple[HoldMode, str | None]:
        if not wanted:
            return HoldMode.OFF, None
        if not self._message_content:
            return HoldMode.NEEDS_INTENT, HOLD_NEEDS_INTENT
        channel = self._client.get_channel(live.group.channel_id)
        guild = getattr(channel, "guild", None)
        me = guild.me if isinstance(guild, discord.Guild) else None
        if (
            isinstance(channel, discord.abc.GuildChannel)
            and me is not None
            and not channel.permissions_for(me).manage_messages
        ):
            return HoldMode.OFF, HOLD_NEEDS_PERMISSION
        return HoldMode.ON, None

    def _watch(self, live: LiveMeeting) -> _Watch:
        watch = self._watches.get(live.id)
        if watch is None:
            guard = CrosstalkGuard(self._rules)
            guard.hold, _ = self._hold_mode(live, wanted=switches_of(live).get(HOLD_SWITCH, False))
            watch = self._watches[live.id] = _Watch(guard)
        return watch

    # --- the hot path -------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        live = self._meetings.in_channel(message.channel.id)
        if live is None:
            return  # the common case: one dictionary lookup
        author = message.author
        if (
            author.bot
            or message.webhook_id is not None
            or message.type not in MEMBER_MESSAGE_TYPES
            or message.guild is None
        ):
            return
        watch = self._watch(live)
        situation = watch.now_in_force(live)
        who = self._pseudonyms.of(message.guild.id, author.id)
        now = self._clock.now()
        decision: Decision = watch.guard.on_post(situation, who, now)
        if isinstance(decision, Hold):
            if await self._hold(message, decision):
                return
            decision = watch.guard.hold_failed(situation, who, now)
        if isinstance(decision, Remind):
            await self._remind(live, decision, message.author)

    async def _hold(self, message: discord.Message, hold: Hold) -> bool:
        """DM the message back to its author, then remove it. False: it stays where it is."""
        text = message.content
        if not text.strip() or message.attachments or message.stickers or message.poll:
            # Blank content (the intent is missing after all) or something a DM can't carry:
            # holding would lose it, so it stays.
            return False
        try:
            for part in _dm_parts(hold.note, text):
                await message.author.send(part, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            return False  # DMs closed: the words stay in the channel
        try:
            await message.delete()
        except discord.NotFound:
            pass  # already gone; its author has the words
        except discord.HTTPException:
            log.warning("A held message could not be removed (missing Manage Messages?)")
        return True

    async def _remind(
        self, live: LiveMeeting, remind: Remind, author: discord.User | discord.Member
    ) -> None:
        text = render(remind.text, self._values(live))
        if remind.to_poster:
            try:
                await author.send(text, allowed_mentions=discord.AllowedMentions.none())
            except discord.HTTPException:
                log.info("A private reminder could not be delivered (DMs closed)")
            return
        await self._post(live, text, fades_after=remind.fades_after_seconds)

    # --- requested reminders -------------------------------------------------------------------

    async def request(
        self,
        channel_id: int | None,
        guild_id: int | None,
        requester_id: int,
        about: discord.abc.User | None = None,
    ) -> Remind:
        """A member asks for a gentle reminder; returns it to post, or raises a kind refusal."""
        live = self._meetings.in_channel(channel_id)
        if live is None or guild_id is None:
            raise NotAllowed(NO_MEETING_HERE)
        if about is not None and about.bot:
            raise NotAllowed(NOT_A_MEMBER_MESSAGE)
        watch = self._watch(live)
        requester = self._pseudonyms.of(guild_id, requester_id)
        subject: Pseudonym | None = (
            None if about is None else self._pseudonyms.of(guild_id, about.id)
        )
        answer = watch.guard.on_request(
            watch.now_in_force(live), requester, self._clock.now(), about=subject
        )
        if isinstance(answer, Refused):
            raise NotAllowed(refusal_text(answer, self._clock.rate))
        return answer

    async def post_requested(self, channel_id: int | None, remind: Remind) -> bool:
        live = self._meetings.in_channel(channel_id)
        if live is None:
            return False
        text = render(remind.text, self._values(live))
        return await self._post(live, text, fades_after=remind.fades_after_seconds) is not None

    # --- sending -------------------------------------------------------------------------------

    async def _post(
        self, live: LiveMeeting, text: str, *, fades_after: int | None = None
    ) -> discord.Message | None:
        channel = self._client.get_partial_messageable(
            live.group.channel_id, guild_id=live.group.guild_id
        )
        quiet = discord.AllowedMentions.none()
        try:
            if fades_after is None:
                return await channel.send(text[:MESSAGE_LIMIT], allowed_mentions=quiet)
            delay = max(MIN_FADE_SECONDS, fades_after / self._clock.rate)
            return await channel.send(
                text[:MESSAGE_LIMIT], allowed_mentions=quiet, delete_after=delay
            )
        except discord.Forbidden:
            log.warning("Missing permission to post a reminder in a meeting channel")
        except discord.HTTPException:
            log.warning("Could not post a reminder in a meeting channel")
        return None


def _dm_parts(note: str, text: str) -> list[str]:
    """The kind note and the member's exact words, in as few messages as Discord allows."""
    together = f"{note}\n\n{text}"
    if len(together) <= MESSAGE_LIMIT:
        return [together]
    return [note, *(text[i : i + MESSAGE_LIMIT] for i in range(0, len(text), MESSAGE_LIMIT))]


def _real_seconds(clock_seconds: int, rate: float) -> int:
    return max(1, math.ceil(clock_seconds / rate))


def _in_about(seconds: int) -> str:
    if seconds < 60:
        return f"in about {seconds} second{'s' * (seconds != 1)}"
    minutes = math.ceil(seconds / 60)
    return f"in about {minutes} minute{'s' * (minutes != 1)}"
