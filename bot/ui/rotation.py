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
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import NotAllowed
from bot.runtime.rotation import RotationService
from bot.ui.context import NOT_THIS_GROUP, require_place, rotation_group
from bot.ui.routing import guarded, service

if TYPE_CHECKING:
    from bot.runtime.rotation import RotationService, Shown

CONFIRM_LABELS = {
    "yes": ("I'll do it", discord.ButtonStyle.success),
    "cant": ("Can't make it", discord.ButtonStyle.secondary),
    "swapyes": ("Swap with them", discord.ButtonStyle.success),
    "swapno": ("No thanks", discord.ButtonStyle.secondary),
    "remind": ("Remind me", discord.ButtonStyle.secondary),
    "dmyes": ("I'll do it", discord.ButtonStyle.success),
    "dmcant": ("Can't make it", discord.ButtonStyle.secondary),
    "join": ("Join", discord.ButtonStyle.primary),
    "leave": ("Leave", discord.ButtonStyle.secondary),
}

#: Answers sent by private message (a swap request, a reminder): they work in that direct
#: message too (the service checks the presser is the one asked).
PRIVATE_ACTIONS = frozenset({"swapyes", "swapno", "dmyes", "dmcant"})


class RotationButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pc:rot:(?P<group>[0-9]{1,18}):(?P<action>[a-z]{1,12}):(?P<arg>[0-9]{1,18})",
):
    """A button of the rotation: answer an announcement or a swap request, join or leave."""

    def __init__(self, group_id: int, action: str, arg: int, *, label: str | None = None) -> None:
        text, style = CONFIRM_LABELS.get(action, ("…", discord.ButtonStyle.secondary))
        super().__init__(
            discord.ui.Button(
                label=(label or text)[:80],
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
            text = await pressed(rotation, interaction, self.group_id, self.action, self.arg)
            await interaction.followup.send(text, ephemeral=True)

        await guarded(interaction, f"the rotation {self.action}", answer)


async def pressed(
    service: RotationService,
    interaction: discord.Interaction[Any],
    group_id: int,
    action: str,
    arg: int,
) -> str:
    """What a rotation button does; returns the private answer."""
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
                raise NotAllowed("Please use this in the group's server.")
            channel_id, role = await service.role_for_button(arg)
            if channel_id != interaction.channel_id:
                raise NotAllowed(NOT_THIS_GROUP)  # another group's rotation
            if action == "join":
                return await service.join(channel_id, user, role)
            return await service.leave(channel_id, user, role)
    raise NotAllowed("That button is from an older version; `/rotation show` has new ones.")


def ask_view(group_id: int, meeting: int) -> discord.ui.View:
    """**I'll do it** / **Can't make it** / **Remind me** under an announcement."""
    view = discord.ui.View(timeout=None)
    view.add_item(RotationButton(group_id, "yes", meeting))
    view.add_item(RotationButton(group_id, "cant", meeting))
    view.add_item(RotationButton(group_id, "remind", meeting))
    return view


def reminder_view(group_id: int, meeting: int) -> discord.ui.View:
    """**I'll do it** / **Can't make it** under a private reminder."""
    view = discord.ui.View(timeout=None)
    view.add_item(RotationButton(group_id, "dmyes", meeting))
    view.add_item(RotationButton(group_id, "dmcant", meeting))
    return view


def swap_view(group_id: int, swap_id: int) -> discord.ui.View:
    """**Swap with them** / **No thanks** under a swap request."""
    view = discord.ui.View(timeout=None)
    view.add_item(RotationButton(group_id, "swapyes", swap_id))
    view.add_item(RotationButton(group_id, "swapno", swap_id))
    return view


def show_text(shown: Shown) -> str:
    """The upcoming order, in display names read from Discord just now (never stored)."""
    if not shown.roles:
        return "This group's format has no service roles that rotate: whoever starts chairs."
    lines = []
    for order in shown.roles:
        lines.append(f"**{order.title}**")
        names = list(order.names)
        if order.asked and names[:1] == [order.asked]:
            lines.append(f"Next meeting: **{names.pop(0)}** (asked)")
            if names:
                lines.append("Then: " + " · ".join(names))
        elif names:
            lines.append(" · ".join(f"{i}. {name}" for i, name in enumerate(names, 1)))
        elif not order.waiting:
            lines.append(
                "Nobody has joined yet. Until someone does, whoever starts the meeting takes it."
            )
        if order.waiting:
            more = "1 more volunteer joins" if order.waiting == 1 else f"{order.waiting} more join"
            lines.append(f"{more} the order once the group's format allows (new to the server).")
    return "\n".join(lines)[:1900]


def show_view(shown: Shown) -> discord.ui.View:
    """**Join** / **Leave** for each of the group's rotating roles."""
    view = discord.ui.View(timeout=None)
    for order in shown.roles[:12]:
        if order.rotation_id is None:
            continue
        title = order.title.lower()
        view.add_item(
            RotationButton(shown.group_id, "join", order.rotation_id, label=f"Join {title}")
        )
        view.add_item(
            RotationButton(shown.group_id, "leave", order.rotation_id, label=f"Leave {title}")
        )
    return view
