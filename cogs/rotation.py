"""/rotation join|leave|show|swap and the rotation's buttons: thin adapters to the service.

Every button is a :class:`discord.ui.DynamicItem` whose ``custom_id`` is
``pc:rot:<group>:<action>:<number>`` (a meeting number, a swap request or a rotation role — never
a user id), so an announcement's **I'll do it** / **Can't make it** keep working after a restart.
The service (bot/runtime/rotation.py) is built here and plugged into the meeting runtime: it
picks who chairs, gives the temporary role, records who served and announces who is next.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.errors import NotAllowed
from bot.runtime.rotation import Shown
from bot.ui.replies import message_for, reply_privately

log = logging.getLogger(__name__)

Interaction = discord.Interaction[PeerCircle]

CONFIRM_LABELS = {
    "yes": ("I'll do it", discord.ButtonStyle.success),
    "cant": ("Can't make it", discord.ButtonStyle.secondary),
    "swapyes": ("Swap with them", discord.ButtonStyle.success),
    "swapno": ("No thanks", discord.ButtonStyle.secondary),
    "join": ("Join", discord.ButtonStyle.primary),
    "leave": ("Leave", discord.ButtonStyle.secondary),
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class RotationButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pc:rot:(?P<group>[0-9]{1,18}):(?P<action>[a-z]{1,12}):(?P<arg>[0-9]{1,18})",
):
    """A button of the rotation: answer an announcement or a swap request, join or leave."""

    def __init__(self, group_id: int, action: str, arg: int, *, label: str | None = None) -> None:
        text, style = CONFIRM_LABELS.get(action, ("…", discord.ButtonStyle.secondary))
        super().__init__(
            discord.ui.Button(
                label=(label or text)[:80],
                style=style,
                custom_id=f"pc:rot:{group_id}:{action}:{arg}",
            )
        )
        self.group_id = group_id
        self.action = action
        self.arg = arg

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RotationButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["group"]), match["action"], int(match["arg"]), label=label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = interaction.client.get_cog("Rotation")
        if not isinstance(cog, Rotation):
            return
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            answer = await cog.pressed(interaction, self.group_id, self.action, self.arg)
            await interaction.followup.send(answer, ephemeral=True)
        except Exception as error:
            await reply_privately(interaction, message_for(error, f"the rotation {self.action}"))


def ask_view(group_id: int, meeting: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RotationButton(group_id, "yes", meeting))
    view.add_item(RotationButton(group_id, "cant", meeting))
    return view


def swap_view(group_id: int, swap_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RotationButton(group_id, "swapyes", swap_id))
    view.add_item(RotationButton(group_id, "swapno", swap_id))
    return view


def show_text(shown: Shown) -> str:
    """The upcoming order, in display names read from Discord just now (never stored)."""
    if not shown.roles:
        return "This group's format has no service roles that rotate: whoever starts chairs."
    lines = []
    for order in shown.roles:
        lines.append(f"**{order.title}**")
        names = list(order.names)
        if order.asked and names[:1] == [order.asked]:
            lines.append(f"Next meeting: **{names.pop(0)}** (asked)")
            if names:
                lines.append("Then: " + " · ".join(names))
        elif names:
            lines.append(" · ".join(f"{i}. {name}" for i, name in enumerate(names, 1)))
        elif not order.waiting:
            lines.append(
                "Nobody has joined yet. Until someone does, whoever starts the meeting takes it."
            )
        if order.waiting:
            more = "1 more volunteer joins" if order.waiting == 1 else f"{order.waiting} more join"
            lines.append(f"{more} the order once the group's format allows (new to the server).")
    return "\n".join(lines)[:1900]


def show_view(shown: Shown) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for order in shown.roles[:12]:
        if order.rotation_id is None:
            continue
        title = order.title.lower()
        view.add_item(
            RotationButton(shown.group_id, "join", order.rotation_id, label=f"Join {title}")
        )
        view.add_item(
            RotationButton(shown.group_id, "leave", order.rotation_id, label=f"Leave {title}")
        )
    return view


def _per_member(interaction: Interaction) -> tuple[int | None, int]:
    return (interaction.guild_id, interaction.user.id)


class Rotation(commands.Cog):
    rotation = app_commands.Group(
        name="rotation",
        description="Volunteer for the group's service roles, in turn.",
        guild_only=True,
    )

    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot
        self.service = bot.services.rotation
        self._tidy: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RotationButton)
        if self.bot.serve:
            self._tidy = asyncio.create_task(self._tidy_when_ready())

    async def cog_unload(self) -> None:
        service, bot = self.service, self.bot
        bot.remove_dynamic_items(RotationButton)
        if self._tidy is not None:
            self._tidy.cancel()
        await service.close()

    async def _tidy_when_ready(self) -> None:
        await self.bot.wait_until_ready()
        try:
            await self.service.tidy_after_restart()
        except Exception:
            log.exception("Could not tidy the temporary rotation roles after a restart")

    # --- buttons --------------------------------------------------------------------------------

    async def pressed(
        self, interaction: discord.Interaction[Any], group_id: int, action: str, arg: int
    ) -> str:
        service, user = self.service, interaction.user
        match action:
            case "yes":
                return await service.will_serve(group_id, arg, user)
            case "cant":
                return await service.cant_make_it(group_id, arg, user)
            case "swapyes" | "swapno":
                return await service.answer_swap(arg, user, accept=action == "swapyes")
            case "join" | "leave":
                if not isinstance(user, discord.Member):
                    raise NotAllowed("Please use this in the group's server.")
                channel_id, role = await service.role_for_button(arg)
                if action == "join":
                    return await service.join(channel_id, user, role)
                return await service.leave(channel_id, user, role)
        raise NotAllowed("That button is from an older version; `/rotation show` has new ones.")

    # --- slash commands ----------------------------------------------------------------------

    async def _role_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            choices = await self.service.choices_here(interaction.channel_id)
        except Exception:
            return []
        needle = current.lower()
        return [
            app_commands.Choice(name=choice.name[:100], value=choice.value)
            for choice in choices
            if needle in choice.value or needle in choice.name.lower()
        ][:25]

    @rotation.command(name="join")
    @app_commands.describe(
        role="Which service role (the chair, if you leave it empty)",
        day="For a weekly roster only: the day you'd like to serve",
    )
    @app_commands.choices(
        day=[app_commands.Choice(name=name, value=i) for i, name in enumerate(WEEKDAYS)]
    )
    async def join(
        self,
        interaction: Interaction,
        role: str | None = None,
        day: app_commands.Choice[int] | None = None,
    ) -> None:
        """Volunteer to serve in turn: chair, or another of the group's service roles."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        member = self._member(interaction)
        weekdays = frozenset() if day is None else frozenset({day.value})
        text = await self.service.join(interaction.channel_id, member, role, weekdays)
        await interaction.followup.send(text, ephemeral=True)

    @rotation.command(name="leave")
    @app_commands.describe(role="Which service role (leave it empty to leave them all)")
    async def leave(self, interaction: Interaction, role: str | None = None) -> None:
        """Leave the rotation at once; what I kept about your turns is deleted."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        member = self._member(interaction)
        text = await self.service.leave(interaction.channel_id, member, role)
        await interaction.followup.send(text, ephemeral=True)

    @rotation.command(name="show")
    async def show(self, interaction: Interaction) -> None:
        """See who is up next and the order of turns after that."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        shown = await self.service.show(interaction.channel_id)
        await interaction.followup.send(show_text(shown), view=show_view(shown), ephemeral=True)

    @rotation.command(name="swap")
    @app_commands.describe(
        member="The volunteer you'd like to trade places with (they'll be asked privately)",
        role="Which service role (the chair, if you leave it empty)",
    )
    @app_commands.checks.cooldown(3, 600, key=_per_member)
    async def swap(
        self, interaction: Interaction, member: discord.Member, role: str | None = None
    ) -> None:
        """Ask another volunteer to trade places with you in the rotation."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        asker = self._member(interaction)
        text = await self.service.ask_swap(interaction.channel_id, asker, member, role)
        await interaction.followup.send(text, ephemeral=True)

    join.autocomplete("role")(_role_choices)
    leave.autocomplete("role")(_role_choices)
    swap.autocomplete("role")(_role_choices)

    @staticmethod
    def _member(interaction: Interaction) -> discord.Member:
        if not isinstance(interaction.user, discord.Member):
            raise NotAllowed("Please use this in your group's channel on the server.")
        return interaction.user


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Rotation(bot))
