"""What every benchmark shares: a figure (a ratio against its floor, with a goal), repeats with
min/median/max, the machine's load, and the printed report.

A benchmark is a module in :mod:`bench` with ``NAME`` ("B4 ballots"), and
``async def figures(size: Size) -> list[Figure]`` measuring its figures side by side.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum


class Size(Enum):
    """``TINY`` for the test suite (seconds in all), ``FULL`` for the figures in the README."""

    TINY = "tiny"
    FULL = "full"


@dataclass(frozen=True)
class Spread:
    """Repeated measurements of one quantity."""

    values: tuple[float, ...]

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def high(self) -> float:
        return max(self.values)


@dataclass(frozen=True)
class Figure:
    """One printed line: ``value`` (usually a ratio to the floor) against ``goal``.

    ``at_most``: the goal is a ceiling (a cost) rather than a floor (a speed)."""

    name: str
    value: Spread
    goal: float | None = None
    at_most: bool = True
    unit: str = "×"
    detail: str = ""

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        median = self.value.median
        return median <= self.goal if self.at_most else median >= self.goal

    def line(self) -> str:
        spread = self.value
        shown = f"{spread.median:.3g}{self.unit} (min {spread.low:.3g}, max {spread.high:.3g})"
        goal = ""
        if self.goal is not None:
            mark = "ok" if self.met else "MISSED"
            goal = f"  goal {'≤' if self.at_most else '≥'} {self.goal:g}{self.unit}: {mark}"
        return f"  {self.name}: {shown}{goal}" + (f"\n      {self.detail}" if self.detail else "")


@dataclass
class Timer:
    """Wall time of repeated runs, side by side: ``await timer.pair(ours, floor)``."""

    repeats: int
    ours: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)

    async def pair(
        self, ours: Callable[[], Awaitable[object]], floor: Callable[[], Awaitable[object]]
    ) -> None:
        """Run each ``repeats`` times, alternating, so load changes hit both alike."""
        for _ in range(self.repeats):
            for run, into in ((floor, self.floor), (ours, self.ours)):
                began = time.perf_counter()
                await run()
                into.append(time.perf_counter() - began)

    def ratios(self) -> Spread:
        """Ours over the floor, run by run."""
        return Spread(tuple(o / f for o, f in zip(self.ours, self.floor, strict=True) if f > 0))


def machine() -> str:
    """The machine and its load, printed above the figures (a loaded machine skews them)."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    cores = os.cpu_count() or 1
    return (
        f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
        f"{cores} cores, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min)"
    )


def report(title: str, figures: Sequence[Figure]) -> str:
    return "\n".join([title, *(f.line() for f in figures)])
