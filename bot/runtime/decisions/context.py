"""What every part of the decision service shares: its collaborators, its own group locks, and
the small lookups and refusals they all use (:class:`DecisionContext`)."""

from __future__ import annotations

from collections.abc import Callable

from bot.core import decisions as core
from bot.core.decisions import DecisionSettings
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import NoGroupHere, NotAllowed
from bot.i18n import Msg
from bot.runtime.clock import Clock
from bot.runtime.decisions import refusal_words as refusals
from bot.runtime.decisions.engine import Engine
from bot.runtime.decisions.port import DecisionPort, Person, User
from bot.runtime.decisions.settings import decision_settings
from bot.runtime.formats import FormatLibrary
from bot.runtime.locks import GroupLocks
from bot.runtime.scheduler import OwnsGroup, Scheduler, every_group
from bot.store import Store
from bot.store.decision_rows import StoredProposal
from bot.store.groups import GroupRecord


class DecisionContext:
    """The decision service's collaborators, built once and handed to each of its parts."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        scheduler: Scheduler,
        pseudonyms: Pseudonymizer,
        formats: FormatLibrary,
        port: DecisionPort,
        locks: GroupLocks,
        meeting_under_way: Callable[[GroupRecord], bool],
        owns_group: OwnsGroup = every_group,
    ) -> None:
        self.owns_group = owns_group  # sharded: only this process's groups (ownership.py)
        self.store = store
        self.repo = store.decisions
        self.clock = clock
        self.scheduler = scheduler
        self.pseudonyms = pseudonyms
        self.formats = formats
        self.port = port
        self.locks = locks
        self.meeting_under_way = meeting_under_way
        self.engine = Engine(
            store=store, clock=clock, scheduler=scheduler, port=port, owns_group=owns_group
        )

    def who(self, group: GroupRecord, user: User) -> Pseudonym:
        return self.pseudonyms.of(group.guild_id, int(user.id))

    async def group_here(self, channel_id: int | None) -> GroupRecord:
        group = None if channel_id is None else await self.store.groups.by_channel(channel_id)
        if group is None:
            raise NoGroupHere
        return group

    async def group_of(self, proposal_id: str, closed: Msg) -> tuple[GroupRecord, StoredProposal]:
        stored = await self.repo.proposal(proposal_id)
        group = None if stored is None else await self.store.groups.by_id(stored.group_id)
        if stored is None or group is None:
            raise NotAllowed(closed)
        return group, stored

    async def settings(self, group: GroupRecord) -> DecisionSettings:
        return decision_settings(await self.repo.settings(group.id))

    def refuse(self, error: core.Refused, settings: DecisionSettings) -> NotAllowed:
        return NotAllowed(refusals.refusal(error, settings))

    async def require_in_group(self, group: GroupRecord, user: User, refusal: Msg) -> Person:
        """The one membership rule for whoever acts — concern, propose, second, vote: a member of
        the group as :func:`bot.guild.in_group` says (asked through the port). Anyone else gets
        ``refusal``, and nothing changes."""
        person = await self.port.person(group, user)
        if person.is_bot or not person.in_group:
            raise NotAllowed(refusal)
        return person

    async def require_member(self, group: GroupRecord, target: User) -> None:
        """A concern or a proposal is about a member of the group (not a bot, not a passer-by).
        Someone sitting out meetings can't see the channel: say that, not "not a member"."""
        person = await self.port.person(group, target)
        if person.is_bot:
            raise NotAllowed(refusals.NOT_A_BOT)
        if person.in_group:
            return
        away = await self.repo.exclusion(group.id, self.who(group, target))
        if away is not None and away.in_force(self.clock.now()):
            raise NotAllowed(refusals.refused(core.DecisionRefusal.MEMBER_EXCLUDED))
        raise NotAllowed(refusals.NOT_IN_GROUP)
