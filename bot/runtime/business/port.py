"""What the business service asks of Discord (:class:`BusinessPort`, implemented by
:class:`bot.adapters.business.DiscordBusiness`), in domain terms: who may vote, post words with
buttons, take buttons off, and the first names of members who chose to be named."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Protocol

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.store.groups import GroupRecord


class Look(StrEnum):
    """How a button looks: the adapter picks Discord's style."""

    MAIN = "main"
    YES = "yes"
    NO = "no"
    QUIET = "quiet"


@lazy_dataclass(frozen=True)
class Button:
    """A button about a matter (``matter`` = its id, ``action`` = what a press does) or, for
    **Make a motion**, about a meeting (``matter`` = the meeting's id, ``action`` = "move")."""

    matter: str
    action: str
    label: str
    look: Look = Look.QUIET


class BusinessPort(Protocol):
    async def roll(self, group: GroupRecord) -> frozenset[Pseudonym]:
        """Everyone who may vote now: the group's members (:func:`bot.guild.in_group`)."""

    async def post(
        self,
        group: GroupRecord,
        words: str,
        buttons: Sequence[Button] = (),
        *,
        reply_to: int | None = None,
        once: str | None = None,
    ) -> int | None:
        """Post in the group's channel, pinging nobody; the message's id, or None if Discord
        refused. ``once``: a key that makes a repeat of the same words within a few minutes
        (after a crash) come back as the first message (Discord's nonce)."""

    async def set_buttons(
        self, group: GroupRecord, message_id: int, buttons: Sequence[Button], words: str | None
    ) -> None:
        """Change a message's buttons (none: take them off), and its words when given."""

    async def names(
        self, group: GroupRecord, who: Sequence[Pseudonym], hint: Mapping[Pseudonym, int]
    ) -> list[str]:
        """The first names of these members (who chose to be named), in order; "a member" for
        anyone not found."""
