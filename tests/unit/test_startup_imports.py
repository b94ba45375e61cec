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
