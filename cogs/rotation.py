"""/rotation join|leave|show|swap: thin adapters to the rotation service.

The service (:mod:`bot.runtime.rotation`) is built in the composition root; its buttons live in
:mod:`bot.ui.rotation` and are registered here. Once connected after a start, the cog asks the
service to take back the temporary "… today" roles of meetings that ended while the bot was away.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.errors import NotAllowed
from bot.i18n import Msg, render
from bot.runtime.rotation import texts
from bot.ui.locale import private_locale
from bot.ui.rotation import RotationButton, show_text, show_view

log = logging.getLogger(__name__)

Interaction = discord.Interaction[PeerCircle]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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
        self.bot.remove_dynamic_items(RotationButton)
        if self._tidy is not None:
            self._tidy.cancel()

    async def _tidy_when_ready(self) -> None:
        await self.bot.wait_until_ready()
        try:
            await self.service.tidy_after_restart()
        except Exception:
            log.exception("Could not tidy the temporary rotation roles after a restart")

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
        trained="Have you done the group's training for this role? (only you can say so)",
    )
    @app_commands.choices(
        day=[app_commands.Choice(name=name, value=i) for i, name in enumerate(WEEKDAYS)]
    )
    async def join(
        self,
        interaction: Interaction,
        role: str | None = None,
        day: app_commands.Choice[int] | None = None,
        trained: bool | None = None,
    ) -> None:
        """Volunteer to serve in turn: chair, or another of the group's service roles."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        member = self._member(interaction)  # only ever the member who typed it
        weekdays = frozenset() if day is None else frozenset({day.value})
        words = await self.service.join(interaction.channel_id, member, role, weekdays, trained)
        await interaction.followup.send(await self._privately(interaction, words), ephemeral=True)

    @rotation.command(name="leave")
    @app_commands.describe(role="Which service role (leave it empty to leave them all)")
    async def leave(self, interaction: Interaction, role: str | None = None) -> None:
        """Leave the rotation at once; what I kept about your turns is deleted."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        member = self._member(interaction)
        words = await self.service.leave(interaction.channel_id, member, role)
        await interaction.followup.send(await self._privately(interaction, words), ephemeral=True)

    @rotation.command(name="show")
    async def show(self, interaction: Interaction) -> None:
        """See who is up next and the order of turns after that."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        shown = await self.service.show(interaction.channel_id)
        locale = await private_locale(interaction)
        await interaction.followup.send(
            show_text(shown, locale), view=show_view(shown, locale), ephemeral=True
        )

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
        words = await self.service.ask_swap(interaction.channel_id, asker, member, role)
        await interaction.followup.send(await self._privately(interaction, words), ephemeral=True)

    join.autocomplete("role")(_role_choices)
    leave.autocomplete("role")(_role_choices)
    swap.autocomplete("role")(_role_choices)

    @staticmethod
    def _member(interaction: Interaction) -> discord.Member:
        if not isinstance(interaction.user, discord.Member):
            raise NotAllowed(texts.USE_IN_THE_SERVER)
        return interaction.user

    @staticmethod
    async def _privately(interaction: Interaction, words: Msg | str) -> str:
        """A private answer, in the member's own language."""
        return render(await private_locale(interaction), words)


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Rotation(bot))
