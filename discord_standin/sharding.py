"""Sharding rules of the gateway, as Discord documents them (docs: Topics > Gateway > Sharding).

IDENTIFY carries ``shard: [shard_id, num_shards]`` (0 <= shard_id < num_shards, else close 4010
"Invalid shard"). A guild is on shard ``(guild_id >> 22) % num_shards``. Shards may IDENTIFY
``max_concurrency`` at a time: one per rate-limit key ``shard_id % max_concurrency`` every
:data:`IDENTIFY_WINDOW` seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

#: Seconds in which each rate-limit key may IDENTIFY once.
IDENTIFY_WINDOW = 5.0


def too_soon(
    shard: tuple[int, int] | None,
    now: float,
    earlier: Iterable[tuple[float, int | None]],
    max_concurrency: int,
) -> bool:
    """Whether this IDENTIFY comes within the window of one on the same rate-limit key."""
    key = (0 if shard is None else shard[0]) % max_concurrency
    return any(
        now - at < IDENTIFY_WINDOW and (at_shard or 0) % max_concurrency == key
        for at, at_shard in earlier
    )


def shard_pair_of(value: object) -> tuple[int, int] | Literal[False] | None:
    """IDENTIFY's ``shard: [shard_id, num_shards]``; None if absent, False if invalid (4010)."""
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in value)
    ):
        return False
    shard_id, count = int(value[0]), int(value[1])
    if count < 1 or not 0 <= shard_id < count:
        return False
    return shard_id, count
