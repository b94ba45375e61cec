"""How a press reaches its feature — the same for every feature's buttons.

A persistent button is a :class:`discord.ui.DynamicItem` whose ``custom_id`` names its feature
and opaque ids (never a user id). discord.py rebuilds it from the ``custom_id``, so it cannot be
handed collaborators; its ``callback`` finds the services the composition root built through
:func:`services`, and runs its work inside :func:`guarded`, so every error becomes the same
kind, private answer as a slash command's.

Buttons find their service by its type (``service(interaction, RotationService)``), so the UI
needs nothing from the composition root but what it built.

Every interaction is carried out once, however often Discord delivers it (:class:`FirstDelivery`):
slash commands through the command tree's ``interaction_check``, persistent buttons through
:func:`guarded`, and the private views a command shows (pages, confirmations) by being a
:class:`OnceView`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.ui.locale import private_locale
from bot.ui.replies import KindView, message_for, reply_privately

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


def answer_refused(interaction: Interaction, error: BaseException) -> bool:
    """Whether Discord refused the answer to this interaction itself (its acknowledgement or a
    followup: 10062 after slow retries, a 403, a 404 for an expired token). Answering again would
    fail the same way, or tell the member falsely that nothing was done."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if not isinstance(error, discord.HTTPException):
        return False
    url = str(getattr(error.response, "url", ""))
    return f"/interactions/{interaction.id}/" in url or (
        f"/webhooks/{interaction.application_id}/{interaction.token}" in url
    )


async def answer_error(interaction: Interaction, error: BaseException, where: str) -> None:
    """The one way an error reaches the member: kind words, privately (unexpected errors are
    logged with their traceback, Discord's refusals as one WARNING line). When Discord refused
    the answer itself, the WARNING is all: nothing more is sent."""
    message = message_for(error, where, interaction, locale=await private_locale(interaction))
    if not answer_refused(interaction, error):
        await reply_privately(interaction, message)


async def guarded(
    interaction: Interaction, where: str, action: Callable[[], Awaitable[None]]
) -> None:
    """Run a button's action once per interaction; any error becomes the same kind, private
    answer as a command's (a dynamic item's own errors would otherwise only reach the log)."""
    ownership = getattr(getattr(interaction.client, "services", None), "ownership", None)
    guild_id = interaction.guild_id  # (a DM comes to shard 0's process, whoever's it is)
    if ownership is not None and guild_id is not None and not ownership.owns_guild(guild_id):
        return  # a server on another process's shards (SHARD_IDS): not this process's
    if not service(interaction, FirstDelivery).first(interaction.id):
        return
    try:
        await action()
    except Exception as error:
        await answer_error(interaction, error, where)


class OnceView(KindView):
    """A private view (pages, a confirmation) whose presses are each carried out once: a press
    Discord delivers twice is dropped quietly, like a command's or a persistent button's."""

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        return service(interaction, FirstDelivery).first(interaction.id)

    async def on_error(
        self, interaction: Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await answer_error(interaction, error, f"a button ({type(self).__name__})")
