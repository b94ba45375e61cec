"""Which guilds this process serves: Discord's shard of a guild, and the shards a process holds.

Discord puts a guild on shard ``(guild_id >> 22) % shard_count``. A process started with
``SHARD_COUNT`` and ``SHARD_IDS`` serves only the guilds on its shards: it loads, re-arms and fires
only their deadlines, meetings and outbox work, and ignores anything else it is handed. Without
``SHARD_COUNT`` one process serves every guild (:data:`EVERY_GUILD`).

Work that belongs to no guild (the privacy sweep, a deletion whose group is gone) is done by one
process only: the one holding shard 0, the *home* process.
"""

from __future__ import annotations

from bot.core.lazy_dataclasses import lazy_dataclass

#: The most shards a setting may name (Discord's largest bots run tens of thousands).
MAX_SHARDS = 65_536


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord puts ``guild_id`` on."""
    return (guild_id >> 22) % shard_count


@lazy_dataclass(frozen=True)
class Shards:
    """The shards this process holds, out of ``count``. ``count == 0``: not sharded (all)."""

    count: int = 0
    ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.count < 0 or self.count > MAX_SHARDS:
            raise ValueError(f"the shard count must be between 1 and {MAX_SHARDS}")
        if self.count and not self.ids:
            raise ValueError("name at least one shard")
        for shard in self.ids:
            if not 0 <= shard < self.count:
                raise ValueError(f"shard {shard} is not below the shard count {self.count}")
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("a shard is named twice")

    @property
    def sharded(self) -> bool:
        return self.count > 0

    @property
    def home(self) -> bool:
        """Whether this process does the work of no guild (it holds shard 0, or all)."""
        return not self.sharded or 0 in self.ids

    def owns(self, guild_id: int | None) -> bool:
        """Whether this process serves ``guild_id`` (None: no guild, so the home process)."""
        if not self.sharded:
            return True
        if guild_id is None:
            return self.home
        return shard_of(guild_id, self.count) in self.ids

    def describe(self) -> str:
        """For the log line at start-up."""
        if not self.sharded:
            return "every server (not sharded)"
        return f"shard(s) {_ranges(self.ids)} of {self.count}"


#: One process for every guild (no ``SHARD_COUNT``).
EVERY_GUILD = Shards()


def parse_shard_ids(text: str, count: int) -> tuple[int, ...]:
    """``"0-3"``, ``"0,2"`` or ``"0-1,4"`` -> the shard ids, in order; ValueError if wrong."""
    ids: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            raise ValueError(f"{text!r} has an empty part")
        low, dash, high = part.partition("-")
        try:
            first, last = int(low), int(high) if dash else int(low)
        except ValueError:
            raise ValueError(f"{part!r} is not a shard number or a range like 0-3") from None
        if first > last:
            raise ValueError(f"the range {part!r} runs backwards")
        ids.extend(range(first, last + 1))
    if not ids:
        raise ValueError("no shard is named")
    Shards(count, tuple(sorted(ids)))  # the same checks, said the same way
    return tuple(sorted(ids))


def _ranges(ids: tuple[int, ...]) -> str:
    parts: list[str] = []
    start = prev = ids[0]
    for shard in (*ids[1:], None):
        if shard is not None and shard == prev + 1:
            prev = shard
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if shard is not None:
            start = prev = shard
    return ",".join(parts)
