"""A group's rotation, brought in line with Discord for one operation: the shared ground of the
roster, the turns and the meetings.

Who is in a rotation is held by Discord (a role per rotating service role); the database keeps
coded keys with the meeting each volunteer last served. :meth:`Circles.circle` reads both and
reconciles them: whoever holds the role is a volunteer (never served, if new), a row whose
member no longer holds it is dropped, and only members of the group are candidates, as
:class:`~bot.core.rotation.MemberFacts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from bot.core import rotation as core
from bot.core.formats import CompiledFormat
from bot.core.formats.roles import CompiledRole, RotationKind
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.errors import InvalidInput, NoGroupHere, NotAllowed
from bot.i18n import Msg, render
from bot.runtime.clock import Clock
from bot.runtime.formats import FormatLibrary
from bot.runtime.languages import GroupLanguages
from bot.runtime.live import CHAIR
from bot.runtime.locks import GroupLocks
from bot.runtime.rotation import texts
from bot.runtime.rotation.announcing import Announcer, stage
from bot.runtime.rotation.port import Person, RotationPort
from bot.runtime.rotation.when import NextMeeting, next_meeting
from bot.runtime.scheduler import OwnsGroup, Scheduler, every_group
from bot.store import Store
from bot.store.groups import GroupRecord
from bot.store.rotation import RotationRole

# --- the format's roles, as the core sees them ----------------------------------------------


def rotating_roles(plan: CompiledFormat) -> tuple[CompiledRole, ...]:
    """The format's service roles that rotate (a role found on the day does not)."""
    return tuple(role for role in plan.roles if role.rotation is not RotationKind.ON_THE_DAY)


def role_rules(plan: CompiledFormat) -> list[core.RoleRules]:
    """The core's rules for each rotating role, in the format's order.

    A term in months counts one meeting per month (the pace of the business meetings that use
    it): the core counts held meetings, not dates. "Wait for everyone" is what least-recently-
    served order does anyway. The bot keeps no attendance, so "not in their first meeting" is
    judged from Discord's join date: someone who joined the server today is treated as new.
    """
    rules = []
    for role in rotating_roles(plan):
        term: core.Term = core.EveryMeeting()
        if role.rotation is RotationKind.BY_WEEKDAY:
            term = core.WeekdayRoster()
        elif role.rotation is RotationKind.TERM and role.term is not None:
            term = core.ForMeetings(max(1, role.term.count))
        eligibility = core.Eligibility(
            min_days_in_server=role.eligibility.member_for_days,
            not_first_meeting=True,
            not_twice_in_a_row=role.eligibility.not_last_time,
            at_most_every=role.eligibility.at_most_every,
            trained_only=role.eligibility.trained,
        )
        rules.append(
            core.RoleRules(
                role.id,
                eligibility,
                term,
                seats=role.seats,
                wait_for_everyone=role.eligibility.wait_for_everyone,
                elected=role.elected,
                substitute=role.substitute,
            )
        )
    return rules


def member_facts(person: Person, now: datetime) -> core.MemberFacts:
    """What the rules need to know about a member, from Discord, now (never stored)."""
    days = 0 if person.joined_at is None else max(0, (now - person.joined_at).days)
    return core.MemberFacts(days_in_server=days, first_meeting=days < 1)


# --- one operation's view -----------------------------------------------------------------------


@lazy_dataclass
class Circle:
    """A group's rotation brought in line with Discord, for one operation."""

    group: GroupRecord
    plan: CompiledFormat
    rotation: core.Rotation
    records: dict[str, RotationRole]
    facts: dict[Pseudonym, core.MemberFacts]
    members: dict[Pseudonym, Person]
    vacated: list[str]  # roles whose announced person no longer holds the rotation role
    upcoming: NextMeeting | None = None  # the next scheduled meeting (None: no schedule)

    @property
    def weekday(self) -> int | None:
        """The next meeting's weekday in the group's zone (picks a by-weekday roster)."""
        return None if self.upcoming is None else self.upcoming.weekday

    def title(self, role: str) -> str:
        compiled = self.plan.role(role)
        return compiled.title if compiled is not None else role.replace("-", " ").title()

    def volunteers_role(self, role: str) -> int | None:
        """The role's "… rotation" Discord role (the "… today" one is the meeting's business:
        someone who leaves mid-meeting still serves today)."""
        record = self.records.get(role)
        return None if record is None else record.volunteers_role_id

    @property
    def next_meeting(self) -> int:
        return self.group.meetings_held + 1


