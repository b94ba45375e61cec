"""/newcomer, /resources, and the voice listener behind the newcomer welcome: thin adapters to
:mod:`bot.runtime.newcomer` (a first post is seen by :mod:`bot.adapters.messages`).

The welcome reads who posted in (or joined the voice of) a channel, never what was written: the
Message Content intent is not needed.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.newcomer import arrival_by_voice
from bot.app import PeerCircle
from bot.core.resources import paginate
from bot.i18n import render, render_lines
from bot.runtime.markup import bounded
from bot.ui.locale import private_locale


class Newcomer(commands.Cog):
    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot
        self.newcomer = bot.services.newcomer

    @app_commands.command(name="newcomer")
    @app_commands.guild_only()
    async def newcomer_guide(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """New here? A private, friendly guide to how this group's meetings work."""
        lines = await self.newcomer.orientation(interaction.channel_id)
        text = bounded(render_lines(await private_locale(interaction), lines))
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="resources")
    async def resources(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Support lines and places to reach out, shown only to you."""
        locale = await private_locale(interaction)
        lines = await self.newcomer.resources(interaction.channel_id)
        first, *more = paginate([render(locale, line) for line in lines])
        await interaction.response.send_message(first, ephemeral=True)
        for page in more:
            await interaction.followup.send(page, ephemeral=True)

    # --- the welcome ---------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        me = self.bot.user.id if self.bot.user else None
        arrival = arrival_by_voice(member, before, after, me)
        if arrival is not None and self.bot.serve:
            await self.newcomer.arrived(arrival)


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Newcomer(bot))
