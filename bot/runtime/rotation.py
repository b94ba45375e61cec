"""The service rotation at run time: the pure core (:mod:`bot.core.rotation`), the store and
Discord, tied together.

Who is in a rotation is held by Discord: for each of a group's rotating service roles the bot
creates and manages a role ("Chair rotation · #room"); joining gives it, leaving takes it away.
The database keeps only coded keys with the meeting each volunteer last served, the announced
turn and pending swaps (:mod:`bot.store.rotation`). Before every decision the stored rotation is
brought in line with Discord: whoever holds the role is a volunteer (never served, if new), a
row whose member no longer holds it is deleted, and only members who can see the group's
channel, as :class:`~bot.core.rotation.MemberFacts`, are candidates. To act on a person the bot
computes pseudonyms over the role's members and matches; it never stores an id.

How it plugs into meetings
--------------------------
* :meth:`RotationService.roles_for_meeting` is the meeting runtime's role provider: the person
  announced for this meeting holds the role; with nobody announced the starter chairs. If the
  announced chair did not start the meeting and is not in its voice channel, they get five
  minutes to arrive before anyone can press **Step in as chair**.
* :meth:`RotationService.meeting_step` (a meeting listener) gives the temporary "… today" role
  to whoever holds each rotating role, moves it when someone steps in, takes it back when the
  meeting ends, and remembers who served.
* :meth:`RotationService.meeting_counted` (the ``meeting_counted`` hook) records who served and
  announces who is up next, with one ping and the buttons **I'll do it** / **Can't make it**.

Every change to a group's rotation happens under that group's lock, is committed, and only then
shown in Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import discord

from bot.adapters.guild import ensure_members
from bot.core import rotation as core
from bot.core.formats import CompiledFormat
from bot.core.formats.roles import CompiledRole, RotationKind
from bot.core.meeting import Status
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import InvalidInput, NoGroupHere, NotAllowed
from bot.runtime.clock import Clock
from bot.runtime.events import MeetingCounted, MeetingStepped, MemberForgotten
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import (
    CHAIR,
    CHAIR_AWAY_SECONDS,
    LiveMeeting,
    LiveMeetings,
    StartingRoles,
)
from bot.runtime.markup import first_name, when
from bot.store import Store
from bot.store.groups import GroupRecord
from bot.store.rotation import RotationRole

log = logging.getLogger(__name__)

#: The reason shown in the server's audit log: generic, never a name.
AUDIT_REASON = "service rotation"
#: The announced chair has this long (clock seconds) after the start before anyone steps in.
STEP_IN_AFTER_SECONDS = 300.0
#: A swap request nobody answered is forgotten after this long (clock seconds).
SWAP_LIFETIME_SECONDS = 2 * 86400.0
#: How long to wait for Discord to confirm a role change before reading the member list again.
ROLE_EVENT_SECONDS = 3.0

GroupChannel = discord.TextChannel | discord.VoiceChannel | discord.StageChannel
#: Buttons under an announcement: (group id, meeting number) -> I'll do it / Can't make it.
AskView = Callable[[int, int], discord.ui.View]
#: Buttons under a swap request: (group id, swap id) -> Swap / No thanks.
SwapView = Callable[[int, int], discord.ui.View]

NO_MANAGE_ROLES = (
    "To keep the rotation I need the **Manage Roles** permission on this server, and I don't have "
    "it. Someone who manages the server can add it to my role. Nothing changed."
)
ROLE_TOO_HIGH = (
    "The rotation's role is above my own role in the server's role list, so I can't give it "
    "out. Someone who manages the server can move my role above it. Nothing changed."
)


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
        )
        rules.append(core.RoleRules(role.id, eligibility, term))
    return rules


def member_facts(member: discord.Member, now: datetime) -> core.MemberFacts:
    """What the rules need to know about a member, from Discord, now (never stored)."""
    days = 0 if member.joined_at is None else max(0, (now - member.joined_at).days)
    return core.MemberFacts(days_in_server=days, first_meeting=days < 1)


# --- what the cog shows ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoleOrder:
    """One role's line in ``/rotation show``: display names, read from Discord just now."""

    rotation_id: int | None
    title: str
    names: tuple[str, ...]  # the expected order of turns from the next meeting on
    asked: str | None  # who was asked for the next meeting, if anyone
    waiting: int  # volunteers not eligible yet (new to the server, or the format's days)