class Circles:
    """Reads circles, and what every part of the rotation shares: the store, the port, the
    clock, the group locks (every change to a group's rotation happens under its lock), the
    announcer (who is up next, posted once, even after a crash) and the group's language (what
    the channel reads, and the private messages the bot sends on its own)."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        formats: FormatLibrary,
        port: RotationPort,
        locks: GroupLocks,
        scheduler: Scheduler | None = None,
        languages: GroupLanguages | None = None,
        owns_group: OwnsGroup = every_group,
    ) -> None:
        self.owns_group = owns_group  # sharded: only this process's groups (ownership.py)
        self.store = store
        self.repo = store.rotation
        self.clock = clock
        self.formats = formats
        self.port = port
        self.lock = locks
        self.languages = languages or GroupLanguages(store=store, formats=formats)
        self.announcer = Announcer(self, scheduler)

    async def locale(self, group: GroupRecord) -> str:
        """The group's language."""
        return await self.languages.of_group(group)

    async def post(self, group: GroupRecord, words: Msg) -> None:
        """A note of the moment in the group's channel, in the group's language."""
        await self.port.post(group, render(await self.locale(group), words))

    async def dm(
        self,
        group: GroupRecord,
        user_id: int,
        words: Msg | str,
        *,
        swap: int | None = None,
        ask_for_meeting: int | None = None,
    ) -> bool:
        """A private message the bot sends on its own (no member's language to go by): in the
        group's language."""
        text = render(await self.locale(group), words)
        return await self.port.dm(group, user_id, text, swap=swap, ask_for_meeting=ask_for_meeting)

    async def group_here(self, channel_id: int | None) -> GroupRecord:
        group = None if channel_id is None else await self.store.groups.by_channel(channel_id)
        if group is None:
            raise NoGroupHere
        return group

    async def group_by_id(self, group_id: int) -> GroupRecord:
        group = await self.store.groups.by_id(group_id)
        if group is None:
            raise NotAllowed(texts.GROUP_GONE)
        return group

    async def circle(self, group: GroupRecord) -> Circle:
        """Read the group's rotation and bring it in line with who holds the roles now."""
        plan = await self.formats.current(group)
        records = {record.role: record for record in await self.repo.roles(group.id)}
        now_at = self.clock.timestamp()
        rotation = await self.repo.load(
            group.id, role_rules(plan), meeting=group.meetings_held + 1, now=now_at
        )
        role_ids = {
            rr.rules.name: (
                records[rr.rules.name].volunteers_role_id if rr.rules.name in records else None
            )
            for rr in rotation.roles
        }
        holding = await self.port.holders(group, role_ids)
        now = self.clock.now()
        facts: dict[Pseudonym, core.MemberFacts] = {}
        members: dict[Pseudonym, Person] = {}
        roles = []
        vacated = []
        everyone = {person.who for people in holding.values() for person in people}
        for rr in rotation.roles:
            holders = {person.who: person for person in holding.get(rr.rules.name, ())}
            if rr.elected is not None:
                holders = {**holders, **await self.port.find(group, [rr.elected], {})}
            volunteers = {
                who: rr.volunteers.get(who) or core.newcomer(rr)
                for who in holders
                if who != rr.elected or rr.elected in rr.volunteers
            }
            up = rr.upcoming
            # A seat stays with someone still in the role's rotation, or with the substitute
            # role's holder covering it (still in theirs).
            gone = [
                seat
                for seat, who in enumerate(() if up is None else up.seats)
                if who is not None
                and who not in holders
                and not (seat in up.covered and who in everyone)  # type: ignore[union-attr]
            ]
            if up is not None and gone:
                vacated.append(rr.rules.name)  # they left the rotation some other way
                for seat in gone:
                    up = up.with_seat(seat, None)
            elected = rr.elected if rr.elected in holders else None
            roles.append(replace(rr, volunteers=volunteers, upcoming=up, elected=elected))
            for who, person in holders.items():
                members[who] = person
                if person.in_group:
                    facts[who] = member_facts(person, now)
        upcoming = await next_meeting(self.store, group.id, now)
        return Circle(
            group, plan, core.Rotation(tuple(roles)), records, facts, members, vacated, upcoming
        )

    async def read(self, group: GroupRecord) -> Circle:
        """The circle, read under the group's lock: on the store's one connection a read could
        otherwise see another operation's write half done."""
        async with self.lock(group.id):
            return await self.circle(group)

    @staticmethod
    def duties(circle: Circle, role: str) -> str:
        """The role's duties as the format says them ("" if it says none)."""
        compiled = circle.plan.role(role)
        return compiled.duties if compiled is not None else ""

    def rule(self, circle: Circle, role: str | None) -> str:
        """The rotating role a member named (the chair, if they named none)."""
        names = [rr.rules.name for rr in circle.rotation.roles]
        if not names:
            raise NotAllowed(texts.NO_ROTATING_ROLES)
        if role is None:
            return CHAIR if CHAIR in names else names[0]
        wanted = role.strip().lower()
        for name in names:
            if wanted in (name, circle.title(name).lower()):
                return name
        raise InvalidInput(texts.unknown_role(role, names))

    def fill(
        self,
        circle: Circle,
        rotation: core.Rotation,
        effects: Sequence[core.RotationEffect],
        also: Iterable[str] = (),
    ) -> tuple[core.Rotation, list[core.RotationEffect]]:
        """Ask the next person for every vacated turn."""
        vacated = [e.role for e in effects if isinstance(e, core.TurnVacated)] + list(also)
        asks: list[core.RotationEffect] = []
        for name in dict.fromkeys(vacated):
            if rotation.role(name).upcoming is None:
                continue
            rotation, more = core.fill_turn(rotation, name, circle.facts, weekday=circle.weekday)
            asks += more
        return rotation, asks

    async def save(
        self,
        group: GroupRecord,
        rotation: core.Rotation,
        effects: Sequence[core.RotationEffect] = (),
        *,
        passed_on: bool = True,
        dropping: Iterable[int] = (),
    ) -> int | None:
        """Commit the rotation and, in the same transaction, the announcement of whom its
        effects ask to serve (its id, for :meth:`announce` after the lock is let go).

        ``passed_on``: the turn went to someone else after it was first announced."""
        staged = stage(effects, passed_on=passed_on, now=self.clock.timestamp())
        return await self.repo.save(group.id, rotation, staged, dropping=dropping)

    async def announce(self, *announcements: int | None) -> None:
        """Post what :meth:`save` wrote: the one place the bot pings, with I'll do it / Can't
        make it. After a crash the next start posts it (:mod:`.announcing`)."""
        await self.announcer.deliver(announcements)
