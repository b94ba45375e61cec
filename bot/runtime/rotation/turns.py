"""Answers to the announced turns: **I'll do it**, **Can't make it**, and swaps between two
volunteers (asked privately; asking back is agreeing).

The membership rule (one for the whole rotation, :func:`bot.guild.in_group` through the port):
joining, offering to serve and swapping are for members of the group; stepping back — leaving,
**Can't make it**, declining a swap — is open to anyone, so nobody is ever stuck with a turn.

Sharded, a press in a direct message (a reminder's or a swap request's buttons) reaches the
process holding shard 0, whoever's group it is (Discord sends every direct message there). That
process can't see another process's server — its members, roles and channel — so it answers
kindly where the same answer works (the announcement's buttons, ``/rotation swap`` in the
group's channel) and changes nothing."""

from __future__ import annotations

from bot.core import rotation as core
from bot.core.pseudonyms import Pseudonym
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import Msg
from bot.runtime.rotation import texts
from bot.runtime.rotation.circle import Circles
from bot.runtime.rotation.port import User
from bot.runtime.rotation.reminding import Reminders
from bot.store.groups import GroupRecord

#: A swap request nobody answered is forgotten after this long (clock seconds).
SWAP_LIFETIME_SECONDS = 2 * 86400.0


class Turns:
    def __init__(self, circles: Circles, reminders: Reminders) -> None:
        self._c = circles
        self._reminders = reminders

    async def will_serve(self, group_id: int, meeting: int, user: User) -> Msg | str:
        c = self._c
        group = await c.group_by_id(group_id)
        await self._here(group, texts.SERVE_IN_THE_CHANNEL)
        circle = await c.read(group)
        person = c.port.person(group, user)
        if not person.in_group:
            raise NotAllowed(texts.NOT_IN_GROUP)
        who = person.who
        names = [
            rr.rules.name
            for rr in circle.rotation.roles
            if rr.upcoming is not None
            and rr.upcoming.meeting == meeting
            and who in rr.upcoming.seats
        ]
        if not names:
            raise NotAllowed(texts.NOT_YOUR_TURN_OFFER)
        mine = [circle.title(name).lower() for name in names]
        duties = [(title, c.duties(circle, name)) for title, name in zip(mine, names, strict=True)]
        return texts.will_serve(mine, duties)

    async def _here(self, group: GroupRecord, elsewhere: Msg) -> None:
        """Another process's group (a press in a direct message): refused with ``elsewhere``,
        the way that works, before anything changes."""
        if not await self._c.owns_group(group.id):
            raise NotAllowed(elsewhere)

    async def cant_make_it(self, group_id: int, meeting: int, user: User) -> Msg:
        c = self._c
        group = await c.group_by_id(group_id)
        await self._here(group, texts.CANT_MAKE_IT_IN_THE_CHANNEL)
        who = c.port.person(group, user).who
        async with c.lock(group.id):
            circle = await c.circle(group)
            rotation = circle.rotation
            effects: list[core.RotationEffect] = []
            passed: list[tuple[int, int]] = []
            for rr in circle.rotation.roles:
                up = rr.upcoming
                if up is not None and up.meeting == meeting and who in up.seats:
                    if rr.rules.name in circle.records:
                        passed.append((circle.records[rr.rules.name].id, up.seats.index(who)))
                    rotation, more = core.cant_make_it(rotation, rr.rules.name, who)
                    effects += more
            if not effects:
                raise NotAllowed(texts.NOT_YOUR_TURN)
            rotation, asks = c.fill(circle, rotation, effects, circle.vacated)
            posted = await c.save(group, rotation, asks)
            await self._reminders.cancel(passed, meeting)
        await c.announce(posted)
        return texts.CANT_MAKE_IT

    # --- swaps ------------------------------------------------------------------------------

    async def ask_swap(
        self, channel_id: int | None, asker_user: User, partner_user: User, role: str | None
    ) -> Msg:
        c = self._c
        group = await c.group_here(channel_id)
        asker = c.port.person(group, asker_user)
        partner = c.port.person(group, partner_user)
        if partner.user_id == asker.user_id:
            raise InvalidInput(texts.SWAP_WITH_SELF)
        if not asker.in_group:
            raise NotAllowed(texts.NOT_IN_GROUP)
        if not partner.in_group:
            raise NotAllowed(texts.partner_not_in_group(partner.name))
        circle = await c.read(group)
        name = c.rule(circle, role)
        title = circle.title(name).lower()
        volunteers = circle.rotation.role(name).volunteers
        mine, theirs = asker.who, partner.who
        if mine not in volunteers:
            raise NotAllowed(texts.not_a_volunteer(title))
        if theirs not in volunteers:
            raise NotAllowed(texts.partner_not_a_volunteer(partner.name, title))
        record = circle.records[name]
        now = c.clock.timestamp()
        mirrored = await c.repo.swap_between(record.id, theirs, mine, now)
        if mirrored is not None:
            # They asked first: asking back is agreeing.
            return await self._do_swap(group, mirrored.id, name, theirs, mine, agreed_by=mine)
        swap_id = await c.repo.ask_swap(record.id, mine, theirs, now + SWAP_LIFETIME_SECONDS)
        place = texts.where(c.port.channel_name(group), texts.YOUR_GROUP)
        asked = await c.dm(
            group, partner.user_id, texts.swap_request(asker.name, place, title), swap=swap_id
        )
        if not asked:
            return texts.swap_not_delivered(partner.name)
        return texts.swap_asked(partner.name, title)

    async def answer_swap(self, swap_id: int, user: User, accept: bool) -> Msg:
        c = self._c
        request = await c.repo.swap_request(swap_id, c.clock.timestamp())
        group = None if request is None else await c.store.groups.by_id(request.group_id)
        if request is None or group is None:
            raise NotAllowed(texts.SWAP_GONE)
        await self._here(group, texts.SWAP_IN_THE_CHANNEL if accept else texts.SWAP_LAPSES)
        who = c.port.person(group, user).who
        if who != request.partner:
            raise NotAllowed(texts.SWAP_NOT_YOURS)
        if not accept:
            if await c.repo.close_swap(request.id):
                asker = await c.port.find(group, [request.asker], {})
                if request.asker in asker:
                    await c.dm(group, asker[request.asker].user_id, texts.SWAP_DECLINED_DM)
            return texts.SWAP_DECLINED
        return await self._do_swap(
            group, request.id, request.role, request.asker, request.partner, agreed_by=who
        )

    async def _do_swap(
        self,
        group: GroupRecord,
        swap_id: int,
        role: str,
        asker: Pseudonym,
        partner: Pseudonym,
        *,
        agreed_by: Pseudonym,
    ) -> Msg:
        c = self._c
        async with c.lock(group.id):
            circle = await c.circle(group)
            title = circle.title(role).lower()
            both = [circle.members.get(asker), circle.members.get(partner)]
            if any(person is None or not person.in_group for person in both):
                raise NotAllowed(texts.SWAP_NOT_MEMBERS)
            try:
                rotation, effects = core.swap(circle.rotation, role, asker, partner, circle.facts)
            except core.RotationError as error:
                raise NotAllowed(texts.swap_refusal(error.reason, title)) from None
            if not await c.repo.close_swap(swap_id):
                raise NotAllowed(texts.SWAP_ANSWERED)
            rotation, asks = c.fill(circle, rotation, (), circle.vacated)
            effects += asks
            posted = await c.save(group, rotation, effects)
        await c.announce(posted)
        other = asker if agreed_by == partner else partner
        found = await c.port.find(group, [other], {})
        if other in found:
            await c.dm(group, found[other].user_id, texts.swap_done_dm(title))
        return texts.swap_done(title)
