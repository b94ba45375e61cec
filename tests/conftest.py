"""Shared fixtures: every test starts with no Peer Circle settings in its environment."""

from __future__ import annotations

from pathlib import Path

import pytest

SETTING_NAMES = (
    "DISCORD_TOKEN",
    "DATA_DIR",
    "PSEUDONYM_KEY",
    "LOG_LEVEL",
    "DEV_GUILD_ID",
    "DISCORD_API_BASE",
    "DISCORD_GATEWAY_URL",
    "CLOCK_RATE",
    "MESSAGE_CONTENT_INTENT",
    "DATABASE_URL",
)


@pytest.fixture(autouse=True)
def _clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's .env or environment."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


#: Tests that run the real discord.py client against the fake Discord (the bot as a child
#: process, or the fake's own tests): slow, so ``pytest -m "not e2e"`` leaves them out.
E2E_DIRS = ("e2e", "fakediscord_tests")
E2E_FIXTURES = ("bot_runner", "fake")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        uses = getattr(item, "fixturenames", ())
        if any(name in item.path.parts for name in E2E_DIRS) or any(
            name in uses for name in E2E_FIXTURES
        ):
            item.add_marker(pytest.mark.e2e)
