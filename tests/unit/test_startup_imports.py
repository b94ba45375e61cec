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


def test_run_imports_a_bounded_number_of_the_bots_own_modules() -> None:
    own = sorted(name for name in _loaded_by_run() if name == "bot" or name.startswith("bot."))
    assert len(own) > 100, own  # the probe loaded the bot: services, stores, adapters
    assert len(own) <= MOST_BOT_MODULES_AT_START, (
        f"run imports {len(own)} of the bot's modules at start-up "
        f"(at most {MOST_BOT_MODULES_AT_START}): load a feature's module where it is first used"
    )


@cache
def _loaded_by_run() -> frozenset[str]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", RUN_PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("LOADED"))
    return frozenset(line.removeprefix("LOADED ").split(","))
