"""The bot with SHARD_COUNT: discord.py's AutoShardedBot over this process's shards, and an event
about a server on another process's shards is not acted on (Discord sends none; be robust)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import discord

from bot.app import PeerCircle, ShardedPeerCircle
from bot.config import load_settings
from bot.wiring import build_bot

KEY = "k" * 64


def on_shard(shard: int, count: int = 4) -> int:
    return ((5_000 * count + shard) << 22) | 1


async def test_unsharded_is_one_connection_as_before(tmp_path: Path) -> None:
    bot = build_bot(load_settings(data_dir=tmp_path, pseudonym_key=KEY))
    assert type(bot) is PeerCircle
    assert not isinstance(bot, discord.AutoShardedClient)
    assert bot.services.ownership.everything


async def test_sharded_runs_its_own_shards_and_ignores_other_servers(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, pseudonym_key=KEY, shard_count=4, shard_ids="2-3")
    bot = build_bot(settings)
    assert isinstance(bot, ShardedPeerCircle)
    assert isinstance(bot, discord.AutoShardedClient)
    assert bot.shard_count == 4
    assert bot.shard_ids == [2, 3]
    heard: list[int | None] = []

    async def on_probe(item: SimpleNamespace) -> None:
        heard.append(item.guild_id)

    bot.add_listener(on_probe)
    async with bot:  # (discord.py's loop, without logging in)
        for guild_id in (on_shard(2), on_shard(0), on_shard(3), on_shard(1), None):
            bot.dispatch("probe", SimpleNamespace(guild_id=guild_id))
        await asyncio.sleep(0.01)
    assert heard == [on_shard(2), on_shard(3), None]  # a DM has no server: not refused
