"""Start-up imports only what the command needs (issue 18, item 4): checking a format file is a
text check and loads no Discord library, no HTTP client and no database code."""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).parents[2]

PROBE = """
import sys
from bot.__main__ import main
status = main(["format", "check", sys.argv[1]])
loaded = sorted(
    name for name in sys.modules
    if name.split(".")[0] in ("discord", "aiohttp", "aiosqlite") or name.startswith("bot.store")
)
print("LOADED", status, ",".join(loaded))
"""


def test_format_check_imports_no_discord_http_or_database_module() -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE, str(ROOT / "formats" / "open-discussion.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("LOADED"))
    _, status, loaded = line.split(" ", 2)
    assert status == "0", done.stdout + done.stderr  # the file checked out fine
    assert loaded == "", f"format check imported {loaded}"


RUN_PROBE = """
import importlib, sys
import bot.__main__, bot.wiring  # what `python -m bot run` imports before it connects,
for cog in bot.app.EXTENSIONS:  # with the cogs its setup_hook loads before connecting
    importlib.import_module(cog)
print("LOADED", ",".join(sorted(sys.modules)))
from bot.core.lazy_dataclasses import waiting
made = sorted(  # the bot's dataclasses whose methods were written at start
    f"{module}.{value.__name__}"
    for module, loaded in list(sys.modules.items())
    if module.split(".")[0] in ("bot", "cogs")
    for value in vars(loaded).values()
    if isinstance(value, type) and value.__module__ == module
    and isinstance(value.__dict__.get("__dataclass_fields__"), dict)
)
print("MADE", ",".join(made))
print("WAITING", len([c for c in waiting() if c.__module__.split(".")[0] in ("bot", "cogs")]))
"""

#: What `run` leaves until it is first needed (issue 18, item 4): the format loader and its schema
#: (pydantic models, YAML: when a format is first read), pictures (Pillow: when one is drawn),
#: PostgreSQL's driver (only with a PostgreSQL DATABASE_URL), the metrics server (only with
#: METRICS_PORT), Babel (its dates, lists and catalogues: when the bot first writes a date or a
#: list in a language, or compiles a language's catalogue), difflib (when a format's texts are
#: checked), the rehearsal (only its command-line options are read) and the database move.
LEFT_FOR_LATER = (
    "PIL",
    "yaml",
    "asyncpg",
    "prometheus_client",
    "babel",
    "difflib",
    "bot.pictures",
    "bot.core.formats.loader",
    "bot.core.formats.schema",
    "bot.core.formats.kinds",
    "bot.store.postgres",
    "bot.store.move",
    "bot.rehearse.business",
    "bot.rehearse.play",
    "bot.rehearse.render",
    "bot.rehearse.room",
    "bot.rehearse.show",
    "bot.rehearse.stage",
    "bot.rehearse.watch",
)

#: How many of the project's own modules (``bot.*``) `run` imports before it connects, with its
#: cogs: 218 on 6 December 2026 (241 before the cogs left the format kinds and pictures for
#: later). Each costs import time at every start — most of it building the module's dataclasses
#: and enums — so a new one should be needed at start-up, or loaded where it is first used.
#: Raise this knowingly when a feature needs it.
MOST_BOT_MODULES_AT_START = 230


def test_run_leaves_formats_pictures_and_postgresql_until_needed() -> None:
    loaded = _loaded_by_run()
    assert {"discord", "bot.app", "cogs.formats", "cogs.meetings"} <= loaded  # what `run` loads
    early = sorted(
        name
        for name in loaded
        if any(name == later or name.startswith(later + ".") for later in LEFT_FOR_LATER)
    )
    assert early == [], f"run imported {early} at start-up"


#: How many of the bot's dataclasses have their methods written before `run` connects:
#: 22 on 6 December 2026 (289 before ``@lazy_dataclass``): those with ``slots=True`` (kept where
#: many are held at once) and those a module makes an instance of as it loads. Each costs about
#: 0.4 ms at every start.
MOST_DATACLASSES_MADE_AT_START = 25


def test_run_writes_few_dataclasses_methods_before_it_connects() -> None:
    made, waiting = _probe()[1:]
    assert waiting > 150, waiting  # the rest wait for their first use
    assert len(made) <= MOST_DATACLASSES_MADE_AT_START, (
        f"run makes {len(made)} dataclasses at start-up: {made} (at most "
        f"{MOST_DATACLASSES_MADE_AT_START}): keep them lazy (no slots=True unless many are held, "
        "no instance made as a module loads)"
    )


def test_run_imports_a_bounded_number_of_the_bots_own_modules() -> None:
    own = sorted(name for name in _loaded_by_run() if name == "bot" or name.startswith("bot."))
    assert len(own) > 100, own  # the probe loaded the bot: services, stores, adapters
    assert len(own) <= MOST_BOT_MODULES_AT_START, (
        f"run imports {len(own)} of the bot's modules at start-up "
        f"(at most {MOST_BOT_MODULES_AT_START}): load a feature's module where it is first used"
    )


def _loaded_by_run() -> frozenset[str]:
    return _probe()[0]


@cache
def _probe() -> tuple[frozenset[str], tuple[str, ...], int]:
    """What `run` loads before it connects: modules, dataclasses made, dataclasses waiting."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", RUN_PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = {ln.split(" ", 1)[0]: ln.partition(" ")[2] for ln in done.stdout.splitlines()}
    assert {"LOADED", "MADE", "WAITING"} <= set(lines), done.stdout + done.stderr
    made = tuple(name for name in lines["MADE"].split(",") if name)
    return frozenset(lines["LOADED"].split(",")), made, int(lines["WAITING"])
