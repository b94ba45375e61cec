"""Every cog loads, and the slash commands are deliberate: unique, described, short."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from discord import app_commands

from bot.app import EXTENSIONS, PeerCircle
from bot.core.pseudonyms import Pseudonymizer
from bot.runtime.clock import Clock
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.wiring import build_services


@pytest.fixture
async def bot(tmp_path: Path) -> PeerCircle:
    store = Store(tmp_path / "db.sqlite3")
    clock = Clock()
    bot = PeerCircle(
        lambda client: build_services(
            client,
            store=store,
            clock=clock,
            scheduler=Scheduler(store.deadlines, clock),
            pseudonyms=Pseudonymizer(b"k" * 32),
        )
    )
    for extension in EXTENSIONS:
        await bot.load_extension(extension)
    yield bot
    await bot.close()


def walk(
    commands: list[app_commands.Command | app_commands.Group | app_commands.ContextMenu],
) -> Iterator[app_commands.Command]:
    """Slash commands (context menus have a name only, no description or options)."""
    for command in commands:
        if isinstance(command, app_commands.Group):
            yield from walk(command.commands)
        elif isinstance(command, app_commands.Command):
            yield command


async def test_every_extension_is_a_cog_module() -> None:
    cogs_dir = Path(__file__).parents[2] / "cogs"
    modules = {f"cogs.{p.stem}" for p in cogs_dir.glob("*.py") if p.stem != "__init__"}
    assert modules == set(EXTENSIONS)


async def test_command_names_are_unique_and_stable(bot: PeerCircle) -> None:
    names = [command.qualified_name for command in walk(bot.tree.get_commands())]
    assert len(names) == len(set(names))
    assert {"about", "group settings"} <= set(names)


async def test_descriptions_are_short_kind_sentences(bot: PeerCircle) -> None:
    for command in walk(bot.tree.get_commands()):
        assert 0 < len(command.description) <= 100, command.qualified_name
        assert command.description[0].isupper(), command.qualified_name
        for parameter in command.parameters:
            where = (command.qualified_name, parameter.name)
            assert parameter.description, where
            assert parameter.description != "…", where
