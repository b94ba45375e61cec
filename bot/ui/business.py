"""The business meeting's buttons and the motion form. They keep working after a restart: each
is a ``DynamicItem`` whose ``custom_id`` holds only opaque ids, never a user id:

    pc:bz:m:<meeting>                 Make a motion (opens the form)
    pc:bz:motion:<meeting>            the form itself (a modal)
    pc:bz:v:<matter>:<action>         second, withdraw, table, totable, call, stand, down,
                                      open, close, and the ballot's yes / no / abstain / c0 …

Every press first checks its context, as :mod:`bot.ui.context` does for the group votes: the
meeting or matter it names belongs to the group of the channel it was pressed in; and the one
who pressed is a member of that group (:func:`bot.guild.in_group`). Anything else is refused
kindly and changes nothing. Discord delivering a press or the form twice acts once.

Labels come from the service, in the group's language (they are on the channel's messages); the
form and every answer are the presser's alone, in their own language (:func:`private_locale`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import discord

from bot.core.business import MOTION_LIMIT, Refusal
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import NotAllowed
from bot.guild import NOT_A_MEMBER, in_group
from bot.i18n import render
from bot.runtime.business import BusinessService, Button, Look, texts
from bot.store.groups import GroupRecord
from bot.ui.context import require_place
from bot.ui.locale import private_locale
from bot.ui.routing import FirstDelivery, Interaction, answer_error, guarded, service

MOVE = re.compile(r"pc:bz:m:(?P<meeting>[0-9]{1,18})")
ACT = re.compile(r"pc:bz:v:(?P<matter>[A-Za-z0-9_-]{8,24}):(?P<action>[a-z0-9]{1,10})")
STYLES = {
    Look.MAIN: discord.ButtonStyle.primary,
    Look.YES: discord.ButtonStyle.success,
    Look.NO: discord.ButtonStyle.danger,
    Look.QUIET: discord.ButtonStyle.secondary,
}


def member_here(interaction: Interaction, group: GroupRecord) -> Pseudonym:
    """The press came from the group's channel, from a member of the group: their coded key."""
    require_place(interaction, group)
    user = interaction.user
    if not isinstance(user, discord.Member) or not in_group(group, user):
        raise NotAllowed(NOT_A_MEMBER)
    return service(interaction, Pseudonymizer).of(group.guild_id, user.id)


class MakeMotionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=MOVE):
    def __init__(self, meeting_id: int, label: str = "…") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.primary, custom_id=f"pc:bz:m:{meeting_id}"
            )
        )
        self.meeting_id = meeting_id

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MakeMotionButton:
        return cls(int(match["meeting"]))

    async def callback(self, interaction: Interaction) -> None:
        async def open_form() -> None:
            live = service(interaction, BusinessService).may_move(self.meeting_id)
            member_here(interaction, live.group)
            locale = await private_locale(interaction)
            await interaction.response.send_modal(MotionForm(self.meeting_id, locale))

        await guarded(interaction, "the Make a motion button", open_form)


class MotionForm(discord.ui.Modal):
    """The motion's words, length-capped; shown in the channel, never stored."""

    def __init__(self, meeting_id: int, locale: str) -> None:
        super().__init__(
            title=render(locale, texts.MODAL_TITLE)[:45],
            custom_id=f"pc:bz:motion:{meeting_id}",
            timeout=None,
        )
        self.meeting_id = meeting_id
        self.words: discord.ui.TextInput[MotionForm] = discord.ui.TextInput(
            label=render(locale, texts.MODAL_LABEL)[:45],
            style=discord.TextStyle.paragraph,
            custom_id="motion",
            placeholder=render(locale, texts.MODAL_PLACEHOLDER)[:100],
            max_length=MOTION_LIMIT,
            required=True,
        )
        self.add_item(self.words)

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """A form Discord delivers twice is taken once (like every command and button)."""
        return service(interaction, FirstDelivery).first(interaction.id)

    async def on_submit(self, interaction: Interaction, /) -> None:
        business = service(interaction, BusinessService)
        live = business.may_move(self.meeting_id)
        who = member_here(interaction, live.group)
        await interaction.response.defer(ephemeral=True, thinking=True)
        words = await business.move(self.meeting_id, who, interaction.user.id, self.words.value)
        locale = await private_locale(interaction)
        await interaction.followup.send(render(locale, words), ephemeral=True)

    async def on_error(  # type: ignore[override]  # a modal's on_error has no item
        self, interaction: Interaction, error: Exception, /
    ) -> None:
        await answer_error(interaction, error, "the motion form")


class BusinessButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ACT):
    def __init__(
        self,
        matter_id: str,
        action: str,
        *,
        label: str = "…",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"pc:bz:v:{matter_id}:{action}")
        )
        self.matter_id = matter_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> BusinessButton:
        return cls(match["matter"], match["action"])

    async def callback(self, interaction: Interaction) -> None:
        async def act() -> None:
            business = service(interaction, BusinessService)
            group = await business.group_of(self.matter_id)
            if group is None:
                raise NotAllowed(texts.REFUSALS[Refusal.GONE])
            who = member_here(interaction, group)
            await interaction.response.defer(ephemeral=True, thinking=True)
            words = await business.act(self.matter_id, who, interaction.user.id, self.action)
            locale = await private_locale(interaction)
            await interaction.followup.send(render(locale, words), ephemeral=True)

        await guarded(interaction, f"the business {self.action} button", act)


DYNAMIC_ITEMS = (MakeMotionButton, BusinessButton)


def business_view(buttons: Sequence[Button]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for button in buttons[:25]:
        if button.action == "move":
            view.add_item(MakeMotionButton(int(button.matter), button.label[:80]))
        else:
            view.add_item(
                BusinessButton(
                    button.matter, button.action, label=button.label[:80], style=STYLES[button.look]
                )
            )
    return view
