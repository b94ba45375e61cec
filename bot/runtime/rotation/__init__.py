"""The service rotation at run time: the pure core (:mod:`bot.core.rotation`), the store and
Discord (through :class:`~bot.runtime.rotation.port.RotationPort`), tied together.

Who is in a rotation is held by Discord: for each of a group's rotating service roles the bot
creates and manages a role ("Chair rotation · #room"); joining gives it, leaving takes it away.
The database keeps only coded keys with the meeting each volunteer last served, the announced
turn and pending swaps (:mod:`bot.store.rotation`). Before every decision the stored rotation is
brought in line with Discord (:mod:`.circle`); to act on a person the bot computes pseudonyms
over the role's members and matches; it never stores an id.

* :mod:`.roster` — join, leave, show;
* :mod:`.turns` — **I'll do it**, **Can't make it**, swaps;
* :mod:`.serving` — who serves at a meeting, the "… today" roles, who served, tidying up;
* :mod:`.texts` — the words; :mod:`.port` — what it asks of Discord;
* :mod:`.service` — :class:`RotationService`, the one face the cogs, buttons and wiring use.

Every change to a group's rotation happens under that group's lock, is committed, and only then
shown in Discord. No module here imports ``discord``.
"""

from bot.runtime.rotation.circle import member_facts, role_rules, rotating_roles
from bot.runtime.rotation.port import (
    MissingManageRoles,
    Person,
    RoleTooHigh,
    RotationPort,
    User,
)
from bot.runtime.rotation.roster import Choice, RoleOrder, Shown
from bot.runtime.rotation.service import RotationService

__all__ = [
    "Choice",
    "MissingManageRoles",
    "Person",
    "RoleOrder",
    "RoleTooHigh",
    "RotationPort",
    "RotationService",
    "Shown",
    "User",
    "member_facts",
    "role_rules",
    "rotating_roles",
]
