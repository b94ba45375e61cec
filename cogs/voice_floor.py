"""The gateway listeners behind voice and stage floor control: thin adapters to
:mod:`bot.runtime.voice_floor` (who is in voice, the plans a previous run left, a server the bot
left is the GuildLeft event, see bot/wiring.py)."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.adapters.voice_floor import voice_move
from bot.app import PeerCircle


class VoiceFloor(commands.Cog):
    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot
        self.floor = bot.services.voice_floor

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        self.floor.on_voice_move(voice_move(member, before, after))

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self.bot.serve:
            await self.floor.load()  # once: the plans a previous run left behind


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(VoiceFloor(bot))
