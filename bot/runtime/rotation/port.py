"""What the rotation asks of Discord, in the rotation's own terms.

:class:`bot.adapters.rotation.DiscordRotation` implements it with discord.py; the service tests
use a fake. A member reaches the service as the slash command or button received them
(:data:`User`, opaque here); the port turns them into a :class:`Person`, read from Discord just
now and kept in memory only. ``Person.user_id`` is how the adapter finds them again; it is never
stored or logged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.errors import NotAllowed
from bot.runtime.rotation import texts
from bot.store.groups import GroupRecord

#: A Discord member or user, as the cog received it; only the adapter looks inside.
User = Any


@lazy_dataclass(frozen=True)
class Person:
    """A member, as Discord shows them now (never stored)."""

    user_id: int  # in memory only: how the adapter finds them again
    who: Pseudonym
    name: str  # their display name, read just now
    mention: str  # names them in a post (it pings only whom the post pings)
    in_group: bool  # a member of the group (its member role, or they see its channel)
    joined_at: datetime | None  # when they joined the server (None: not a member of it)


class MissingManageRoles(NotAllowed):
    """The bot lacks Manage Roles on the server, so it can't keep the rotation's roles."""

    def __init__(self) -> None:
        super().__init__(texts.NO_MANAGE_ROLES)


class RoleTooHigh(NotAllowed):
    """A rotation role sits above the bot's own role, so the bot can't give it out."""

    def __init__(self) -> None:
        super().__init__(texts.ROLE_TOO_HIGH)


class RotationPort(Protocol):
    """Discord, as the rotation needs it."""

    def person(self, group: GroupRecord, user: User) -> Person:
        """The member who pressed or typed, as a :class:`Person` of this group's server."""
        ...

    async def holders(
        self, group: GroupRecord, role_ids: Mapping[str, int | None]
    ) -> dict[str, list[Person]]:
        """Who holds each rotation role now (bots left out; a role missing on Discord: nobody).
        Raises :class:`~bot.errors.NotAllowed` if the server can't be reached."""
        ...

    async def find(
        self, group: GroupRecord, wanted: Iterable[Pseudonym], hint: Mapping[Pseudonym, int]
    ) -> dict[Pseudonym, Person]:
        """The members behind these pseudonyms who are in the server (``hint``: user ids
        already known, in memory)."""
        ...

    def channel_name(self, group: GroupRecord) -> str | None:
        """The group's channel's name, if Discord still shows it."""
        ...

    async def ensure_roles(
        self, group: GroupRecord, wanted: Sequence[tuple[int | None, str]]
    ) -> list[int]:
        """For each (role id or None, name): that Discord role, created with this name if it is
        missing. Raises :class:`MissingManageRoles` or :class:`RoleTooHigh`."""
        ...

    async def set_role(self, group: GroupRecord, user_id: int, role_id: int, give: bool) -> bool:
        """Give or take a role, and wait briefly for Discord to confirm it (so the next read
        of the role's holders sees the change). False if Discord refused."""
        ...

    async def hand_role(
        self,
        group: GroupRecord,
        role_id: int,
        holders: frozenset[Pseudonym],
        hint: Mapping[Pseudonym, int],
    ) -> None:
        """Make exactly ``holders`` hold the role (a temporary "… today" role). Never raises."""
        ...

    async def post(
        self,
        group: GroupRecord,
        text: str,
        *,
        ping: Sequence[Person] = (),
        ask_for_meeting: int | None = None,
    ) -> None:
        """Post in the group's channel, pinging only ``ping``; with **I'll do it** / **Can't
        make it** for ``ask_for_meeting``. Never raises (a refusal is logged). For a note of
        the moment; who is up next goes through :meth:`announce`."""
        ...

    async def announce(
        self,
        group: GroupRecord,
        text: str,
        *,
        key: str,
        ping: Sequence[Person],
        ask_for_meeting: int | None,
    ) -> bool:
        """Post who is up next in the group's channel, pinging only ``ping``, with **I'll do
        it** / **Can't make it** for ``ask_for_meeting``, once per ``key`` and text (Discord's
        enforced nonce: a retry after a crash creates no second message). False if Discord
        refuses it for good (no permission, the channel is gone); raises if it failed for now."""
        ...

    async def ready(self) -> None:
        """Until Discord is connected (work left from before a restart waits for it)."""
        ...

    async def dm(
        self,
        group: GroupRecord,
        user_id: int,
        text: str,
        *,
        swap: int | None = None,
        ask_for_meeting: int | None = None,
    ) -> bool:
        """A private message, with **Swap with them** / **No thanks** for swap request
        ``swap``, or **I'll do it** / **Can't make it** for ``ask_for_meeting`` (a reminder);
        False if it could not be delivered."""
        ...

    def present(self, group: GroupRecord, user_id: int) -> bool:
        """Whether the member is in the group's voice channel now."""
        ...
