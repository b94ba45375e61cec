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
from bot.runtime.privacy import ForgetOutcome, WhatIKeep, shard_owner
from bot.store.privacy import MemberRows
from bot.ui.routing import OnceView

log = logging.getLogger(__name__)

EMBED_LIMIT = 4096
MESSAGE_LIMIT = 2000
CODED_KEY = "a coded key that only this bot can match, never your name or id"


def _clip(text: str, limit: int = EMBED_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _never_kept(reads_messages: bool) -> str:
    messages = (
        "what you write: this group turned on hold mode, so I see crosstalk only to hand it "
        "back to its author, and I never save it"
        if reads_messages
        else "what you write: I can't even read it, because I never ask Discord for message content"
    )
    return (
        "**What I never keep**\n"
        "Names, how anyone voted, who was reminded or asked for a reminder, and "
        f"{messages}. Once a meeting ends I keep no attendance and nothing about who shared; "
        "while it runs, only coded keys (who has the floor, whose hand is up, who has shared "
        "in it), deleted when it ends."
    )


DISCORD_KEEPS = (
    "**What Discord itself keeps**\n"
    "Your messages stay in the channel as usual; I don't copy them. When the group decides that "
    "someone sits out a meeting, I change this channel's permissions for them, and change them "
    "back when they return. Discord records each change in the server's audit log, with the "
    "reason \u201cgroup decision\u201d and nothing else; people who manage the server can see "
    "it. That log is Discord's, not mine: I can't delete it."
)


def what_i_keep_text(report: WhatIKeep, *, reads_messages: bool) -> str:
    lines: list[str] = []
    group, totals = report.group, report.totals
    if group is not None:
        lines += [
            "**For this group I keep, right now**",
            f"• Its settings: where it meets, its format (`{group.format_id}`) and who counts as "
            "a member (a role, or whoever can see this channel)",
            f"• How many meetings it has held: {totals.meetings_held}",
        ]
    elif totals.groups:
        lines += [
            "**In this server I keep, right now**",
            f"• The settings of {totals.groups} group{'s' if totals.groups != 1 else ''}: where "
            "each meets, its format and who counts as a member",
            f"• How many meetings they have held, in all: {totals.meetings_held}",
        ]
    else:
        lines += [
            "**In this server I keep, right now**",
            "• Nothing: no group meets here yet.",
        ]
    lines += [
        f"• {count.entry.describe(count.rows)} — {count.entry.until}" for count in report.kept
    ]
    lines.append("")
    if report.nothing_yours:
        lines.append("**About you:** nothing. I keep nothing keyed to you in this server.")
    else:
        lines.append(f"**About you, in this server** (as {CODED_KEY})")
        lines += [f"• {rows.entry.describe(rows.removable + rows.kept)}" for rows in report.yours]
        lines.append(
            "`/privacy forget-me` erases it, except what is in force and ends on its own."
            if any(rows.kept for rows in report.yours)
            else "`/privacy forget-me` erases it."
        )
    lines += ["", _never_kept(reads_messages), "", DISCORD_KEEPS, ""]
    if group is not None:
        lines.append(
            f"**Questions?** Ask your group, here in <#{group.channel_id}>: it decides together "
            "how it meets and what it asks of me."
        )
    else:
        lines.append(
            "**Questions?** Ask in your group's channel: each group decides together how it "
            "meets. Run this there to see that group's own counts."
        )
    return _clip("\n".join(lines))


def _kept_lines(rows: list[MemberRows]) -> list[str]:
    return [
        f"• {row.entry.describe(row.kept)} — {row.entry.forget.because or row.entry.until}"
        for row in rows
    ]


def forget_preview_text(preview: ForgetOutcome) -> str:
    lines = ["**Forget me in this server**"]
    if preview.removed:
        lines.append("If you go ahead, I'll delete everything keyed to you here:")
        lines += [f"• {row.entry.describe(row.removable)}" for row in preview.removed]
    else:
        lines.append(
            "Right now I keep nothing here that I could delete for you. Going ahead still clears "
            "anything live, like a raised hand."
        )
    if preview.kept:
        lines += ["", "These stay until they end on their own:", *_kept_lines(preview.kept)]
    lines += [
        "",
        "This can't be undone. Your messages in Discord aren't affected (I never kept them).",
    ]
    return _clip("\n".join(lines), MESSAGE_LIMIT)


def forget_done_text(outcome: ForgetOutcome) -> str:
    if outcome.removed:
        lines = ["Done. I deleted:"]
        lines += [f"• {row.entry.describe(row.removable)}" for row in outcome.removed]
    else:
        lines = ["Done. There was nothing keyed to you to delete."]
    if outcome.kept:
        lines += ["", "Still in force, and deleted on its own:", *_kept_lines(outcome.kept)]
    else:
        lines += ["", "I keep nothing about you in this server now."]
    lines += ["", "You're welcome to keep taking part, as always."]
    return _clip("\n".join(lines), MESSAGE_LIMIT)


class ForgetMeConfirm(OnceView):
    """The confirmation step: nothing is deleted until the member presses the button."""

    def __init__(self, bot: PeerCircle, *, guild_id: int, user_id: int) -> None:
        super().__init__(timeout=600)
        self.bot = bot
        self.guild_id = guild_id
        self.user_id = user_id

    def _check_member(self, interaction: discord.Interaction[PeerCircle]) -> None:
        if interaction.user.id != self.user_id:
            raise NotAllowed("Only the member who asked can confirm this. Nothing changed.")

    @discord.ui.button(label="Forget me", style=discord.ButtonStyle.danger)
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
        await interaction.response.edit_message(content=forget_done_text(outcome), view=None)

    @discord.ui.button(label="Keep everything", style=discord.ButtonStyle.secondary)
    async def cancel(
        self,
        interaction: discord.Interaction[PeerCircle],
        button: discord.ui.Button[ForgetMeConfirm],
    ) -> None:
        self._check_member(interaction)
        self.stop()
        await interaction.response.edit_message(content="Nothing changed.", view=None)


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
        text = what_i_keep_text(report, reads_messages=self.bot.intents.message_content)
        embed = discord.Embed(title="What Peer Circle keeps", description=text)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="forget-me")
    async def forget_me(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """Erase everything I keep that is keyed to you in this server."""
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage
        preview = await self.bot.services.privacy.forget_preview(
            guild_id=interaction.guild_id, user_id=interaction.user.id
        )
        view = ForgetMeConfirm(self.bot, guild_id=interaction.guild_id, user_id=interaction.user.id)
        await interaction.response.send_message(
            forget_preview_text(preview), view=view, ephemeral=True
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
        owns = shard_owner(self.bot.shard_id, self.bot.shard_count)
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
