"""/format: the built-in formats and the group's own — list, show, preview, upload."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerCircle
from bot.core.formats import CompiledFormat
from bot.errors import NotAllowed
from bot.i18n import msg, render, t, tn
from bot.runtime.formats import FormatEntry
from bot.ui.locale import channel_locale, private_locale
from bot.ui.pictures import add_format_timeline, timeline_file
from bot.ui.routing import OnceView

log = logging.getLogger(__name__)

PAGE_CHARS = 3800  # an embed description holds 4096
FORMAT_GUIDE = "formats/README.md"


def paginate(lines: list[str], limit: int = PAGE_CHARS, *, locale: str = "en") -> list[str]:
    """Join lines into pages of at most ``limit`` characters, never splitting a line."""
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = line if len(line) <= limit else line[: limit - 1] + "…"
        if current and size + len(line) + 1 > limit:
            pages.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        pages.append("\n".join(current))
    return pages or [t(locale, "(empty)")]


def outline_lines(plan: CompiledFormat, locale: str = "en") -> list[str]:
    # The describing code (and the format kinds it reads) loads when a format is first shown,
    # not when the bot starts (issue 18, item 4).
    from bot.core.formats.describe import clock, section_heading

    starts = {item.section.index: item.start_seconds for item in plan.schedule()}
    lines = [plan.about, ""] if plan.about else []
    for section in plan.sections:
        at = f"`{clock(starts[section.index])}` " if section.index in starts else "`  …  ` "
        indent = "  " * section.depth
        heading = render(locale, section_heading(plan, section))
        lines.append(f"{at}{indent}{section.index + 1}. {heading}")
    minutes = round(plan.planned_length_seconds() / 60)
    lines += ["", tn(locale, "About {n} minute in all.", "About {n} minutes in all.", minutes)]
    return lines


def preview_text(plan: CompiledFormat, locale: str) -> list[str]:
    """The meeting as the group will see it, in ``locale`` (the group's words as written)."""
    from bot.core.formats.describe import preview_said, wrap_lines

    return wrap_lines([render(locale, line) for line in preview_said(plan)])


class Pages(OnceView):
    """Previous / Next through a few pages of one private message."""

    def __init__(self, title: str, pages: list[str], locale: str = "en") -> None:
        super().__init__(timeout=600)
        self.title = title
        self.pages = pages
        self.index = 0
        self.locale = locale
        self.previous.label = t(locale, "Previous")
        self.next.label = t(locale, "Next")
        self._sync_buttons()

    def embed(self) -> discord.Embed:
        embed = discord.Embed(title=self.title[:256], description=self.pages[self.index])
        if len(self.pages) > 1:
            footer = t(
                self.locale, "Page {page} of {pages}", page=self.index + 1, pages=len(self.pages)
            )
            embed.set_footer(text=footer)
        return embed

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    async def _turn(self, interaction: discord.Interaction[PeerCircle], step: int) -> None:
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(style=discord.ButtonStyle.secondary)  # labelled in __init__
    async def previous(
        self, interaction: discord.Interaction[PeerCircle], button: discord.ui.Button[Pages]
    ) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(style=discord.ButtonStyle.secondary)  # labelled in __init__
    async def next(
        self, interaction: discord.Interaction[PeerCircle], button: discord.ui.Button[Pages]
    ) -> None:
        await self._turn(interaction, +1)


async def send_pages(
    interaction: discord.Interaction[PeerCircle],
    title: str,
    lines: list[str],
    locale: str = "en",
    picture: discord.File | None = None,
) -> None:
    pages = paginate(lines, locale=locale)
    view = Pages(title, pages, locale)
    files = [picture] if picture is not None else []
    if len(pages) > 1:
        await interaction.response.send_message(
            embed=view.embed(), view=view, files=files, ephemeral=True
        )
    else:
        await interaction.response.send_message(embed=view.embed(), files=files, ephemeral=True)


class AdoptNow(OnceView):
    """While a group is being set up (before its first meeting), Manage Server may adopt an
    upload directly; from then on the format is the group's decision (``/propose change``)."""

    def __init__(self, bot: PeerCircle, ref: str, locale: str = "en") -> None:
        super().__init__(timeout=600)
        self.bot = bot
        self.ref = ref
        self.adopt.label = t(locale, "Adopt it now")

    @discord.ui.button(style=discord.ButtonStyle.primary)  # labelled in __init__
    async def adopt(
        self, interaction: discord.Interaction[PeerCircle], button: discord.ui.Button[AdoptNow]
    ) -> None:
        permissions = interaction.permissions
        if not permissions.manage_guild:
            raise NotAllowed(msg("Adopting a format needs the Manage Server permission."))
        plan = await self.bot.services.formats.adopt_while_setting_up(
            interaction.channel_id,
            self.ref,
            self.bot.clock.timestamp(),
            meeting_under_way=self.bot.services.live.under_way(interaction.channel_id),
        )
        log.info("A group adopted an uploaded format")
        button.disabled = True
        self.stop()
        mine = await private_locale(interaction)
        await interaction.response.edit_message(
            content=t(
                mine,
                "Adopted. This group meets with **{name}** from its next meeting.",
                name=plan.name,
            ),
            view=None,
        )
        if isinstance(interaction.channel, discord.abc.Messageable):
            await interaction.channel.send(
                t(
                    await channel_locale(interaction),
                    "The group's format is now **{name}**, starting with the next meeting. "
                    "`/format show` walks through it.",
                    name=plan.name,
                )
            )


@app_commands.guild_only()
class Formats(commands.GroupCog, group_name="format"):
    """Meeting formats: the script each meeting follows."""

    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot
        super().__init__()

    async def _names(
        self, interaction: discord.Interaction[PeerCircle], current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.lower()
        entries = await self.bot.services.formats.entries(interaction.channel_id)
        return [
            app_commands.Choice(name=f"{entry.name} ({entry.ref})"[:100], value=entry.ref)
            for entry in entries
            if needle in entry.ref or needle in entry.name.lower()
        ][:25]

    @app_commands.command(name="list")
    async def list_formats(self, interaction: discord.Interaction[PeerCircle]) -> None:
        """See the built-in formats and this group's own."""
        entries = await self.bot.services.formats.entries(interaction.channel_id)
        locale = await private_locale(interaction)
        lines = [_entry_line(locale, entry) for entry in entries]
        lines += ["", t(locale, "`/format show` and `/format preview` walk through any of them.")]
        await send_pages(interaction, t(locale, "Meeting formats"), lines, locale)

    @app_commands.command(name="show")
    @app_commands.describe(name="Which format (leave empty: this group's)")
    @app_commands.autocomplete(name=_names)
    async def show(
        self, interaction: discord.Interaction[PeerCircle], name: str | None = None
    ) -> None:
        """See a format's sections, in order, with their timing."""
        plan = await self._plan(interaction, name)
        locale = await private_locale(interaction)
        await send_pages(interaction, plan.name, outline_lines(plan, locale), locale)

    @app_commands.command(name="preview")
    @app_commands.describe(name="Which format (leave empty: this group's)")
    @app_commands.autocomplete(name=_names)
    async def preview(
        self, interaction: discord.Interaction[PeerCircle], name: str | None = None
    ) -> None:
        """Walk through a meeting privately, as the group will see it."""
        plan = await self._plan(interaction, name)
        locale = await private_locale(interaction)
        title = t(locale, "Preview: {name}", name=plan.name)
        await send_pages(interaction, title, preview_text(plan, locale), locale)
        # The meeting's shape, beside the words: added once drawn (the answer goes first).
        await add_format_timeline(interaction, plan, locale)

    async def _plan(
        self, interaction: discord.Interaction[PeerCircle], name: str | None
    ) -> CompiledFormat:
        if name:
            return await self.bot.services.formats.resolve(interaction.channel_id, name)
        return (await self.bot.services.groups.view(interaction.channel_id)).format

    @app_commands.command(name="upload")
    @app_commands.describe(file="The format as a .yaml file (see the format guide)")
    async def upload(
        self, interaction: discord.Interaction[PeerCircle], file: discord.Attachment
    ) -> None:
        """Check a format file and save it for this group to consider."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = b"" if file.size > 65536 else await file.read()
        ref, plan = await self.bot.services.formats.upload(
            interaction.channel_id, file.filename, file.size, data, self.bot.clock.timestamp()
        )
        log.info("A format was uploaded and validated")
        locale = await private_locale(interaction)
        message = t(
            locale,
            "Thank you — **{name}** is a valid format. I saved it for this group as `{ref}`; "
            "`/format preview name:{ref}` walks through it. Adopting it is the group's decision: "
            "propose it with `/propose change what:format value:{ref}`.",
            name=plan.name,
            ref=ref,
        )
        picture = await timeline_file(plan, locale)
        files = [picture] if picture is not None else []
        if (
            interaction.permissions.manage_guild
            and await self.bot.services.formats.still_setting_up(interaction.channel_id)
        ):
            still = t(
                locale,
                "The group hasn't met yet, so with Manage Server you can still choose it as the "
                "starting format:",
            )
            await interaction.followup.send(
                f"{message}\n{still}",
                view=AdoptNow(self.bot, ref, locale),
                files=files,
                ephemeral=True,
            )
        else:
            await interaction.followup.send(message, files=files, ephemeral=True)


def _entry_line(locale: str, entry: FormatEntry) -> str:
    said = {
        (False, False): msg("`{ref}` **{name}**, about {minutes} min"),
        (True, False): msg("`{ref}` **{name}**, about {minutes} min — **this group's format**"),
        (False, True): msg("`{ref}` **{name}**, about {minutes} min — uploaded, not adopted"),
        (True, True): msg(
            "`{ref}` **{name}**, about {minutes} min — **this group's format** — uploaded, "
            "not adopted"
        ),
    }[(entry.in_use, entry.status == "candidate")]
    values = {"ref": entry.ref, "name": entry.name, "minutes": entry.minutes}
    return render(locale, msg(said.msgid, **values))


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Formats(bot))