@dataclass(frozen=True, slots=True)
class Shown:
    group_id: int
    next_meeting: int
    roles: tuple[RoleOrder, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    name: str


# --- internal state --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Start:
    """What the role provider decided, for the first step of the meeting it started."""

    starter: Pseudonym
    chair: Pseudonym
    waiting_for_chair: bool  # the announced chair neither started the meeting nor is there


@dataclass
class _Tracked:
    """A meeting under way: the temporary roles it uses and who holds them now."""

    serving: dict[str, int]  # format role id -> the Discord "… today" role id
    given: dict[str, frozenset[Pseudonym]] = field(default_factory=dict)
    #: Who held each rotating role at the last step (an ended meeting's state names nobody).
    served: dict[str, Pseudonym] = field(default_factory=dict)


@dataclass
class _Circle:
    """A group's rotation brought in line with Discord, for one operation."""

    group: GroupRecord
    guild: discord.Guild
    plan: CompiledFormat
    rotation: core.Rotation
    records: dict[str, RotationRole]
    facts: dict[Pseudonym, core.MemberFacts]
    members: dict[Pseudonym, discord.Member]
    vacated: list[str]  # roles whose announced person no longer holds the rotation role

    def title(self, role: str) -> str:
        compiled = self.plan.role(role)
        return compiled.title if compiled is not None else role.replace("-", " ").title()


class RotationService:
    def __init__(
        self,
        client: discord.Client,
        *,
        store: Store,
        clock: Clock,
        pseudonyms: Pseudonymizer,
        formats: FormatLibrary,
        meetings: LiveMeetings,
        ask_view: AskView,
        swap_view: SwapView,
    ) -> None:
        self._client = client
        self._store = store
        self._repo = store.rotation
        self._clock = clock
        self._pseudonyms = pseudonyms
        self._formats = formats
        self._meetings = meetings
        self._ask_view = ask_view
        self._swap_view = swap_view
        self._locks: dict[int, asyncio.Lock] = {}
        self._starting: dict[int, _Start] = {}  # group id -> the meeting being started
        self._tracked: dict[int, _Tracked] = {}  # meeting id -> its temporary roles
        self._served: dict[int, dict[str, Pseudonym]] = {}  # group id -> who served, at the end
        self._background: set[asyncio.Task[None]] = set()

    def _lock(self, group_id: int) -> asyncio.Lock:
        return self._locks.setdefault(group_id, asyncio.Lock())

    # --- Discord plumbing ----------------------------------------------------------------------

    def _who(self, guild_id: int, user: discord.abc.Snowflake) -> Pseudonym:
        return self._pseudonyms.of(guild_id, user.id)

    def _in_group(self, group: GroupRecord, member: discord.Member) -> bool:
        if member.bot:
            return False
        if group.member_role_id is not None and member.get_role(group.member_role_id):
            return True
        channel = member.guild.get_channel(group.channel_id)
        return channel is not None and channel.permissions_for(member).view_channel

    async def _guild(self, group: GroupRecord) -> discord.Guild:
        guild = self._client.get_guild(group.guild_id)
        if guild is None:
            raise NotAllowed("I can't reach this server right now. Please try again in a moment.")
        # Who holds a rotation role is read from Discord's member list (kept in memory).
        await ensure_members(guild)
        return guild

    async def _me(self, guild: discord.Guild) -> discord.Member:
        me = guild.me
        if me is None:
            user = self._client.user
            if user is None:
                raise NotAllowed("I'm not connected to Discord right now. Please try again soon.")
            me = await guild.fetch_member(user.id)
        return me

    def _find(
        self, guild: discord.Guild, wanted: Iterable[Pseudonym], hint: Mapping[Pseudonym, int]
    ) -> dict[Pseudonym, discord.Member]:
        """The members behind these pseudonyms (from hints first, else by matching)."""
        missing = set(wanted)
        found: dict[Pseudonym, discord.Member] = {}
        for who in list(missing):
            user_id = hint.get(who)
            member = guild.get_member(user_id) if user_id is not None else None
            if member is not None:
                found[who] = member
                missing.discard(who)
        if missing:
            for member in guild.members:
                who = self._who(guild.id, member)
                if who in missing:
                    found[who] = member
                    missing.discard(who)
                    if not missing:
                        break
        return found

    async def _set_role(self, member: discord.Member, role: discord.Role, give: bool) -> bool:
        """Give or take a role, then wait briefly until Discord's event updates the cache, so
        the next read of the role's members sees the change."""
        if (member.get_role(role.id) is not None) == give:
            return True

        def confirmed(before: discord.Member, after: discord.Member) -> bool:
            return (
                after.id == member.id
                and after.guild.id == member.guild.id
                and (after.get_role(role.id) is not None) == give
            )

        waiter = asyncio.ensure_future(
            self._client.wait_for("member_update", check=confirmed, timeout=ROLE_EVENT_SECONDS)
        )
        try:
            if give:
                await member.add_roles(role, reason=AUDIT_REASON)
            else:
                await member.remove_roles(role, reason=AUDIT_REASON)
        except discord.HTTPException as error:
            waiter.cancel()
            log.warning("Could not change a rotation role (HTTP %s)", error.status)
            return False
        with contextlib.suppress(TimeoutError):
            await waiter
        return True

    async def _discord_roles(
        self, circle: _Circle, role: str
    ) -> tuple[discord.Role, discord.Role, RotationRole]:
        """The role's "… rotation" and "… today" Discord roles, created if missing."""
        guild = circle.guild
        me = await self._me(guild)
        if not me.guild_permissions.manage_roles:
            raise NotAllowed(NO_MANAGE_ROLES)
        record = circle.records.get(role) or await self._repo.role(circle.group.id, role)
        channel = guild.get_channel(circle.group.channel_id)
        where = f"#{channel.name}" if channel is not None else "the group"
        title = circle.title(role)
        found: list[discord.Role] = []
        for role_id, name in (
            (record.volunteers_role_id, f"{title} rotation · {where}"),
            (record.serving_role_id, f"{title} today · {where}"),
        ):
            existing = guild.get_role(role_id) if role_id is not None else None
            if existing is None:
                try:
                    existing = await guild.create_role(
                        name=name[:100],
                        permissions=discord.Permissions.none(),
                        mentionable=False,
                        reason=AUDIT_REASON,
                    )
                except discord.Forbidden:
                    raise NotAllowed(NO_MANAGE_ROLES) from None
            if existing >= me.top_role:
                raise NotAllowed(ROLE_TOO_HIGH)
            found.append(existing)
        volunteers, serving = found
        if (volunteers.id, serving.id) != (record.volunteers_role_id, record.serving_role_id):
            await self._repo.set_discord_roles(
                record.id, volunteers_role_id=volunteers.id, serving_role_id=serving.id
            )
            record = replace(record, volunteers_role_id=volunteers.id, serving_role_id=serving.id)
        circle.records[role] = record
        return volunteers, serving, record

    async def _post(
        self,
        group: GroupRecord,
        text: str,
        *,
        view: discord.ui.View | None = None,
        ping: Sequence[discord.abc.Snowflake] = (),
    ) -> None:
        channel = self._client.get_partial_messageable(group.channel_id, guild_id=group.guild_id)
        mentions = (
            discord.AllowedMentions(users=list(ping), everyone=False, roles=False)
            if ping
            else discord.AllowedMentions.none()
        )
        try:
            if view is None:
                await channel.send(text[:2000], allowed_mentions=mentions)
            else:
                await channel.send(text[:2000], view=view, allowed_mentions=mentions)
        except discord.Forbidden:
            log.warning("Missing permission to post a rotation message in a group's channel")
        except discord.HTTPException:
            log.exception("Could not post a rotation message")

    async def _dm(
        self, member: discord.abc.Messageable, text: str, view: discord.ui.View | None = None
    ) -> bool:
        try:
            if view is None:
                await member.send(text, allowed_mentions=discord.AllowedMentions.none())
            else:
                await member.send(text, view=view, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            log.info("A private rotation note could not be delivered (DMs closed)")
            return False
        return True

    # --- the rotation, in line with Discord -----------------------------------------------------

    async def _group_here(self, channel_id: int | None) -> GroupRecord:
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        if group is None:
            raise NoGroupHere
        return group

    async def _circle(self, group: GroupRecord) -> _Circle:
        """Read the group's rotation and bring it in line with who holds the roles now."""
        guild = await self._guild(group)
        plan = await self._formats.current(group)
        records = {record.role: record for record in await self._repo.roles(group.id)}
        rotation = await self._repo.load(group.id, role_rules(plan))
        now = self._clock.now()
        facts: dict[Pseudonym, core.MemberFacts] = {}
        members: dict[Pseudonym, discord.Member] = {}
        roles = []
        vacated = []
        for rr in rotation.roles:
            record = records.get(rr.rules.name)
            role_id = record.volunteers_role_id if record is not None else None
            discord_role = guild.get_role(role_id) if role_id is not None else None
            holders: dict[Pseudonym, discord.Member] = {}
            for member in discord_role.members if discord_role is not None else ():
                if not member.bot:
                    holders[self._who(guild.id, member)] = member
            volunteers = {who: rr.volunteers.get(who, core.Volunteer()) for who in holders}
            up = rr.upcoming
            if up is not None and up.who is not None and up.who not in holders:
                vacated.append(rr.rules.name)  # they left the rotation some other way
            roles.append(replace(rr, volunteers=volunteers))
            for who, member in holders.items():
                members[who] = member
                if self._in_group(group, member):
                    facts[who] = member_facts(member, now)
        return _Circle(
            group, guild, plan, core.Rotation(tuple(roles)), records, facts, members, vacated
        )

    async def _read(self, group: GroupRecord) -> _Circle:
        """The circle, read under the group's lock: on the store's one connection a read could
        otherwise see another operation's write half done."""
        async with self._lock(group.id):
            return await self._circle(group)

    def _rule(self, circle: _Circle, role: str | None) -> str:
        names = [rr.rules.name for rr in circle.rotation.roles]
        if not names:
            raise NotAllowed(
                "This group's format has no service roles that rotate, so there's no rotation "
                "to join. Whoever starts a meeting chairs it."
            )
        if role is None:
            return CHAIR if CHAIR in names else names[0]
        wanted = role.strip().lower()
        for name in names:
            if wanted in (name, circle.title(name).lower()):
                return name
        known = ", ".join(f"`{name}`" for name in names)
        raise InvalidInput(
            f"This group's rotation has no role called `{role}`. Its roles: {known}."
        )

    def role_choices(self, plan: CompiledFormat) -> list[Choice]:
        return [Choice(role.id, role.title) for role in rotating_roles(plan)]

    async def choices_here(self, channel_id: int | None) -> list[Choice]:
        group = await self._group_here(channel_id)
        return self.role_choices(await self._formats.current(group))

    def _next_meeting(self, circle: _Circle) -> int:
        return circle.group.meetings_held + 1

    # --- joining and leaving ------------------------------------------------------------------

    async def join(
        self,
        channel_id: int | None,
        member: discord.Member,
        role: str | None,
        weekdays: frozenset[int] = frozenset(),
    ) -> str:
        group = await self._group_here(channel_id)
        if not self._in_group(group, member):
            raise NotAllowed("The rotation is for the members of this group.")
        async with self._lock(group.id):
            circle = await self._circle(group)
            name = self._rule(circle, role)
            title = circle.title(name).lower()
            volunteers, _, _ = await self._discord_roles(circle, name)
            who = self._who(group.guild_id, member)
            rules = circle.rotation.role(name).rules
            if not isinstance(rules.term, core.WeekdayRoster):
                weekdays = frozenset()  # only a weekly roster asks for a day
            already = who in circle.rotation.role(name).volunteers
            rotation = core.join(circle.rotation, name, who, weekdays=weekdays)
            rotation, asks = self._fill(circle, rotation, (), circle.vacated)
            await self._repo.save(group.id, rotation)
            if not await self._set_role(member, volunteers, give=True):
                await self._repo.save(group.id, circle.rotation)
                raise NotAllowed(
                    "I couldn't give you the rotation's role just now, so nothing changed. "
                    "Please try again in a moment."
                )
        await self._announce(circle, asks)
        if already:
            return f"You're already in the {title} rotation. Thank you for serving!"
        text = (
            f"You're in the {title} rotation — thank you for offering to serve. When your turn "
            "comes I'll let you know with one ping. `/rotation show` shows the order; "
            "`/rotation leave` takes you out at any time."
        )
        days = rules.eligibility.min_days_in_server
        facts = member_facts(member, self._clock.now())
        if facts.days_in_server < days:
            text += f" This group asks that a {title} has been in the server {days} days, "
            text += "so your first turn comes after that."
        elif facts.first_meeting:
            text += " Your first turn comes after your first day here, so you can settle in."
        return text

    async def leave(self, channel_id: int | None, member: discord.Member, role: str | None) -> str:
        group = await self._group_here(channel_id)
        who = self._who(group.guild_id, member)
        async with self._lock(group.id):
            circle = await self._circle(group)
            names = [self._rule(circle, role)] if role is not None else None
            left = [
                rr.rules.name
                for rr in circle.rotation.roles
                if who in rr.volunteers and (names is None or rr.rules.name in names)
            ]
            if not left:
                return "You're not in the rotation here, so there was nothing to remove."
            rotation = circle.rotation
            effects: list[core.RotationEffect] = []
            for name in left:
                rotation, more = core.leave(rotation, who, name)
                effects += more
            rotation, asks = self._fill(circle, rotation, effects, circle.vacated)
            await self._repo.save(group.id, rotation)
            for name in left:
                if (discord_role := self._volunteers_role(circle, name)) is not None:
                    await self._set_role(member, discord_role, give=False)
        await self._announce(circle, asks)
        titles = " and ".join(circle.title(name).lower() for name in left)
        text = (
            f"You've left the {titles} rotation, and I've deleted what I kept about your turns. "
            "You're welcome back any time with `/rotation join`."
        )
        if any(isinstance(effect, core.TurnVacated) for effect in effects):
            text += " I've asked the next person to take your turn."
        return text

    def _volunteers_role(self, circle: _Circle, role: str) -> discord.Role | None:
        """The role's "… rotation" Discord role (the "… today" one is the meeting's business:
        someone who leaves mid-meeting still serves today)."""
        record = circle.records.get(role)
        role_id = None if record is None else record.volunteers_role_id
        return None if role_id is None else circle.guild.get_role(role_id)

    def _fill(
        self,
        circle: _Circle,
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
            rotation, more = core.fill_turn(rotation, name, circle.facts)
            asks += more
        return rotation, asks

    # --- announcements and answers ----------------------------------------------------------

    async def _announce(
        self, circle: _Circle, effects: Sequence[core.RotationEffect], *, passed_on: bool = True
    ) -> None:
        """Name who is up next (the one place the bot pings), with I'll do it / Can't make it.

        ``passed_on``: the turn went to someone else after it was first announced."""
        lines = []
        ping: list[discord.Member] = []
        meeting = None
        for effect in effects:
            if isinstance(effect, core.AskToServe):
                member = circle.members.get(effect.who)
                if member is None:
                    continue
                meeting = effect.meeting
                ping.append(member)
                more = " (carrying on with your term)" if effect.continuing else ""
                lines.append(f"• {circle.title(effect.role)}: {member.mention}{more}")
            elif isinstance(effect, core.AnyoneMayServe):
                lines.append(
                    f"• {circle.title(effect.role)}: anyone — nobody on the rotation is free, so "
                    "any member may take it"
                )
        if not lines:
            return
        heading = (
            "Next time, from the rotation — the turn has passed on:"
            if passed_on
            else ("Next time, from the rotation:")
        )
        text = f"**{heading}**\n" + "\n".join(lines)
        if ping and meeting is not None:
            text += (
                "\nIf that's you, please press **I'll do it** — or **Can't make it**, and I'll ask "
                "the next person. No problem at all: you keep your place."
            )
            view = self._ask_view(circle.group.id, meeting)
            await self._post(circle.group, text, view=view, ping=ping)
        else:
            text += "\n`/rotation join` if you'd like to volunteer."
            await self._post(circle.group, text)

    async def will_serve(self, group_id: int, meeting: int, user: discord.abc.User) -> str:
        group = await self._store.groups.by_id(group_id)
        if group is None:
            raise NotAllowed("This group no longer meets here.")
        circle = await self._read(group)
        who = self._who(group.guild_id, user)
        mine = [
            circle.title(rr.rules.name).lower()
            for rr in circle.rotation.roles
            if rr.upcoming is not None and rr.upcoming.meeting == meeting and rr.upcoming.who == who
        ]
        if not mine:
            raise NotAllowed(
                "This turn isn't yours, or it has passed on. Thank you for offering! "
                "`/rotation join` adds you to the rotation."
            )
        return (
            f"Thank you! You're the {' and '.join(mine)} next time. When the time comes, start "
            "the meeting with `/meeting start` in the group's channel."
        )

    async def cant_make_it(self, group_id: int, meeting: int, user: discord.abc.User) -> str:
        group = await self._store.groups.by_id(group_id)
        if group is None:
            raise NotAllowed("This group no longer meets here.")
        who = self._who(group.guild_id, user)
        async with self._lock(group.id):
            circle = await self._circle(group)
            rotation = circle.rotation
            effects: list[core.RotationEffect] = []
            for rr in circle.rotation.roles:
                up = rr.upcoming
                if up is not None and up.meeting == meeting and up.who == who:
                    rotation, more = core.cant_make_it(rotation, rr.rules.name, who)
                    effects += more
            if not effects:
                raise NotAllowed(
                    "This turn isn't yours, or it has already passed on. Nothing changed."
                )
            rotation, asks = self._fill(circle, rotation, effects, circle.vacated)
            await self._repo.save(group.id, rotation)
        await self._announce(circle, asks)
        return (
            "No problem — thank you for letting us know. I've asked the next person, and you "
            "keep your place in the rotation."
        )

    # --- swaps ------------------------------------------------------------------------------

    async def ask_swap(
        self,
        channel_id: int | None,
        asker: discord.Member,
        partner: discord.Member,
        role: str | None,
    ) -> str:
        group = await self._group_here(channel_id)
        if partner.id == asker.id:
            raise InvalidInput("Please choose another volunteer to swap with.")
        circle = await self._read(group)
        name = self._rule(circle, role)
        title = circle.title(name).lower()
        volunteers = circle.rotation.role(name).volunteers
        mine, theirs = self._who(group.guild_id, asker), self._who(group.guild_id, partner)
        if mine not in volunteers:
            raise NotAllowed(f"You're not in the {title} rotation. `/rotation join` adds you.")
        if theirs not in volunteers:
            raise NotAllowed(
                f"{partner.display_name} isn't in the {title} rotation, so there's nothing to "
                "swap. Only volunteers can trade places."
            )
        record = circle.records[name]
        now = self._clock.timestamp()
        mirrored = await self._repo.swap_between(record.id, theirs, mine, now)
        if mirrored is not None:
            # They asked first: asking back is agreeing.
            return await self._do_swap(group, mirrored.id, name, theirs, mine, asker)
        swap_id = await self._repo.ask_swap(record.id, mine, theirs, now + SWAP_LIFETIME_SECONDS)
        channel = circle.guild.get_channel(group.channel_id)
        where = f"#{channel.name}" if channel is not None else "your group"
        asked = await self._dm(
            partner,
            f"**{asker.display_name}** from {where} would like to swap places with you in the "
            f"{title} rotation: you'd take their place in the order, and they'd take yours. "
            "Would you like to?",
            self._swap_view(group.id, swap_id),
        )
        if not asked:
            return (
                f"I couldn't send {partner.display_name} a private message. If they run "
                "`/rotation swap` with you, the swap happens."
            )
        return (
            f"I've asked {partner.display_name} privately. If they agree, you'll swap places in "
            f"the {title} rotation and I'll let you know."
        )

    async def answer_swap(self, swap_id: int, user: discord.abc.User, accept: bool) -> str:
        request = await self._repo.swap_request(swap_id, self._clock.timestamp())
        group = None if request is None else await self._store.groups.by_id(request.group_id)
        if request is None or group is None:
            raise NotAllowed("This swap request has expired or was already answered.")
        if self._who(group.guild_id, user) != request.partner:
            raise NotAllowed("This swap request is for someone else.")
        if not accept:
            if await self._repo.close_swap(request.id):
                asker = self._find(await self._guild(group), [request.asker], {})
                if request.asker in asker:
                    await self._dm(
                        asker[request.asker],
                        "The volunteer you asked would rather not swap this time. Nothing "
                        "changed in the rotation.",
                    )
            return "No problem — nothing changed. Thank you for answering."
        return await self._do_swap(
            group, request.id, request.role, request.asker, request.partner, user
        )

    async def _do_swap(
        self,
        group: GroupRecord,
        swap_id: int,
        role: str,
        asker: Pseudonym,
        partner: Pseudonym,
        agreed_by: discord.abc.User,
    ) -> str:
        async with self._lock(group.id):
            circle = await self._circle(group)
            title = circle.title(role).lower()
            try:
                rotation, effects = core.swap(circle.rotation, role, asker, partner, circle.facts)
            except core.RotationError as error:
                raise NotAllowed(_swap_refusal(error.reason, title)) from None
            if not await self._repo.close_swap(swap_id):
                raise NotAllowed("This swap request was already answered.")
            rotation, asks = self._fill(circle, rotation, (), circle.vacated)
            effects += asks
            await self._repo.save(group.id, rotation)
        await self._announce(circle, effects)
        other = asker if self._who(group.guild_id, agreed_by) == partner else partner
        found = self._find(circle.guild, [other], {})
        if other in found:
            await self._dm(
                found[other],
                f"Good news: your swap in the {title} rotation is done. `/rotation show` in the "
                "group's channel shows the new order.",
            )
        return f"Done — you've swapped places in the {title} rotation. Thank you!"

    # --- /rotation show -----------------------------------------------------------------------

    async def show(self, channel_id: int | None) -> Shown:
        group = await self._group_here(channel_id)
        circle = await self._read(group)
        meeting = self._next_meeting(circle)
        orders = []
        for rr in circle.rotation.roles:
            name = rr.rules.name
            order = core.upcoming_order(circle.rotation, name, meeting, circle.facts)
            up = rr.upcoming
            asked = None
            if up is not None and up.meeting == meeting and up.who in circle.members:
                asked = circle.members[up.who].display_name
            record = circle.records.get(name)
            orders.append(
                RoleOrder(
                    rotation_id=record.id if record is not None else None,
                    title=circle.title(name),
                    names=tuple(circle.members[who].display_name for who in order),
                    asked=asked,
                    waiting=len(set(rr.volunteers) - set(order)),
                )
            )
        return Shown(group.id, meeting, tuple(orders))

    async def role_for_button(self, rotation_id: int) -> tuple[int, str]:
        record = await self._repo.role_by_id(rotation_id)
        if record is None:
            raise NotAllowed("This rotation no longer exists.")
        group = await self._store.groups.by_id(record.group_id)
        if group is None:
            raise NotAllowed("This group no longer meets here.")
        return group.channel_id, record.role

    # --- meetings -----------------------------------------------------------------------------

    async def roles_for_meeting(self, group: GroupRecord, starter: Pseudonym) -> StartingRoles:
        """The meeting runtime's role provider: the announced people serve; by default (an
        empty rotation, nobody announced, or the announced chair gone) the starter chairs."""
        roles: dict[str, list[Pseudonym]] = {}
        waiting = False
        try:
            if await self._repo.roles(group.id):
                circle = await self._read(group)
                number = self._next_meeting(circle)
                for rr in circle.rotation.roles:
                    up = rr.upcoming
                    if up is not None and up.meeting == number and up.who in circle.facts:
                        roles[rr.rules.name] = [up.who]
                chair = roles.get(CHAIR, [starter])[0]
                waiting = chair != starter and not self._present(circle, chair)
        except Exception:
            log.exception("The rotation could not be read; whoever starts the meeting chairs")
        roles.setdefault(CHAIR, [starter])
        self._starting[group.id] = _Start(starter, roles[CHAIR][0], waiting)
        # The announced chair has a few minutes to arrive before anyone steps in.
        grace = STEP_IN_AFTER_SECONDS - CHAIR_AWAY_SECONDS if waiting else 0.0
        return StartingRoles(roles, chair_arrives_within=grace)

    def _present(self, circle: _Circle, who: Pseudonym) -> bool:
        channel = circle.guild.get_channel(circle.group.channel_id)
        member = circle.members.get(who)
        if member is None or not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            return False
        return member in channel.members

    async def meeting_stepped(self, event: MeetingStepped) -> None:
        """Keep the temporary roles on whoever serves, and note who served."""
        live = event.meeting
        tracked = self._tracked.get(live.id)
        if tracked is None:
            tracked = await self._track(live)
        if live.state.status is Status.ENDED:
            self._tracked.pop(live.id, None)
            self._served[live.group.id] = dict(tracked.served)
            await self._give_serving(live, tracked, {})
            return
        # The turn counts for whoever holds the role (a stand-in who stepped in included).
        tracked.served = {
            role: holders[0]
            for role in self._roles_of(live)
            if (holders := live.state.holders(role))
        }
        now_serving = {role: frozenset(live.state.holders(role)) for role in tracked.serving}
        if now_serving != tracked.given:
            await self._give_serving(live, tracked, now_serving)

    def _roles_of(self, live: LiveMeeting) -> list[str]:
        return [role.id for role in rotating_roles(live.plan)]

    async def _track(self, live: LiveMeeting) -> _Tracked:
        start = self._starting.pop(live.group.id, None)
        records = await self._repo.roles(live.group.id)
        rotated = set(self._roles_of(live))
        tracked = _Tracked(
            {
                record.role: record.serving_role_id
                for record in records
                if record.serving_role_id is not None and record.role in rotated
            }
        )
        self._tracked[live.id] = tracked
        if start is not None and start.waiting_for_chair and live.chairs == (start.chair,):
            # The announced chair has a few minutes to arrive (see roles_for_meeting).
            began = self._clock.timestamp()
            guild = self._client.get_guild(live.group.guild_id)
            found = self._find(guild, [start.chair], live.names) if guild is not None else {}
            member = found.get(start.chair)
            name = first_name(member.display_name) if member is not None else "Today's chair"
            deadline = datetime.fromtimestamp(began + STEP_IN_AFTER_SECONDS, tz=UTC)
            await self._post(
                live.group,
                f"**{name}** is on the rotation to chair today — welcome, whenever you arrive. "
                f"If they're not here {when(deadline)}, anyone can press **Step in as chair** "
                "on the panel.",
            )
        return tracked

    async def _give_serving(
        self, live: LiveMeeting, tracked: _Tracked, holders: Mapping[str, frozenset[Pseudonym]]
    ) -> None:
        """Make the "… today" roles match who serves now (nobody, once the meeting is over)."""
        tracked.given = dict(holders)
        if not tracked.serving:
            return
        guild = self._client.get_guild(live.group.guild_id)
        if guild is None:
            return
        try:
            await ensure_members(guild)
            for role, role_id in tracked.serving.items():
                discord_role = guild.get_role(role_id)
                if discord_role is None:
                    continue
                wanted = holders.get(role, frozenset())
                for member in list(discord_role.members):
                    if self._who(guild.id, member) not in wanted:
                        await self._set_role(member, discord_role, give=False)
                for member in self._find(guild, wanted, live.names).values():
                    await self._set_role(member, discord_role, give=True)
        except discord.HTTPException:
            log.warning("Could not update the temporary rotation roles")

    async def meeting_counted(self, event: MeetingCounted) -> None:
        """Record who served at meeting ``number`` and announce who is up next."""
        served = self._served.pop(event.group_id, {})
        if not await self._repo.roles(event.group_id):
            return  # nobody ever joined this group's rotation
        group = await self._store.groups.by_id(event.group_id)
        if group is None:
            return
        async with self._lock(group.id):
            circle = await self._circle(group)
            rotation = core.record_served(circle.rotation, event.number, served)
            if not any(rr.volunteers for rr in rotation.roles):
                await self._repo.save(group.id, rotation)
                return
            rotation, effects = core.announce_next(rotation, event.number + 1, circle.facts)
            await self._repo.save(group.id, rotation)
        await self._announce(circle, effects, passed_on=False)

    async def tidy_after_restart(self) -> None:
        """Take the temporary roles back from meetings that ended while the bot was away."""
        for record in await self._repo.serving_roles():
            group = await self._store.groups.by_id(record.group_id)
            if group is None or record.serving_role_id is None:
                continue
            if self._meetings.in_channel(group.channel_id) is not None:
                continue  # still under way: its first step after the restart syncs the roles
            guild = self._client.get_guild(group.guild_id)
            if guild is None:
                continue
            try:
                await ensure_members(guild)
                discord_role = guild.get_role(record.serving_role_id)
                if discord_role is None:
                    continue
                for member in list(discord_role.members):
                    await self._set_role(member, discord_role, give=False)
            except discord.HTTPException:
                log.warning("Could not tidy a temporary rotation role after a restart")

    async def close(self) -> None:
        """Finish background work before the database closes (the bot is stopping)."""
        pending = [task for task in self._background if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=5)
        for task in pending:
            task.cancel()

    async def member_forgotten(self, event: MemberForgotten) -> None:
        """After forget-me: take the member out of every rotation here (their rows are gone)
        and ask someone else for any turn they had. Runs in the background, so the member's
        confirmation is answered at once."""
        task = asyncio.create_task(self._forget(event.guild_id, event.who))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _forget(self, guild_id: int, who: Pseudonym) -> None:
        try:
            await self._forget_in_groups(guild_id, who)
        except Exception:
            log.exception("Could not take a forgotten member out of the rotation")

    async def _forget_in_groups(self, guild_id: int, who: Pseudonym) -> None:
        for group_id in await self._repo.group_ids_in_guild(guild_id):
            group = await self._store.groups.by_id(group_id)
            if group is None:
                continue
            async with self._lock(group.id):
                circle = await self._circle(group)
                member = circle.members.get(who)
                if member is not None:
                    for name in circle.records:
                        if (discord_role := self._volunteers_role(circle, name)) is not None:
                            await self._set_role(member, discord_role, give=False)
                    circle = await self._circle(group)
                vacant = circle.vacated + [
                    rr.rules.name
                    for rr in circle.rotation.roles
                    if rr.upcoming is not None and rr.upcoming.who is None and rr.volunteers
                ]
                rotation, asks = self._fill(circle, circle.rotation, (), vacant)
                await self._repo.save(group.id, rotation)
            await self._announce(circle, [a for a in asks if isinstance(a, core.AskToServe)])


def _swap_refusal(reason: core.RotationRefusal, title: str) -> str:
    if reason is core.RotationRefusal.NOT_ELIGIBLE:
        return (
            f"The swap would give the next {title} turn to someone the group's format doesn't "
            "allow to take it yet, so nothing changed."
        )
    if reason is core.RotationRefusal.NOT_A_VOLUNTEER:
        return f"Both of you need to be in the {title} rotation to swap. Nothing changed."
    return "That swap can't be done. Nothing changed."
