from __future__ import annotations

from pathlib import Path

from bot.runtime.backoff import MAX_DELAY, record_start


def test_first_starts_are_free_then_waits_grow(tmp_path: Path) -> None:
    delays = [record_start(tmp_path, now=1000.0 + n) for n in range(8)]
    assert delays[:4] == [0.0, 0.0, 0.0, 0.0]
    assert delays[4:] == [5.0, 10.0, 20.0, 40.0]


def test_old_starts_are_forgotten(tmp_path: Path) -> None:
    for n in range(5):
        record_start(tmp_path, now=1000.0 + n)
    assert record_start(tmp_path, now=1000.0 + 3600) == 0.0


def test_delay_is_capped(tmp_path: Path) -> None:
    delays = [record_start(tmp_path, now=1000.0 + n) for n in range(20)]
    assert max(delays) == MAX_DELAY


def test_damaged_file_is_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "starts").write_text("not numbers")
    assert record_start(tmp_path, now=5.0) == 0.0
