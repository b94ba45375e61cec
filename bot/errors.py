"""The project's own exceptions. Each carries a kind, plain message for the member who hit it.

The message is a :class:`bot.i18n.Msg` (``msg("…")``), rendered in the member's language by the
command tree's single error handler and shown privately; anything else is logged with a
traceback and the member gets a short apology. A plain ``str`` is still accepted from code not
yet converted (docs/translating.md): it is shown as it is.
"""

from __future__ import annotations

from bot.i18n import Msg, msg, render


class PeerCircleError(Exception):
    """An expected problem a member can do something about."""

    def __init__(self, message: Msg | str) -> None:
        super().__init__(str(message))
        self.message = message

    def words(self, locale: str) -> str:
        """The message in ``locale``."""
        return render(locale, self.message)

    @property
    def user_message(self) -> str:
        """The message in English (the source language)."""
        return self.words("en")


class NoGroupHere(PeerCircleError):
    """The command needs a group, and this channel has none."""

    def __init__(self) -> None:
        super().__init__(
            msg(
                "This channel has no group yet. Someone with the Manage Server permission can "
                "set one up here with `/group setup`."
            )
        )


class NotAllowed(PeerCircleError):
    """The member may not do this (right now)."""


class InvalidInput(PeerCircleError):
    """Something the member typed or uploaded could not be used."""


class DiscordRefused(PeerCircleError):
    """Discord said no (403): the bot lacks a permission where it tried to act. ``what`` is
    what the bot tried, as words completing "Discord didn't let me …" (``msg("post here")``)."""

    def __init__(self, what: Msg | str) -> None:
        super().__init__(
            msg(
                "Discord didn't let me {what}: I'm missing a permission there. Someone who "
                "manages the server can check my role's permissions. Nothing changed.",
                what=what,
            )
        )
        self.what = what


class DiscordGone(PeerCircleError):
    """Discord no longer has what the bot tried to reach (404): a deleted channel or message,
    a member who left. ``what`` completes "I couldn't …"."""

    def __init__(self, what: Msg | str) -> None:
        super().__init__(
            msg("I couldn't {what}: it's no longer there on Discord. Nothing changed.", what=what)
        )
        self.what = what


class StorageUnavailable(PeerCircleError):
    """The database can't be written just now: the disk holding ``DATA_DIR`` is full, read-only
    or failing. Raised by the store (:mod:`bot.store.db`) for a write that was rolled back, so
    nothing of it was saved; the host is told once in the log, and writes carry on by
    themselves once there is room."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            msg(
                "I couldn't save that just now, so nothing changed. Please try again in a "
                "little while."
            )
        )
        self.problem = problem
