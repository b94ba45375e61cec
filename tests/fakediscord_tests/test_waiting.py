"""Waiting on the stand-in: a caller cancelled while it waits stays cancelled, even when a
change in the stand-in wakes it in the same moment (Ctrl-C during a rehearsal, which waits on
the stand-in while members talk: ``asyncio.wait_for`` on 3.11 lost such a cancel)."""

from __future__ import annotations

import asyncio

from tests.fakediscord import FakeDiscord


async def test_a_cancel_arriving_with_a_change_is_kept() -> None:
    async with FakeDiscord() as fake:
        for _ in range(20):
            waiting = asyncio.create_task(fake.wait_until(lambda: False, 5, what="nothing"))
            await asyncio.sleep(0.001)  # it is waiting now
            fake._notify()  # a change in the stand-in…
            waiting.cancel()  # …and a cancel, at once
            await asyncio.sleep(0.01)
            assert waiting.cancelled()
