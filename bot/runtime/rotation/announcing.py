"""Who is up next, announced durably: written with the turns, posted once after the commit.

A change that asks someone to serve (a counted meeting, **Can't make it**, a swap, a volunteer
who leaves or is forgotten) writes its announcement in the same transaction as the new turns
(:func:`stage`, :meth:`bot.store.rotation.RotationRepository.save`), together with the deadline
:data:`ANNOUNCE_DEADLINE`. After the commit :meth:`Announcer.deliver` posts it and deletes it; if
the bot dies in between, the deadline fires at the next start and :meth:`Announcer.drain` posts
what is left. A post Discord fails for now is tried again with a growing delay; one Discord
refuses for good (the bot may not post there, the channel is gone) is dropped and logged.

Exactly once: the post carries Discord's enforced nonce, made from the announcement's random key
and its words (:mod:`bot.adapters.sending`), so a retry after a crash between posting and
deleting the row creates no second message. The words are made when the post goes out, from the
rotation as it is then: a line whose turn has since passed to someone else (or a meeting since
held) is left out, so an announcement posted late never asks the wrong person. One process posts
it at a time: in one, by the in-memory ``_in_flight`` set; across processes (one taking over
the shards of another that died), by ``Database.hold`` on its row.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.core import rotation as core
from bot.core.pseudonyms import Pseudonym
from bot.i18n import SOURCE, Msg, render_lines
from bot.runtime.rotation import texts
from bot.runtime.rotation.port import Person
from bot.runtime.scheduler import Scheduler
from bot.store.rotation import PendingAnnouncement, Staged

if TYPE_CHECKING:
    from bot.runtime.rotation.circle import Circle, Circles

log = logging.getLogger(__name__)

ANNOUNCE_DEADLINE = "rotation.announce"
#: The table whose rows ``Database.hold`` claims, one per announcement.
ANNOUNCEMENTS_TABLE = "rotation_announcements"
ANNOUNCE_KEY = "post"
#: Real seconds before a failed post is tried again: 5 s, 10 s, 20 s … at most an hour.
RETRY_BASE = 5.0
RETRY_MAX = 3600.0


def stage(effects: Iterable[core.RotationEffect], *, passed_on: bool, now: float) -> Staged | None:
    """The announcement of these effects' asks, to write with the turns (None: nothing to say).

    Only coded keys, role ids and meeting numbers; a random key for Discord's nonce."""
    lines: list[dict[str, Any]] = []
    for effect in effects:
        if isinstance(effect, core.AskToServe):
            line: dict[str, Any] = {
                "role": effect.role,
                "meeting": effect.meeting,
                "who": str(effect.who),
                "continuing": effect.continuing,
            }
            if effect.seat:
                line["seat"] = effect.seat
            if effect.covering:
                line["covering"] = True
            lines.append(line)
        elif isinstance(effect, core.AnyoneMayServe):
            line = {"role": effect.role, "meeting": effect.meeting, "who": None}
            if effect.seat:
                line["seat"] = effect.seat
            lines.append(line)
    if not lines:
        return None
    payload = {"key": secrets.token_hex(8), "passed_on": passed_on, "lines": lines}
    return Staged(payload, (ANNOUNCE_DEADLINE, ANNOUNCE_KEY), now)


def words(
    circle: Circle, payload: Mapping[str, Any], locale: str = SOURCE
) -> tuple[str, list[Person], int | None]:
    """The announcement's text as the rotation stands now (in ``locale``, the group's
    language), whom it pings, and the meeting its buttons answer for ("" if every line has gone
    stale)."""
    upcoming = {rr.rules.name: rr.upcoming for rr in circle.rotation.roles}
    lines: list[Msg] = []
    ping: list[Person] = []
    meeting: int | None = None
    for line in payload.get("lines", ()):
        role, number, who = str(line["role"]), int(line["meeting"]), line.get("who")
        seat = int(line.get("seat", 0))
        up = upcoming.get(role)
        if up is None or up.meeting != number or seat >= len(up.seats):
            continue  # the turn has been answered some other way, or the meeting was held
        if who is None:
            compiled = circle.plan.role(role)
            if up.seats[seat] is None and compiled is not None and compiled.elected:
                fallback = compiled.fallback
                covering = None if fallback.role is None else circle.title(fallback.role)
                lines.append(texts.unelected_line(compiled.title, fallback.kind.value, covering))
            elif up.seats[seat] is None:
                lines.append(texts.anyone_line(circle.title(role)))
            continue
        person = circle.members.get(Pseudonym(str(who)))
        if up.seats[seat] != who or person is None:
            continue  # passed on to someone else since, or they are out of the rotation
        ping.append(person)
        meeting = number
        title = circle.title(role)
        if line.get("covering") and (named := circle.plan.role(role)) and named.substitute:
            lines.append(texts.covering_line(title, person.mention, circle.title(named.substitute)))
            continue
        lines.append(texts.asked_line(title, person.mention, bool(line.get("continuing"))))
    if not lines:
        return "", [], None
    asking = bool(ping)
    passed_on = bool(payload.get("passed_on", True))
    day = None if circle.upcoming is None else circle.upcoming.local
    text = texts.announcement(lines, passed_on=passed_on, asking=asking, day=day)
    return render_lines(locale, text), ping, meeting


