"""The house rules of bot/core, checked on the meeting, the floor and their effects: no Discord,
no database, no asyncio, no clock, no randomness, no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bot.core.effects
import bot.core.meeting
import bot.core.sharing

FORBIDDEN_MODULES = {"discord", "aiosqlite", "asyncio", "time", "random", "secrets", "os"}
FORBIDDEN_MODULES |= {"logging", "zoneinfo"}
FORBIDDEN_CALLS = {"now", "utcnow", "today", "time", "open", "print", "monotonic"}
SOURCES = [
    Path(bot.core.effects.__file__),
    *sorted(Path(bot.core.meeting.__file__).parent.glob("*.py")),
    *sorted(Path(bot.core.sharing.__file__).parent.glob("*.py")),
]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_core_module_is_pure(source: Path) -> None:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN_MODULES, f"{source.name} imports {name}"
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert called not in FORBIDDEN_CALLS, f"{source.name} calls {called}()"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_core_module_stays_small(source: Path) -> None:
    assert len(source.read_text(encoding="utf-8").splitlines()) <= 500
