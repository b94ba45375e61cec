"""The command line as a newcomer meets it: clear one-line errors, exit status 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.__main__ import main


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATA_DIR"))}
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_without_a_token_explains_and_exits_2(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DISCORD_TOKEN" in lines[0]
    assert ".env.example" in lines[0]
    assert "Traceback" not in result.stderr


def test_default_command_is_run(tmp_path: Path) -> None:
    result = run_cli(cwd=tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr


def test_bad_setting_is_named(tmp_path: Path) -> None:
    result = run_cli("sync", cwd=tmp_path, DISCORD_TOKEN="x", CLOCK_RATE="-3")
    assert result.returncode == 2
    assert result.stderr.startswith("peercircle: CLOCK_RATE")
    assert "Traceback" not in result.stderr


def test_migrate_needs_no_token(tmp_path: Path) -> None:
    assert main(["migrate"]) == 0
    assert (tmp_path / "data" / "peercircle.sqlite3").exists()
