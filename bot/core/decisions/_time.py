"""The core never reads the clock; the times it is given must say which timezone they are in."""

from __future__ import annotations

from datetime import datetime


def require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("times passed to the core must be timezone-aware")
