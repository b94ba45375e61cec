"""When the rotation's next meeting is, in the group's own time zone: its weekday picks among a
``by-weekday`` roster's volunteers, and the announcement names its day."""

from __future__ import annotations

from datetime import datetime

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.schedule.occurrences import next_occurrence
from bot.core.wording import day_and_month
from bot.i18n import Msg
from bot.runtime.clock import time_zone
from bot.store import Store


@lazy_dataclass(frozen=True)
class NextMeeting:
    """The group's next scheduled meeting: its instant and the wall time where the group is."""

    at: datetime
    local: datetime

    @property
    def weekday(self) -> int:
        """0 = Monday, in the group's time zone."""
        return self.local.weekday()

    @property
    def day(self) -> Msg:
        """ "Tuesday 14 May", in the group's time zone (rendered in the reader's language)."""
        return day_and_month(self.local)


async def next_meeting(store: Store, group_id: int, now: datetime) -> NextMeeting | None:
    """The group's next meeting after ``now`` from its schedule (None without one)."""
    row = await store.schedules.get(group_id)
    if row is None:
        return None
    occurrence = next_occurrence(row.spec.schedule(), time_zone(row.spec.zone), now)
    return None if occurrence is None else NextMeeting(occurrence.at, occurrence.local)
