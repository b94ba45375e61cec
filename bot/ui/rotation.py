"""The rotation's buttons and what ``/rotation show`` looks like.

Every button is a :class:`discord.ui.DynamicItem` whose ``custom_id`` is
``pc:rot:<group>:<action>:<number>`` (a meeting number, a swap request or a rotation role — never
a user id), so an announcement's **I'll do it** / **Can't make it** keep working after a restart.
A press reaches :class:`~bot.runtime.rotation.RotationService` through
:func:`bot.ui.routing.services` and runs inside :func:`bot.ui.routing.guarded`.

Every press first checks its context (:mod:`bot.ui.context`): the group its ``custom_id`` names
is the group of the channel it was pressed in; a swap request's answer, sent privately, also
works in that direct message (the service checks the presser is the member it was sent to). A
Join / Leave button's rotation must be that group's too. Anything else changes nothing.

Buttons under the channel's announcements and the bot's own direct messages are labelled in the
group's language (the adapter says which); ``/rotation show`` and every answer to a press are
the member's alone, in their own language (:func:`private_locale`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import NotAllowed
from bot.i18n import SOURCE, Msg, msg, render, t, tn
from bot.runtime.rotation import RotationService, texts
from bot.ui.context import NOT_THIS_GROUP, require_place, rotation_group
from bot.ui.locale import private_locale
from bot.ui.routing import guarded, service

if TYPE_CHECKING:
    from bot.runtime.rotation import RotationService, Shown

CONFIRM_LABELS: dict[str, tuple[Msg, discord.ButtonStyle]] = {
    "yes": (msg("I'll do it"), discord.ButtonStyle.success),
    "cant": (msg("Can't make it"), discord.ButtonStyle.secondary),
    "swapyes": (msg("Swap with them"), discord.ButtonStyle.success),
    "swapno": (msg("No thanks"), discord.ButtonStyle.secondary),
    "remind": (msg("Remind me"), discord.ButtonStyle.secondary),
    "dmyes": (msg("I'll do it"), discord.ButtonStyle.success),
    "dmcant": (msg("Can't make it"), discord.ButtonStyle.secondary),
    "join": (msg("Join"), discord.ButtonStyle.primary),
    "leave": (msg("Leave"), discord.ButtonStyle.secondary),
}

#: Answers sent by private message (a swap request, a reminder): they work in that direct
#: message too (the service checks the presser is the one asked).
PRIVATE_ACTIONS = frozenset({"swapyes", "swapno", "dmyes", "dmcant"})


class RotationButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pc:rot:(?P<group>[0-9]{1,18}):(?P<action>[a-z]{1,12}):(?P<arg>[0-9]{1,18})",
):
    """A button of the rotation: answer an announcement or a swap request, join or leave."""

    def __init__(
        self,
        group_id: int,
        action: str,
        arg: int,
        *,
        label: str | None = None,
        locale: str = SOURCE,
    ) -> None:
        """``label``: the button's words as they are; else the action's, in ``locale``."""
        words, style = CONFIRM_LABELS.get(action, ("…", discord.ButtonStyle.secondary))
        super().__init__(
            discord.ui.Button(
                label=(label or render(locale, words))[:80],
                style=style,
                custom_id=f"pc:rot:{group_id}:{action}:{arg}",
            )
        )
        self.group_id = group_id
        self.action = action
        self.arg = arg

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RotationButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["group"]), match["action"], int(match["arg"]), label=label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        rotation = service(interaction, RotationService)

        async def answer() -> None:
            group = await rotation_group(interaction, self.group_id)
            require_place(interaction, group, privately=self.action in PRIVATE_ACTIONS)
            await interaction.response.defer(ephemeral=True, thinking=True)
            words = await pressed(rotation, interaction, self.group_id, self.action, self.arg)
            text = render(await private_locale(interaction), words)
            await interaction.followup.send(text, ephemeral=True)

        await guarded(interaction, f"the rotation {self.action}", answer)


async def pressed(
    service: RotationService,
    interaction: discord.Interaction[Any],
    group_id: int,
    action: str,
    arg: int,
) -> Msg | str:
    """What a rotation button does; returns the private answer (in no language yet)."""
    user = interaction.user
    match action:
        case "yes" | "dmyes":
            return await service.will_serve(group_id, arg, user)
        case "cant" | "dmcant":
            return await service.cant_make_it(group_id, arg, user)
        case "remind":
            return await service.remind_me(group_id, arg, user)
        case "swapyes" | "swapno":
            return await service.answer_swap(arg, user, accept=action == "swapyes")
        case "join" | "leave":
            if not isinstance(user, discord.Member):
                raise NotAllowed(texts.USE_IN_THE_GROUP_SERVER)
            channel_id, role = await service.role_for_button(arg)
            if channel_id != interaction.channel_id:
                raise NotAllowed(NOT_THIS_GROUP)  # another group's rotation
            if action == "join":
                return await service.join(channel_id, user, role)
            return await service.leave(channel_id, user, role)
    raise NotAllowed(texts.OLD_BUTTON)


def ask_view(group_id: int, meeting: int, locale: str = SOURCE) -> discord.ui.View:
    """**I'll do it** / **Can't make it** / **Remind me** under an announcement (``locale``:
    the group's language)."""
    view = discord.ui.View(timeout=None)
    view.add_item(RotationButton(group_id, "yes", meeting, locale=locale))
    view.add_item(RotationButton(group_id, "cant", meeting, locale=locale))
    view.add_item(RotationButton(group_id, "remind", meeting, locale=locale))
    return view


def reminder_view(group_id: int, meeting: int, locale: str = SOURCE) -> discord.ui.View:
    """**I'll do it** / **Can't make it** under a private reminder."""
    view = discord.ui.View(timeout=None)
    view.add_item(RotationButton(group_id, "dmyes", meeting, locale=locale))
    view.add_item(RotationButton(group_id, "dmcant", meeting, locale=locale))
    return view


def swap_view(group_id: int, swap_id: int, locale: str = SOURCE) -> discord.ui.View:
    """**Swap with them** / **No thanks** under a swap request."""
    view = discord.ui.View(timeout=None)
    view.add_item(RotationButton(group_id, "swapyes", swap_id, locale=locale))
    view.add_item(RotationButton(group_id, "swapno", swap_id, locale=locale))
    return view


def show_text(shown: Shown, locale: str = SOURCE) -> str:
    """The upcoming order, in display names read from Discord just now (never stored)."""
    if not shown.roles:
        return t(
            locale, "This group's format has no service roles that rotate: whoever starts chairs."
        )
    lines = []
    for order in shown.roles:
        lines.append(f"**{order.title}**")
        names = list(order.names)
        if order.asked and names[:1] == [order.asked]:
            lines.append(t(locale, "Next meeting: **{name}** (asked)", name=names.pop(0)))
            if names:
                lines.append(t(locale, "Then: {names}", names=" · ".join(names)))
        elif names:
            lines.append(" · ".join(f"{i}. {name}" for i, name in enumerate(names, 1)))
        elif not order.waiting:
            lines.append(
                t(
                    locale,
                    "Nobody has joined yet. Until someone does, whoever starts the meeting takes "
                    "it.",
                )
            )
        if order.waiting:
            lines.append(
                tn(
                    locale,
                    "{n} more volunteer joins the order once the group's format allows (new to "
                    "the server).",
                    "{n} more join the order once the group's format allows (new to the server).",
                    order.waiting,
                )
            )
    return "\n".join(lines)[:1900]


def show_view(shown: Shown, locale: str = SOURCE) -> discord.ui.View:
    """**Join** / **Leave** for each of the group's rotating roles (``locale``: the member's)."""
    view = discord.ui.View(timeout=None)
    for order in shown.roles[:12]:
        if order.rotation_id is None:
            continue
        title = order.title.lower()
        join = t(locale, "Join {role}", role=title)
        leave = t(locale, "Leave {role}", role=title)
        view.add_item(RotationButton(shown.group_id, "join", order.rotation_id, label=join))
        view.add_item(RotationButton(shown.group_id, "leave", order.rotation_id, label=leave))
    return view
