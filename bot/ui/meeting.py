"""The meeting's buttons and what a member's action does: one route for every press.

Every button is a :class:`discord.ui.DynamicItem` whose ``custom_id`` is
``pc:m:<meeting>:<action>`` (plus a small argument), so buttons keep working after a restart and
never carry a user id (the panel's layout and its list of members: :mod:`bot.ui.meeting_panel`).
A press, a choice from the list, and the slash commands ``/meeting …``, ``/hand``, ``/pass``,
``/done`` and ``/tag``, all go through :class:`MeetingActions` (the room's newer actions are
carried out in :mod:`bot.ui.meeting_room`): check membership
(:func:`bot.guild.in_group`, the one rule), learn (in memory) who is who and that they took
part, then one call to the meeting service, which runs the core, commits, and shows the result
through the presenter. Voice changes in a meeting's channel come here too
(:meth:`MeetingActions.voice`), and posts go to the service (:mod:`bot.adapters.messages`): the
chair's show they're present.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Sequence
from typing import Any, Protocol

import discord

from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import NotAllowed
from bot.guild import MEETING_PERMISSIONS, in_group, require_permissions
from bot.i18n import Msg, member_locale, msg, render
from bot.runtime.live import LiveMeeting
from bot.runtime.meetings import CannotPost, MeetingService
from bot.runtime.meetings.refusals import cannot_post_msg
from bot.runtime.meetings.requests import Request, RoomRequests
from bot.store.groups import GroupRecord
from bot.ui.locale import private_locale
from bot.ui.meeting_replies import (
    CHAIRING_NOW,
    CONFIRMATIONS,
    DONE,
    ENDED,
    NO_QUESTION,
    NOT_THIS_MEETING,
    OLDER_BUTTON,
    STEPPED_IN,
    not_a_member,
)
from bot.ui.meeting_requests import REQUEST_ACTIONS, open_form
from bot.ui.meeting_room import (
    LIST_CHANGED,
    NOT_A_MEMBER_TARGET,
    ROOM_ACTIONS,
    hand_words,
    listening_no_more,
    room_action,
)
from bot.ui.meeting_time import TIME_ACTIONS, time_action
from bot.ui.routing import guarded, service


class MeetingButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pc:m:(?P<meeting>[0-9]{1,18}):(?P<action>[a-z]{1,12})(?::(?P<arg>[0-9]{1,4}))?",
):
    """One button of a meeting: the panel's, or a prompt's (read, answer, choose)."""

    def __init__(
        self,
        meeting_id: int,
        action: str,
        arg: int | None = None,
        *,
        label: str = "…",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        suffix = "" if arg is None else f":{arg}"
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"pc:m:{meeting_id}:{action}{suffix}"
            )
        )
        self.meeting_id = meeting_id
        self.action = action
        self.arg = arg

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> MeetingButton:
        arg = match["arg"]
        button = item if isinstance(item, discord.ui.Button) else None
        return cls(
            int(match["meeting"]),
            match["action"],
            int(arg) if arg is not None else None,
            label=(button.label if button else None) or "…",
            style=button.style if button else discord.ButtonStyle.secondary,
        )

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        actions = service(interaction, MeetingActions)
        if self.action in REQUEST_ACTIONS:  # a small form for the member's own words
            await guarded(
                interaction,
                f"the {self.action} button",
                lambda: open_form(interaction, actions, self.meeting_id, self.action),
            )
            return
        await guarded(
            interaction,
            f"the {self.action} button",
            lambda: actions.pressed(interaction, self.meeting_id, self.action, self.arg),
        )


def prompt_view(
    live: LiveMeeting, kind: str, buttons: Sequence[tuple[str, str]]
) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for spec, label in buttons:
        action, _, arg = spec.partition(":")
        style = (
            discord.ButtonStyle.primary
            if action in ("read", "yes")
            else discord.ButtonStyle.secondary
        )
        view.add_item(
            MeetingButton(live.id, action, int(arg) if arg else None, label=label, style=style)
        )
    return view


#: The voice changes only the member makes: signs that they are here.
VOICE_SIGNS = ("self_mute", "self_deaf", "self_stream", "self_video")
CHAIR_ACTIONS = frozenset({"next", "back", "chairread", "yes", "no", "choose", "end", "resume"})


class Names(Protocol):
    """Keeps, in memory for one meeting, the member behind a pseudonym, reaches today's chair
    privately, and knows the language the meeting speaks (the presenter)."""

    def remember(self, live: LiveMeeting, who: Pseudonym, member: discord.Member) -> None: ...

    async def tell_chair(self, live: LiveMeeting, missing: tuple[str, ...]) -> bool: ...

    def locale(self, live: LiveMeeting) -> str:
        """The group's language, as the meeting last read it."""
        ...


