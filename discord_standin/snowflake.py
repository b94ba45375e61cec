"""Discord-style snowflake ids and timestamps.

A snowflake is ``(milliseconds since 2015-01-01T00:00:00Z) << 22 | worker/process/increment``.
Ids made here are therefore 18-19 digits long, sort by creation time, and decode to the
right creation date with ``discord.utils.snowflake_time`` (discord.py uses that, for
instance, to pick the sub-rate-limit of deleting a message younger than 10 seconds).
"""

from __future__ import annotations

import datetime as dt
import itertools
import time

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeGenerator:
    """Makes unique, increasing snowflakes from the wall clock."""

    def __init__(self, worker_id: int = 1, process_id: int = 0) -> None:
        self._worker_id = worker_id & 0x1F
        self._process_id = process_id & 0x1F
        self._increment = itertools.count()
        self._last = 0

    def advance_to(self, value: int) -> None:
        """Make every later snowflake greater than ``value``."""
        self._last = max(self._last, value)

    def next(self) -> int:
        """Return a new snowflake, strictly greater than any returned before."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (
            (ms << 22)
            | (self._worker_id << 17)
            | (self._process_id << 12)
            | (next(self._increment) & 0xFFF)
        )
        if value <= self._last:
            value = self._last + 1
        self._last = value
        return value


def on_shard(generator: SnowflakeGenerator, shard: tuple[int, int]) -> int:
    """A new snowflake that Discord would put on ``shard`` (``(id >> 22) % count == shard_id``):
    the next one, moved on by at most ``count - 1`` milliseconds."""
    shard_id, count = shard
    value = generator.next()
    while (value >> 22) % count != shard_id:
        value = ((value >> 22) + 1) << 22
    generator.advance_to(value)
    return value


def snowflake_datetime(snowflake: int) -> dt.datetime:
    """The creation time encoded in a snowflake."""
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def iso_now() -> str:
    """Now, as Discord writes timestamps (ISO 8601 with microseconds and +00:00)."""
    return dt.datetime.now(tz=dt.UTC).isoformat()


def iso_from_snowflake(snowflake: int) -> str:
    """The creation time of a snowflake as an ISO 8601 timestamp."""
    return snowflake_datetime(snowflake).isoformat()
