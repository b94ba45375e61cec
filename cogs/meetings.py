"""/meeting, /hand, /pass, /done and the meeting panel's buttons: thin adapters to the service.

Every button is a :class:`discord.ui.DynamicItem` whose ``custom_id`` is ``pc:m:<meeting>:<action>``
(plus a small argument), so buttons keep working after a restart and never carry a user id.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.core.pseudonyms import Pseudonym
from bot.errors import NotAllowed
from bot.runtime.meetings import LiveMeeting, MeetingService
from bot.runtime.members import ensure_members
from bot.runtime.presenter import Presenter
from bot.ui import message_for, reply_privately

log = logging.getLogger(__name__)

PANEL_BUTTONS: tuple[tuple[str, str, discord.ButtonStyle], ...] = (
    ("hand", "Raise hand", discord.ButtonStyle.primary),
    ("lower", "Lower hand", discord.ButtonStyle.secondary),
    ("pass", "Pass", discord.ButtonStyle.secondary),
    ("done", "Done sharing", discord.ButtonStyle.success),
    ("next", "Next (chair)", discord.ButtonStyle.secondary),
    ("stepin", "Step in as chair", discord.ButtonStyle.secondary),
)


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
        cog = interaction.client.get_cog("Meetings")
        if not isinstance(cog, Meetings):
            return
        try:
            await cog.pressed(interaction, self.meeting_id, self.action, self.arg)
        except Exception as error:
            await reply_privately(interaction, message_for(error, f"the {self.action} button"))


def panel_view(live: LiveMeeting) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action, label, style in PANEL_BUTTONS:
        view.add_item(MeetingButton(live.id, action, label=label, style=style))
    return view


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


CONFIRMATIONS = {
    "hand": "Your hand is up. I'll let you know when it's your turn.",
    "lower": "Your hand is down. You're welcome to raise it again any time.",
    "pass": "That's fine — thank you. Passing is always OK.",
    "done": "Thank you for sharing.",
    "next": "Moving on.",
    "back": "Going back one part.",
    "read": "Thank you for reading! The text is posted for you to read aloud.",
    "chairread": "Thank you, chair — the text is posted.",
    "yes": "Thank you — noted.",
    "no": "Thank you — noted.",
    "choose": "Thank you — the text is posted.",
    "stepin": "Thank you for stepping in as chair today.",
    "role": "Thank you for taking this on today!",
    "end": "The meeting is closed. Thank you for serving.",
}
CHAIR_ACTIONS = frozenset({"next", "back", "chairread", "yes", "no", "choose", "end"})


class Meetings(commands.Cog):
    meeting = app_commands.Group(
        name="meeting", description="Run this group's meeting from its format.", guild_only=True
    )

    def __init__(self, bot: PeerCircle, service: MeetingService) -> None:
        self.bot = bot
        self.service = service

    # --- shared path --------------------------------------------------------------------------

    def _who(self, interaction: discord.Interaction[Any], live: LiveMeeting) -> Pseudonym:
        member = interaction.user
        role_id = live.group.member_role_id
        if role_id and isinstance(member, discord.Member) and member.get_role(role_id) is None:
            raise NotAllowed(
                "These buttons are for the members of this group. If you'd like to join, "
                "ask the group how."
            )
        who = self.bot.pseudonyms.of(live.group.guild_id, member.id)
        self.service.seen(live, who, member.id)
        if self.bot.presenter is not None and isinstance(member, discord.Member):
            self.bot.presenter.remember(live, who, member)
        return who

    async def run(
        self, interaction: discord.Interaction[Any], live: LiveMeeting, action: str, arg: int | None
    ) -> str:
        """Carry out one member action; returns the private confirmation."""
        who = self._who(interaction, live)
        if action in CHAIR_ACTIONS:
            self.service.require_chair(live, who)
        service = self.service
        match action:
            case "hand":
                await service.act(live, lambda r, s, now: r.raise_hand(s, who, now))
            case "lower":
                await service.act(live, lambda r, s, now: r.lower_hand(s, who, now))
            case "pass":
                await service.act(live, lambda r, s, now: r.pass_turn(s, who, now))
            case "done":
                await service.act(live, lambda r, s, now: r.done(s, who, now))
            case "next":
                await service.act(live, lambda r, s, now: r.advance(s, now))
            case "back":
                await service.act(live, lambda r, s, now: r.back(s, now))
            case "end":
                await service.act(live, lambda r, s, now: r.end(s, now))
            case "read":
                await service.act(live, lambda r, s, now: r.take_reading(s, who, now))
            case "chairread":
                await service.act(live, lambda r, s, now: r.read_by_chair(s, now))
            case "yes" | "no":
                question = live.plan.sections[arg or 0].question
                if question is None:
                    raise NotAllowed("There's no question waiting for an answer right now.")
                yes = action == "yes"
                await service.act(
                    live, lambda r, s, now: r.answer_question(s, question.id, yes, now)
                )
            case "choose":
                option = arg or 0
                await service.act(live, lambda r, s, now: r.choose_text(s, option, now))
            case "stepin":
                await service.step_in(live, who)
            case "role":
                await service.take_role(live, arg or 0, who)
            case _:
                raise NotAllowed("That button is from an older version; please use the panel.")
        return CONFIRMATIONS.get(action, "Done.")

    async def acknowledged(
        self,
        interaction: discord.Interaction[Any],
        live: LiveMeeting,
        action: str,
        arg: int | None,
        *,
        thinking: bool,
    ) -> None:
        """Acknowledge at once, but keep members' actions in the order they arrived.

        The action starts as a task *before* the acknowledgement is awaited: tasks start in the
        order they are created and the meeting's lock is first-come first-served, so thirty
        hands raised in the same second land in the queue in the order Discord sent them.
        """
        task = asyncio.create_task(self.run(interaction, live, action, arg))
        await interaction.response.defer(ephemeral=True, thinking=thinking)
        confirmation = await task
        await interaction.followup.send(confirmation, ephemeral=True)

    async def pressed(
        self, interaction: discord.Interaction[Any], meeting_id: int, action: str, arg: int | None
    ) -> None:
        live = self.service.by_id(meeting_id)
        if live is None:
            raise NotAllowed("This meeting has ended. Thank you for being part of it.")
        await self.acknowledged(interaction, live, action, arg, thinking=False)

    async def command(self, interaction: discord.Interaction[PeerCircle], action: str) -> None:
        live = self.service.live_or_refuse(interaction.channel_id)
        await self.acknowledged(interaction, live, action, None, thinking=True)

    # --- slash commands ------------------------------------------------------------------------

    @meeting.command(name="start")
    async def start(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Start this group's meeting now (you'll chair it)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        if interaction.guild_id is None:
            raise NotAllowed("Please start the meeting in the group's channel.")
        who = self.bot.pseudonyms.of(interaction.guild_id, interaction.user.id)
        if interaction.guild is not None:
            # Names for the panel come from Discord, in memory; fetch the member list once.
            await ensure_members(interaction.guild)
        live = await self.service.start(interaction.channel_id, who, interaction.user.id)
        if who not in live.chairs:  # the rotation named today's chair
            await interaction.followup.send(
                f"The meeting has started with **{live.plan.name}**. Today's chair is on the "
                "rotation; the panel shows who, and how to step in if they can't be here.",
                ephemeral=True,
            )
            return
        await interaction.followup.send(
            f"The meeting has started with **{live.plan.name}**. Thank you for chairing today — "
            "the panel's **Next** button moves the meeting along.",
            ephemeral=True,
        )

    @meeting.command(name="next")
    async def next_section(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Move on to the next part of the meeting (chair)."""
        await self.command(interaction, "next")

    @meeting.command(name="back")
    async def back(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Go back to the previous part of the meeting (chair)."""
        await self.command(interaction, "back")

    @meeting.command(name="end")
    async def end(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Close the meeting now (chair)."""
        await self.command(interaction, "end")

    @meeting.command(name="status")
    async def status(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """See where the meeting is: the part, who is sharing, who is next."""
        live = self.service.live_or_refuse(interaction.channel_id)
        presenter = self.bot.presenter
        embed = presenter.panel_embed(live) if presenter else None
        if embed is None:
            raise NotAllowed("I can't show the meeting right now.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="hand")
    @app_commands.guild_only()
    @app_commands.describe(lower="Lower your hand instead of raising it")
    async def hand(self, interaction: discord.Interaction[PeerCircle], lower: bool = False) -> None:
        """Raise your hand to share (or lower it)."""
        await self.command(interaction, "lower" if lower else "hand")

    @app_commands.command(name="pass")
    @app_commands.guild_only()
    async def pass_(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Pass your turn — always OK."""
        await self.command(interaction, "pass")

    @app_commands.command(name="done")
    @app_commands.guild_only()
    async def done(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Finish your share and hand the floor on."""
        await self.command(interaction, "done")


async def setup(bot: PeerCircle) -> None:
    bot.presenter = Presenter(bot, bot.pseudonyms, bot.clock, panel_view, prompt_view)
    bot.meetings.presenter = bot.presenter
    bot.add_dynamic_items(MeetingButton)
    bot.privacy.member_forgotten.append(bot.meetings.forget_member)
    await bot.add_cog(Meetings(bot, bot.meetings))
