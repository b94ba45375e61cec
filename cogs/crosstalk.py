"""/remind and the message menu **Gentle reminder**: thin adapters to :mod:`bot.runtime.crosstalk`
(automatic reminders come from every message the bot sees, :mod:`bot.adapters.messages`; voice
and stage floor control is :mod:`cogs.voice_floor`).

A reminder someone asks for is posted in the channel by the bot (``channel.send``), never as the
interaction's reply: a public reply would show everyone who used the command. The requester
hears back privately.
"""

from __future__ import annotations

from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.crosstalk import poster_of
from bot.app import PeerCircle
from bot.core.crosstalk import Remind
from bot.errors import NotAllowed
from bot.guild import in_group
from bot.i18n import msg, render
from bot.runtime.crosstalk import SENT
from bot.store.groups import GroupRecord
from bot.ui.locale import private_locale

NOT_POSTED = msg(
    "Sorry — I couldn't post the reminder in the channel just now. "
    "Please check that I may send messages here."
)
ON_A_MESSAGE_HERE = msg("Please use this on a message in the meeting's channel.")


def _member_rule(user: discord.Member | discord.User) -> Callable[[GroupRecord], bool]:
    """Whether the person asking is a member of a group (bot/guild.py's one rule)."""
    return lambda group: isinstance(user, discord.Member) and in_group(group, user)


class Crosstalk(commands.Cog):
    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot
        self.crosstalk = bot.services.crosstalk
        self.menu = app_commands.ContextMenu(name="Gentle reminder", callback=self.gentle_reminder)
        app_commands.guild_only(self.menu)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    # --- commands ------------------------------------------------------------------------------

    @app_commands.command(name="remind")
    @app_commands.guild_only()
    async def remind(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Ask for a gentle, anonymous reminder about crosstalk in this meeting."""
        reminder = await self.crosstalk.request(
            interaction.channel_id,
            interaction.guild_id,
            interaction.user.id,
            member=_member_rule(interaction.user),
        )
        await self._post(interaction, reminder)

    async def gentle_reminder(
        self, interaction: discord.Interaction[PeerCircle], message: discord.Message
    ) -> None:
        """The message menu: a gentle reminder prompted by one message, naming nobody."""
        if message.channel.id != interaction.channel_id:
            raise NotAllowed(ON_A_MESSAGE_HERE)
        reminder = await self.crosstalk.request(
            interaction.channel_id,
            interaction.guild_id,
            interaction.user.id,
            about=poster_of(message.author),
            member=_member_rule(interaction.user),
        )
        await self._post(interaction, reminder)

    async def _post(self, interaction: discord.Interaction[PeerCircle], reminder: Remind) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        posted = await self.crosstalk.post_requested(interaction.channel_id, reminder)
        words = render(await private_locale(interaction), SENT if posted else NOT_POSTED)
        await interaction.followup.send(words, ephemeral=True)


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Crosstalk(bot))
