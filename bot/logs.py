"""Logging, configured once at the entry point.

Three promises are kept here. discord.py's own loggers never go below INFO (at DEBUG they dump
whole payloads: names, message text). And every line passes through :class:`RedactingFormatter`,
which replaces Discord ids (snowflakes) with ``<id>``: discord.py logs full request URLs when it
is rate limited, and a URL such as ``/guilds/{g}/members/{user_id}`` would otherwise put a
member's id in the log. And a write the disk refused (full, failing) is told to the host once,
by the store (:mod:`bot.store.db`): the same failure reaching a handler that logs what failed,
with its traceback, is not repeated (:class:`_DiskFullToldOnce`).
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

from bot.errors import StorageUnavailable

# Discord ids are 17 to 20 digit integers. Redacting every such number (channels and servers
# too) costs a little debugging comfort and removes a whole class of leaks.
_SNOWFLAKE = re.compile(r"(?<![0-9])[0-9]{17,20}(?![0-9])")
# Interaction and webhook tokens travel in URLs; they are secrets for 15 minutes.
_WEBHOOK_TOKEN = re.compile(r"(/(?:webhooks|interactions)/<id>/)[A-Za-z0-9_.\-]{20,}")

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

#: discord.py warns at every start that voice audio libraries are missing. Peer Circle never
#: sends or receives voice audio (it only mutes and unmutes), so the warning only alarms a host.
_VOICE_LIBRARY_WARNINGS = ("PyNaCl is not installed", "davey is not installed")


class _NoVoiceLibraryWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_VOICE_LIBRARY_WARNINGS)


class _DiskFullToldOnce(logging.Filter):
    """Drops a line whose exception is a write the disk refused (or was caused by one): the
    store has said it, once, with the fix; it says again when writes work."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        for _ in range(10):  # a short chain of causes (a command's error wraps the original)
            if error is None:
                return True
            if isinstance(error, StorageUnavailable):
                return False
            error = error.__cause__ or getattr(error, "original", None)
        return True


def redact(text: str) -> str:
    """Remove Discord ids and interaction tokens from one rendered log line."""
    text = _SNOWFLAKE.sub("<id>", text)
    return _WEBHOOK_TOKEN.sub(r"\1<token>", text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the whole line, traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    """Send every log line to ``stream`` (stderr by default), redacted.

    Called once by ``main()``; calling it again replaces the handler rather than adding one.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_peercircle", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(FORMAT))
    handler.addFilter(_DiskFullToldOnce())
    handler._peercircle = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    numeric = logging.getLevelName(level)
    root.setLevel(numeric)
    # discord.py at DEBUG logs raw gateway payloads: names and message text. Never below INFO.
    logging.getLogger("discord").setLevel(max(numeric, logging.INFO))
    client_log = logging.getLogger("discord.client")
    if not any(isinstance(f, _NoVoiceLibraryWarnings) for f in client_log.filters):
        client_log.addFilter(_NoVoiceLibraryWarnings())
    # aiosqlite logs every statement at DEBUG, with its bound values.
    logging.getLogger("aiosqlite").setLevel(max(numeric, logging.INFO))
