"""Discord's documented rate limits in the stand-in (``discord_limits=True``): a route's bucket
per major parameter, the global 50 requests a second, interaction endpoints outside the global
limit, and the 429's shape (body, ``Retry-After``, ``X-RateLimit-*``). Off by default."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from tests.fakediscord import FakeDiscord
from tests.fakediscord.limits import GLOBAL_LIMIT, ROUTE_LIMITS

MESSAGES = ("POST", "/channels/{channel_id}/messages")


async def post(
    session: aiohttp.ClientSession, fake: FakeDiscord, path: str, body: Any
) -> tuple[int, Any, dict[str, str]]:
    async with session.post(
        fake.api_base + path, json=body, headers={"Authorization": f"Bot {fake.token}"}
    ) as response:
        data = await response.json() if response.status != 204 else None
        return response.status, data, dict(response.headers)


async def test_a_channels_message_bucket_answers_429_in_discords_shape() -> None:
    async with FakeDiscord(discord_limits=True) as fake, aiohttp.ClientSession() as session:
        guild = fake.add_guild("Limits", owner_username="quietlantern")
        first, other = fake.add_channel(guild.id, "one").id, fake.add_channel(guild.id, "two").id
        limit, window = ROUTE_LIMITS[MESSAGES]
        answers = [
            await post(session, fake, f"/channels/{first}/messages", {"content": f"n{n}"})
            for n in range(limit + 1)
        ]
        assert [status for status, _, _ in answers] == [200] * limit + [429]
        ok_headers = answers[0][2]
        assert ok_headers["X-RateLimit-Limit"] == str(limit)
        assert ok_headers["X-RateLimit-Remaining"] == str(limit - 1)
        assert 0 < float(ok_headers["X-RateLimit-Reset-After"]) <= window
        status, body, headers = answers[-1]
        assert set(body) == {"message", "retry_after", "global"}
        assert body["global"] is False
        assert 0 < body["retry_after"] <= window
        assert headers["X-RateLimit-Scope"] == "user"
        assert headers["X-RateLimit-Remaining"] == "0"
        assert int(headers["Retry-After"]) >= 1
        assert headers["X-RateLimit-Bucket"] == ok_headers["X-RateLimit-Bucket"]
        assert "X-RateLimit-Global" not in headers
        # The bucket is per channel: another channel's is untouched.
        status, _, _ = await post(session, fake, f"/channels/{other}/messages", {"content": "x"})
        assert status == 200
        assert fake.rate_limited_count == 1
        assert fake.invalid_request_count == 1  # a 429 counts towards Cloudflare's ban


async def test_the_global_limit_is_fifty_a_second_and_interactions_are_outside_it() -> None:
    async with FakeDiscord(discord_limits=True) as fake, aiohttp.ClientSession() as session:
        guild = fake.add_guild("Limits", owner_username="quietlantern")
        rooms = [fake.add_channel(guild.id, f"room-{n}").id for n in range(12)]
        per_second = GLOBAL_LIMIT[0]
        # 60 messages over 12 channels (5 each: no channel's bucket is over) in well under 1 s.
        sent = await asyncio.gather(
            *(
                post(session, fake, f"/channels/{rooms[n % 12]}/messages", {"content": "hi"})
                for n in range(60)
            )
        )
        statuses = sorted(status for status, _, _ in sent)
        assert statuses.count(200) == per_second
        assert statuses.count(429) == 10
        limited = [(b, h) for s, b, h in sent if s == 429]
        for body, headers in limited:
            assert body["global"] is True
            assert body["message"] == "You are being rate limited."
            assert headers["X-RateLimit-Global"] == "true"
            assert headers["X-RateLimit-Scope"] == "global"
            assert int(headers["Retry-After"]) >= 1
        # Interaction endpoints are not bound to the global limit: with the second used up, a
        # callback still reaches its handler (here: no such interaction, 10062), not a 429.
        status, body, _ = await post(
            session,
            fake,
            "/interactions/1/aW50ZXJhY3Rpb246bm9uZQ/callback",
            {"type": 4, "data": {"content": "answered"}},
        )
        assert (status, body["code"]) == (404, 10062)
        status, body, _ = await post(session, fake, f"/channels/{rooms[0]}/messages", {})
        assert status == 429
        assert body["global"] is True
        assert fake.rate_limited_count == 11


async def test_limits_are_off_unless_switched_on() -> None:
    async with FakeDiscord() as fake, aiohttp.ClientSession() as session:
        guild = fake.add_guild("Limits", owner_username="quietlantern")
        room = fake.add_channel(guild.id, "one").id
        statuses = [
            (await post(session, fake, f"/channels/{room}/messages", {"content": "x"}))[0]
            for _ in range(8)
        ]
        assert statuses == [200] * 8
        fake.enforce_discord_limits()
        more = [
            (await post(session, fake, f"/channels/{room}/messages", {"content": "y"}))[0]
            for _ in range(6)
        ]
        assert more == [200] * 5 + [429]
