"""Shared Discord UI plumbing: kind error messages, private replies, and a base view.

Every error a member can meet — from a slash command or a button — goes through
:func:`message_for`, so the wording is the same everywhere and unexpected errors are logged once
with a traceback while the member gets a short apology.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import AppCommandOptionType, app_commands

from bot.errors import PeerCircleError
from bot.i18n import SOURCE, msg, render, t, tn
from bot.runtime.markup import bounded
from bot.ui.locale import private_locale

log = logging.getLogger(__name__)

APOLOGY = msg(
    "Sorry — something went wrong on my side and I couldn't do that. "
    "Nothing you did caused it. Please try again in a moment."
)

STALE = msg(
    "This command or button has changed since it was shown to you, so I can't run it. "
    "Nothing changed. The person who runs the bot needs to run `python -m bot sync` once; "
    "until then, the meeting panel and `/meeting status` still work."
)
STALE_LOG = (
    "An interaction for a command or button this version doesn't have: run `python -m bot sync`"
)

#: discord.py's permission names that Discord's own screens call something else.
_PERMISSION_LABELS = {"manage_guild": "Manage Server", "manage_roles": "Manage Roles"}


def permission_label(name: str) -> str:
    """A permission as Discord's settings screens name it."""
    return _PERMISSION_LABELS.get(name, name.replace("_", " ").title())


NOT_IN_SERVER = msg(
    "The person you chose isn't a member of this server (they may be from another server, or "
    "have left), so I can't do this with them. Nothing changed. Please choose someone from "
    "this server."
)
NOT_AN_OPTION = msg(
    "Something you sent isn't one of the choices this command offers, so I didn't do it. "
    "Nothing changed. Please pick from the list Discord shows you."
)


def _option_of(
    error: app_commands.TransformerError, interaction: discord.Interaction[Any] | None
) -> app_commands.Parameter | None:
    """The command's option whose value could not be used, found by the value it arrived with."""
    command = None if interaction is None else interaction.command
    if not isinstance(command, app_commands.Command):
        return None
    sent = interaction.namespace if interaction is not None else None
    for option in command.parameters:
        if option.type == error.type and getattr(sent, option.display_name, None) == error.value:
            return option
    return None


def conversion_message(
    error: app_commands.TransformerError,
    interaction: discord.Interaction[Any] | None = None,
    locale: str = SOURCE,
) -> str:
    """A value Discord's own app would never send: a member from another server (or one who
    has left) in a member option, a choice or number outside what the command offers (only a
    modified client sends that). Said kindly and specifically, in ``locale``; nothing was
    done."""
    if error.type in (AppCommandOptionType.user, AppCommandOptionType.mentionable):
        return render(locale, NOT_IN_SERVER)
    option = _option_of(error, interaction)
    if option is None:
        return render(locale, NOT_AN_OPTION)
    name = bounded(option.display_name, 40)
    if option.choices:
        offered = ", ".join(f"“{bounded(c.name, 40)}”" for c in option.choices[:10])
        return t(
            locale,
            "That isn't one of the choices for **{name}** ({offered}), so I didn't do it. "
            "Nothing changed. Please pick one from the list.",
            name=name,
            offered=offered,
        )
    low, high = option.min_value, option.max_value
    if low is not None and high is not None:
        lowest, highest = format(low, "g"), format(high, "g")
        return t(
            locale,
            "**{name}** needs a number from {low} to {high}, so I didn't do it. Nothing changed.",
            name=name,
            low=lowest,
            high=highest,
        )
    return render(locale, NOT_AN_OPTION)


def message_for(
    error: BaseException,
    where: str,
    interaction: discord.Interaction[Any] | None = None,
    *,
    locale: str = SOURCE,
) -> str:
    """The kind, private message for an error, in ``locale`` (the member's: see
    ``bot.ui.locale.private_locale``); logs unexpected ones with their traceback.
    ``interaction``, when given, lets a refused option be named."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, PeerCircleError):
        return error.words(locale)
    if isinstance(error, app_commands.TransformerError) and error.__cause__ is None:
        # One line, no traceback: the member sent what the command doesn't take.
        log.info("An option of %s could not be used (%s)", where, error.type.name)
        return conversion_message(error, interaction, locale)
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        log.warning(STALE_LOG)
        return render(locale, STALE)
    if isinstance(error, app_commands.NoPrivateMessage):
        return t(
            locale,
            "Please use this in your group's channel on the server, not in a direct message.",
        )
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(permission_label(p) for p in error.missing_permissions)
        return t(
            locale,
            "This needs the {needed} permission, so I can't do it for you. Nothing changed.",
            needed=needed,
        )
    if isinstance(error, app_commands.CommandOnCooldown):
        return tn(
            locale,
            "Let's slow down a little: you can do this again in {n} second.",
            "Let's slow down a little: you can do this again in {n} seconds.",
            round(error.retry_after),
        )
    if isinstance(error, app_commands.CheckFailure):
        return t(locale, "You can't use this here. Nothing changed.")
    if isinstance(error, discord.HTTPException):
        # Discord refused an answer or a call (an expired interaction, a 403, a 5xx after
        # discord.py's retries): one line for the host, no traceback; the member may not even
        # see the apology, since the interaction itself may be gone.
        log.warning(
            "Discord refused a call in %s (HTTP %s, code %s)", where, error.status, error.code
        )
        return render(locale, APOLOGY)
    log.error("Unexpected error in %s", where, exc_info=error)
    return render(locale, APOLOGY)


async def reply_privately(interaction: discord.Interaction[Any], message: str) -> None:
    """Answer ephemerally whether or not the interaction was already acknowledged."""
    message = bounded(message)
    if interaction.client.is_closed():
        return  # shutting down: there is no connection left to answer on
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("Could not deliver an error reply (the interaction may have expired)")


class KindView(discord.ui.View):
    """A view whose button errors get the same kind, private answers as slash commands."""

    async def on_error(
        self,
        interaction: discord.Interaction[Any],
        error: Exception,
        item: discord.ui.Item[Any],
    ) -> None:
        where = f"a button ({type(self).__name__})"
        locale = await private_locale(interaction)
        await reply_privately(interaction, message_for(error, where, locale=locale))
