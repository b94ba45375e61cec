"""The house rules of bot/core, checked on the rotation and due-process modules: no Discord,
no database, no asyncio, no clock, no randomness, no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bot.core.decisions
import bot.core.rotation

FORBIDDEN_MODULES = {
    "discord",
    "aiosqlite",
    "asyncio",
    "time",
    "random",
    "secrets",
    "os",
    "logging",
}
FORBIDDEN_CALLS = {"now", "utcnow", "today", "time", "open", "print"}
SOURCES = [
    Path(bot.core.rotation.__file__),
    *sorted(Path(bot.core.decisions.__file__).parent.glob("*.py")),
]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
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
