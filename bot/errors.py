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
