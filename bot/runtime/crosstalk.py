"""Crosstalk at run time: the pure guard (:mod:`bot.core.crosstalk`) and what it asks of Discord
(:class:`CrosstalkPort`, implemented by :class:`bot.adapters.crosstalk.DiscordCrosstalk`).

* **The hot path** (:meth:`CrosstalkService.watching`, then :meth:`CrosstalkService.on_post`):
  every message the bot sees in any channel costs one dictionary lookup when no meeting runs
  there; only then does the cog turn it into a :class:`Post` (who posted, never what). In a
  meeting channel the decision is made in memory (who posted, who holds the floor) — never from
  what was written, so reminders work without the Message Content intent — and only then is
  anything sent, through the port.
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
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import field
from datetime import datetime
from typing import Any, Protocol

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
    reminder_words,
)
from bot.core.formats.render import render as fill
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting import MeetingState, Status
from bot.core.meeting.effects import ChannelEffect, MeetingEnded, Notice, NoticeKind
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import NotAllowed
from bot.i18n import SOURCE, Msg, msg, msg_n, render
from bot.runtime.clock import Clock
from bot.runtime.events import MeetingStepped
from bot.runtime.languages import GroupLanguages
from bot.runtime.live import LiveMeeting, LiveMeetings
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

#: The format switch that turns hold mode on (``switches: hold-mode: on: true``).
HOLD_SWITCH = "hold-mode"
#: A reminder in the channel stays at least this many real seconds, however fast the clock runs.
MIN_FADE_SECONDS = 5.0

SENT = msg(
    "Sent. The reminder is in the channel, and nobody can see it came from you. "
    "Thank you for looking after the group's space."
)
NO_MEETING_HERE = msg(
    "There's no meeting under way in this channel, so there's nothing to remind about just now."
)
NOT_A_MEMBER_MESSAGE = msg("That message is from me or an app, so there's nobody to remind.")


def not_in_group_text(group: GroupRecord) -> Msg:
    """The kind answer to someone outside the group who asks for a reminder."""
    if group.member_role_id is not None:
        return msg(
            "Reminders here are for members of this group, and Discord doesn't show you as one "
            "(the group's member role). Nothing was posted. If you'd like to join the group, ask "
            "its members how."
        )
    return msg(
        "Reminders here are for members of this group, and Discord doesn't show you as one. "
        "Nothing was posted. If you'd like to join the group, ask its members how."
    )


HOLD_NEEDS_INTENT = msg(
    "This group has chosen hold mode, but I can't hold messages here: I run without Discord's "
    "**Message Content** permission, so I couldn't hand anyone's words back to them. I'll give "
    "gentle reminders instead. (Whoever runs the bot can turn on `MESSAGE_CONTENT_INTENT`.)"
)
HOLD_NEEDS_PERMISSION = msg(
    "This group has chosen hold mode, but I need the **Manage Messages** permission in this "
    "channel to hold a message. Until someone who manages the server gives it to me, I'll give "
    "gentle reminders instead."
)

#: Switches as the group decided them (the format's defaults with the group's decisions on top).
SwitchReader = Callable[[GroupRecord], Awaitable[Mapping[str, bool]]]
#: The values a format text may use (``group``, ``chair`` …), from the presenter.
ValuesOf = Callable[[LiveMeeting], Mapping[str, str]]
#: What a message calls for, to run as one task (:meth:`CrosstalkService.posted`).
Work = Callable[[], Coroutine[Any, Any, None]]
#: The Discord message as the cog received it: only the adapter looks inside (to hand a held
#: message back word for word); the service never reads it, and nothing keeps it.
Message = Any


@lazy_dataclass(frozen=True)
class Poster:
    """Who wrote a message, as far as crosstalk cares."""

    user_id: int
    is_bot: bool


@lazy_dataclass(frozen=True)
class Post:
    """A message seen in a channel: who posted it and what kind of message it is, never what
    it says. Built by the cog only for a channel with a meeting under way."""

    channel_id: int
    guild_id: int | None  # None: not in a server
    author: Poster
    by_a_member: bool  # a member's own words (not a webhook, a join, a pin …)
    message_id: int
    message: Message = field(default=None, repr=False, compare=False)


class CrosstalkPort(Protocol):
    """What crosstalk asks of Discord. Never raises: a refusal is logged and answered."""

    async def post_reminder(
        self, group: GroupRecord, text: str, *, fades_after: float | None
    ) -> bool:
        """Post in the group's channel, pinging nobody, replying to nothing; it disappears
        after ``fades_after`` real seconds (None: it stays). False if it could not be posted."""

    async def remind_privately(self, post: Post, text: str) -> None:
        """Send ``text`` to the post's author by DM (nothing happens if their DMs are closed)."""

    async def hand_back(self, post: Post, note: str) -> bool:
        """Send the held message back to its author by DM, word for word after ``note``, and
        only then delete it. False (the message stays, and a reminder is given instead) if its
        words can't travel by DM or Discord refused to remove it."""

    def can_manage_messages(self, group: GroupRecord) -> bool:
        """Whether the bot may delete others' messages in the group's channel (True when it
        can't tell yet)."""


