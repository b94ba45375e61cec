"""``python -m bench [--tiny] [NAMES…]``: run the benchmarks and print their figures."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import time

from bench.harness import Size, machine, report

#: The benchmarks, in the order printed (a module of :mod:`bench` each).
#: B1 messages, B2 presses, B3 scale, B4 ballots, B5 restart, B6 peak, start-up, processes.
BENCHMARKS = (
    "messages",
    "presses",
    "scale",
    "ballots",
    "restart",
    "peak",
    "startup",
    "processes",
)


async def main(names: list[str], size: Size) -> int:
    print(f"Peer Circle benchmarks ({size.value}) — {machine()}")
    missed = 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        began = time.perf_counter()
        figures = await module.figures(size)
        took = time.perf_counter() - began
        print(report(f"{module.NAME} ({took:.1f} s)", figures))
        missed += sum(1 for f in figures if f.met is False)
    print(f"Load at the end: {machine().rsplit('load ', 1)[1]}")
    return 0 if size is Size.TINY or missed == 0 else 1


def run() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="a tiny size (seconds): for tests")
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], metavar="NAME")
    args = parser.parse_args()
    size = Size.TINY if args.tiny else Size.FULL
    sys.exit(asyncio.run(main(list(args.names) or list(BENCHMARKS), size)))


if __name__ == "__main__":
    run()
