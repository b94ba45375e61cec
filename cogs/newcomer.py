"""/newcomer: a private, gentle orientation to how this group's meetings work."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.core.formats import CompiledFormat
from bot.core.formats.plan import CrosstalkMode
from bot.core.formats.timing import minutes

CROSSTALK_WORDS = {
    CrosstalkMode.NOT_ALLOWED: (
        "While someone shares, we listen without replying or commenting (that's called "
        "crosstalk). If it happens, a gentle, anonymous reminder appears — never a telling-off."
    ),
    CrosstalkMode.ALLOWED: "In this group, replying to each other is welcome.",
    CrosstalkMode.ENCOURAGED: "In this group, short, kind responses to each other are welcome.",
    CrosstalkMode.FEEDBACK_ONLY: "Feedback is given only when the person sharing asks for it.",
}


def orientation(plan: CompiledFormat) -> str:
    steps = [s.title for s in plan.sections if s.condition is None and s.depth == 0][:12]
    limit = plan.defaults.share.limit_seconds
    lines = [
        "**Welcome — we're glad you're here.** Here's how this group's meetings go:",
        "",
        "**The order:** " + " → ".join(steps),
        "",
        "• To share, press **Raise hand** on the meeting panel (or use `/hand`). "
        "I'll let you know when it's your turn.",
    ]
    if limit:
        lines.append(
            f"• Shares are up to about {minutes(limit)}; a gentle note comes near the end."
        )
    lines += [
        "• Passing is always fine, and so is just listening.",
        f"• {CROSSTALK_WORDS[plan.defaults.crosstalk.mode]}",
        "• Nobody is in charge: members take turns serving, and the group decides together.",
        "• I keep no record of who came or who shared once the meeting ends, and never what "
        "was said.",
    ]
    return "\n".join(lines)


class Newcomer(commands.Cog):
    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot

    @app_commands.command(name="newcomer")
    @app_commands.guild_only()
    async def newcomer(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """New here? A private, friendly guide to how this group's meetings work."""
        view = await self.bot.services.groups.view(interaction.channel_id)
        await interaction.response.send_message(orientation(view.format), ephemeral=True)


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Newcomer(bot))
