"""The benchmarks run from a fresh clone with one command (``python -m bench``); here at a tiny
size, checking that each prints its figures — never the figures themselves (a test can't hold a
machine's speed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import BENCHMARKS

#: A whole process and real fsyncs: with the slow tests.
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]


def test_every_benchmark_runs_at_a_tiny_size_and_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert out.startswith("Peer Circle benchmarks (tiny)")
    assert " cores, load " in out  # the machine's load is noted
    for name in BENCHMARKS:
        module = __import__(f"bench.{name}", fromlist=["NAME"])
        assert module.NAME in out
    assert "speed vs the raw loop: " in out
    assert "goal ≥ 0.5×" in out
