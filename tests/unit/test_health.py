"""python -m bot health reads the running bot's heartbeat: healthy, stopped, stuck, offline."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from bot import health
from bot.health import HEARTBEAT_FILE, STALE_AFTER, Beat, Heartbeat, check, write_beat

NOW = 1_800_000_000.0


def beat(tmp_path: Path, **facts: object) -> None:
    values: dict[str, object] = {"at": NOW - 5, "connected": True, "overdue": 0, **facts}
    write_beat(tmp_path / HEARTBEAT_FILE, Beat(**values))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "healthy", "words"),
    [
        ({}, True, "healthy"),
        ({"at": NOW - STALE_AFTER - 1}, False, "stopped or stuck"),
        ({"connected": False}, False, "not connected to Discord"),
        ({"overdue": 3}, False, "3 scheduled job(s) are overdue"),
        ({"overdue": -1}, False, "can't read its database"),
    ],
)
def test_the_heartbeat_says_how_the_bot_is(
    tmp_path: Path, facts: dict[str, object], healthy: bool, words: str
) -> None:
    beat(tmp_path, **facts)
    ok, line = check(tmp_path, now=NOW)
    assert ok is healthy
    assert words in line


def test_no_heartbeat_means_not_running(tmp_path: Path) -> None:
    ok, line = check(tmp_path, now=NOW)
    assert not ok
    assert "not running" in line
    (tmp_path / HEARTBEAT_FILE).write_text("{half a beat")
    assert check(tmp_path, now=NOW) == (False, f"the heartbeat file in {tmp_path} can't be read")


async def test_the_bot_beats_and_clears_its_file_when_it_stops(tmp_path: Path) -> None:
    state = {"connected": True, "overdue": 0}

    async def overdue() -> int:
        return state["overdue"]

    heart = Heartbeat(tmp_path, lambda: bool(state["connected"]), overdue, interval=0.01)
    await heart.stop()  # never started: touches nothing
    heart.start()
    await heart.beat()
    assert check(tmp_path)[0]
    state["overdue"] = 2
    await heart.beat()
    assert not check(tmp_path)[0]
    await heart.stop()
    assert not (tmp_path / HEARTBEAT_FILE).exists()


def test_a_stale_beat_on_a_full_disk_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot can't write its heartbeat while the disk is full: health says that, not
    "stopped or stuck"."""
    beat(tmp_path, at=NOW - STALE_AFTER - 1)
    full = SimpleNamespace(total=100, used=100, free=0)
    monkeypatch.setattr(health.shutil, "disk_usage", lambda _: full)
    ok, line = check(tmp_path, now=NOW)
    assert not ok
    assert f"the disk holding DATA_DIR {tmp_path} is full" in line


def test_a_beat_that_cant_be_written_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_room(self: Path, text: str) -> int:
        Path.touch(self)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", no_room)
    with pytest.raises(OSError, match="No space"):
        write_beat(tmp_path / HEARTBEAT_FILE, Beat(NOW, True, 0))
    assert list(tmp_path.iterdir()) == []
