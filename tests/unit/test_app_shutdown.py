"""Stopping the bot (PeerCircle.close): from the moment it begins, no new deadline starts, so
none runs against services already closed."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.app import PeerCircle
from bot.core.pseudonyms import Pseudonymizer
from bot.runtime.clock import Clock
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.wiring import build_services


async def test_a_deadline_coming_due_after_shutdown_began_is_not_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    clock = Clock()
    scheduler = Scheduler(store.deadlines, clock)
    bot = PeerCircle(
        lambda client: build_services(
            client,
            store=store,
            clock=clock,
            scheduler=scheduler,
            pseudonyms=Pseudonymizer(b"k" * 32),
        )
    )
    started: list[str] = []

    async def handler(payload: Mapping[str, Any]) -> None:
        started.append("fired")

    scheduler.register("test.shutdown", handler)
    await scheduler.start()
    heart = bot.services.heartbeat
    stopping = heart.stop

    async def slow_stop() -> None:  # the services' closing begins: a deadline comes due
        await scheduler.schedule("test.shutdown", "k", clock.timestamp(), {})
        await asyncio.sleep(0.2)
        await stopping()

    monkeypatch.setattr(heart, "stop", slow_stop)
    await bot.close()
    assert started == []  # not started against closed services …
    again = Store(tmp_path / "db.sqlite3")
    await again.open()
    kept = [(d.kind, d.key) for d in await again.deadlines.all()]
    await again.close()
    assert kept == [("test.shutdown", "k")]  # … but kept: it runs after the restart
