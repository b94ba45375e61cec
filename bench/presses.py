"""B2 presses: "Raise hand" pressed by 200 members within one second in one meeting, the real
bot (``python -m bot run``) against the Discord stand-in. Each press is timed from the click
to the bot's first answer to the interaction (its acknowledgement, which Discord wants within
3 seconds) and to its private words ("your hand is up"). Figure: the acknowledgement's p99 as a
fraction of Discord's 3 s deadline (goal ≤ 0.05). Printed with it: the bot's CPU time a press
(``/proc``: a loaded machine changes it far less than the times) and its REST calls a press.
Each repeat is a fresh meeting in its own channel, in the same bot process."""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
from pathlib import Path

from bench.harness import Figure, Size, Spread
from bench.standin import LIMIT, Bot, button, people, setup_group, start_meeting
from discord_standin import FakeDiscord, SimulatedMember

NAME = "B2 presses: Raise hand pressed by many members within one second"
DEADLINE = 3.0


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


async def one_press(
    member: SimulatedMember, panel_id: int, custom_id: str, delay: float
) -> tuple[float, float, str]:
    """Seconds to the acknowledgement and to the private answer, and the answer's words."""
    await asyncio.sleep(delay)
    began = time.perf_counter()
    pressed = await member.click(panel_id, custom_id, timeout=LIMIT)
    await pressed.wait_response(timeout=LIMIT)
    acked = time.perf_counter() - began
    answer = (await pressed.wait_followups(timeout=LIMIT))[0]
    return acked, time.perf_counter() - began, str(answer.get("content", ""))


def count_calls(fake: FakeDiscord, mark: int, calls: dict[str, int]) -> None:
    """The bot's REST calls since ``mark``: acknowledgements, private answers, the rest (the
    room's words and its panel)."""
    for request in fake.rest.requests[mark:]:
        if re.fullmatch(r"/interactions/\d+/[^/]+/callback", request.path):
            calls["acknowledgement"] += 1
        elif request.path.startswith("/webhooks/"):
            calls["answer"] += 1
        else:
            calls["other"] += 1


async def figures(size: Size) -> list[Figure]:
    presses, window, repeats = (40, 0.2, 1) if size is Size.TINY else (200, 1.0, 3)
    acks: list[float] = []
    answers: list[float] = []
    every_ack: list[float] = []
    calls = {"acknowledgement": 0, "answer": 0, "other": 0}
    cpu: list[float] = []  # the bot's CPU seconds a press (it survives a loaded machine)
    async with FakeDiscord(privileged_intents_granted={"members"}) as fake:
        guild = fake.add_guild("Bench Circle", owner_username="benchowner")
        rooms = [fake.add_channel(guild.id, f"bench-room-{n}").id for n in range(repeats)]
        chair, *crowd = people(fake, guild, presses + 1)
        with tempfile.TemporaryDirectory(prefix="pc-bench-b2-") as folder:
            bot = Bot(fake, Path(folder), {"DEV_GUILD_ID": str(guild.id)})
            await bot.command("sync")
            await bot.start()
            try:
                for room in rooms:
                    await setup_group(fake, guild, room)
                    panel = await start_meeting(fake, chair, room)
                    hand = button(panel, "hand")
                    mark, cpu_before = len(fake.rest.requests), await bot.settle()
                    done = await asyncio.gather(
                        *(
                            one_press(m, int(panel["id"]), hand, i * window / presses)
                            for i, m in enumerate(crowd)
                        )
                    )
                    wrong = [words for _, _, words in done if "hand is up" not in words]
                    if wrong:
                        raise AssertionError(f"{len(wrong)} presses answered {wrong[0]!r}")
                    cpu.append((await bot.settle() - cpu_before) / presses)
                    count_calls(fake, mark, calls)
                    acked = [a for a, _, _ in done]
                    every_ack += acked
                    acks.append(p99(acked) / DEADLINE)
                    answers.append(p99([b for _, b, _ in done]))
            finally:
                await bot.stop()
    return [
        Figure(
            f"{presses} presses in {window:g} s: acknowledgement p99 / Discord's 3 s",
            Spread(tuple(acks)),
            goal=0.05,
            detail=(
                f"acknowledgement ms: median {statistics.median(every_ack) * 1000:.0f}, "
                f"p99 {p99(every_ack) * 1000:.0f}, max {max(every_ack) * 1000:.0f}; "
                f"private answer p99 ms: {', '.join(f'{a * 1000:.0f}' for a in answers)}; "
                f"the bot's CPU a press, ms: {', '.join(f'{c * 1000:.2f}' for c in cpu)}; "
                "REST calls a press: "
                + ", ".join(f"{n / (presses * repeats):.2f} {what}" for what, n in calls.items())
            ),
        )
    ]
