"""/group: the peer group that meets in a channel."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.errors import NoGroupHere, NotAllowed
from bot.guild import MEETING_PERMISSIONS, require_permissions
from bot.runtime import markup
from bot.runtime.clock import zone_names
from bot.runtime.groups import GroupView
from bot.runtime.schedule import ScheduleView
from bot.runtime.schedule import texts as schedule_texts

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


def schedule_text(view: ScheduleView) -> str:
    """``/group schedule``: the next meetings in the reader's own time (Discord shows ``<t:…>``
    in each member's zone), and the exceptions."""
    stored = view.stored
    if view.empty:
        return schedule_texts.NO_SCHEDULE + f" (Time zone: {stored.zone}.)"
    lines = [f"**When this group meets** (its time zone: {stored.zone})"]
    if stored.meetings:
        lines.append(stored.meetings[:1].upper() + stored.meetings[1:])
    lines.append("Next meetings, shown in your own time:")
    for o in view.upcoming:
        note = " — an extra meeting" if o.extra else ""
        if o.shifted:
            note += " — the clocks jump forward at that hour, so it starts an hour later"
        lines.append(f"• <t:{round(o.at.timestamp())}:F> ({markup.when(o.at)}){note}")
    if view.skips:
        days = ", ".join(schedule_texts.day(d) for d in view.skips)
        lines.append(f"No meeting on: {days}.")
    return markup.bounded("\n".join(lines))


def welcome_text(view: GroupView) -> str:
    return (
        f"This channel is now home to a peer group, meeting with the **{view.format.name}** "
        "format. Nobody here is in charge: the group decides together.\n"
        "• `/group settings` shows how the group meets.\n"
        "• The group can change its format later, by its own decision."
    )


def zone_choices(current: str) -> list[app_commands.Choice[str]]:
    """IANA time zones matching what's typed ("york", "kolkata"), for autocompletion."""
    needle = current.strip().lower().replace(" ", "_")
    return [
        app_commands.Choice(name=name, value=name)
        for name in zone_names()
        if needle in name.lower()
    ][:25]


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
        schedule="When the group meets, like: Tuesdays 19:00 (leave empty: start by hand)",
        timezone="The group's time zone, like America/New_York (start typing a city)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def setup(
        self,
        interaction: discord.Interaction[PeerCircle],
        format: str,
        member_role: discord.Role | None = None,
        schedule: str | None = None,
        timezone: str | None = None,
    ) -> None:
        """Start a peer group in this channel (needs Manage Server, once)."""
        if interaction.guild_id is None or interaction.channel_id is None:
            raise NoGroupHere
        require_permissions(interaction.app_permissions, MEETING_PERMISSIONS, "be a group's home")
        meets = self.bot.services.schedule.for_setup(schedule, timezone)  # refused before setup
        view = await self.bot.services.groups.setup(
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            format_id=format,
            member_role_id=member_role.id if member_role else None,
            now=self.bot.clock.timestamp(),
        )
        log.info("A group was set up (format %s)", view.group.format_id)
        when = ""
        if meets is not None:
            await self.bot.services.schedule.keep(view.group, meets)
            when = f"\nMeets: {meets.meetings or 'no regular time yet'} ({meets.zone})"
        await interaction.response.send_message(
            "Done. From here on you're a member like everyone else: the group decides together.\n"
            + settings_text(view)
            + when,
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

    @setup.autocomplete("timezone")
    async def _setup_zones(
        self, interaction: discord.Interaction[PeerCircle], current: str
    ) -> list[app_commands.Choice[str]]:
        return zone_choices(current)

    @app_commands.command(name="schedule")
    @app_commands.describe(
        schedule="Before the first meeting: when the group meets, like Tuesdays 19:00",
        timezone="Before the first meeting: the group's time zone, like Europe/London",
        skip="Before the first meeting: a date with no meeting, like 2026-12-25",
        extra="Before the first meeting: a one-off extra meeting, like 2026-12-27 18:00",
    )
    async def schedule(
        self,
        interaction: discord.Interaction[PeerCircle],
        schedule: str | None = None,
        timezone: str | None = None,
        skip: str | None = None,
        extra: str | None = None,
    ) -> None:
        """See when the group meets next, in your own time (and its exceptions)."""
        service = self.bot.services.schedule
        changes = {"timezone": timezone, "schedule": schedule, "skip": skip, "extra": extra}
        asked = {subject: value for subject, value in changes.items() if value}
        if asked and not getattr(interaction.permissions, "manage_guild", False):
            raise NotAllowed(schedule_texts.NEEDS_MANAGE_SERVER)
        for subject, value in asked.items():
            await service.change_before_first_meeting(interaction.channel_id, subject, value)
        view = await service.view(interaction.channel_id)
        done = "Done: the schedule is changed.\n" if asked else ""
        await interaction.response.send_message(done + schedule_text(view), ephemeral=True)

    @schedule.autocomplete("timezone")
    async def _schedule_zones(
        self, interaction: discord.Interaction[PeerCircle], current: str
    ) -> list[app_commands.Choice[str]]:
        return zone_choices(current)

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
