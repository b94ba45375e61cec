"""Service reminders: whoever is asked to serve may press **Remind me** under the announcement,
and is then reminded privately the evening before (18:00 in the group's zone, the day before)
and an hour before the group's next scheduled meeting, with **I'll do it** / **Can't make it**.

The wish is a flag on the turn's row (:meth:`bot.store.rotation.RotationRepository.
want_reminders`): nothing else is kept about who asked or answered, and the flag goes with the
turn (it passes on, the meeting is held). The reminders are durable deadlines keyed by the
rotation role, the meeting and the moment, so they are re-armed at every start; when one fires
it reminds only if the same turn still wants it, so a turn passed or a meeting held since
reminds nobody. **Can't make it** also cancels them outright. Without a schedule there is no
time to remind at, and the answer says so. A private message refused (closed DMs) is logged,
never claimed as sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from bot.errors import NotAllowed
from bot.i18n import Msg
from bot.runtime.clock import time_zone
from bot.runtime.rotation import texts
from bot.runtime.rotation.circle import Circles
from bot.runtime.rotation.port import User
from bot.runtime.rotation.when import NextMeeting
from bot.runtime.scheduler import Scheduler

log = logging.getLogger(__name__)

REMIND_DEADLINE = "rotation.remind"
#: The evening reminder: this time of day, the day before, in the group's zone.
EVENING = time(18, 0)
#: The second reminder: this long before the meeting.
BEFORE = timedelta(hours=1)
MOMENTS = ("eve", "hour")


def reminder_times(meeting: NextMeeting, zone: tzinfo) -> dict[str, datetime]:
    """When to remind, by moment: 18:00 the day before where the group is (``zone``), and an
    hour before."""
    day_before = meeting.local.date() - timedelta(days=1)
    evening = datetime.combine(day_before, EVENING, tzinfo=zone)
    return {"eve": evening, "hour": meeting.at - BEFORE}


def _key(rotation_id: int, meeting: int, moment: str, seat: int = 0) -> str:
    return f"{rotation_id}:{meeting}:{moment}" + (f":{seat}" if seat else "")


class Reminders:
    def __init__(self, circles: Circles, scheduler: Scheduler | None) -> None:
        self._c = circles
        self._scheduler = scheduler
        if scheduler is not None:
            scheduler.register(REMIND_DEADLINE, self.remind)

    async def opt_in(self, group_id: int, meeting: int, user: User) -> Msg:
        """**Remind me**: the presser's turns for ``meeting`` will be reminded of."""
        c = self._c
        group = await c.group_by_id(group_id)
        who = c.port.person(group, user).who
        async with c.lock(group.id):
            circle = await c.circle(group)
            mine = [
                (rr.rules.name, rr.upcoming.seats.index(who))
                for rr in circle.rotation.roles
                if rr.upcoming is not None
                and rr.upcoming.meeting == meeting
                and who in rr.upcoming.seats
            ]
            if not mine:
                raise NotAllowed(texts.NOT_YOUR_TURN)
            upcoming = circle.upcoming
            schedule = await c.store.schedules.get(group.id)
            if upcoming is None or schedule is None or self._scheduler is None:
                return texts.NO_SCHEDULE_TO_REMIND
            now = c.clock.timestamp()
            when = reminder_times(upcoming, time_zone(schedule.spec.zone))
            times = {m: at for m, at in when.items() if at.timestamp() > now}
            for name, seat in mine:
                record = circle.records[name]
                if not await c.repo.want_reminders(record.id, meeting, who, seat):
                    raise NotAllowed(texts.NOT_YOUR_TURN)
                for moment, at in times.items():
                    payload = {"rotation": record.id, "meeting": meeting, "moment": moment}
                    await self._scheduler.schedule(
                        REMIND_DEADLINE,
                        _key(record.id, meeting, moment, seat),
                        at.timestamp(),
                        {**payload, "seat": seat} if seat else payload,
                    )
        return texts.will_remind(upcoming.local, sorted(times))

    async def cancel(self, seats: Iterable[tuple[int, int]], meeting: int) -> None:
        """The turn passed on: the reminders of these (rotation id, seat)s go."""
        if self._scheduler is None:
            return
        for rotation_id, seat in seats:
            for moment in MOMENTS:
                key = _key(rotation_id, meeting, moment, seat)
                await self._scheduler.cancel(REMIND_DEADLINE, key)

    async def remind(self, payload: Mapping[str, Any]) -> None:
        """A reminder is due: remind whoever still holds the turn and asked for it."""
        c = self._c
        rotation_id, meeting = int(payload["rotation"]), int(payload["meeting"])
        found = await c.repo.turn_to_remind(rotation_id, meeting, int(payload.get("seat", 0)))
        if found is None:
            return  # passed on, or the meeting was held, since
        group_id, who = found
        group = await c.store.groups.by_id(group_id)
        record = await c.repo.role_by_id(rotation_id)
        if group is None or record is None:
            return
        await c.port.ready()
        people = await c.port.find(group, [who], {})
        if who not in people:
            return
        plan = await c.formats.current(group)
        compiled = plan.role(record.role)
        title = (compiled.title if compiled is not None else record.role).lower()
        place = texts.where(c.port.channel_name(group), texts.YOUR_GROUP)
        duties = compiled.duties if compiled is not None else ""
        text = texts.reminder(title, place, evening=payload.get("moment") == "eve", duties=duties)
        sent = await c.dm(group, people[who].user_id, text, ask_for_meeting=meeting)
        if not sent:
            log.info("A service reminder could not be delivered (DMs closed)")
