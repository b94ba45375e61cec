"""How a press reaches its feature — the same for every feature's buttons.

A persistent button is a :class:`discord.ui.DynamicItem` whose ``custom_id`` names its feature
and opaque ids (never a user id). discord.py rebuilds it from the ``custom_id``, so it cannot be
handed collaborators; its ``callback`` finds the services the composition root built through
:func:`services`, and runs its work inside :func:`guarded`, so every error becomes the same
kind, private answer as a slash command's.

Buttons find their service by its type (``service(interaction, RotationService)``), so the UI
needs nothing from the composition root but what it built.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord

from bot.ui.replies import message_for, reply_privately

Interaction = discord.Interaction[Any]
S = TypeVar("S")

#: Interaction ids remembered to refuse a second delivery (in memory; an interaction's token
#: lives 15 minutes, and far fewer than this many arrive in that time in one process).
REMEMBERED = 50_000


class FirstDelivery:
    """Discord delivers an interaction at least once: a replay after a gateway resume carries
    the same id. Only the first delivery is carried out; a replay is dropped quietly (the first
    one answers the member), so no meeting moves on twice."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._remembered = remembered

    def first(self, interaction_id: int) -> bool:
        if interaction_id in self._seen:
            return False
        self._seen[interaction_id] = None
        if len(self._seen) > self._remembered:
            self._seen.popitem(last=False)
        return True


def service(interaction: Interaction, kind: type[S]) -> S:
    """The service of this type that the bot this interaction came to was built with."""
    found = getattr(interaction.client, "services").get(kind)  # noqa: B009 - any Client
    if not isinstance(found, kind):  # pragma: no cover - Services.get checks it
        raise LookupError(kind.__name__)
    return found


async def guarded(
    interaction: Interaction, where: str, action: Callable[[], Awaitable[None]]
) -> None:
    """Run a button's action once per interaction; any error becomes the same kind, private
    answer as a command's (a dynamic item's own errors would otherwise only reach the log)."""
    if not service(interaction, FirstDelivery).first(interaction.id):
        return
    try:
        await action()
    except Exception as error:
        await reply_privately(interaction, message_for(error, where))
