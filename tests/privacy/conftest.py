"""The privacy tests reuse the end-to-end harness (the bot as a child process, the fake Discord)."""

from __future__ import annotations

from tests.e2e.conftest import bot_runner, fake

__all__ = ["bot_runner", "fake"]
