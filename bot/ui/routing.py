"""How a press reaches its feature — the same for every feature's buttons.

A persistent button is a :class:`discord.ui.DynamicItem` whose ``custom_id`` names its feature
and opaque ids (never a user id). discord.py rebuilds it from the ``custom_id``, so it cannot be
handed collaborators; its ``callback`` finds the services the composition root built through
:func:`services`, and runs its work inside :func:`guarded`, so every error becomes the same
kind, private answer as a slash command's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.ui.replies import message_for, reply_privately

if TYPE_CHECKING:
    from bot.wiring import Services

Interaction = discord.Interaction[Any]


def services(interaction: Interaction) -> Services:
    """The services of the bot this interaction came to."""
    return cast("Services", interaction.client.services)


async def guarded(
    interaction: Interaction, where: str, action: Callable[[], Awaitable[None]]
) -> None:
    """Run a button's action; any error becomes the same kind, private answer as a command's
    (a dynamic item's own errors would otherwise only reach the log)."""
    try:
        await action()
    except Exception as error:
        await reply_privately(interaction, message_for(error, where))
