"""B1 messages: the message path while someone shares. A burst of messages (MESSAGE_CREATE)
posted in a meeting's channel by members other than the one holding the floor — crosstalk,
which the bot checks for on every message (one gentle reminder, then quiet) — sent to the
real bot (``python -m bot run``) and, side by side, to a bare discord.py client with the same
intents (:mod:`bench.bare_client`), each against its own Discord stand-in with the same server.

Cost: the process's CPU time (``/proc``) from just before the burst until it has been idle for
a moment, less its idle rate over that time, per message. Both get the same burst at the same
time, message by message (:func:`burst_costs`). Figure: the bot's added cost over
the bare client's, ``(bot - bare) / bare`` (goal ≤ 0.25)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.harness import Figure, Size, Spread
from bench.standin import (
    LIMIT,
    Bare,
    Bot,
    Process,
    button,
    people,
    wait_message,
)
from discord_standin import FakeDiscord, GuildHandle, SimulatedMember

NAME = "B1 messages: crosstalk checked on each message during a share, vs a bare discord.py client"

#: A circle whose first section is sharing, with crosstalk not allowed (a reminder, no hold).
CIRCLE = b"""format: 1
name: Bench Circle
about: A sharing circle where we listen without replying.
length: 60m
share:
  limit: 20m
crosstalk:
  policy: not-allowed
  reminder: A gentle reminder from ${group} - let's give the person sharing the floor.
sections:
  - share: The floor is open. Raise your hand when you'd like to share.
    title: Sharing
  - closing: Thank you all for coming.
"""


async def share_under_way(
    fake: FakeDiscord, guild: GuildHandle, room: int, members: list[SimulatedMember]
) -> None:
    """The circle adopted, a meeting started, and the second member holding the floor."""
    owner = guild.owner
    made = await owner.slash(room, "group setup", {"format": "open-discussion"})
    await made.wait_response(timeout=LIMIT)
    upload = fake.make_attachment("bench-circle.yaml", CIRCLE)
    uploaded = await owner.slash(room, "format upload", {"file": upload})
    offer = (await uploaded.wait_followups(timeout=LIMIT))[0]
    adopt = offer["components"][0]["components"][0]["custom_id"]
    await (await owner.click(int(offer["id"]), adopt, timeout=LIMIT)).wait_response(timeout=LIMIT)
    await wait_message(fake, room, "The group's format is now **Bench Circle**")
    chair, sharer = members[0], members[1]
    started = await chair.slash(room, "meeting start")
    await started.wait_followups(timeout=LIMIT)
    panel = await wait_message(fake, room, "", action="hand")
    await wait_message(fake, room, "**Sharing**")
    hand = await sharer.click(int(panel["id"]), button(panel, "hand"), timeout=LIMIT)
    await hand.wait_followups(timeout=LIMIT)
    await wait_message(fake, room, "the floor is yours")


async def burst_costs(
    sides: list[tuple[Process, int, list[SimulatedMember]]], count: int
) -> list[float]:
    """CPU seconds per message for a burst of ``count`` crosstalk messages, for each side
    (process, its room, who talks there). The sides get the same burst at the same time,
    message by message, so each is fed at the same pace and shares the machine's load alike
    (how many messages reach a process per wake-up changes its cost per message more than
    anything it does with them)."""
    idle_from, idle_cpu = time.perf_counter(), [await p.settle() for p, _, _ in sides]
    await asyncio.sleep(0.5)
    idle_for = time.perf_counter() - idle_from
    idle_rates = [(p.cpu() - c) / idle_for for (p, _, _), c in zip(sides, idle_cpu, strict=True)]
    began, before = time.perf_counter(), [p.cpu() for p, _, _ in sides]
    for n in range(count):
        for _, room, talkers in sides:
            await talkers[n % len(talkers)].say(room, f"I hear you, and I wanted to say {n}")
        if n % 20 == 19:
            await asyncio.sleep(0)  # let the stand-ins' gateway writers send
    after = [await p.settle() for p, _, _ in sides]
    took = time.perf_counter() - began
    return [
        max(a - b - rate * took, 0.0) / count
        for a, b, rate in zip(after, before, idle_rates, strict=True)
    ]


async def figures(size: Size) -> list[Figure]:
    count, repeats = (300, 1) if size is Size.TINY else (3000, 5)
    ours: list[float] = []
    bare: list[float] = []
    with tempfile.TemporaryDirectory(prefix="pc-bench-b1-") as folder:
        async with (
            FakeDiscord(privileged_intents_granted={"members"}) as fake_bot,
            FakeDiscord(privileged_intents_granted={"members"}) as fake_bare,
        ):
            guilds = [
                fake.add_guild("Bench Circle", owner_username="benchowner")
                for fake in (fake_bot, fake_bare)
            ]
            rooms = [
                f.add_channel(g.id, "bench-room").id
                for f, g in zip((fake_bot, fake_bare), guilds, strict=True)
            ]
            crowds = [people(f, g, 6) for f, g in zip((fake_bot, fake_bare), guilds, strict=True)]
            (Path(folder) / "bot").mkdir()
            (Path(folder) / "bare").mkdir()
            bot = Bot(
                fake_bot,
                Path(folder) / "bot",
                {"DEV_GUILD_ID": str(guilds[0].id), "MESSAGE_CONTENT_INTENT": "false"},
            )
            floor = Bare(fake_bare, Path(folder) / "bare")
            await bot.command("sync")
            await bot.start()
            await floor.start()
            try:
                await share_under_way(fake_bot, guilds[0], rooms[0], crowds[0])
                for _ in range(repeats):
                    cost_bot, cost_bare = await burst_costs(
                        [(bot, rooms[0], crowds[0][2:]), (floor, rooms[1], crowds[1][2:])], count
                    )
                    ours.append(cost_bot)
                    bare.append(cost_bare)
                reminded = [
                    m
                    for m in fake_bot.channel_messages(rooms[0])
                    if "A gentle reminder" in m.get("content", "")
                ]
                posted = fake_bot.requests_matching("POST", rf"/channels/{rooms[0]}/messages")
                if not reminded and not any(
                    "A gentle reminder" in str(r.json) for r in posted
                ):  # the path measured must be the real one
                    raise AssertionError("the bot never reminded anyone: crosstalk unchecked?")
            finally:
                await bot.stop()
                await floor.stop()
    added = tuple((o - b) / b for o, b in zip(ours, bare, strict=True) if b > 0)
    return [
        Figure(
            f"{count:,} messages during a share: CPU added over the bare client",
            Spread(added or (float("nan"),)),
            goal=0.25,
            detail="µs of CPU per message, bot / bare: "
            + ", ".join(f"{o * 1e6:.0f}/{b * 1e6:.0f}" for o, b in zip(ours, bare, strict=True)),
        )
    ]
