"""The guide's table of every key (formats/README.md, "Every key, and the test that shows it
working") names every key of the language, and every test it names exists."""

from __future__ import annotations

import re

from tests.unit.test_format_guide import GUIDE, schema_keys

ROOT = GUIDE.parents[1]
HEADING = "## Every key, and the test that shows it working"
ROW = re.compile(
    r"^\| (?P<keys>`[^|]+) \| `(?P<file>tests/[\w/]+\.py)::(?P<test>\w+)` \| (?P<shown>[^|]+) \|$"
)


def _rows() -> list[re.Match[str]]:
    guide = GUIDE.read_text(encoding="utf-8")
    assert HEADING in guide
    table = guide.split(HEADING, 1)[1].split("\n## ", 1)[0]
    lines = [line for line in table.splitlines() if line.startswith("| `")]
    rows = [ROW.match(line) for line in lines]
    assert all(rows), [line for line, row in zip(lines, rows, strict=True) if row is None]
    return [row for row in rows if row is not None]


def test_every_key_is_in_the_table() -> None:
    listed = {key for row in _rows() for key in re.findall(r"`([a-z-]+)`", row["keys"])}
    assert sorted(schema_keys() - listed) == []
    assert sorted(listed - schema_keys()) == []


def test_every_test_the_table_names_exists() -> None:
    missing = []
    for row in _rows():
        path = ROOT / row["file"]
        if not path.is_file() or f"def {row['test']}(" not in path.read_text(encoding="utf-8"):
            missing.append(f"{row['file']}::{row['test']}")
    assert missing == []


def test_the_table_says_honestly_how_each_key_is_shown() -> None:
    for row in _rows():
        shown = row["shown"]
        assert shown.startswith(("meeting", "checker only", "in Discord")), shown
