"""The project's own exceptions. Each carries a kind, plain message for the member who hit it.

The command tree's single error handler shows ``user_message`` privately; anything else is
logged with a traceback and the member gets a short apology.
"""

from __future__ import annotations


class PeerCircleError(Exception):
    """An expected problem a member can do something about."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class NoGroupHere(PeerCircleError):
    """The command needs a group, and this channel has none."""

    def __init__(self) -> None:
        super().__init__(
            "This channel has no group yet. Someone with the Manage Server permission can "
            "set one up here with `/group setup`."
        )


class NotAllowed(PeerCircleError):
    """The member may not do this (right now)."""


class InvalidInput(PeerCircleError):
    """Something the member typed or uploaded could not be used."""


class DiscordRefused(PeerCircleError):
    """Discord said no (403): the bot lacks a permission where it tried to act."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"Discord didn't let me {what}: I'm missing a permission there. Someone who manages "
            "the server can check my role's permissions. Nothing changed."
        )
        self.what = what


class DiscordGone(PeerCircleError):
    """Discord no longer has what the bot tried to reach (404): a deleted channel or message,
    a member who left."""

    def __init__(self, what: str) -> None:
        super().__init__(f"I couldn't {what}: it's no longer there on Discord. Nothing changed.")
        self.what = what


class StorageUnavailable(PeerCircleError):
    """The database can't be written just now: the disk holding ``DATA_DIR`` is full, read-only
    or failing. Raised by the store (:mod:`bot.store.db`) for a write that was rolled back, so
    nothing of it was saved; the host is told once in the log, and writes carry on by
    themselves once there is room."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            "I couldn't save that just now, so nothing changed. Please try again in a little while."
        )
        self.problem = problem
