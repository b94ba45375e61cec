"""/group: the peer group that meets in a channel."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.errors import NoGroupHere


@app_commands.guild_only()
class Groups(commands.GroupCog, group_name="group"):
    """Your group: where it meets and how."""

    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="settings")
    async def settings(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """See how the group in this channel meets."""
        if interaction.channel_id is None:
            raise NoGroupHere
        group = await self.bot.store.groups.by_channel(interaction.channel_id)
        if group is None:
            raise NoGroupHere
        role = (
            f"<@&{group.member_role_id}>"
            if group.member_role_id
            else "anyone who can see this channel"
        )
        await interaction.response.send_message(
            f"**This channel's group**\nFormat: `{group.format_id}`\nMembers: {role}\n"
            f"Meetings held so far: {group.meetings_held}",
            ephemeral=True,
        )


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Groups(bot))
