"""Discord's JSON error responses (``{"message", "code"}`` plus ``errors`` for form errors).

Codes and messages are the ones in Discord's "JSON Error Codes" table.
"""

from __future__ import annotations

from typing import Any


class DiscordError(Exception):
    """Raised by a REST handler; the middleware turns it into Discord's error response."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class SimulationError(Exception):
    """A simulated member tried something a real Discord client would not let them do
    (a command that is not registered, a button that is not on the message, a channel they
    cannot see...). Raised in the test, never sent to the bot."""


# Unknown resources (404).
UNKNOWN_APPLICATION = (10002, "Unknown Application")
UNKNOWN_CHANNEL = (10003, "Unknown Channel")
UNKNOWN_GUILD = (10004, "Unknown Guild")
UNKNOWN_MEMBER = (10007, "Unknown Member")
UNKNOWN_MESSAGE = (10008, "Unknown Message")
UNKNOWN_OVERWRITE = (10009, "Unknown Overwrite")
UNKNOWN_ROLE = (10011, "Unknown Role")
UNKNOWN_USER = (10013, "Unknown User")
UNKNOWN_WEBHOOK = (10015, "Unknown Webhook")
UNKNOWN_INTERACTION = (10062, "Unknown interaction")
UNKNOWN_COMMAND = (10063, "Unknown application command")
UNKNOWN_SCHEDULED_EVENT = (10070, "Unknown Guild Scheduled Event")


def not_found(kind: tuple[int, str]) -> DiscordError:
    return DiscordError(404, kind[0], kind[1])


def unauthorized() -> DiscordError:
    return DiscordError(401, 0, "401: Unauthorized")


def missing_access() -> DiscordError:
    return DiscordError(403, 50001, "Missing Access")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def cannot_dm() -> DiscordError:
    return DiscordError(403, 50007, "Cannot send messages to this user")


def cannot_edit_others() -> DiscordError:
    return DiscordError(403, 50005, "Cannot edit a message authored by another user")


def empty_message() -> DiscordError:
    return DiscordError(400, 50006, "Cannot send an empty message")


def invalid_webhook_token() -> DiscordError:
    return DiscordError(401, 50027, "Invalid Webhook Token")


def already_acknowledged() -> DiscordError:
    return DiscordError(400, 40060, "Interaction has already been acknowledged.")


def not_in_voice() -> DiscordError:
    return DiscordError(400, 40032, "Target user is not connected to voice.")


def form_error(errors: dict[str, Any]) -> DiscordError:
    return DiscordError(400, 50035, "Invalid Form Body", errors)


def field_error(path: list[str | int], code: str, message: str) -> dict[str, Any]:
    """Discord's nested error object for one field: ``{"a": {"0": {"b": {"_errors": [...]}}}}``."""
    node: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(path):
        node = {str(key): node}
    return node


def merge_errors(target: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Merge two nested error objects in place (and return ``target``)."""
    for key, value in extra.items():
        if key in target and isinstance(target[key], dict) and isinstance(value, dict):
            if key == "_errors":  # pragma: no cover - _errors is a list, kept for safety
                continue
            merge_errors(target[key], value)
        elif key == "_errors" and key in target:
            target[key].extend(value)
        else:
            target[key] = value
    return target
