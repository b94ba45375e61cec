"""The house plan, checked: services reach Discord only through ports, features meet only through
events, nobody patches anyone after construction, and files stay small enough to hold in one's
head. (docs/architecture.md explains the why.)"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
BOT = ROOT / "bot"
RUNTIME = BOT / "runtime"
COGS = ROOT / "cogs"

#: Runtime modules every feature may use: they belong to no feature.
KERNEL = {
    "events",
    "live",
    "locks",
    "clock",
    "scheduler",
    "formats",
    "languages",
    "markup",
    "backoff",
    "tasks",
}
MAX_LINES = 500
MAX_COG_LINES = 300


def sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def imports(source: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def feature_of(module: str) -> str | None:
    """``bot.runtime.rotation.turns`` -> ``rotation``; kernel modules belong to no feature."""
    parts = module.split(".")
    if parts[:2] != ["bot", "runtime"] or len(parts) < 3 or parts[2] in KERNEL:
        return None
    return parts[2]


def module_name(source: Path) -> str:
    return ".".join(source.relative_to(ROOT).with_suffix("").parts)


@pytest.mark.parametrize("source", sources(RUNTIME), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_services_reach_discord_only_through_their_ports(source: Path) -> None:
    found = [name for name in imports(source) if name.split(".")[0] == "discord"]
    assert not found, f"{source.relative_to(ROOT)} imports {found}: use the feature's port"


@pytest.mark.parametrize("source", sources(RUNTIME), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_feature_imports_another_features_runtime(source: Path) -> None:
    mine = feature_of(module_name(source))
    others = {
        name
        for name in imports(source)
        if (theirs := feature_of(name)) is not None and theirs != mine
    }
    assert not others, f"{source.relative_to(ROOT)} imports {others}: meet through events"


def test_the_check_knows_the_features() -> None:
    features = {feature_of(module_name(p)) for p in sources(RUNTIME)} - {None}
    assert {"meetings", "rotation", "decisions", "crosstalk", "voice_floor"} <= features


@pytest.mark.parametrize(
    "source", sources(BOT) + sources(COGS), ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_files_stay_small(source: Path) -> None:
    cap = MAX_COG_LINES if source.is_relative_to(COGS) else MAX_LINES
    lines = len(source.read_text(encoding="utf-8").splitlines())
    assert lines <= cap, f"{source.relative_to(ROOT)} has {lines} lines (at most {cap})"


@pytest.mark.parametrize("source", sources(COGS), ids=lambda p: p.name)
def test_a_cogs_setup_only_adds_the_cog(source: Path) -> None:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    setups = [n for n in tree.body if isinstance(n, ast.AsyncFunctionDef) and n.name == "setup"]
    if source.name == "__init__.py":
        assert not setups
        return
    (setup,) = setups
    (statement,) = setup.body  # exactly one statement …
    assert isinstance(statement, ast.Expr)
    assert isinstance(statement.value, ast.Await)
    call = statement.value.value  # … and it is ``await bot.add_cog(...)``
    assert isinstance(call, ast.Call)
    assert isinstance(call.func, ast.Attribute)
    assert call.func.attr == "add_cog"


def _own_parts(tree: ast.Module) -> set[ast.AST]:
    """Nodes inside discord.ui views: a view's buttons are its own parts, not collaborators."""
    inside: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            ast.unparse(base).endswith("View") for base in node.bases
        ):
            inside.update(ast.walk(node))
    return inside


def _foreign_writes(source: Path) -> list[str]:
    """Assignments to an attribute of a service or collaborator held by this object
    (``self.x.y = …``) — the patching the composition root replaced."""
    writes = []
    tree = ast.parse(source.read_text(encoding="utf-8"))
    views = _own_parts(tree)
    for node in ast.walk(tree):
        if node in views:
            continue
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Attribute)
                and isinstance(target.value.value, ast.Name)
                and target.value.value.id == "self"
            ):
                writes.append(f"line {node.lineno}: self.{target.value.attr}.{target.attr}")
    return writes


@pytest.mark.parametrize(
    "source",
    [p for p in sources(BOT) + sources(COGS) if p.name != "wiring.py"],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_nobody_patches_a_collaborator_after_construction(source: Path) -> None:
    assert not _foreign_writes(source), source.relative_to(ROOT)


def test_the_patch_check_sees_patching(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "class A:\n    def f(self):\n        self.meetings.presenter = 1\n"
        "class B(discord.ui.View):\n    def f(self):\n        self.next.disabled = True\n"
    )
    assert _foreign_writes(sample) == ["line 3: self.meetings.presenter"]
