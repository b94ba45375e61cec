"""/group: the peer group that meets in a channel."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.errors import NoGroupHere, NotAllowed
from bot.guild import MEETING_PERMISSIONS, require_permissions
from bot.i18n import Msg, msg, msg_n, render, render_lines
from bot.runtime import markup
from bot.runtime.clock import zone_names
from bot.runtime.groups import GroupView
from bot.runtime.schedule import ScheduleView
from bot.runtime.schedule import texts as schedule_texts
from bot.ui.locale import channel_locale, private_locale

log = logging.getLogger(__name__)


def settings_text(locale: str, view: GroupView) -> str:
    group, plan = view.group, view.format
    members: Msg | str = (
        f"<@&{group.member_role_id}>"
        if group.member_role_id
        else msg("anyone who can see this channel")
    )
    minutes = round(plan.planned_length_seconds() / 60)
    return render_lines(
        locale,
        [
            msg("**How this group meets**"),
            msg_n(
                "Format: **{name}** (`{format_id}`), about {n} minute",
                "Format: **{name}** (`{format_id}`), about {n} minutes",
                minutes,
                name=plan.name,
                format_id=group.format_id,
            ),
            msg("Members: {members}", members=members),
            msg("Meetings held so far: {count}", count=group.meetings_held),
        ],
    )


def schedule_text(locale: str, view: ScheduleView) -> str:
    """``/group schedule``: the next meetings in the reader's own time (Discord shows ``<t:…>``
    in each member's zone), and the exceptions. The regular meetings are said in the words the
    bot reads back (``Tuesdays at 19:00``), which are English."""
    stored = view.stored
    if view.empty:
        return render(locale, schedule_texts.no_schedule(stored.zone))
    lines: list[Msg | str] = [
        msg("**When this group meets** (its time zone: {zone})", zone=stored.zone)
    ]
    if stored.meetings:
        lines.append(stored.meetings[:1].upper() + stored.meetings[1:])
    lines.append(msg("Next meetings, shown in your own time:"))
    for o in view.upcoming:
        at = f"<t:{round(o.at.timestamp())}:F>"
        relative = markup.when(o.at)
        if o.extra and o.shifted:
            line = msg(
                "• {at} ({relative}) — an extra meeting — the clocks jump forward at that hour, "
                "so it starts an hour later",
                at=at,
                relative=relative,
            )
        elif o.extra:
            line = msg("• {at} ({relative}) — an extra meeting", at=at, relative=relative)
        elif o.shifted:
            line = msg(
                "• {at} ({relative}) — the clocks jump forward at that hour, so it starts an "
                "hour later",
                at=at,
                relative=relative,
            )
        else:
            line = msg("• {at} ({relative})", at=at, relative=relative)
        lines.append(line)
    if view.skips:
        days = ", ".join(render(locale, schedule_texts.day(d)) for d in view.skips)
        lines.append(msg("No meeting on: {days}.", days=days))
    return markup.bounded(render_lines(locale, lines))


def welcome_text(locale: str, view: GroupView) -> str:
    return render_lines(
        locale,
        [
            msg(
                "This channel is now home to a peer group, meeting with the **{name}** format. "
                "Nobody here is in charge: the group decides together.",
                name=view.format.name,
            ),
            msg("• `/group settings` shows how the group meets."),
            msg("• The group can change its format later, by its own decision."),
        ],
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
        require_permissions(
            interaction.app_permissions, MEETING_PERMISSIONS, msg("be a group's home")
        )
        meets = self.bot.services.schedule.for_setup(schedule, timezone)  # refused before setup
        view = await self.bot.services.groups.setup(
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            format_id=format,
            member_role_id=member_role.id if member_role else None,
            now=self.bot.clock.timestamp(),
        )
        log.info("A group was set up (format %s)", view.group.format_id)
        locale = await private_locale(interaction)
        lines: list[Msg | str] = [
            msg(
                "Done. From here on you're a member like everyone else: the group decides together."
            ),
            settings_text(locale, view),
        ]
        if meets is not None:
            await self.bot.services.schedule.keep(view.group, meets)
            lines.append(
                msg("Meets: {when} ({zone})", when=meets.meetings, zone=meets.zone)
                if meets.meetings
                else msg("Meets: no regular time yet ({zone})", zone=meets.zone)
            )
        await interaction.response.send_message(render_lines(locale, lines), ephemeral=True)
        if isinstance(interaction.channel, discord.abc.Messageable):
            await interaction.channel.send(welcome_text(await channel_locale(interaction), view))

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
        locale = await private_locale(interaction)
        said = schedule_text(locale, view)
        if asked:
            said = render_lines(locale, [msg("Done: the schedule is changed."), said])
        await interaction.response.send_message(said, ephemeral=True)

    @schedule.autocomplete("timezone")
    async def _schedule_zones(
        self, interaction: discord.Interaction[PeerCircle], current: str
    ) -> list[app_commands.Choice[str]]:
        return zone_choices(current)

    @app_commands.command(name="settings")
    async def settings(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """See how the group in this channel meets."""
        view = await self.bot.services.groups.view(interaction.channel_id)
        said = settings_text(await private_locale(interaction), view)
        await interaction.response.send_message(said, ephemeral=True)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        removed = await self.bot.services.groups.forget_guild(guild.id)
        log.info("Left a server; forgot %d group(s) there", removed)


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Groups(bot))
