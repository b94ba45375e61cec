"""The gateway listener behind the meeting channel's rules: thin, to
:mod:`bot.runtime.room_rules` (the plans a previous run left; the meeting's steps, forget-me and
a server the bot left are events, see bot/wiring.py)."""

from __future__ import annotations

from discord.ext import commands

from bot.app import PeerCircle


class RoomRules(commands.Cog):
    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot
        self.rules = bot.services.room_rules

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self.bot.serve:
            await self.rules.load()  # once: the plans a previous run left behind


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(RoomRules(bot))
