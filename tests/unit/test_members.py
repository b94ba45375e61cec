from __future__ import annotations

import asyncio

import pytest

from bot import guild as members


class SilentGuild:
    """A server whose member list never arrives (a Discord-compatible host without op 8)."""

    chunked = False

    async def chunk(self) -> None:
        await asyncio.sleep(3600)


class ReadyGuild:
    chunked = False

    async def chunk(self) -> None:
        self.chunked = True


async def test_a_member_list_that_never_comes_does_not_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(members, "CHUNK_TIMEOUT_SECONDS", 0.05)
    assert await members.ensure_members(SilentGuild()) is False  # type: ignore[arg-type]


async def test_the_member_list_is_fetched_once() -> None:
    guild = ReadyGuild()
    assert await members.ensure_members(guild) is True  # type: ignore[arg-type]
    assert guild.chunked
    assert await members.ensure_members(guild) is True  # type: ignore[arg-type]
