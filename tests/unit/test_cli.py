"""The command line as a newcomer meets it: clear one-line errors, exit status 2, no traceback."""

from __future__ import annotations

import base64
import errno
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import SettingsError
from bot.datadir import check_data_dir, explain_database_error, hold_lock


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


def _one_line_exit_2(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("peercircle: ")
    return lines[0]


def test_a_data_dir_that_is_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder")
    line = _one_line_exit_2(run_cli("migrate", cwd=tmp_path, DATA_DIR="data"))
    assert "is a file, not a folder" in line


def test_a_data_dir_below_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    line = _one_line_exit_2(run_cli("migrate", cwd=tmp_path, DATA_DIR="file/data"))
    assert "DATA_DIR" in line
    assert "can't be created" in line


def test_a_damaged_database_is_named_and_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    damaged = data / "peercircle.sqlite3"
    damaged.write_bytes(b"this is not SQLite at all" * 100)
    line = _one_line_exit_2(run_cli("migrate", cwd=tmp_path, DATA_DIR="data"))
    assert "restore it from your backup" in line
    assert damaged.read_bytes() == b"this is not SQLite at all" * 100  # nothing written


def test_a_malformed_database_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    assert run_cli("migrate", cwd=tmp_path, DATA_DIR="data").returncode == 0
    database = data / "peercircle.sqlite3"
    raw = bytearray(database.read_bytes())
    raw[100:4096] = b"\xff" * (4096 - 100)  # the schema page, scribbled over
    database.write_bytes(bytes(raw))
    for wal in data.glob("peercircle.sqlite3-*"):
        wal.unlink()
    line = _one_line_exit_2(run_cli("migrate", cwd=tmp_path, DATA_DIR="data"))
    assert "database" in line


def test_a_database_from_a_newer_bot_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "peercircle.sqlite3") as newer:
        newer.execute("PRAGMA user_version = 999")
    line = _one_line_exit_2(run_cli("migrate", cwd=tmp_path, DATA_DIR="data"))
    assert "newer than this bot knows" in line


def test_read_only_and_full_disks_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root a folder can't be made read-only with chmod, so the refusal is injected where the
    # check writes its probe file.
    for code, words in ((errno.EROFS, "can't be written"), (errno.ENOSPC, "the disk is full")):

        def refuse(*args: object, code: int = code, **kwargs: object) -> None:
            raise OSError(code, os.strerror(code))

        monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
        with pytest.raises(SettingsError, match=words):
            check_data_dir(tmp_path / "data", tmp_path / "data" / "peercircle.sqlite3")


def test_a_full_disk_while_opening_is_one_line(tmp_path: Path) -> None:
    explained = explain_database_error(
        sqlite3.OperationalError("database or disk is full"), tmp_path / "db"
    )
    assert explained is not None
    assert "free some space" in explained
    explained = explain_database_error(sqlite3.DatabaseError("disk I/O error"), tmp_path / "db")
    assert explained is not None
    assert "disk may be full" in explained


def test_run_without_a_token_writes_nothing(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert not (tmp_path / "data").exists()


def test_a_second_bot_on_the_same_data_dir_refuses_to_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with hold_lock(data):  # the first bot, running
        line = _one_line_exit_2(
            run_cli("run", cwd=tmp_path, DATA_DIR="data", DISCORD_TOKEN="a.b.c")
        )
    assert "already running" in line
    with hold_lock(data):  # once the first has stopped (or died), the folder is free again
        pass


def test_the_token_message_says_which_env_file_it_read(tmp_path: Path) -> None:
    line = _one_line_exit_2(run_cli("run", cwd=tmp_path))
    assert f"there is no {tmp_path.resolve() / '.env'}" in line
    (tmp_path / ".env").write_text("LOG_LEVEL=INFO\n")
    line = _one_line_exit_2(run_cli("run", cwd=tmp_path))
    assert f"nor in {tmp_path.resolve() / '.env'}" in line


def test_invite_prints_the_readme_link_for_this_bot(tmp_path: Path) -> None:
    application = "1234567890123456789"
    token = base64.b64encode(application.encode()).decode().rstrip("=") + ".GhIjKl.secretpart"
    result = run_cli("invite", cwd=tmp_path, DISCORD_TOKEN=token)
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip()
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"https://discord\.com/oauth2/authorize\?\S+", readme)
    assert documented is not None
    # The README's link, with this bot's id in place of YOUR_APPLICATION_ID.
    assert link == documented.group(0).rstrip("`").replace("YOUR_APPLICATION_ID", application)
    bad = run_cli("invite", cwd=tmp_path, DISCORD_TOKEN="not-a-token")
    assert bad.returncode == 2
    assert "doesn't look like a bot token" in bad.stderr


def test_migrate_and_sync_wait_for_a_running_bot_to_stop(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with hold_lock(data):  # a bot is running on this folder
        for command in ("migrate", "sync"):
            line = _one_line_exit_2(
                run_cli(command, cwd=tmp_path, DATA_DIR="data", DISCORD_TOKEN="a.b.c")
            )
            assert "already running" in line
    assert not (data / "peercircle.sqlite3").exists()  # nothing was migrated under it


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: connecting to it is refused


@pytest.mark.parametrize("command", ["run", "sync"])
def test_an_unreachable_discord_is_one_line_with_the_url(tmp_path: Path, command: str) -> None:
    base = f"http://127.0.0.1:{_closed_port()}/api/v10"
    result = run_cli(
        command,
        cwd=tmp_path,
        DISCORD_TOKEN="MTIz.abc.def",
        DATA_DIR=str(tmp_path / "data"),
        DISCORD_API_BASE=base,
    )
    assert result.returncode == 2
    problems = [line for line in result.stderr.splitlines() if line.startswith("peercircle:")]
    assert len(problems) == 1, result.stderr
    assert f"can't reach Discord at {base}" in problems[0]
    assert "DISCORD_API_BASE" in problems[0]
    assert "data folder" not in result.stderr  # not mistaken for a DATA_DIR problem
    assert "Traceback" not in result.stderr


def test_a_key_file_others_can_read_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    key = data / "pseudonym.key"
    key.write_text("ab" * 32 + "\n")
    key.chmod(0o644)
    result = run_cli("run", cwd=tmp_path, DISCORD_TOKEN="MTIz.abc.def", DATA_DIR=str(data))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"chmod 600 {key}" in lines[0]
