"""The rotation at meetings: who serves when a meeting starts, the temporary "… today" roles while
it runs, who served when it counts, and tidying up after a restart or a forget-me.

* :meth:`Serving.roles_for_meeting` is the meeting service's
  :class:`~bot.runtime.meetings.RoleSource`: the person announced for this meeting holds the
  role; with nobody announced the starter chairs. If the announced chair did not start the
  meeting and is not in its voice channel, they get five minutes to arrive before anyone can
  press **Step in as chair**.
* :meth:`Serving.meeting_stepped` (on :class:`~bot.runtime.events.MeetingStepped`) gives the
  "… today" role to whoever holds each rotating role, moves it when someone steps in, and takes
  it back when the meeting ends.
* :meth:`Serving.meeting_counted` (on :class:`~bot.runtime.events.MeetingCounted`, carried
  durably: the event says who served) records who served and announces who is up next, once
  per meeting number: delivered again after a crash, it finds the next turns already announced
  and does nothing (their announcement was written with them: the announcer posts it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import field
from datetime import UTC, datetime

from bot.core import rotation as core
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting import Status
from bot.core.pseudonyms import Pseudonym
from bot.runtime.events import MeetingCounted, MeetingStepped, MemberForgotten, ServiceElected
from bot.runtime.live import CHAIR, CHAIR_AWAY_SECONDS, LiveMeeting, LiveMeetings, StartingRoles
from bot.runtime.markup import first_name, when
from bot.runtime.rotation import texts
from bot.runtime.rotation.circle import Circle, Circles, rotating_roles
from bot.store.groups import GroupRecord
from bot.store.rotation_seats import Elected

log = logging.getLogger(__name__)

#: The announced chair has this long (clock seconds) after the start before anyone steps in.
STEP_IN_AFTER_SECONDS = 300.0


@lazy_dataclass(frozen=True)
class _Start:
    """What the role source decided, for the first step of the meeting it started."""

    starter: Pseudonym | None  # None: the schedule opened the meeting
    chair: Pseudonym
    waiting_for_chair: bool  # the announced chair neither started the meeting nor is there
    #: (role, who was announced or None, who stands in): a role's ``substitute`` covering.
    standing_in: tuple[tuple[str, Pseudonym | None, Pseudonym], ...] = ()


@lazy_dataclass
class _Tracked:
    """A meeting under way: the temporary roles it uses and who holds them now."""

    serving: dict[str, int]  # format role id -> the Discord "… today" role id
    given: dict[str, frozenset[Pseudonym]] = field(default_factory=dict)


def _recorded(rotation: core.Rotation, role: str, who: Pseudonym, number: int) -> bool:
    """Has ``who`` already been recorded as serving ``role`` at meeting ``number`` or later?"""
    for rr in rotation.roles:
        volunteer = rr.volunteers.get(who) if rr.rules.name == role else None
        if volunteer is not None and volunteer.last_served is not None:
            return volunteer.last_served >= number
    return False


def _roles_of(live: LiveMeeting) -> list[str]:
    return [role.id for role in rotating_roles(live.plan)]


class Serving:
    def __init__(self, circles: Circles, meetings: LiveMeetings) -> None:
        self._c = circles
        self._meetings = meetings
        self._starting: dict[int, _Start] = {}  # group id -> the meeting being started
        self._tracked: dict[int, _Tracked] = {}  # meeting id -> its temporary roles
        self._background: set[asyncio.Task[None]] = set()

    # --- a meeting starts ---------------------------------------------------------------------

    async def roles_for_meeting(
        self, group: GroupRecord, starter: Pseudonym | None
    ) -> StartingRoles:
        """The meeting service's role source: the announced people serve; by default (an
        empty rotation, nobody announced, or the announced chair gone) the starter chairs — or,
        for a meeting its schedule opened (no starter), nobody until a member steps in."""
        roles: dict[str, list[Pseudonym]] = {}
        waiting = False
        standing_in: list[tuple[str, Pseudonym | None, Pseudonym]] = []
        try:
            if await self._c.repo.roles(group.id):
                circle = await self._c.read(group)
                number = circle.next_meeting
                for rr in circle.rotation.roles:
                    up = rr.upcoming
                    if up is not None and up.meeting == number:
                        holders = [w for w in up.holders if w in circle.facts]
                        if holders:
                            roles[rr.rules.name] = holders
                chair = roles.get(CHAIR, [starter])[0]
                waiting = chair not in (starter, None) and not self._present(circle, chair)
                standing_in = self._substitutes(circle, roles, starter, waiting)
                waiting = waiting and not any(role == CHAIR for role, _, _ in standing_in)
        except Exception:
            log.exception("The rotation could not be read; whoever starts the meeting chairs")
        if starter is not None:
            roles.setdefault(CHAIR, [starter])
        if roles.get(CHAIR):
            self._starting[group.id] = _Start(starter, roles[CHAIR][0], waiting, tuple(standing_in))
        # The announced chair has a few minutes to arrive before anyone steps in.
        grace = STEP_IN_AFTER_SECONDS - CHAIR_AWAY_SECONDS if waiting else 0.0
        return StartingRoles(roles, chair_arrives_within=grace)

    def _substitutes(
        self,
        circle: Circle,
        roles: dict[str, list[Pseudonym]],
        starter: Pseudonym | None,
        chair_absent: bool,
    ) -> list[tuple[str, Pseudonym | None, Pseudonym]]:
        """A role whose announced holder is gone (out of the rotation or the group), or whose
        holder isn't here while the substitute role's holder is: the holder of the role's
        ``substitute`` takes it. For the chair, here is having started the meeting or being in
        its voice channel; for another role only the voice channel tells (in a text channel
        nobody can know who is here before they take part, so the announced holder keeps the
        turn). Changes ``roles``; says who stood in for whom."""
        standing_in: list[tuple[str, Pseudonym | None, Pseudonym]] = []
        for rr in circle.rotation.roles:
            name, named = rr.rules.name, rr.rules.substitute
            covers = roles.get(named, []) if named is not None else []
            cover = covers[0] if covers else None
            if cover is None:
                continue
            holders = roles.get(name, [])
            if not holders:
                roles[name] = [cover]
                standing_in.append((name, None, cover))
            elif name == CHAIR:
                if chair_absent and (cover == starter or self._present(circle, cover)):
                    standing_in.append((name, holders[0], cover))
                    roles[name] = [cover]
            elif cover not in holders and self._present(circle, cover):
                away = next((w for w in holders if not self._present(circle, w)), None)
                if away is not None:  # the first seat whose holder isn't here
                    standing_in.append((name, away, cover))
                    roles[name] = [cover if w == away else w for w in holders]
        return standing_in

    def _present(self, circle: Circle, who: Pseudonym) -> bool:
        person = circle.members.get(who)
        return person is not None and self._c.port.present(circle.group, person.user_id)

    # --- while it runs ----------------------------------------------------------------------

    async def meeting_stepped(self, event: MeetingStepped) -> None:
        """Keep the temporary roles on whoever serves."""
        live = event.meeting
        tracked = self._tracked.get(live.id)
        if tracked is None:
            tracked = await self._track(live)
        if live.state.status is Status.ENDED:
            self._tracked.pop(live.id, None)
            await self._give_serving(live, tracked, {})
            return
        now_serving = {role: frozenset(live.state.holders(role)) for role in tracked.serving}
        if now_serving != tracked.given:
            await self._give_serving(live, tracked, now_serving)

    async def _track(self, live: LiveMeeting) -> _Tracked:
        c = self._c
        start = self._starting.pop(live.group.id, None)
        records = await c.repo.roles(live.group.id)
        rotated = set(_roles_of(live))
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
            began = c.clock.timestamp()
            person = (await c.port.find(live.group, [start.chair], live.names)).get(start.chair)
            name = first_name(person.name) if person is not None else texts.TODAYS_CHAIR
            deadline = datetime.fromtimestamp(began + STEP_IN_AFTER_SECONDS, tz=UTC)
            await c.post(live.group, texts.chair_on_the_way(name, when(deadline)))
        if start is not None and start.standing_in:
            await self._say_standing_in(live, start.standing_in)
        return tracked

    async def _say_standing_in(
        self, live: LiveMeeting, standing_in: tuple[tuple[str, Pseudonym | None, Pseudonym], ...]
    ) -> None:
        """Kindly, to the room: who stands in for whom today."""
        c = self._c
        wanted = {who for _, away, cover in standing_in for who in (away, cover) if who}
        people = await c.port.find(live.group, wanted, live.names)
        for role, away, cover in standing_in:
            compiled = live.plan.role(role)
            named = None if compiled is None else live.plan.role(compiled.substitute or "")
            if compiled is None or named is None or cover not in people:
                continue
            absent = people.get(away) if away is not None else None
            absent_name = first_name(absent.name) if absent is not None else None
            text = texts.standing_in_today(
                compiled.title, absent_name, first_name(people[cover].name), named.title
            )
            await c.post(live.group, text)

    async def _give_serving(
        self, live: LiveMeeting, tracked: _Tracked, holders: Mapping[str, frozenset[Pseudonym]]
    ) -> None:
        """Make the "… today" roles match who serves now (nobody, once the meeting is over)."""
        tracked.given = dict(holders)
        for role, role_id in tracked.serving.items():
            await self._c.port.hand_role(
                live.group, role_id, holders.get(role, frozenset()), live.names
            )

    # --- it counts ----------------------------------------------------------------------------

    async def meeting_counted(self, event: MeetingCounted) -> None:
        """Record who served at meeting ``number`` and announce who is up next (once: a
        repeat of the same meeting finds its next turns announced already)."""
        c = self._c
        if not await c.repo.roles(event.group_id):
            return  # nobody ever joined this group's rotation
        group = await c.store.groups.by_id(event.group_id)
        if group is None:
            return
        async with c.lock(group.id):
            circle = await c.circle(group)
            number = event.number
            # The turn counts for whoever held the role at the end (a stand-in included), unless
            # this meeting (or a later one) is already recorded for them.
            served: dict[str, list[Pseudonym]] = {}
            for role, who in event.served:
                if not _recorded(circle.rotation, role, who, number):
                    served.setdefault(role, []).append(who)
            rotation = core.record_served(circle.rotation, number, served)
            announced = any(
                rr.upcoming is not None and rr.upcoming.meeting > number
                for rr in circle.rotation.roles
            )
            if announced or not any(rr.volunteers or rr.elected for rr in rotation.roles):
                await c.repo.save(group.id, rotation)
                return
            rotation, effects = core.announce_next(
                rotation, event.number + 1, circle.facts, weekday=circle.weekday
            )
            # Who is asked, written with the turns: a crash before the post loses nothing.
            posted = await c.save(group, rotation, effects, passed_on=False)
        await c.announce(posted)

    # --- an election -------------------------------------------------------------------------

    async def service_elected(self, event: ServiceElected) -> None:
        """A business meeting elected someone to an elected role: they hold it for their term,
        from the next meeting on (its announcement, when the business meeting counts, names
        them). A role the format does not elect is not the rotation's to fill this way.

        Carried durably (the event outbox): it may come again after a crash, and changes
        nothing then; an earlier election's result never replaces a later one's."""
        c = self._c
        group = await c.store.groups.by_id(event.group_id)
        if group is None:
            return
        plan = await c.formats.current(group)
        role = plan.role(event.role)
        if role is None or not role.elected:
            return
        term = Elected(event.who, event.until_meeting, event.until, event.at)
        async with c.lock(group.id):
            await c.repo.elect(group.id, event.role, term)

    # --- after a restart, after a forget-me ---------------------------------------------------

    async def tidy_after_restart(self) -> None:
        """Take the temporary roles back from meetings that ended while the bot was away."""
        c = self._c
        for record in await c.repo.serving_roles():
            group = await c.store.groups.by_id(record.group_id)
            if group is None or record.serving_role_id is None:
                continue
            if not await c.owns_group(group.id):
                continue  # another process's group: its meeting may be under way there
            if self._meetings.in_channel(group.channel_id) is not None:
                continue  # still under way: its first step after the restart syncs the roles
            await c.port.hand_role(group, record.serving_role_id, frozenset(), {})

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
        c = self._c
        for group_id in await c.repo.group_ids_in_guild(guild_id):
            group = await c.store.groups.by_id(group_id)
            if group is None:
                continue
            async with c.lock(group.id):
                circle = await c.circle(group)
                person = circle.members.get(who)
                if person is not None:
                    for name in circle.records:
                        if (role_id := circle.volunteers_role(name)) is not None:
                            await c.port.set_role(group, person.user_id, role_id, give=False)
                    circle = await c.circle(group)
                vacant = circle.vacated + [
                    rr.rules.name
                    for rr in circle.rotation.roles
                    if rr.upcoming is not None and None in rr.upcoming.seats and rr.volunteers
                ]
                rotation, asks = c.fill(circle, circle.rotation, (), vacant)
                asking = [a for a in asks if isinstance(a, core.AskToServe)]
                posted = await c.save(group, rotation, asking)
            await c.announce(posted)

    async def close(self) -> None:
        """Finish background work before the database closes (the bot is stopping)."""
        pending = [task for task in self._background if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=5)
        for task in pending:
            task.cancel()
