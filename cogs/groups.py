"""/group: the peer group that meets in a channel."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.errors import NoGroupHere
from bot.guild import MEETING_PERMISSIONS, require_permissions
from bot.runtime.groups import GroupView

log = logging.getLogger(__name__)


def settings_text(view: GroupView) -> str:
    group, plan = view.group, view.format
    members = (
        f"<@&{group.member_role_id}>" if group.member_role_id else "anyone who can see this channel"
    )
    minutes = round(plan.planned_length_seconds() / 60)
    return (
        f"**How this group meets**\n"
        f"Format: **{plan.name}** (`{group.format_id}`), about {minutes} minutes\n"
        f"Members: {members}\n"
        f"Meetings held so far: {group.meetings_held}"
    )


def welcome_text(view: GroupView) -> str:
    return (
        f"This channel is now home to a peer group, meeting with the **{view.format.name}** "
        "format. Nobody here is in charge: the group decides together.\n"
        "• `/group settings` shows how the group meets.\n"
        "• The group can change its format later, by its own decision."
    )


@app_commands.guild_only()
class Groups(commands.GroupCog, group_name="group"):
    """Your group: where it meets and how."""

    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="setup")
    @app_commands.describe(
        format="The meeting format to start with (the group can change it later)",
        member_role="Only people with this role are members (leave empty: everyone who can see "
        "this channel)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def setup(
        self,
        interaction: discord.Interaction[PeerCircle],
        format: str,
        member_role: discord.Role | None = None,
    ) -> None:
        """Start a peer group in this channel (needs Manage Server, once)."""
        if interaction.guild_id is None or interaction.channel_id is None:
            raise NoGroupHere
        require_permissions(interaction.app_permissions, MEETING_PERMISSIONS, "be a group's home")
        view = await self.bot.services.groups.setup(
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            format_id=format,
            member_role_id=member_role.id if member_role else None,
            now=self.bot.clock.timestamp(),
        )
        log.info("A group was set up (format %s)", view.group.format_id)
        await interaction.response.send_message(
            "Done. From here on you're a member like everyone else: the group decides together.\n"
            + settings_text(view),
            ephemeral=True,
        )
        if isinstance(interaction.channel, discord.abc.Messageable):
            await interaction.channel.send(welcome_text(view))

    @setup.autocomplete("format")
    async def _format_choices(
        self, interaction: discord.Interaction[PeerCircle], current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.lower()
        return [
            app_commands.Choice(name=f"{name} ({format_id})"[:100], value=format_id)
            for format_id, name in self.bot.services.groups.format_choices().items()
            if needle in format_id or needle in name.lower()
        ][:25]

    @app_commands.command(name="settings")
    async def settings(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """See how the group in this channel meets."""
        view = await self.bot.services.groups.view(interaction.channel_id)
        await interaction.response.send_message(settings_text(view), ephemeral=True)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        removed = await self.bot.services.groups.forget_guild(guild.id)
        log.info("Left a server; forgot %d group(s) there", removed)


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Groups(bot))
