"""The meeting state's JSON decoding refuses what doesn't fit, field by field, with the same
words whether or not a type was decoded before (each type's decoder is worked out once)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import NewType

import pytest

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting.codec import decode, encode

Name = NewType("Name", str)


class Kind(StrEnum):
    SHARE = "share"
    READ = "read"


@lazy_dataclass(frozen=True)
class Turn:
    who: Name
    kind: Kind
    at: datetime
    minutes: int | None = None


@lazy_dataclass(frozen=True)
class Round:
    turns: tuple[Turn, ...]
    pair: tuple[int, str]
    done: bool = False


AT = datetime(2026, 12, 6, 19, 0, tzinfo=UTC)
GOOD = Round(
    turns=(Turn(Name("a"), Kind.SHARE, AT, 3), Turn(Name("b"), Kind.READ, AT)), pair=(1, "x")
)


def test_a_value_round_trips() -> None:
    for _ in range(2):  # the second time with every decoder already worked out
        assert decode(Round, encode(GOOD)) == GOOD


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"done": 1}, "expected true or false"),
        ({"pair": [1]}, "expected 2 items, found 1"),
        ({"pair": ["1", "x"]}, "expected a whole number"),
        ({"pair": [True, "x"]}, "expected a whole number"),
        ({"turns": "no"}, "expected a list, found str"),
        ({"turns": [{"who": "a", "kind": "sing", "at": AT.isoformat()}]}, "'sing' is not a Kind"),
        ({"turns": [{"who": "a", "kind": "read", "at": "2026-12-06T19:00:00"}]}, "offset"),
        ({"turns": [{"who": 5, "kind": "read", "at": AT.isoformat()}]}, "expected a string"),
        ({"turns": [{"who": "a", "kind": "read"}]}, "missing"),
        ({"turns": [{"who": "a", "kind": "read", "at": 5}]}, "expected a time"),
        ({"extra": 1}, "unknown field"),
    ],
)
def test_what_does_not_fit_is_refused(change: dict[str, object], words: str) -> None:
    data = encode(GOOD)
    assert isinstance(data, dict)
    for _ in range(2):
        with pytest.raises(ValueError, match=words):
            decode(Round, {**data, **change})


def test_an_optional_field_takes_none_and_a_union_of_two_types_is_refused() -> None:
    turn = encode(Turn(Name("a"), Kind.SHARE, AT))
    assert decode(Turn, turn) == Turn(Name("a"), Kind.SHARE, AT, None)
    for _ in range(2):
        with pytest.raises(ValueError, match="unsupported union"):
            decode(int | str, 1)
        with pytest.raises(ValueError, match="expected an object for Turn"):
            decode(Turn, [])
