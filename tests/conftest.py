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
)


@pytest.fixture(autouse=True)
def _clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's .env or environment."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
