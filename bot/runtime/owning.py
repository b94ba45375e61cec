"""The shape of "is this group's work mine?", for services that drain many groups' rows.

Sharded processes answer it with :meth:`bot.runtime.ownership.Ownership.owns_group` (handed in by
the composition root); unsharded, every group is this process's (:func:`every_group`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

#: Whether a group's work is this process's (sharded processes: bot/runtime/ownership.py).
OwnsGroup = Callable[[int], Awaitable[bool]]


async def every_group(group_id: int) -> bool:
    """Unsharded: every group's work is this process's."""
    return True
