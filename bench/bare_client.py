"""The floor for the benchmarks measured as processes: a bare discord.py client with the bot's
intents and cache settings (:func:`bot.app.intents`, no member chunking), pointed at
``DISCORD_API_BASE`` / ``DISCORD_GATEWAY_URL``. It parses every event Discord sends and does
nothing else; it prints ``BARE READY`` when discord.py dispatches ``on_ready``.

Imports only discord.py (not the bot), so its start-up is discord.py's own."""

from __future__ import annotations

import asyncio
import os
import signal

import discord
import yarl


def intents() -> discord.Intents:
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.members = True
    wanted.guild_messages = True
    wanted.voice_states = True
    return wanted


class Bare(discord.Client):
    async def on_ready(self) -> None:
        print("BARE READY", len(self.guilds), flush=True)


async def main() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    client = Bare(
        intents=intents(),
        allowed_mentions=discord.AllowedMentions.none(),
        chunk_guilds_at_startup=False,
        member_cache_flags=discord.MemberCacheFlags.from_intents(intents()),
        guild_ready_timeout=0.1,
    )
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.ensure_future(client.close()))
    async with client:
        await client.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main())
