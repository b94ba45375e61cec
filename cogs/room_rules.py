"""The meeting channel's rules and the raid lock: thin, to :mod:`bot.runtime.room_rules` (the
plans a previous run left; the meeting's steps, forget-me and a server the bot left are events,
see bot/wiring.py) and :mod:`bot.ui.raid_lock` (``/lock``, ``/unlock`` and the lock's buttons)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.ui.raid_lock import RaidLockButton, pressed


class RoomRules(commands.Cog):
    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot
        self.rules = bot.services.room_rules
        self.raid = bot.services.raid_lock

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RaidLockButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RaidLockButton)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self.bot.serve:
            await self.rules.load()  # once: the plans a previous run left behind

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if self.bot.serve:
            await self.raid.member_joined(member.guild.id)  # a lock without a member role

    @app_commands.command(name="lock")
    @app_commands.guild_only()
    async def lock(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """During a raid: pause the meeting and close this channel to anyone outside the group."""
        await pressed(interaction, "lock")

    @app_commands.command(name="unlock")
    @app_commands.guild_only()
    async def unlock(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Lift the channel's lock (the chair at once; anyone else asks the group)."""
        await pressed(interaction, "lift")


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(RoomRules(bot))
