from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.pseudonyms import Pseudonymizer

KEY = b"k" * 32
snowflakes = st.integers(min_value=10**16, max_value=2**63 - 1)


def test_is_hmac_sha256_of_guild_and_user() -> None:
    expected = hmac.new(KEY, b"111:222", hashlib.sha256).hexdigest()
    assert Pseudonymizer(KEY).of(111, 222) == expected


@given(guild=snowflakes, user=snowflakes)
def test_never_contains_the_id(guild: int, user: int) -> None:
    pseudonym = Pseudonymizer(KEY).of(guild, user)
    assert str(user) not in pseudonym
    assert len(pseudonym) == 64


@given(guild=snowflakes, other_guild=snowflakes, user=snowflakes)
def test_differs_between_servers(guild: int, other_guild: int, user: int) -> None:
    pseudonyms = Pseudonymizer(KEY)
    if guild != other_guild:
        assert pseudonyms.of(guild, user) != pseudonyms.of(other_guild, user)


def test_differs_between_keys() -> None:
    assert Pseudonymizer(KEY).of(1, 2) != Pseudonymizer(b"j" * 32).of(1, 2)


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Pseudonymizer(b"short")


def test_repr_hides_the_key() -> None:
    assert "k" * 32 not in repr(Pseudonymizer(KEY))


def test_index_maps_back_only_the_given_candidates() -> None:
    pseudonyms = Pseudonymizer(KEY)
    index = pseudonyms.index(5, [10, 20, 30])
    assert index[pseudonyms.of(5, 20)] == 20
    assert pseudonyms.of(5, 40) not in index
