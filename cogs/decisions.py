"""/concern, /propose and /vote: due process and group decisions by secret ballot.

Each command is one call to ``bot.services.decisions`` (bot/runtime/decisions) and one private
reply: nothing here is public, and nothing shows who asked. The buttons (Second, Give my side,
the ballot) are registered here and live in bot/ui/decisions.py.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.i18n import Msg, render
from bot.runtime.clock import zone_names
from bot.runtime.decisions import texts
from bot.runtime.decisions.language import LANGUAGE, language_choices
from bot.runtime.decisions.settings import FORMAT
from bot.store.decision_rows import StoredProposal
from bot.ui.decisions import DYNAMIC_ITEMS
from bot.ui.locale import private_locale

log = logging.getLogger(__name__)

Interaction = discord.Interaction[PeerCircle]


def _per_member(interaction: Interaction) -> tuple[int | None, int]:
    return (interaction.guild_id, interaction.user.id)


def _status_line(guild_id: int, channel_id: int, stored: StoredProposal) -> Msg:
    proposal = stored.proposal
    line = texts.status_line(proposal.motion, None, proposal.state.value, proposal.deadline, None)
    message_id = stored.ballot_message_id or stored.message_id
    if message_id is None:
        return line
    return texts.see_it(line, f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}")


async def _reply(interaction: Interaction, words: Msg) -> None:
    """A private answer to a deferred command, in the member's language."""
    await interaction.followup.send(
        render(await private_locale(interaction), words), ephemeral=True
    )


class Decisions(commands.Cog):
    """Concerns, proposals and secret ballots."""

    propose = app_commands.Group(
        name="propose",
        description="Put something to the group, to decide by secret ballot.",
        guild_only=True,
    )
    vote = app_commands.Group(
        name="vote", description="The group's decisions by secret ballot.", guild_only=True
    )

    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # --- /concern ---------------------------------------------------------------------------

    @app_commands.command(name="concern")
    @app_commands.guild_only()
    @app_commands.describe(
        member="Who the note is for (they won't learn who asked)",
        guideline="Which of the group's guidelines the note is about",
    )
    @app_commands.checks.cooldown(3, 600, key=_per_member)
    async def concern(
        self, interaction: Interaction, member: discord.Member, guideline: str
    ) -> None:
        """Ask me to send a member a kind, private note about one of the group's guidelines."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        noted = await self.bot.services.decisions.raise_concern(
            interaction.channel_id, interaction.user, member, guideline
        )
        await _reply(interaction, texts.concern_sent(noted.title))

    @concern.autocomplete("guideline")
    async def _guidelines(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.lower()
        try:
            guidelines = await self.bot.services.decisions.guidelines(interaction.channel_id)
        except Exception:
            return []
        return [
            app_commands.Choice(name=g.title[:100], value=g.key)
            for g in guidelines
            if needle in g.key or needle in g.title.lower()
        ][:25]

    # --- /propose ---------------------------------------------------------------------------

    @propose.command(name="exclusion")
    @app_commands.describe(
        member="Who the proposal is about (they'll be told privately and can give their side)",
        meetings="How many of the group's next meetings they would sit out",
    )
    @app_commands.choices(
        meetings=[
            app_commands.Choice(name="the next meeting", value=1),
            app_commands.Choice(name="the next 2 meetings", value=2),
        ]
    )
    @app_commands.checks.cooldown(2, 600, key=_per_member)
    async def exclusion(
        self,
        interaction: Interaction,
        member: discord.Member,
        meetings: app_commands.Choice[int],
    ) -> None:
        """Propose that a member sit out the next 1 or 2 meetings, after earlier notes."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        proposed = await self.bot.services.decisions.propose_exclusion(
            interaction.channel_id, interaction.user, member, meetings.value
        )
        await _reply(interaction, texts.proposed(proposed.second_by))

    @propose.command(name="change")
    @app_commands.describe(
        what="What to change: the format, the schedule, a setting, or one of the format's switches",
        value="The new value: a format, a number, or on/off",
    )
    @app_commands.checks.cooldown(3, 600, key=_per_member)
    async def change(self, interaction: Interaction, what: str, value: str) -> None:
        """Propose a change to the group's format or settings, for the group to vote on."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        proposed = await self.bot.services.decisions.propose_change(
            interaction.channel_id, interaction.user, what, value
        )
        await _reply(interaction, texts.proposed(proposed.second_by))

    @change.autocomplete("what")
    async def _subjects(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.lower()
        try:
            choices = await self.bot.services.decisions.change_choices(interaction.channel_id)
            locale = await private_locale(interaction)
        except Exception:
            return []
        labelled = [(c.subject, render(locale, c.label)) for c in choices]
        return [
            app_commands.Choice(name=f"{label} ({subject})"[:100], value=subject)
            for subject, label in labelled
            if needle in subject or needle in label.lower()
        ][:25]

    @change.autocomplete("value")
    async def _values(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        what = getattr(interaction.namespace, "what", None)
        if what == "timezone":  # the schedule's time zone: IANA names as you type
            typed = current.strip().lower().replace(" ", "_")
            names = [name for name in zone_names() if typed in name.lower()][:25]
            return [app_commands.Choice(name=name, value=name) for name in names]
        if what == LANGUAGE:  # the languages the bot ships: a new catalogue is offered as is
            typed = current.strip().lower()
            return [
                app_commands.Choice(name=c.name, value=c.code)
                for c in language_choices()
                if typed in c.name.lower()
            ][:25]
        if what != FORMAT:
            return []
        needle = current.lower()
        try:
            entries = await self.bot.services.formats.entries(interaction.channel_id)
        except Exception:
            return []
        return [
            app_commands.Choice(name=f"{e.name} ({e.ref})"[:100], value=e.ref)
            for e in entries
            if not e.in_use and (needle in e.ref or needle in e.name.lower())
        ][:25]

    @propose.command(name="welcome-back")
    @app_commands.describe(member="Who to welcome back before their time away ends")
    @app_commands.checks.cooldown(2, 600, key=_per_member)
    async def welcome_back(self, interaction: Interaction, member: discord.Member) -> None:
        """Propose welcoming a member back now, before their time away ends."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        proposed = await self.bot.services.decisions.propose_welcome_back(
            interaction.channel_id, interaction.user, member
        )
        await _reply(interaction, texts.proposed(proposed.second_by))

    # --- /vote ------------------------------------------------------------------------------

    @vote.command(name="status")
    async def status(self, interaction: Interaction) -> None:
        """See what the group is deciding now, and when each step ends."""
        found = await self.bot.services.decisions.open_proposals(interaction.channel_id)
        group = found.group
        lines = [_status_line(group.guild_id, group.channel_id, p) for p in found.proposals]
        said = texts.words(await private_locale(interaction), lines or texts.NOTHING_OPEN)
        await interaction.response.send_message(said, ephemeral=True)

    # --- members coming back ----------------------------------------------------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Now and every hour: nobody stays shut out of a channel beyond their time away.
        try:
            await self.bot.services.decisions.start()
        except Exception:
            if not self.bot.is_closed():
                log.exception("Could not arm the check of closed channels")

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        try:
            await self.bot.services.decisions.member_joined(member.guild.id, member)
        except Exception:
            log.exception("Could not check a joining member for time away")


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Decisions(bot))
