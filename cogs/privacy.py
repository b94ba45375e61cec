"""/privacy what-i-keep and /privacy forget-me: what the bot keeps, and erasing yourself.

Discord cannot have ``/privacy`` and ``/privacy forget-me`` at once: a command with subcommands
cannot itself be run ("using subcommands or subcommand groups will make your base command
unusable", Discord's application-command docs), and discord.py refuses a command and a group of
the same name. So ``/privacy`` is a group: ``what-i-keep`` and ``forget-me``.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.errors import NotAllowed
from bot.guild import ensure_members
from bot.i18n import msg, t
from bot.ui.locale import private_locale
from bot.ui.privacy_words import forget_done_text, forget_preview_text, what_i_keep_text
from bot.ui.routing import OnceView

log = logging.getLogger(__name__)


class ForgetMeConfirm(OnceView):
    """The confirmation step: nothing is deleted until the member presses the button."""

    def __init__(self, bot: PeerCircle, *, guild_id: int, user_id: int, locale: str) -> None:
        super().__init__(timeout=600)
        self.bot = bot
        self.guild_id = guild_id
        self.user_id = user_id
        self.locale = locale
        self.confirm.label = t(locale, "Forget me")
        self.cancel.label = t(locale, "Keep everything")

    def _check_member(self, interaction: discord.Interaction[PeerCircle]) -> None:
        if interaction.user.id != self.user_id:
            raise NotAllowed(msg("Only the member who asked can confirm this. Nothing changed."))

    @discord.ui.button(style=discord.ButtonStyle.danger)  # labels: in the member's language
    async def confirm(
        self,
        interaction: discord.Interaction[PeerCircle],
        button: discord.ui.Button[ForgetMeConfirm],
    ) -> None:
        self._check_member(interaction)
        outcome = await self.bot.services.privacy.forget_member(
            guild_id=self.guild_id, user_id=self.user_id
        )
        self.stop()
        text = forget_done_text(self.locale, outcome)
        await interaction.response.edit_message(content=text, view=None)

    @discord.ui.button(style=discord.ButtonStyle.secondary)
    async def cancel(
        self,
        interaction: discord.Interaction[PeerCircle],
        button: discord.ui.Button[ForgetMeConfirm],
    ) -> None:
        self._check_member(interaction)
        self.stop()
        await interaction.response.edit_message(
            content=t(self.locale, "Nothing changed."), view=None
        )


@app_commands.guild_only()
class Privacy(commands.GroupCog, group_name="privacy"):
    """What I keep about this group and about you, and how to erase yourself."""

    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="what-i-keep")
    async def what_i_keep(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """See exactly what I keep about this group and about you, right now."""
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage
        report = await self.bot.services.privacy.what_i_keep(
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            user_id=interaction.user.id,
        )
        locale = await private_locale(interaction)
        text = what_i_keep_text(locale, report, reads_messages=self.bot.intents.message_content)
        embed = discord.Embed(title=t(locale, "What Peer Circle keeps"), description=text)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="forget-me")
    async def forget_me(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Erase everything I keep that is keyed to you in this server."""
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage
        preview = await self.bot.services.privacy.forget_preview(
            guild_id=interaction.guild_id, user_id=interaction.user.id
        )
        locale = await private_locale(interaction)
        view = ForgetMeConfirm(
            self.bot, guild_id=interaction.guild_id, user_id=interaction.user.id, locale=locale
        )
        await interaction.response.send_message(
            forget_preview_text(locale, preview), view=view, ephemeral=True
        )

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """Someone left the server (or was removed): forget them there at once, as forget-me
        would, keeping only what is in force until it ends. Fires whether or not the member
        was in the cache; nothing identifying is logged."""
        me = self.bot.user
        if payload.user.bot or (me is not None and payload.user.id == me.id):
            return  # the bot itself leaving is on_guild_remove; apps have nothing kept
        try:
            await self.bot.services.privacy.forget_member(
                guild_id=payload.guild_id, user_id=payload.user.id, left=True
            )
        except Exception:
            if self.bot.is_closed():
                return  # stopping: the one transaction either committed or rolled back
            raise

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Every server the gateway told us about, unavailable ones included: an outage is not
        # a departure. Only servers of this process's shard are considered.
        connected = [guild.id for guild in self.bot.guilds]
        owns = self.bot.services.ownership.owns_guild  # this process's shards (SHARD_IDS)
        try:
            await self.bot.services.privacy.reconcile(connected, owns)
            await self._catch_up_leavers()
        except Exception:
            if self.bot.is_closed():
                return  # stopped while tidying up: the next start does it again
            raise

    async def _catch_up_leavers(self) -> None:
        """Members who left a server while the bot was away (Discord sends no event for that
        later): forgotten as leaving would, once the server's whole member list is here. If it
        isn't complete (it didn't arrive, or the server is unavailable), nobody is forgotten."""
        privacy = self.bot.services.privacy
        for guild_id in await privacy.data.guild_ids():
            guild = self.bot.get_guild(guild_id)
            if guild is None or guild.unavailable:
                continue
            if not await ensure_members(guild) or not guild.chunked:
                log.info("A server's member list is incomplete; no leavers are caught up there")
                continue
            await privacy.forget_departed(guild.id, [member.id for member in guild.members])


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Privacy(bot))
