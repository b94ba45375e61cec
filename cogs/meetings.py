"""/meeting, /hand, /pass, /done, /tag: the slash commands of a meeting, thin adapters to
:class:`bot.ui.meeting.MeetingActions` (the same route the panel's buttons take), and the voice
listener through which the chair's voice changes show they're present."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.errors import NotAllowed
from bot.guild import ensure_members
from bot.i18n import render
from bot.runtime.markup import when
from bot.ui.locale import private_locale
from bot.ui.meeting import MeetingButton
from bot.ui.meeting_panel import MeetingChoice
from bot.ui.meeting_replies import START_HERE, started
from bot.ui.pictures import add_meeting_timeline


class Meetings(commands.Cog):
    meeting = app_commands.Group(
        name="meeting", description="Run this group's meeting from its format.", guild_only=True
    )

    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot
        self.service = bot.services.meetings
        self.actions = bot.services.meeting_actions

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(MeetingButton, MeetingChoice)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(MeetingButton, MeetingChoice)

    # --- slash commands ------------------------------------------------------------------------

    @meeting.command(name="start")
    async def start(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Start this group's meeting now (you'll chair it)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        if interaction.guild_id is None:
            raise NotAllowed(START_HERE)
        if interaction.guild is not None:
            # Names for the panel come from Discord, in memory; fetch the member list once.
            await ensure_members(interaction.guild)
        live = await self.actions.start(interaction)
        who = self.bot.services.pseudonyms.of(interaction.guild_id, interaction.user.id)
        waiting = live.state.waiting
        # the format counts down first: when the meeting begins, in Discord's markup
        until = when(waiting.until) if waiting is not None and waiting.countdown else None
        words = started(live.plan.name, until, chairing=who in live.chairs)
        locale = await private_locale(interaction)
        text = " ".join(render(locale, sentence) for sentence in words)
        await interaction.followup.send(text, ephemeral=True)

    @meeting.command(name="next")
    async def next_section(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Move on to the next part of the meeting (chair)."""
        await self.actions.command(interaction, "next")

    @meeting.command(name="back")
    async def back(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Go back to the previous part of the meeting (chair)."""
        await self.actions.command(interaction, "back")

    @meeting.command(name="end")
    async def end(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Close the meeting now (chair)."""
        await self.actions.command(interaction, "end")

    @meeting.command(name="pause")
    async def pause(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Pause the meeting; everyone sees it, and Resume goes on from here (chair)."""
        await self.actions.command(interaction, "pause")

    @meeting.command(name="resume")
    async def resume(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Go on with a paused meeting from where it stopped (chair)."""
        await self.actions.command(interaction, "resume")

    @meeting.command(name="skip")
    async def skip(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Skip the rest of this part and go on to the next (chair)."""
        await self.actions.command(interaction, "skip")

    @meeting.command(name="extend")
    @app_commands.describe(minutes="How many more minutes the person sharing has (1 to 60)")
    async def extend(
        self,
        interaction: discord.Interaction[PeerCircle],
        minutes: app_commands.Range[int, 1, 60] = 2,
    ) -> None:
        """Give the person sharing a little more time (chair)."""
        await self.actions.command(interaction, "more", minutes)

    @meeting.command(name="pick")
    @app_commands.describe(member="The member to call on")
    async def pick(
        self, interaction: discord.Interaction[PeerCircle], member: discord.Member
    ) -> None:
        """Call on a member to share, now or after the current share (chair)."""
        await self.actions.command(interaction, "pick", member=member)

    @meeting.command(name="status")
    async def status(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """See where the meeting is: the part, who is sharing, who is next."""
        live = self.service.live_or_refuse(interaction.channel_id)
        embed = self.bot.services.presenter.panel_embed(live)
        state, now = live.state, self.bot.clock.now()
        await interaction.response.send_message(embed=embed, ephemeral=True)
        # Then the timeline, with "now" marked where the answer stood, added to the answer
        # once drawn (never again as time passes); without it, the answer is complete.
        locale = await private_locale(interaction)
        await add_meeting_timeline(interaction, live.plan, state, now, locale)

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        await self.actions.voice(member, before, after)

    @app_commands.command(name="hand")
    @app_commands.guild_only()
    @app_commands.describe(lower="Lower your hand instead of raising it")
    async def hand(self, interaction: discord.Interaction[PeerCircle], lower: bool = False) -> None:
        """Raise your hand to share (or lower it)."""
        await self.actions.command(interaction, "lower" if lower else "hand")

    @app_commands.command(name="pass")
    @app_commands.guild_only()
    async def pass_(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Pass your turn — always OK."""
        await self.actions.command(interaction, "pass")

    @app_commands.command(name="done")
    @app_commands.guild_only()
    async def done(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Finish your share and hand the floor on."""
        await self.actions.command(interaction, "done")

    @app_commands.command(name="tag")
    @app_commands.guild_only()
    @app_commands.describe(member="The member you'd like to invite to share next")
    async def tag(
        self, interaction: discord.Interaction[PeerCircle], member: discord.Member
    ) -> None:
        """Finish your share and invite the next person (when the format says sharers tag)."""
        await self.actions.command(interaction, "tag", member=member)


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Meetings(bot))
