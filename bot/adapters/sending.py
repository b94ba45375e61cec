"""Messages sent once, even when the work that sends them runs again after a crash.

Durable work (an outbox item) may have sent its message and been killed before it was marked
done; run again, it would send the message twice. Each message the work sends carries Discord's
enforced nonce, ``pc<key>.<n>`` (the work's random key, and the message's number within it):
Discord then refuses to create a second message with the same nonce for a few minutes and
returns the first one instead.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import discord

NONE = discord.AllowedMentions.none()
_NONCES: ContextVar[Iterator[str] | None] = ContextVar("outbox_nonces", default=None)


@contextlib.contextmanager
def once_per_key(key: str) -> Iterator[None]:
    """While carrying out one piece of work: number its messages under its key."""
    token = _NONCES.set((f"pc{key}.{n}" for n in itertools.count()) if key else None)
    try:
        yield
    finally:
        _NONCES.reset(token)


async def send_once(
    target: discord.abc.Messageable,
    content: str,
    view: discord.ui.View | None = None,
    *,
    mentions: discord.AllowedMentions = NONE,
) -> discord.Message:
    """Send ``content`` (pinging nobody unless ``mentions`` says so), with the next nonce of the
    work under way, if any."""
    options: dict[str, Any] = {"allowed_mentions": mentions}
    if view is not None:
        options["view"] = view
    sequence = _NONCES.get()
    if sequence is not None:
        options["nonce"] = next(sequence)
    sent: discord.Message = await target.send(content, **options)
    return sent
