"""Start-up imports only what the command needs (issue 18, item 4): checking a format file is a
text check and loads no Discord library, no HTTP client and no database code."""

from __future__ import annotations

import subprocess
import sys
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
import sys
import bot.__main__, bot.wiring  # what `python -m bot run` imports before it connects
print("LOADED", ",".join(sorted(sys.modules)))
"""

#: What `run` leaves until it is first needed (issue 18, item 4): the format loader and its schema
#: (pydantic models, YAML: when a format is first read), pictures (Pillow: when one is drawn),
#: PostgreSQL's driver (only with a PostgreSQL DATABASE_URL), the metrics server (only with
#: METRICS_PORT), the rehearsal's stage and the database move.
LEFT_FOR_LATER = (
    "PIL",
    "yaml",
    "asyncpg",
    "prometheus_client",
    "bot.pictures",
    "bot.core.formats.loader",
    "bot.core.formats.schema",
    "bot.core.formats.kinds",
    "bot.store.postgres",
    "bot.store.move",
    "bot.rehearse.room",
    "bot.rehearse.stage",
)


def test_run_leaves_formats_pictures_and_postgresql_until_needed() -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", RUN_PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("LOADED"))
    loaded = set(line.removeprefix("LOADED ").split(","))
    assert {"discord", "bot.app"} <= loaded  # the probe loaded what `run` does
    early = sorted(
        name
        for name in loaded
        if any(name == later or name.startswith(later + ".") for later in LEFT_FOR_LATER)
    )
    assert early == [], f"run imported {early} at start-up"
