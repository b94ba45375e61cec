"""Keyed pseudonyms: the only way the database ever refers to a person.

A pseudonym is ``HMAC-SHA256(key, "guild_id:user_id")`` in hex. The key lives outside the
database (a setting, or a key file created with mode 0600), so a stolen database file reveals
nobody: without the key, ids cannot be brute-forced back from the pseudonyms, and the same
person has unrelated pseudonyms in different servers.

To act on a person the bot computes pseudonyms over the candidates Discord gives it and
matches them; it never needs a stored id.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import NewType

Pseudonym = NewType("Pseudonym", str)

#: Keys shorter than this are refused: a short key could be guessed.
MIN_KEY_BYTES = 32


class Pseudonymizer:
    """Turns ``(guild_id, user_id)`` into a :data:`Pseudonym` under one secret key."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the pseudonym key must be at least {MIN_KEY_BYTES} bytes")
        self._key = key

    def __repr__(self) -> str:
        # Never show the key, even in a traceback.
        return "Pseudonymizer(key=<hidden>)"

    def of(self, guild_id: int, user_id: int) -> Pseudonym:
        """The pseudonym of one member of one server."""
        message = f"{guild_id}:{user_id}".encode("ascii")
        return Pseudonym(hmac.new(self._key, message, hashlib.sha256).hexdigest())

    def index(self, guild_id: int, user_ids: Iterable[int]) -> Mapping[Pseudonym, int]:
        """Pseudonym -> user id over the candidates Discord gave us, for matching stored rows.

        The mapping lives only in memory for the duration of one operation.
        """
        return {self.of(guild_id, user_id): user_id for user_id in user_ids}
