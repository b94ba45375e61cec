"""Start-up back-off: a crash loop must not burn Discord's 1,000 IDENTIFYs a day.

Each start is noted (a timestamp, nothing else) in ``DATA_DIR/starts``. After four starts
in ten minutes, each further start waits before connecting: 5 s, then 10 s, 20 s …
up to five minutes. A service manager that restarts it in a loop therefore slows down by itself.
"""

from __future__ import annotations

import time
from pathlib import Path

WINDOW_SECONDS = 600.0
FREE_STARTS = 4
BASE_DELAY = 5.0
MAX_DELAY = 300.0
KEPT = 20


def record_start(data_dir: Path, now: float | None = None) -> float:
    """Note this start; return how many seconds to wait before connecting (0 for most starts)."""
    now = time.time() if now is None else now
    path = data_dir / "starts"
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        earlier = [float(line) for line in path.read_text().split() if line.strip()]
    except (OSError, ValueError):
        earlier = []
    recent = [t for t in earlier if now - WINDOW_SECONDS <= t <= now]
    path.write_text("\n".join(f"{t:.3f}" for t in [*recent, now][-KEPT:]) + "\n")
    over = len(recent) - FREE_STARTS
    return 0.0 if over < 0 else min(MAX_DELAY, BASE_DELAY * 2**over)
