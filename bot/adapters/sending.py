"""Messages sent once, even when the work that sends them runs again after a crash.

Durable work (an outbox item) may have sent its message and been killed before it was marked
done; run again, it would send the message twice. Each message the work sends carries Discord's
enforced nonce, made from the work's random key and the message's own words: Discord then
refuses to create a second message with the same nonce for a few minutes and returns the first
one instead. (Words, not a count: a retry may say something different — "I couldn't let them
back" first, "I've now let them back" later — and that must still be sent.)
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import discord

NONE = discord.AllowedMentions.none()
_WORK_KEY: ContextVar[str] = ContextVar("outbox_work_key", default="")


@contextlib.contextmanager
def once_per_key(key: str) -> Iterator[None]:
    """While carrying out one piece of work: its messages carry nonces made from its key."""
    token = _WORK_KEY.set(key)
    try:
        yield
    finally:
        _WORK_KEY.reset(token)


def nonce_for(key: str, content: str) -> str:
    """``pc`` and 20 hex digits (Discord allows 25 characters)."""
    digest = hashlib.sha256(f"{key}\x1f{content}".encode()).hexdigest()
    return f"pc{digest[:20]}"


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
    key = _WORK_KEY.get()
    if key:
        options["nonce"] = nonce_for(key, content)
    sent: discord.Message = await target.send(content, **options)
    return sent
