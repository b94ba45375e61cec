"""Shards: the setting's syntax, which guilds a process owns, and Discord's IDENTIFY limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import SettingsError, load_settings
from bot.core.shards import EVERY_GUILD, Shards, parse_shard_ids, shard_of
from bot.runtime.backoff import (
    IDENTIFY_WINDOW,
    MAX_DELAY,
    IdentifyGate,
    record_start,
    start_wait,
)


def test_shard_ids_take_ranges_and_lists() -> None:
    assert parse_shard_ids("0-3", 4) == (0, 1, 2, 3)
    assert parse_shard_ids("0,2", 4) == (0, 2)
    assert parse_shard_ids(" 4-5, 0 ", 8) == (0, 4, 5)


@pytest.mark.parametrize("text", ["", "a", "3-1", "0-4", "1,1", "-1", "0,,1"])
def test_wrong_shard_ids_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_shard_ids(text, 4)


@given(st.integers(min_value=0, max_value=2**63 - 1), st.integers(min_value=1, max_value=64))
def test_every_guild_has_exactly_one_owner_among_processes(guild_id: int, count: int) -> None:
    ids = tuple(range(count))
    halves = [Shards(count, part) for part in (ids[::2], ids[1::2]) if part]
    owners = [shards.owns(guild_id) for shards in halves]
    assert owners.count(True) == 1
    assert shard_of(guild_id, count) == (guild_id >> 22) % count


def test_work_of_no_guild_belongs_to_the_process_holding_shard_zero() -> None:
    assert Shards(4, (0, 1)).owns(None)
    assert Shards(4, (0, 1)).home
    assert not Shards(4, (2, 3)).owns(None)
    assert not Shards(4, (2, 3)).home
    assert EVERY_GUILD.owns(None)
    assert EVERY_GUILD.owns(123)
    assert EVERY_GUILD.home
    assert Shards(8, (0, 1, 2, 5)).describe() == "shard(s) 0-2,5 of 8"


def test_settings_unset_mean_one_process_for_every_guild() -> None:
    assert load_settings().shards() == EVERY_GUILD
    assert load_settings(shard_count=4).shards() == Shards(4, (0, 1, 2, 3))
    key = "k" * 64
    assert load_settings(shard_count=4, shard_ids="2-3", pseudonym_key=key).shards() == Shards(
        4, (2, 3)
    )


def test_processes_sharing_the_shards_must_share_one_pseudonym_key() -> None:
    with pytest.raises(SettingsError, match="PSEUDONYM_KEY, the same in each"):
        load_settings(shard_count=4, shard_ids="0-1")
    assert load_settings(shard_count=4, shard_ids="0-3").shards().ids == (0, 1, 2, 3)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"shard_ids": "0-1"}, "SHARD_IDS"),
        ({"shard_count": 4, "shard_ids": "3-4", "pseudonym_key": "k" * 64}, "SHARD_IDS"),
        ({"shard_count": 4, "shard_ids": "one"}, "SHARD_IDS"),
        ({"shard_count": 0}, "SHARD_COUNT"),
        ({"shard_count": "many"}, "SHARD_COUNT"),
    ],
)
def test_wrong_shard_settings_say_which_and_how(settings: dict[str, object], named: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(**settings)
    message = str(refused.value)
    assert message.startswith(f"{named} is not valid")
    assert "\n" not in message
    assert "SHARD_COUNT" in message or "0-3" in message


def test_a_sharded_start_counts_an_identify_per_shard(tmp_path: Path) -> None:
    one = [record_start(tmp_path / "one", now=1000.0 + n) for n in range(20)]
    four = [record_start(tmp_path / "four", now=1000.0 + n, identifies=4) for n in range(20)]
    assert one[:4] == four[:4] == [0.0] * 4  # a few restarts are free either way
    assert max(one) == MAX_DELAY
    assert max(four) == 4 * MAX_DELAY  # at the cap: no more IDENTIFYs a day than one shard
    lines = (tmp_path / "four" / "starts").read_text().split()
    assert len(lines) == 80  # one per shard per start


def test_too_few_session_starts_left_waits_for_the_reset() -> None:
    assert start_wait(remaining=1000, reset_after_ms=86_400_000, shards=2) == 0.0
    assert start_wait(remaining=2, reset_after_ms=5_000, shards=2) == 0.0
    assert start_wait(remaining=1, reset_after_ms=5_000, shards=2) == 5.0


async def test_shards_identify_max_concurrency_at_a_time() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    gate = IdentifyGate(now=lambda: now[0], sleep=sleep)
    gate.configure(2)
    # Shards 0 and 1 are different rate-limit keys: both at once; 2 shares 0's key, 3 shares 1's.
    assert [await gate.wait(shard) for shard in (0, 1)] == [0.0, 0.0]
    assert await gate.wait(2) == IDENTIFY_WINDOW
    assert await gate.wait(3) == 0.0  # its key's window passed while 2 waited
    gate.configure(1)
    assert await gate.wait(4) == IDENTIFY_WINDOW
    assert slept == [IDENTIFY_WINDOW, IDENTIFY_WINDOW]