class Announcer:
    """Posts the announcements the rotation wrote, once each (see the module docstring)."""

    def __init__(self, circles: Circles, scheduler: Scheduler | None) -> None:
        self._c = circles
        self._scheduler = scheduler
        self._in_flight: set[int] = set()
        if scheduler is not None:
            scheduler.register(ANNOUNCE_DEADLINE, self.drain)

    async def deliver(self, ids: Sequence[int | None]) -> None:
        """Post these announcements (written just now), each by one path at a time. (The
        deadline written with them stays in the database only: it is for the next start.)"""
        c = self._c
        delivered = False
        for announcement_id in ids:
            if announcement_id is None or announcement_id in self._in_flight:
                continue
            self._in_flight.add(announcement_id)
            try:
                delivered = await self._deliver_held(announcement_id) or delivered
            finally:
                self._in_flight.discard(announcement_id)
        dropped = delivered and await c.repo.drop_idle_deadline(ANNOUNCE_DEADLINE, ANNOUNCE_KEY)
        if dropped and self._scheduler is not None:
            await self._scheduler.refresh([(ANNOUNCE_DEADLINE, ANNOUNCE_KEY)])

    async def drain(self, payload: Mapping[str, Any] | None = None) -> None:
        """Post whatever is left: after a restart (the deadline is due at once), or to retry."""
        await self._c.port.ready()
        pending = await self._mine()
        if pending:
            log.info("Posting %d rotation announcement(s) still waiting", len(pending))
        await self.deliver([row.id for row in pending])
        if await self._mine():
            # Some are being posted by another path right now (or wait for a retry): keep a
            # deadline armed, so this one completing never leaves them without one.
            await self._retry_later(0)

    async def _mine(self) -> list[PendingAnnouncement]:
        """The announcements of this process's groups (sharded: another's are left to it)."""
        rows = await self._c.repo.announcements()
        return [row for row in rows if await self._c.owns_group(row.group_id)]

    async def _deliver_held(self, announcement_id: int) -> bool:
        """Post one while this process holds it (``Database.hold``: across processes, as when
        one takes over the shards of another that died, one posts it; the claim of a process
        that died is let go by the server)."""
        db = self._c.store.db
        if not await db.hold(ANNOUNCEMENTS_TABLE, announcement_id):
            return False  # another live process is posting it right now
        try:
            return await self._deliver_one(announcement_id)
        finally:
            await db.let_go(ANNOUNCEMENTS_TABLE, announcement_id)

    async def _deliver_one(self, announcement_id: int) -> bool:
        """True once it is posted or there is nothing left to post; False if it waits."""
        c = self._c
        row = await c.repo.announcement(announcement_id)
        if row is None:
            return True  # posted already
        group = await c.store.groups.by_id(row.group_id)
        if group is None:
            await c.repo.announced(announcement_id)
            return True
        try:
            circle = await c.read(group)
            text, ping, meeting = words(circle, row.payload, await c.locale(group))
            posted = not text or await c.port.announce(
                group,
                text,
                key=str(row.payload.get("key", announcement_id)),
                ping=ping,
                ask_for_meeting=meeting if ping else None,
            )
        except Exception as error:
            if not await c.store.db.still_holds(ANNOUNCEMENTS_TABLE, announcement_id):
                return False  # another process took it over: its outcome to save
            await c.repo.not_announced_yet(announcement_id)
            await self._retry_later(row.attempts)
            log.warning(
                "The rotation's announcement could not be posted (%s); trying again later",
                type(error).__name__,
            )
            return False
        if not await c.store.db.still_holds(ANNOUNCEMENTS_TABLE, announcement_id):
            return False  # (as above)
        if not posted:
            log.warning("Discord refused the rotation's announcement; it was dropped")
        await c.repo.announced(announcement_id)
        return True

    async def _retry_later(self, attempts: int) -> None:
        if self._scheduler is None:
            return
        clock = self._c.clock
        now = clock.timestamp()
        retry_at = now + min(RETRY_MAX, RETRY_BASE * 2**attempts) * clock.rate
        armed = await self._c.store.deadlines.get(ANNOUNCE_DEADLINE, ANNOUNCE_KEY)
        # (One already due is the one firing now: it is gone when its handler returns.) One
        # deadline posts every waiting announcement: only ever bring it forward.
        if armed is None or armed.due_at <= now or retry_at < armed.due_at:
            await self._scheduler.schedule(ANNOUNCE_DEADLINE, ANNOUNCE_KEY, retry_at, {})
