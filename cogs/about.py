"""/about: what the bot is, and what it keeps (nothing about people)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.i18n import t
from bot.ui.locale import private_locale


def about_text(locale: str, version: str) -> str:
    return "\n".join(
        [
            t(
                locale,
                "**Peer Circle** {version} helps this group hold its own meetings, with nobody "
                "in charge.",
                version=version,
            ),
            t(
                locale,
                "It follows the group's written format, passes the floor kindly, shares service "
                "in turns, and helps the group decide things together.",
            ),
            "",
            t(
                locale,
                "**What I keep about people: nothing.** No attendance, no messages, no names. "
                "When I must remember something, like whose turn it is to chair, I keep a coded "
                "key that only this bot can match, never who you are.",
            ),
        ]
    )


class About(commands.Cog):
    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot

    @app_commands.command(name="about")
    async def about(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """What Peer Circle is, and what it keeps about you: nothing."""
        text = about_text(await private_locale(interaction), self.bot.version)
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(About(bot))
