"""What the decision service needs from Discord, as a small interface.

:class:`bot.adapters.decisions.DiscordDecisions` implements it with discord.py; the
service tests use a fake. Users are passed through opaquely (a ``discord.Member`` or
``discord.User`` in the bot): the service turns them into :class:`Person` facts and pseudonyms
and never stores them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from bot.core.decisions import DecisionSettings, Proposal
from bot.core.decisions.hearing import NoticeState
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.runtime.decisions.outbox import Work
from bot.store.groups import GroupRecord

#: A Discord user or member, as the cog received it; only the Discord side looks inside.
User = Any


@lazy_dataclass(frozen=True)
class Person:
    """Discord facts about one user, computed at the moment of asking."""

    user_id: int
    is_bot: bool
    in_group: bool  # holds the group's member role (if it has one), else sees its channel
    joined_at: datetime | None  # None: not a member of the server


class Unexcludable(StrEnum):
    """Why Discord would not let the bot keep a member out of a channel."""

    OWNER = "owner"
    ADMINISTRATOR = "administrator"
    ROLE_TOO_HIGH = "role_too_high"


class Undeliverable(Exception):
    """The work can never be done (403, the member or channel is gone): drop it, don't retry."""


class NotYet(Exception):
    """The work can't be done yet and must not be dropped (Discord refused to let a member back
    in; the welcome back waits for that): try again later, with a growing delay."""


class DecisionPort(Protocol):
    async def ready(self) -> None:
        """Until the Discord connection is ready (deadlines may fire at start-up)."""

    async def person(self, group: GroupRecord, user: User) -> Person: ...

    async def cannot_exclude(self, group: GroupRecord, user: User) -> Unexcludable | None: ...

    async def cannot_exclude_member(
        self, group: GroupRecord, target: Pseudonym
    ) -> Unexcludable | None:
        """The same check for a member known only by pseudonym (None if not found)."""

    async def missing_permissions(self, group: GroupRecord) -> list[str]:
        """The permissions the bot lacks on the group's channel to carry out an exclusion."""

    async def roll(
        self, group: GroupRecord, proposal: Proposal, settings: DecisionSettings, now: datetime
    ) -> frozenset[Pseudonym]:
        """Everyone eligible to vote on ``proposal`` now."""

    async def carry_out(
        self, group: GroupRecord, work: Work, hint: Mapping[Pseudonym, User]
    ) -> NoticeState | None:
        """Do one piece of Discord work. ``hint`` maps pseudonyms to users the caller already
        has at hand. Raises :class:`Undeliverable` for work that must not be retried, anything
        else (:class:`NotYet` above all) for work to try again later.

        For the notice before an exclusion vote, returns how far it got when that isn't a
        private message delivered (``None``): asked in the channel, or nobody to tell."""
