"""Sharding as Discord documents it: IDENTIFY's ``shard``, guilds only on their own shard,
GET /gateway/bot's ``shards`` and ``session_start_limit``, close codes 4010 and 4011, and op 9
for an IDENTIFY too soon on the same rate-limit key."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.fakediscord import FakeDiscord

JSON = dict[str, Any]


async def identify(fake: FakeDiscord, shard: object) -> tuple[list[JSON], int | None]:
    """IDENTIFY with ``shard``; what the gateway sent back, and its close code (None: open)."""
    got: list[JSON] = []
    data: JSON = {"token": fake.token, "properties": {}, "intents": 1}
    if shard is not None:
        data["shard"] = shard
    url = fake.gateway_url + "?v=10&encoding=json"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        assert (await ws.receive_json(timeout=5))["op"] == 10
        await ws.send_json({"op": 2, "d": data})
        while True:
            try:
                message = await ws.receive(timeout=0.3)
            except TimeoutError:
                return got, None
            if message.type is not aiohttp.WSMsgType.TEXT:
                return got, ws.close_code
            got.append(message.json())


async def test_each_shard_gets_only_its_own_guilds() -> None:
    async with FakeDiscord() as fake:
        ids = {shard: fake.add_guild(f"On {shard}", shard=(shard, 2)).id for shard in (0, 1)}
        for shard in (0, 1):
            sent, closed = await identify(fake, [shard, 2])
            assert closed is None
            ready = next(p["d"] for p in sent if p.get("t") == "READY")
            assert ready["shard"] == [shard, 2]
            assert [g["id"] for g in ready["guilds"]] == [str(ids[shard])]
            created = [p["d"]["id"] for p in sent if p.get("t") == "GUILD_CREATE"]
            assert created == [str(ids[shard])]
        assert [at[1] for at in fake.gateway.identify_times] == [0, 1]


async def test_invalid_shards_close_4010_and_too_many_guilds_4011() -> None:
    async with FakeDiscord() as fake:
        fake.add_guild("One")
        for wrong in ([2, 2], [0, 0], [-1, 2], "0,2", [0]):
            assert (await identify(fake, wrong))[1] == 4010
        fake.gateway.max_guilds_per_shard = 0  # Discord: this bot must shard
        assert (await identify(fake, None))[1] == 4011
        assert fake.gateway.close_codes_sent == [4010] * 5 + [4011]
        assert fake.identifies == 0


async def test_an_identify_too_soon_on_the_same_key_is_an_invalid_session() -> None:
    async with FakeDiscord() as fake:
        fake.gateway.enforce_identify_window = True
        fake.gateway.max_concurrency = 2
        assert (await identify(fake, [0, 4]))[1] is None
        assert (await identify(fake, [1, 4]))[1] is None  # another key: at once is fine
        refused, closed = await identify(fake, [2, 4])  # 2 % 2 == 0 % 2, within 5 s
        assert closed is None
        assert refused == [{"op": 9, "d": False, "s": None, "t": None}]
        assert fake.identifies == 2


async def test_gateway_bot_reports_shards_and_the_session_start_limit() -> None:
    async with FakeDiscord() as fake:
        fake.gateway.recommended_shards = 4
        fake.gateway.max_concurrency = 16
        await identify(fake, [0, 4])
        headers = {"Authorization": f"Bot {fake.token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.get(fake.api_base + "/gateway/bot", headers=headers) as response,
        ):
            body = await response.json()
        assert body["shards"] == 4
        assert body["session_start_limit"] == {
            "total": 1000,
            "remaining": 999,
            "reset_after": 86_400_000,
            "max_concurrency": 16,
        }


async def test_direct_messages_and_presses_in_them_go_to_shard_0_only() -> None:
    """Discord: "DMs will only be sent to shard_id 0" — a member's direct message to the bot and
    a press of a button in one reach the shard-0 connection, whichever shard their server is
    on; a press in the server's channel reaches that server's shard only."""
    async with FakeDiscord() as fake:
        guild = fake.add_guild("On 1", shard=(1, 2))
        room = fake.add_channel(guild.id, "room")
        member = fake.add_member(guild.id, "willow")
        got: dict[int, list[JSON]] = {0: [], 1: []}
        url = fake.gateway_url + "?v=10&encoding=json"
        intents = 1 | (1 << 9) | (1 << 12)  # GUILDS, GUILD_MESSAGES, DIRECT_MESSAGES
        async with aiohttp.ClientSession() as session:
            sockets = []
            for shard in (0, 1):
                ws = await session.ws_connect(url)
                assert (await ws.receive_json(timeout=5))["op"] == 10
                identify = {"token": fake.token, "properties": {}, "intents": intents}
                await ws.send_json({"op": 2, "d": {**identify, "shard": [shard, 2]}})
                sockets.append(ws)

            async def listen(shard: int) -> None:
                while True:
                    try:
                        message = await sockets[shard].receive(timeout=0.3)
                    except TimeoutError:
                        return
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        return
                    got[shard].append(message.json())

            async def dispatched() -> dict[int, list[str]]:
                for shard in (0, 1):
                    got[shard].clear()
                    await listen(shard)
                return {s: [p["t"] for p in got[s] if p.get("t")] for s in (0, 1)}

            await dispatched()  # READY and GUILD_CREATE, each on its own shard
            dm = await member.dm_bot("hello")
            assert await dispatched() == {0: ["MESSAGE_CREATE"], 1: []}
            await member.press_forged(int(dm["id"]), "pc:anything")
            assert await dispatched() == {0: ["INTERACTION_CREATE"], 1: []}
            interaction = next(p["d"] for p in got[0] if p.get("t") == "INTERACTION_CREATE")
            assert "guild_id" not in interaction
            posted = await member.say(room.id, "in the server")
            assert await dispatched() == {0: [], 1: ["MESSAGE_CREATE"]}
            await member.press_forged(int(posted["id"]), "pc:anything")
            assert await dispatched() == {0: [], 1: ["INTERACTION_CREATE"]}
            for ws in sockets:
                await ws.close()
