"""Discord's member list, fetched on demand and kept only in discord.py's memory.

The bot starts without fetching every member (``chunk_guilds_at_startup=False``); features that
must match pseudonyms against members (the rotation, ballots, names on the panel) ask for the
list once. A Discord-compatible server that never answers the request must not hang a meeting:
after a timeout the bot goes on with the members it has seen.
"""

from __future__ import annotations

import asyncio
import logging

import discord

log = logging.getLogger(__name__)

CHUNK_TIMEOUT_SECONDS = 10.0


async def ensure_members(guild: discord.Guild) -> bool:
    """Fetch the server's member list if it isn't here yet; False if Discord didn't send it."""
    if guild.chunked:
        return True
    try:
        async with asyncio.timeout(CHUNK_TIMEOUT_SECONDS):
            await guild.chunk()
    except (TimeoutError, discord.HTTPException, discord.ClientException):
        log.warning("The server's member list did not arrive; going on with the members seen")
        return False
    return True
