"""Buttons verify their context: a ``custom_id`` names a vote or a rotation, never where it may
be pressed, and a modified client can send any ``custom_id`` on any message. So before a
decision or rotation button does anything, the group its id names is looked up and the press
must have happened in that group's channel (its guild and channel), or, for a button sent
privately (the notice's "Give my side", a swap request), in a direct message — where the
service then checks that the presser is the member the message was for. Anything else is
refused kindly and changes nothing. (Meeting buttons do the same in :mod:`bot.ui.meeting`.)

Whether the presser is a member of the group stays with each service's own rule
(:func:`bot.guild.in_group`, through its port), which answers with the words of that action.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.errors import NotAllowed
from bot.i18n import msg
from bot.store import Store
from bot.store.groups import GroupRecord
from bot.ui.routing import service

NOT_THIS_GROUP = msg(
    "This button belongs to another group's channel, so it does nothing here. Nothing changed."
)
ONLY_IN_CHANNEL = msg(
    "This button works in its group's channel on the server, not in a direct message. "
    "Nothing changed."
)
DECIDED = msg("This vote has already closed, or was withdrawn. Nothing changed.")
NO_ROTATION = msg("This group's rotation isn't here any more. Nothing changed.")


def require_place(
    interaction: discord.Interaction[Any], group: GroupRecord, *, privately: bool = False
) -> None:
    """The press came from ``group``'s channel; or, for a button that is sent by private
    message (``privately``), from a direct message."""
    if interaction.guild_id is None:
        if privately:
            return
        raise NotAllowed(ONLY_IN_CHANNEL)
    if (interaction.guild_id, interaction.channel_id) != (group.guild_id, group.channel_id):
        raise NotAllowed(NOT_THIS_GROUP)


async def proposal_group(interaction: discord.Interaction[Any], proposal_id: str) -> GroupRecord:
    """The group a proposal (a vote) belongs to; refused kindly when it is gone."""
    store = service(interaction, Store)
    stored = await store.decisions.proposal(proposal_id)
    group = None if stored is None else await store.groups.by_id(stored.group_id)
    if group is None:
        raise NotAllowed(DECIDED)
    return group


async def proposal_here(
    interaction: discord.Interaction[Any], proposal_id: str, *, privately: bool = False
) -> None:
    """A decision button may act: the vote it names belongs to the group of this channel."""
    require_place(interaction, await proposal_group(interaction, proposal_id), privately=privately)


async def rotation_group(interaction: discord.Interaction[Any], group_id: int) -> GroupRecord:
    """The group a rotation button names; refused kindly when it is gone."""
    group = await service(interaction, Store).groups.by_id(group_id)
    if group is None:
        raise NotAllowed(NO_ROTATION)
    return group