class MeetingActions:
    """What a member's press or command does in a meeting, in one place."""

    def __init__(
        self,
        service: MeetingService,
        presenter: Names,
        pseudonyms: Pseudonymizer,
        requests: RoomRequests,
    ) -> None:
        self.service = service
        self._presenter = presenter
        self._pseudonyms = pseudonyms
        self._requests = requests

    @staticmethod
    def require_member(group: GroupRecord, user: object, action: str) -> None:
        """The one membership rule (:func:`bot.guild.in_group`) for every meeting action: a
        member holds the group's member role when it has one, otherwise can see its channel;
        never a bot. Anyone else is refused, kindly and specifically; nothing changes."""
        if not isinstance(user, discord.Member) or not in_group(group, user):
            raise NotAllowed(not_a_member(action))

    def _who(
        self, interaction: discord.Interaction[Any], live: LiveMeeting, action: str
    ) -> Pseudonym:
        member = interaction.user
        self.require_member(live.group, member, action)
        who = self._pseudonyms.of(live.group.guild_id, member.id)
        self.service.seen(live, who, member.id)
        if isinstance(member, discord.Member):
            self._presenter.remember(live, who, member)
        return who

    async def run(
        self,
        interaction: discord.Interaction[Any],
        live: LiveMeeting,
        action: str,
        arg: int | None,
        target: Pseudonym | None = None,
    ) -> Msg:
        """Carry out one member action; returns the private confirmation (or, when Discord
        refused to post in the channel, why the meeting is paused)."""
        who = self._who(interaction, live, action)
        try:
            if action in ROOM_ACTIONS:
                if action != "first":
                    await self.service.present(live, who)
                return await room_action(self.service, live, who, action, arg, target)
            return await self._carry_out(live, who, action, arg)
        except CannotPost as refused:
            return await self.paused_words(live, who, refused)

    async def paused_words(self, live: LiveMeeting, who: Pseudonym, refused: CannotPost) -> Msg:
        """The meeting paused because the bot can't post: tell whoever pressed, and the chair
        privately if that's someone else and this is news."""
        if who in live.chairs or not live.chairs:
            return cannot_post_msg(refused.missing, for_chair=True)
        told = refused.new and await self._presenter.tell_chair(live, refused.missing)
        return cannot_post_msg(refused.missing, told_chair=told)

    async def _carry_out(
        self, live: LiveMeeting, who: Pseudonym, action: str, arg: int | None
    ) -> Msg:
        if action != "here":
            await self.service.present(live, who)  # the chair is here: a question is answered
        if action in CHAIR_ACTIONS:
            self.service.require_chair(live, who)
        service = self.service
        match action:
            case "hand":
                await listening_no_more(service, live, who)
                await service.act(live, lambda r, s, now: r.raise_hand(s, who, now))
                return hand_words(live) or CONFIRMATIONS[action]
            case "lower":
                await service.act(live, lambda r, s, now: r.lower_hand(s, who, now))
            case "pass":
                await service.act(live, lambda r, s, now: r.pass_turn(s, who, now))
            case "done":
                await service.act(live, lambda r, s, now: r.done(s, who, now))
            case "next":
                await service.act(live, lambda r, s, now: r.advance(s, now))
            case "back":
                await service.act(live, lambda r, s, now: r.go_back(s, now))
            case "end":
                await service.act(live, lambda r, s, now: r.end(s, now))
            case "read":
                await service.act(live, lambda r, s, now: r.take_reading(s, who, now))
            case "chairread":
                await service.act(live, lambda r, s, now: r.read_by_chair(s, now))
            case "yes" | "no":
                sections = live.plan.sections
                index = arg or 0
                question = sections[index].question if 0 <= index < len(sections) else None
                if question is None:
                    raise NotAllowed(NO_QUESTION)
                yes = action == "yes"
                await service.act(
                    live, lambda r, s, now: r.answer_question(s, question.id, yes, now)
                )
            case "choose":
                option = arg or 0
                await service.act(live, lambda r, s, now: r.choose_text(s, option, now))
            case "stepin":
                return STEPPED_IN[await service.step_in(live, who)]
            case "here":
                await service.chair_answers(live, who)
            case "imback":
                if who in live.chairs:
                    return CHAIRING_NOW
                await service.act(live, lambda r, s, now: r.take_chair_back(s, who, now))
            case "role":
                await service.take_role(live, arg or 0, who)
            case "resume":
                await service.act(live, lambda r, s, now: r.resume(s, now))
            case _ if action in TIME_ACTIONS:  # start now, offers to read, running late
                return await time_action(service, live, who, action, arg)
            case _:
                raise NotAllowed(OLDER_BUTTON)
        return CONFIRMATIONS.get(action, DONE)

    async def acknowledged(
        self,
        interaction: discord.Interaction[Any],
        live: LiveMeeting,
        action: str,
        arg: int | None,
        *,
        thinking: bool,
        target: Pseudonym | None = None,
    ) -> None:
        """Acknowledge first, at once (one REST call, the deferral), but keep members' actions
        in the order they arrived.

        The action is created as a task *before* the acknowledgement is awaited, but a task
        only starts at this coroutine's first wait: the deferral has begun by then (its request
        is written at once on a free connection), and nothing of the action came before it.
        Tasks start in the order they are created and the meeting's line is first-come
        first-served, so thirty hands raised in the same second are applied in the order
        Discord sent them (and saved together: bot/runtime/meetings/commits.py).
        """
        task = asyncio.create_task(self.run(interaction, live, action, arg, target))
        try:
            await interaction.response.defer(ephemeral=True, thinking=thinking)
        except discord.HTTPException:
            with contextlib.suppress(Exception):
                await task  # carried out once all the same; Discord took no answer
            raise
        confirmation = await task
        locale = await self._answer_locale(interaction, live)
        await interaction.followup.send(render(locale, confirmation), ephemeral=True)

    async def _answer_locale(self, interaction: discord.Interaction[Any], live: LiveMeeting) -> str:
        """The member's language, else the group's as the meeting last read it (at the step just
        shown: no database read for each of 200 presses); once it ended, read again."""
        if self.service.by_id(live.id) is not live:
            return await private_locale(interaction)
        return member_locale(interaction.locale.value, self._presenter.locale(live))

    def _pressed_here(self, interaction: discord.Interaction[Any], meeting_id: int) -> LiveMeeting:
        live = self.service.by_id(meeting_id)
        if live is None:
            raise NotAllowed(ENDED)
        if (interaction.guild_id, interaction.channel_id) != (
            live.group.guild_id,
            live.group.channel_id,
        ):
            # A button names its meeting; it only works where that meeting is held.
            raise NotAllowed(NOT_THIS_MEETING)
        return live

    async def pressed(
        self, interaction: discord.Interaction[Any], meeting_id: int, action: str, arg: int | None
    ) -> None:
        live = self._pressed_here(interaction, meeting_id)
        await self.acknowledged(interaction, live, action, arg, thinking=False)

    async def chosen(
        self, interaction: discord.Interaction[Any], meeting_id: int, action: str, value: str
    ) -> None:
        """A member chosen from the panel's list: the value is an index into the meeting's
        members (opaque, the same all meeting); the core checks they may still be chosen."""
        live = self._pressed_here(interaction, meeting_id)
        members = live.state.floor.members
        index = int(value) if value.isdecimal() else -1
        if not 0 <= index < len(members):
            raise NotAllowed(LIST_CHANGED)
        target = members[index].who
        await self.acknowledged(interaction, live, action, index, thinking=False, target=target)

    def requestable(
        self, interaction: discord.Interaction[Any], meeting_id: int, kind: Request
    ) -> None:
        """A member may give their own words for ``kind`` now (or a kind refusal)."""
        live = self._pressed_here(interaction, meeting_id)
        self._requests.section_for(live, self._who(interaction, live, kind.value), kind)

    async def request(
        self, interaction: discord.Interaction[Any], meeting_id: int, kind: Request, words: str
    ) -> bool:
        """Pass a member's words on (never kept); False when Discord would not take them."""
        live = self._pressed_here(interaction, meeting_id)
        who = self._who(interaction, live, kind.value)
        return await self._requests.submit(live, who, kind, words)

    async def start(self, interaction: discord.Interaction[Any]) -> LiveMeeting:
        """``/meeting start``: a member of the group starts its meeting (and takes part)."""
        group = await self.service.group_here(interaction.channel_id)
        user = interaction.user
        self.require_member(group, user, "start")
        require_permissions(interaction.app_permissions, MEETING_PERMISSIONS, msg("run a meeting"))
        who = self._pseudonyms.of(group.guild_id, user.id)
        try:
            live = await self.service.start(interaction.channel_id, who, user.id)
        except CannotPost as refused:
            live = self.service.live_or_refuse(interaction.channel_id)
            raise NotAllowed(await self.paused_words(live, who, refused)) from None
        if isinstance(user, discord.Member):
            self._presenter.remember(live, who, user)
        return live

    async def voice(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        """A voice change in a meeting's voice channel: the chair's shows they're here."""
        channel = after.channel
        if member.bot or channel is None:
            return  # leaving voice is no sign of being here
        changed = before.channel != channel or any(
            getattr(before, flag) != getattr(after, flag) for flag in VOICE_SIGNS
        )  # a server mute (floor control, the bot's own doing) is not one
        live = self.service.in_channel(channel.id) if changed else None
        if live is None:
            return
        who = self._pseudonyms.of(live.group.guild_id, member.id)
        if before.channel != channel and in_group(live.group, member):
            self._presenter.remember(live, who, member)
            await self.service.arrived(live, who)  # present in voice: in the circle
        if live.chairs:
            await self.service.activity(channel.id, who)

    async def command(
        self,
        interaction: discord.Interaction[Any],
        action: str,
        arg: int | None = None,
        member: object = None,
    ) -> None:
        """A slash command; ``member`` is the one it names (``/meeting pick``, ``/tag``)."""
        live = self.service.live_or_refuse(interaction.channel_id)
        target = None
        if member is not None:
            if not isinstance(member, discord.Member) or not in_group(live.group, member):
                raise NotAllowed(NOT_A_MEMBER_TARGET)
            target = self._pseudonyms.of(live.group.guild_id, member.id)
            self._presenter.remember(live, target, member)
        await self.acknowledged(interaction, live, action, arg, thinking=True, target=target)