def refusal_text(refused: Refused, clock_rate: float) -> Msg:
    """A refused request, in kind private words."""
    match refused.reason:
        case ReminderRefusal.NO_MEETING:
            return msg(
                "Reminders are for the parts of a meeting where the group has guidelines about "
                "crosstalk, and none is running here right now."
            )
        case ReminderRefusal.JUST_REMINDED:
            return msg(
                "A gentle reminder is already on screen, so I won't add another. "
                "Thank you for caring about the group's space."
            )
        case ReminderRefusal.PLEASE_WAIT:
            return _ask_again(_real_seconds(refused.retry_after_seconds, clock_rate))
        case ReminderRefusal.SHARER:
            return msg(
                "That message is from the person sharing — it's their floor, so no reminder "
                "is needed."
            )
        case ReminderRefusal.ALREADY_REMINDED:
            return msg(
                "There's already been a gentle reminder about that during this share. "
                "Thank you for looking out for the group."
            )
    return msg("I can't send a reminder right now.")


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


@lazy_dataclass
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
        port: CrosstalkPort,
        meetings: LiveMeetings,
        pseudonyms: Pseudonymizer,
        clock: Clock,
        *,
        message_content: bool,
        values: ValuesOf,
        switches: SwitchReader | None = None,
        rules: ReminderRules | None = None,
        languages: GroupLanguages | None = None,
    ) -> None:
        self._port = port
        self._languages = languages
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
            words = render(await self._language(live), problem)
            await self._port.post_reminder(live.group, words, fades_after=None)

    async def _language(self, live: LiveMeeting) -> str:
        """The group's language: what the channel reads, and the DMs the bot sends on its own
        (English when no languages were handed in)."""
        if self._languages is None:
            return SOURCE
        return await self._languages.of_group(live.group)

    def _hold_mode(self, live: LiveMeeting, *, wanted: bool) -> tuple[HoldMode, Msg | None]:
        if not wanted:
            return HoldMode.OFF, None
        if not self._message_content:
            return HoldMode.NEEDS_INTENT, HOLD_NEEDS_INTENT
        if not self._port.can_manage_messages(live.group):
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

    def watching(self, channel_id: int) -> bool:
        """Whether a meeting runs in this channel: one dictionary lookup, asked first."""
        return self._meetings.in_channel(channel_id) is not None

    async def on_post(self, post: Post) -> None:
        """A message in a channel (the cog asked :meth:`watching` first)."""
        work = self.posted(post)
        if work is not None:
            await work()

    def posted(self, post: Post) -> Work | None:
        """The hot path, decided at once and in memory: None when a message calls for nothing
        (the common case — no meeting here, the sharer's own words, a reminder already given),
        otherwise the work it calls for (a reminder, or a held message handed back), to run."""
        live = self._meetings.in_channel(post.channel_id)
        if live is None or post.author.is_bot or not post.by_a_member or post.guild_id is None:
            return None
        who = self._pseudonyms.of(post.guild_id, post.author.user_id)
        return self.posted_in(live, who, lambda: post)

    def posted_in(self, live: LiveMeeting, who: Pseudonym, post: Callable[[], Post]) -> Work | None:
        """:meth:`posted` for a member's own message (not a bot's, a webhook's or a system
        message) in ``live``'s channel, by ``who``; ``post`` makes its :class:`Post` if needed."""
        watch = self._watches.get(live.id) or self._watch(live)
        situation = watch.now_in_force(live)
        if situation.floor is None:
            return None  # nobody holds the floor: nothing to guard (the guard says the same)
        now = self._clock.now()
        decision: Decision = watch.guard.on_post(situation, who, now)
        if isinstance(decision, Hold):
            note = decision.note
            return lambda: self._hold(live, watch, situation, post(), (who, note), now)
        if isinstance(decision, Remind):
            remind, made = decision, post()
            return lambda: self._remind(live, remind, made)
        return None

    async def _hold(
        self,
        live: LiveMeeting,
        watch: _Watch,
        situation: Situation,
        post: Post,
        held: tuple[Pseudonym, Msg],
        now: datetime,
    ) -> None:
        """Hand a held message back to its author with the hold's note; if that fails, it
        stays, and a reminder may be due instead."""
        who, words = held
        note = render(await self._language(live), words)
        if await self._port.hand_back(post, note):
            return
        decision = watch.guard.hold_failed(situation, who, now)
        if isinstance(decision, Remind):
            await self._remind(live, decision, post)

    async def _words(self, live: LiveMeeting, remind: Remind) -> str:
        """The reminder in the group's language (a format's own words as written), its
        ``${placeholders}`` filled in."""
        said = render(await self._language(live), reminder_words(remind.text))
        return fill(said, self._values(live))

    async def _remind(self, live: LiveMeeting, remind: Remind, post: Post) -> None:
        text = await self._words(live, remind)
        if remind.to_poster:
            await self._port.remind_privately(post, text)
            return
        await self._post(live, text, remind.fades_after_seconds)

    # --- requested reminders -------------------------------------------------------------------

    async def request(
        self,
        channel_id: int | None,
        guild_id: int | None,
        requester_id: int,
        about: Poster | None = None,
        *,
        member: Callable[[GroupRecord], bool],
    ) -> Remind:
        """A member asks for a gentle reminder; returns it to post, or raises a kind refusal.

        ``member`` says whether the requester is a member of a group (the cog asks
        :func:`bot.guild.in_group`, the one membership rule): someone outside it is told so, and
        nothing is posted."""
        live = self._meetings.in_channel(channel_id)
        if live is None or guild_id is None:
            raise NotAllowed(NO_MEETING_HERE)
        if not member(live.group):
            raise NotAllowed(not_in_group_text(live.group))
        if about is not None and about.is_bot:
            raise NotAllowed(NOT_A_MEMBER_MESSAGE)
        watch = self._watch(live)
        requester = self._pseudonyms.of(guild_id, requester_id)
        subject: Pseudonym | None = (
            None if about is None else self._pseudonyms.of(guild_id, about.user_id)
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
        text = await self._words(live, remind)
        return await self._post(live, text, remind.fades_after_seconds)

    async def _post(self, live: LiveMeeting, text: str, fades_after: int | None) -> bool:
        """A reminder in the channel, fading after its clock seconds (at least a few real ones)."""
        delay = None
        if fades_after is not None:
            delay = max(MIN_FADE_SECONDS, fades_after / self._clock.rate)
        return await self._port.post_reminder(live.group, text, fades_after=delay)


def _real_seconds(clock_seconds: int, rate: float) -> int:
    return max(1, math.ceil(clock_seconds / rate))


def _ask_again(seconds: int) -> Msg:
    """When a member who just asked for a reminder may ask again (real seconds)."""
    if seconds < 60:
        return msg_n(
            "You asked for a reminder a moment ago. So that reminders stay gentle, you can ask "
            "again in about {n} second.",
            "You asked for a reminder a moment ago. So that reminders stay gentle, you can ask "
            "again in about {n} seconds.",
            seconds,
        )
    return msg_n(
        "You asked for a reminder a moment ago. So that reminders stay gentle, you can ask "
        "again in about {n} minute.",
        "You asked for a reminder a moment ago. So that reminders stay gentle, you can ask "
        "again in about {n} minutes.",
        math.ceil(seconds / 60),
    )
