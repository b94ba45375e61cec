"""bot/core is the functional core: no Discord, no database, no clock, no I/O.

Every module under bot/core is parsed (not imported) and checked: it imports nothing that talks
to the outside world or reads the time, and calls no clock. The one exception is the format
loader's documented ``load_format_file``, which reads the file it is given.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).parents[2] / "bot" / "core"
SOURCES = sorted(CORE.rglob("*.py"))

FORBIDDEN_MODULES = {
    "discord",
    "aiosqlite",
    "sqlite3",
    "asyncio",
    "time",
    "random",
    "secrets",
    "os",
    "logging",
    "socket",
    "zoneinfo",
}
FORBIDDEN_CALLS = {"now", "utcnow", "today", "time", "monotonic", "print", "open"}
ALLOWED_CALLS = {"formats/loader.py": {"open"}}  # load_format_file reads the path it is given

#: Size caps the cores' authors set for themselves (lines).
SIZE_CAPS = {"crosstalk.py": 300, "voice_floor.py": 300, "meeting": 500, "sharing": 500}


def _where(source: Path) -> str:
    return source.relative_to(CORE).as_posix()


@pytest.mark.parametrize("source", SOURCES, ids=_where)
def test_core_module_is_pure(source: Path) -> None:
    allowed = ALLOWED_CALLS.get(_where(source), set())
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN_MODULES, f"{_where(source)} imports {name}"
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert called not in FORBIDDEN_CALLS - allowed, f"{_where(source)} calls {called}()"


@pytest.mark.parametrize("source", SOURCES, ids=_where)
def test_core_module_stays_small(source: Path) -> None:
    where = _where(source)
    cap = SIZE_CAPS.get(where) or SIZE_CAPS.get(where.split("/")[0]) or 600
    assert len(source.read_text(encoding="utf-8").splitlines()) <= cap, where


def test_the_check_sees_the_whole_core() -> None:
    names = {_where(source) for source in SOURCES}
    assert {"pseudonyms.py", "rotation/turns.py", "crosstalk.py", "meeting/effects.py"} <= names
    assert any(name.startswith("decisions/") for name in names)
    assert any(name.startswith("formats/") for name in names)
