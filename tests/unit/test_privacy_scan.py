"""The privacy scan itself must be able to fail."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.privacy import assert_nothing_identifies, find_identifiers


def test_finds_names_case_insensitively() -> None:
    assert find_identifiers("joined: QuietWren", {"quietwren", "other"}) == ["quietwren"]


def test_log_hit_fails() -> None:
    with pytest.raises(AssertionError, match="the logs name"):
        assert_nothing_identifies({"123456789012345678"}, logs="PUT /members/123456789012345678")


def test_database_hit_fails(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (who TEXT)")
    conn.execute("INSERT INTO t VALUES ('Wren Halloway')")
    conn.commit()
    conn.close()
    with pytest.raises(AssertionError, match="database"):
        assert_nothing_identifies({"Wren Halloway"}, database=path)


def test_clean_inputs_pass(tmp_path: Path) -> None:
    assert_nothing_identifies({"quietwren"}, logs="nothing here", database=tmp_path / "none")
