"""The meeting panel: its buttons row by row, and its list of members to choose from.

Rows (Discord allows five): the floor (**Raise hand**, or **Join the round** in a round); the
private choices and **Step in as chair**; the chair's tools (Next, Back, Pause or Resume, more
time, Skip); when someone chooses who shares next, a list of members (a select): the chair
calls on someone waiting, or in a tag part the sharer invites the next; and the format's own
private declarations (``declarations:``, at most five), if it has any. Every press goes
through :class:`bot.ui.meeting.MeetingActions`, which checks where it was pressed and by whom.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import discord

from bot.core.formats.plan import Order
from bot.core.meeting import Chooser, Status
from bot.core.pseudonyms import Pseudonym
from bot.i18n import SOURCE, Msg, msg, render
from bot.runtime.live import LiveMeeting
from bot.ui.meeting import MeetingActions, MeetingButton
from bot.ui.meeting_room import MORE_MINUTES, order_now
from bot.ui.raid_lock import lock_button
from bot.ui.routing import guarded, service

Spec = tuple[str, Msg, discord.ButtonStyle]
_GREY, _BLUE, _GREEN = (
    discord.ButtonStyle.secondary,
    discord.ButtonStyle.primary,
    discord.ButtonStyle.success,
)
#: The panel, row by row (Discord allows five rows): the floor; private choices and stepping
#: in; the chair's tools; and, when someone chooses who shares next, a list of members.
PANEL_BUTTONS: tuple[Spec, ...] = (
    ("hand", msg("Raise hand"), _BLUE),
    ("lower", msg("Lower hand"), _GREY),
    ("pass", msg("Pass"), _GREY),
    ("done", msg("Done sharing"), _GREEN),
)
ROUND_BUTTONS: tuple[Spec, ...] = (
    ("hand", msg("Join the round"), _BLUE),
    ("pass", msg("Pass"), _GREY),
    ("done", msg("Done sharing"), _GREEN),
)
PRIVATE_BUTTONS: tuple[Spec, ...] = (
    ("first", msg("It's my first time"), _GREY),
    ("listen", msg("I'd rather listen today"), _GREY),
    ("stepin", msg("Step in as chair"), _GREY),
)
CHAIR_BUTTONS: tuple[Spec, ...] = (
    ("next", msg("Next (chair)"), _GREY),
    ("back", msg("Back"), _GREY),
    ("pause", msg("Pause"), _GREY),
    ("more", msg("+{minutes} min", minutes=MORE_MINUTES), _GREY),
    ("skip", msg("Skip this part"), _GREY),
)
#: Shown on the panel while the meeting is paused (the chair goes on from where it stopped).
RESUME_BUTTON: Spec = ("resume", msg("Resume (chair)"), _GREEN)
CHOOSER_WORDS = {
    Chooser.CHAIR: msg("Chair: call on someone to share…"),
    Chooser.SHARER: msg("Sharer: invite the next person to share…"),
}


class MeetingChoice(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"pc:ms:(?P<meeting>[0-9]{1,18}):(?P<action>pick|tag)",
):
    """The panel's list of members: the chair calls on someone waiting (``pick``), or the
    sharer invites the next (``tag``). Labels are first names; values are opaque indexes into
    the meeting's members, checked again when chosen. Never a user id."""

    def __init__(
        self,
        meeting_id: int,
        action: str,
        options: Sequence[tuple[int, str]] = (),
        *,
        locale: str = SOURCE,
    ) -> None:
        chooser = Chooser.SHARER if action == "tag" else Chooser.CHAIR
        choices = [discord.SelectOption(label=n[:100], value=str(i)) for i, n in options[:25]]
        super().__init__(
            discord.ui.Select(
                custom_id=f"pc:ms:{meeting_id}:{action}",
                placeholder=render(locale, CHOOSER_WORDS[chooser]),
                options=choices or [discord.SelectOption(label="…", value="-1")],
                row=3,
            )
        )
        self.meeting_id = meeting_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> MeetingChoice:
        return cls(int(match["meeting"]), match["action"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        actions = service(interaction, MeetingActions)
        data: Any = interaction.data or {}
        values = data.get("values") or []
        chosen = str(values[0]) if values else ""
        await guarded(
            interaction,
            f"the {self.action} list",
            lambda: actions.chosen(interaction, self.meeting_id, self.action, chosen),
        )


def panel_view(
    live: LiveMeeting, name: Callable[[Pseudonym], str] | None = None, *, locale: str = SOURCE
) -> discord.ui.View:
    """The panel's buttons by row, in the group's language (``locale``); with ``name``, the
    list of members to choose from."""
    view = discord.ui.View(timeout=None)
    paused = live.state.status is Status.PAUSED
    floor = PANEL_BUTTONS if order_now(live) is not Order.ROUND else ROUND_BUTTONS
    chair = tuple(RESUME_BUTTON if s[0] == "pause" and paused else s for s in CHAIR_BUTTONS)
    for row, specs in enumerate((floor, PRIVATE_BUTTONS, chair)):
        for action, label, style in specs:
            arg = MORE_MINUTES if action == "more" else None
            button = MeetingButton(live.id, action, arg, label=render(locale, label), style=style)
            button.item.row = row
            view.add_item(button)
    lock = lock_button(live.id, row=1, locale=locale)  # any member, in a raid (ui/raid_lock.py)
    view.add_item(lock)
    for index, said in enumerate(live.plan.variants.declarations):  # the format's own, privately
        button = MeetingButton(live.id, "said", index, label=said.words, style=_GREY)
        button.item.row = 4
        view.add_item(button)
    chooser, choices = live.runner.choices(live.state)
    if name is not None and chooser is not Chooser.NOBODY:
        action = "tag" if chooser is Chooser.SHARER else "pick"
        options = [(i, name(w)) for i, w in choices]
        view.add_item(MeetingChoice(live.id, action, options, locale=locale))
    return view
