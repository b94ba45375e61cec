"""Start-up imports (issue 18, item 4), from ``python -X importtime``: the time each command
spends importing, side by side with discord.py's own import (what any discord.py bot pays).

- ``format check``: ``python -m bot format check FILE``, which imports no discord.py, aiohttp
  or database code (``tests/unit/test_startup_imports.py``);
- ``run``: what ``python -m bot run`` imports before it connects (``bot.__main__`` and the
  composition root, ``bot.wiring``, with every feature);
- ``run with its cogs``: the same and every cog, as the bot's ``setup_hook`` loads them before
  it connects (``bot.app.EXTENSIONS``).

Figures: each over ``import discord`` in a fresh interpreter (no goal: the README states them).

And the bot's own import time in CPU time (``run with its cogs`` less ``import discord``, each a
whole fresh interpreter): with ``BENCH_BEFORE`` naming another checkout of the project (say a
``git worktree`` of the commit before issue 18's work, 651629c), the same measured there, side
by side, and the ratio (issue 18's fallback goal for B5: the import time halved, ≤ 0.5).

Modules are imported from compiled bytecode, as a deployed bot does (the Docker image compiles
them when it is built): every command runs once first to fill a cache of its own
(``PYTHONPYCACHEPREFIX``), even where ``PYTHONDONTWRITEBYTECODE`` is set, which would otherwise
have every import compile its module from source each time (a third of ``run``'s imports)."""

from __future__ import annotations

import asyncio
import os
import re
import resource
import statistics
import sys
import tempfile
from pathlib import Path

from bench.harness import Figure, Size, Spread

NAME = "Start-up: import time of `format check` and `run`, over `import discord`"
ROOT = Path(__file__).parents[1]
COMMANDS = {
    "discord": ["-c", "import discord"],
    "format check": [
        "-m",
        "bot",
        "format",
        "check",
        str(ROOT / "formats" / "open-discussion.yaml"),
    ],
    "run": ["-c", "import bot.__main__, bot.wiring"],
    "run with its cogs": [
        "-c",
        "import bot.__main__, bot.wiring\n"  # __import__, timed as `import` is (not importlib's)
        "for cog in bot.app.EXTENSIONS: __import__(cog)",
    ],
}


async def imports(args: list[str], cache: Path) -> tuple[float, bool]:
    """Seconds spent importing (the top-level imports' cumulative times), and whether discord
    was among them."""
    environment = {**os.environ, "PYTHONPYCACHEPREFIX": str(cache)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    done = await asyncio.create_subprocess_exec(
        sys.executable,
        "-X",
        "importtime",
        *args,
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await done.communicate()
    total, with_discord = 0, False
    for line in err.decode().splitlines():
        found = re.match(r"import time:\s+\d+ \|\s+(\d+) \| ( *)(\S+)", line)
        if found is None:
            continue
        with_discord = with_discord or found[3] == "discord"
        if not found[2]:  # a top-level import: its cumulative time counts once
            total += int(found[1])
    return total / 1e6, with_discord


async def cpu_seconds(args: list[str], cache: Path, where: Path = ROOT) -> float:
    """CPU seconds (user + system) of one fresh interpreter running ``args`` in ``where``."""
    environment = {**os.environ, "PYTHONPYCACHEPREFIX": str(cache)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=where,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    if await done.wait() != 0:
        raise RuntimeError(f"{args} failed in {where}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


async def own_import_cpu(size: Size) -> list[Figure]:
    """The bot's own import CPU time (run with its cogs, less ``import discord``), and with
    ``BENCH_BEFORE`` the same in that checkout, interleaved, and the ratio."""
    repeats = 1 if size is Size.TINY else 15
    before = os.environ.get("BENCH_BEFORE")
    places = {"now": ROOT, **({"before": Path(before)} if before else {})}
    own: dict[str, list[float]] = {name: [] for name in places}
    with tempfile.TemporaryDirectory(prefix="pc-bench-cpu-") as cache:
        caches = {name: Path(cache) / name for name in places}  # each checkout its own bytecode
        for name, where in places.items():
            await cpu_seconds(COMMANDS["run with its cogs"], caches[name], where)
        await cpu_seconds(COMMANDS["discord"], caches["now"])
        for _ in range(repeats):
            floor = await cpu_seconds(COMMANDS["discord"], caches["now"])
            for name, where in places.items():
                run = await cpu_seconds(COMMANDS["run with its cogs"], caches[name], where)
                own[name].append(run - floor)
    ms = {name: ", ".join(f"{v * 1000:.0f}" for v in values) for name, values in own.items()}
    figures = [
        Figure(
            "the bot's own imports (run with its cogs less `import discord`), CPU time",
            Spread(tuple(v * 1000 for v in own["now"])),
            unit=" ms",
            detail=f"median {statistics.median(own['now']) * 1000:.0f} ms",
        )
    ]
    if "before" in own:
        figures.append(
            Figure(
                f"the same, now over before ({places['before']})",
                Spread(tuple(n / b for n, b in zip(own["now"], own["before"], strict=True))),
                goal=0.5,
                detail=f"ms now: {ms['now']}; before: {ms['before']}",
            )
        )
    return figures


async def figures(size: Size) -> list[Figure]:
    repeats = 1 if size is Size.TINY else 5
    seconds: dict[str, list[float]] = {name: [] for name in COMMANDS}
    loads_discord: dict[str, bool] = {}
    with tempfile.TemporaryDirectory(prefix="pc-bench-pyc-") as cache:
        for args in COMMANDS.values():
            await imports(args, Path(cache))  # compiles what each command imports, once
        for _ in range(repeats):
            for name, args in COMMANDS.items():
                took, loads_discord[name] = await imports(args, Path(cache))
                seconds[name].append(took)
    floor = seconds["discord"]
    return [
        Figure(
            f"{name} imports over `import discord`",
            Spread(tuple(o / f for o, f in zip(seconds[name], floor, strict=True))),
            detail=f"ms importing: {', '.join(f'{s * 1000:.0f}' for s in seconds[name])} "
            f"(discord: {', '.join(f'{s * 1000:.0f}' for s in floor)}); "
            f"imports discord: {'yes' if loads_discord[name] else 'no'}",
        )
        for name in ("format check", "run", "run with its cogs")
    ] + await own_import_cpu(size)
