"""The raid lock's buttons and what a press or ``/lock`` / ``/unlock`` does (the lock itself:
:mod:`bot.runtime.room_rules.lock`).

**Pause and lock** sits on the meeting panel; the channel's lock message carries **Lift the
lock**; a show of hands carries **Lift it** / **Keep it**. Every ``custom_id`` is
``pc:rl:<number>:<action>`` (the meeting, or the show of hands' random number), never a user id.
Only the group's members may press them (:func:`bot.guild.in_group`). Pausing the meeting is
done here, through the meeting service (the chair's Pause, without needing the chair); the rest
is the raid lock service's.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import Any

import discord

from bot.core.meeting import Status
from bot.core.pseudonyms import Pseudonymizer
from bot.errors import NotAllowed
from bot.guild import ensure_members, in_group
from bot.i18n import render, t
from bot.runtime.meetings import CannotPost, MeetingService
from bot.runtime.room_rules import RaidLockService
from bot.runtime.room_rules.lock_words import NEVER, NOT_A_MEMBER
from bot.ui.locale import private_locale
from bot.ui.routing import guarded, service

Interaction = discord.Interaction[Any]
STYLES = {
    "lock": discord.ButtonStyle.danger,
    "unlock": discord.ButtonStyle.secondary,
    "keep": discord.ButtonStyle.secondary,
}


class RaidLockButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pc:rl:(?P<number>[0-9]{1,18}):(?P<action>lock|unlock|lift|keep)",
):
    """``pc:rl:<meeting>:lock`` (the panel's), ``pc:rl:0:unlock`` (the lock message's),
    ``pc:rl:<show of hands>:lift`` / ``:keep``."""

    def __init__(self, number: int, action: str, label: str = "…") -> None:
        style = STYLES.get(action, discord.ButtonStyle.success)
        custom_id = f"pc:rl:{number}:{action}"
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id))
        self.number = number
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RaidLockButton:
        button = item if isinstance(item, discord.ui.Button) else None
        label = (button.label if button else None) or "…"
        return cls(int(match["number"]), match["action"], label)

    async def callback(self, interaction: Interaction) -> None:
        action, number = self.action, self.number
        if action in ("lift", "keep"):
            what, choice = "hand", action
        else:
            what, choice = ("lift" if action == "unlock" else "lock"), None
        await guarded(
            interaction, f"the {action} button", lambda: pressed(interaction, what, number, choice)
        )


def lock_button(meeting_id: int, row: int, locale: str = "en") -> RaidLockButton:
    """The meeting panel's **Pause and lock** (in the group's language: the panel's)."""
    button = RaidLockButton(meeting_id, "lock", t(locale, "Pause and lock"))
    button.item.row = row
    return button


def lock_view(buttons: Sequence[tuple[str, str]]) -> discord.ui.View:
    """The runtime's buttons (``lift``; ``hand:<n>:lift`` / ``hand:<n>:keep``) on a message."""
    view = discord.ui.View(timeout=None)
    for spec, label in buttons:
        if spec == "lift":
            view.add_item(RaidLockButton(0, "unlock", label))
        else:
            _, number, choice = spec.split(":")
            view.add_item(RaidLockButton(int(number), choice, label))
    return view


async def pressed(
    interaction: Interaction, action: str, number: int | None = None, choice: str | None = None
) -> None:
    """A press, ``/lock`` (``lock``) or ``/unlock`` (``lift``), by a member of the group here."""
    meetings = service(interaction, MeetingService)
    raid = service(interaction, RaidLockService)
    group = await meetings.group_here(interaction.channel_id)
    member = interaction.user
    if not isinstance(member, discord.Member) or not in_group(group, member):
        raise NotAllowed(NOT_A_MEMBER)
    channel_id = group.channel_id
    locale = await private_locale(interaction)
    if action == "hand":
        said = raid.hand(channel_id, number or 0, member.id, choice == "lift")
        await interaction.response.send_message(render(locale, said), ephemeral=True)
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    who = service(interaction, Pseudonymizer).of(group.guild_id, member.id)
    if action == "lift":
        text = await raid.unlock(channel_id, who, member.id)
    elif raid.never(channel_id):
        text = NEVER
    else:
        live = meetings.in_channel(channel_id)
        if live is not None:
            meetings.seen(live, who, member.id)  # they took part (and keep posting, role or not)
        if group.member_role_id is None:
            await ensure_members(member.guild)  # join times, in memory, to tell newcomers
        if live is not None and live.state.status is Status.RUNNING:
            with contextlib.suppress(CannotPost):  # paused all the same, without its notice
                await meetings.act(live, lambda r, s, now: r.pause(s, now))
        text = await raid.lock(group, channel_id)
    await interaction.followup.send(render(locale, text), ephemeral=True)
