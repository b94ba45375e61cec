"""One lock per group: every change to a group's state (its meeting, rotation or decisions)
happens under it, so two members pressing at once are served one after the other."""

from __future__ import annotations

import asyncio


class GroupLocks:
    """``async with locks(group_id):`` — first come, first served, per group."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}

    def __call__(self, group_id: int) -> asyncio.Lock:
        return self._locks.setdefault(group_id, asyncio.Lock())
