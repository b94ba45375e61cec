"""Who is in the rotation: ``/rotation join``, ``leave`` and ``show``.

Joining gives the member the role's "… rotation" Discord role (created the first time), leaving
takes it away and deletes what the bot kept about their turns; a turn they had passes on.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core import rotation as core
from bot.core.formats import CompiledFormat
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.wording import then
from bot.errors import NotAllowed
from bot.i18n import Msg, render
from bot.runtime.rotation import texts
from bot.runtime.rotation.circle import Circle, Circles, member_facts, rotating_roles
from bot.runtime.rotation.port import User


@lazy_dataclass(frozen=True)
class RoleOrder:
    """One role's line in ``/rotation show``: display names, read from Discord just now."""

    rotation_id: int | None
    title: str
    names: tuple[str, ...]  # the expected order of turns from the next meeting on
    asked: str | None  # who was asked for the next meeting, if anyone
    waiting: int  # volunteers not eligible yet (new to the server, or the format's days)


@lazy_dataclass(frozen=True)
class Shown:
    group_id: int
    next_meeting: int
    roles: tuple[RoleOrder, ...]


@lazy_dataclass(frozen=True)
class Choice:
    value: str
    name: str


def role_choices(plan: CompiledFormat) -> list[Choice]:
    return [Choice(role.id, role.title) for role in rotating_roles(plan)]


class Roster:
    def __init__(self, circles: Circles) -> None:
        self._c = circles

    async def _discord_roles(self, circle: Circle, role: str) -> int:
        """The role's "… rotation" and "… today" Discord roles, created if missing; the
        "… rotation" one's id."""
        group = circle.group
        known = circle.records.get(role)
        title = circle.title(role)
        place = texts.where(self._c.port.channel_name(group), texts.THE_GROUP)
        locale = await self._c.locale(group)  # the server sees the roles: the group's language
        volunteers, serving = await self._c.port.ensure_roles(
            group,
            [
                (
                    known.volunteers_role_id if known else None,
                    render(locale, texts.volunteers_role_name(title, place))[:100],
                ),
                (
                    known.serving_role_id if known else None,
                    render(locale, texts.serving_role_name(title, place))[:100],
                ),
            ],
        )
        record = known or await self._c.repo.role(group.id, role)
        if (volunteers, serving) != (record.volunteers_role_id, record.serving_role_id):
            await self._c.repo.set_discord_roles(
                record.id, volunteers_role_id=volunteers, serving_role_id=serving
            )
            record = replace(record, volunteers_role_id=volunteers, serving_role_id=serving)
        circle.records[role] = record
        return volunteers

    async def choices_here(self, channel_id: int | None) -> list[Choice]:
        group = await self._c.group_here(channel_id)
        return role_choices(await self._c.formats.current(group))

    async def join(
        self,
        channel_id: int | None,
        user: User,
        role: str | None,
        weekdays: frozenset[int] = frozenset(),
        trained: bool | None = None,
    ) -> Msg:
        """Volunteer for ``role``; ``trained``: the member says (of themself only: the person
        is whoever pressed or typed) whether they have done the group's training for it."""
        c = self._c
        group = await c.group_here(channel_id)
        person = c.port.person(group, user)
        if not person.in_group:
            raise NotAllowed(texts.NOT_IN_GROUP)
        async with c.lock(group.id):
            circle = await c.circle(group)
            name = c.rule(circle, role)
            title = circle.title(name).lower()
            rules = circle.rotation.role(name).rules
            if rules.elected:
                raise NotAllowed(texts.elected_not_rotated(title))
            volunteers = await self._discord_roles(circle, name)
            if not isinstance(rules.term, core.WeekdayRoster):
                weekdays = frozenset()  # only a weekly roster asks for a day
            already = person.who in circle.rotation.role(name).volunteers
            rotation = core.join(
                circle.rotation, name, person.who, weekdays=weekdays, trained=trained
            )
            rotation, asks = c.fill(circle, rotation, (), circle.vacated)
            posted = await c.save(group, rotation, asks)
            if not await c.port.set_role(group, person.user_id, volunteers, give=True):
                dropping = () if posted is None else (posted,)
                await c.save(group, circle.rotation, dropping=dropping)
                raise NotAllowed(texts.ROLE_NOT_GIVEN)
        await c.announce(posted)
        needed = rules.eligibility.trained_only
        said = rotation.role(name).volunteers[person.who].trained
        about_training = texts.training(title, trained, needed and not said)
        if already:
            answer = texts.already_joined(title)
        else:
            facts = member_facts(person, c.clock.now())
            answer = texts.joined(
                title,
                rules.eligibility.min_days_in_server,
                facts.days_in_server,
                facts.first_meeting,
            )
        return answer if about_training is None else then(answer, about_training)

    async def leave(self, channel_id: int | None, user: User, role: str | None) -> Msg:
        c = self._c
        group = await c.group_here(channel_id)
        person = c.port.person(group, user)
        who = person.who
        async with c.lock(group.id):
            circle = await c.circle(group)
            names = [c.rule(circle, role)] if role is not None else None
            left = [
                rr.rules.name
                for rr in circle.rotation.roles
                if who in rr.volunteers and (names is None or rr.rules.name in names)
            ]
            if not left:
                return texts.NOT_IN_ROTATION
            rotation = circle.rotation
            effects: list[core.RotationEffect] = []
            for name in left:
                rotation, more = core.leave(rotation, who, name)
                effects += more
            rotation, asks = c.fill(circle, rotation, effects, circle.vacated)
            posted = await c.save(group, rotation, asks)
            for name in left:
                if (role_id := circle.volunteers_role(name)) is not None:
                    await c.port.set_role(group, person.user_id, role_id, give=False)
        await c.announce(posted)
        titles = [circle.title(name).lower() for name in left]
        vacated = any(isinstance(effect, core.TurnVacated) for effect in effects)
        return texts.left(titles, vacated)

    async def show(self, channel_id: int | None) -> Shown:
        c = self._c
        group = await c.group_here(channel_id)
        circle = await c.read(group)
        meeting = circle.next_meeting
        orders = []
        for rr in circle.rotation.roles:
            name = rr.rules.name
            order = core.upcoming_order(
                circle.rotation, name, meeting, circle.facts, weekday=circle.weekday
            )
            up = rr.upcoming
            asked = None
            if up is not None and up.meeting == meeting:
                named = [circle.members[w].name for w in up.holders if w in circle.members]
                asked = ", ".join(named) or None
            record = circle.records.get(name)
            orders.append(
                RoleOrder(
                    rotation_id=record.id if record is not None else None,
                    title=circle.title(name),
                    names=tuple(circle.members[who].name for who in order),
                    asked=asked,
                    waiting=len(set(rr.volunteers) - set(order)),
                )
            )
        return Shown(group.id, meeting, tuple(orders))

    async def role_for_button(self, rotation_id: int) -> tuple[int, str]:
        """The group's channel and the role behind a Join / Leave button."""
        record = await self._c.repo.role_by_id(rotation_id)
        if record is None:
            raise NotAllowed(texts.ROTATION_GONE)
        group = await self._c.group_by_id(record.group_id)
        return group.channel_id, record.role
