"""The group's schedule at run time: meetings open themselves; Discord's Events list shows them.

* **Kept** in ``group_schedules`` (bot/store/schedules.py). Every change — at ``/group setup``,
  by ``/group schedule`` before the first meeting, or by a group decision (the decisions engine
  writes it in the decision's transaction) — is committed with a ``schedule.sync`` deadline.
* **Sync** (:meth:`ScheduleService.sync`, on that deadline): the next meeting is computed from
  the schedule (bot/core/schedule), its opening armed as the ``schedule.open`` deadline, and the
  bot's Discord event created, moved, or cancelled (a skipped date).
* **Open** (:meth:`ScheduleService._open_due`, on ``schedule.open``): the meeting service starts
  the meeting (:class:`~bot.runtime.schedule.port.Opener`); a meeting already under way (started
  by hand, or before a crash) is never started twice. The meeting it opened is noted in the same
  transaction that arms the next opening, so after a ``kill -9`` the deadline fires again, finds
  the meeting under way (or noted) and only re-arms. A meeting more than :data:`LATE_OPEN` late
  (the bot was offline) is not opened: nobody would expect it any more.
* **Events**: the bot's event shows the meeting as happening while it runs, is completed when
  it closes (``MeetingClosed``), and then the next meeting's event is made. Without the
  permission, the schedule works all the same and the group is told once which permission would
  show its meetings in Events. The bot never reads who is interested.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.schedule import (
    Occurrence,
    Schedule,
    ScheduleError,
    next_occurrence,
    next_occurrences,
    upcoming_skips,
)
from bot.core.schedule.stored import SUBJECTS, StoredSchedule, normalise
from bot.errors import InvalidInput, NoGroupHere, NotAllowed
from bot.i18n import msg
from bot.runtime.clock import Clock, time_zone, zone_name
from bot.runtime.events import MeetingClosed
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.schedule import texts
from bot.runtime.schedule.port import EventPlan, EventsNotAllowed, EventStatus, Opener, SchedulePort
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.groups import GroupRecord
from bot.store.schedules import OPEN_DEADLINE, SYNC_DEADLINE, ScheduleRow, save_in

log = logging.getLogger(__name__)

#: A scheduled meeting this late (the bot was offline at the time) is not opened any more …
LATE_OPEN = timedelta(minutes=30)
#: … or this many real seconds late, if longer: a rehearsal's fast clock (``CLOCK_RATE``) turns
#: a busy machine's few milliseconds into clock minutes.
LATE_REAL_SECONDS = 2.0
#: How many meetings ``/group schedule`` lists.
SHOWN = 5
#: A Discord event needs an end: the format's planned length, at least this.
MIN_EVENT = timedelta(minutes=30)
#: Many groups meeting at the same minute (the evening peak) open one after another, this many
#: a (real) second — each opening is a few REST calls under Discord's 50 a second — …
OPENINGS_PER_SECOND = 4.0
#: … spread over at most this share of their `before:` window (the countdown still ends on the
#: minute: a group opened later counts down for less). A group alone opens on time.
SPREAD_SHARE = 0.8
#: How many meeting instants the service remembers which groups meet at (for those places).
REMEMBERED_INSTANTS = 256


@lazy_dataclass(frozen=True)
class ScheduleView:
    """What ``/group schedule`` shows."""

    group: GroupRecord
    stored: StoredSchedule
    upcoming: list[Occurrence]
    skips: list[date]

    @property
    def empty(self) -> bool:
        return not self.stored.meetings and not self.stored.extras


class ScheduleService:
    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        scheduler: Scheduler,
        formats: FormatLibrary,
        live: LiveMeetings,
        locks: GroupLocks,
        port: SchedulePort,
        opener: Opener,
    ) -> None:
        self._store = store
        self._clock = clock
        self._scheduler = scheduler
        self._formats = formats
        self._live = live
        self._lock = locks
        self._port = port
        self._opener = opener
        #: The groups (ids, in order) meeting at each instant, read from every schedule, and the
        #: schedules read: a group's place among those due together (:meth:`_place`).
        self._meeting_at: dict[float, tuple[int, ...]] = {}
        self._read: dict[int, StoredSchedule] = {}
        scheduler.register(OPEN_DEADLINE, self._open_due)
        scheduler.register(SYNC_DEADLINE, self._sync_due)

    # --- reading --------------------------------------------------------------------------------

    async def view(self, channel_id: int | None) -> ScheduleView:
        group = await self._group_here(channel_id)
        row = await self._store.schedules.get(group.id)
        stored = StoredSchedule() if row is None else row.spec
        schedule, zone = stored.schedule(), time_zone(stored.zone)
        now = self._clock.now()
        return ScheduleView(
            group,
            stored,
            next_occurrences(schedule, zone, now, SHOWN),
            upcoming_skips(schedule, zone, now),
        )

    # --- setting ----------------------------------------------------------------------------------

    def checked(self, subject: str, raw: str, zone: str | None = None) -> str:
        """A change (``schedule``, ``timezone``, ``skip``, ``extra``) in the form it is kept;
        kind words if it can't be read. Dates are read in the group's zone."""
        today = self._clock.now().astimezone(time_zone(zone or "UTC")).date()
        try:
            return normalise(subject, raw, today, zone_name)
        except ScheduleError as error:
            raise InvalidInput(error.words) from None

    def for_setup(self, schedule: str | None, timezone: str | None) -> StoredSchedule | None:
        """What ``/group setup`` was given, checked before the group is made (None: nothing)."""
        if not schedule and not timezone:
            return None
        stored = StoredSchedule()
        if timezone:
            stored = stored.changed("timezone", self.checked("timezone", timezone))
        if schedule:
            value = self.checked("schedule", schedule, stored.zone)
            stored = stored.changed("schedule", value)
        if schedule and not timezone and stored.zone == StoredSchedule().zone:
            raise InvalidInput(
                msg(
                    "Please choose the group's time zone too (`timezone`), so meetings open at "
                    "the right hour where the group lives — or write it after the time, like "
                    "`Tuesdays 19:00 America/New_York`."
                )
            )
        return stored

    async def keep(self, group: GroupRecord, stored: StoredSchedule) -> None:
        """Keep the schedule set at ``/group setup`` and arm its first meeting."""
        async with self._store.db.transaction() as tx:
            await save_in(tx, group.id, stored, self._clock.timestamp())
        await self._scheduler.refresh([(SYNC_DEADLINE, str(group.id))])

    async def change_before_first_meeting(
        self, channel_id: int | None, subject: str, raw: str
    ) -> ScheduleView:
        """``/group schedule`` with a change, before the group's first meeting (the caller has
        checked Manage Server); afterwards only a group decision changes it."""
        if subject not in SUBJECTS:
            raise InvalidInput(msg("That isn't part of a schedule."))
        group = await self._group_here(channel_id)
        if group.meetings_held > 0:
            raise NotAllowed(msg(texts.AFTER_FIRST_MEETING.msgid, subject=subject))
        async with self._lock(group.id):
            row = await self._store.schedules.get(group.id)
            stored = StoredSchedule() if row is None else row.spec
            value = self.checked(subject, raw, stored.zone)
            await self._store.schedules.save(
                group.id, stored.changed(subject, value), self._clock.timestamp()
            )
        await self._scheduler.refresh([(SYNC_DEADLINE, str(group.id))])
        return await self.view(channel_id)

    # --- the deadlines ----------------------------------------------------------------------------

    async def _sync_due(self, payload: Mapping[str, Any]) -> None:
        await self.sync(int(payload["group_id"]))

    async def sync(self, group_id: int) -> None:
        """Arm the next meeting's opening and bring the Discord event in line (idempotent)."""
        async with self._lock(group_id):
            group = await self._store.groups.by_id(group_id)
            row = await self._store.schedules.get(group_id)
            if row is None or self._read.get(group_id) != row.spec:
                self._meeting_at.clear()  # a schedule changed: who meets when, read again
            if group is None or row is None:
                return
            occurrence = await self._arm(group, row)
            await self._show(group, row, occurrence)

    async def _arm(self, group: GroupRecord, row: ScheduleRow) -> Occurrence | None:
        schedule = row.spec.schedule()
        occurrence = self._next(schedule, row)
        opens_at = 0.0 if occurrence is None else await self._opens_at(group, occurrence)
        async with self._store.db.transaction() as tx:
            if occurrence is None:
                await self._store.deadlines.cancel_in(tx, OPEN_DEADLINE, str(group.id))
            else:
                await self._store.deadlines.upsert_in(
                    tx,
                    OPEN_DEADLINE,
                    str(group.id),
                    opens_at,
                    {"group_id": group.id, "at": occurrence.at.timestamp()},
                )
        await self._scheduler.refresh([(OPEN_DEADLINE, str(group.id))])
        today = self._clock.now().astimezone(time_zone(row.spec.zone)).date()
        tidied = row.spec.tidied(today - timedelta(days=1))
        if tidied != row.spec:
            await self._store.schedules.tidy(group.id, tidied)
        return occurrence

    def _next(self, schedule: Schedule, row: ScheduleRow) -> Occurrence | None:
        """The next meeting to open: not one already opened, nor one more than LATE_OPEN ago."""
        after = self._clock.now() - LATE_OPEN
        if row.opened_at is not None:
            after = max(after, datetime.fromtimestamp(row.opened_at, tz=after.tzinfo))
        return next_occurrence(schedule, time_zone(row.spec.zone), after)

    async def _opens_at(self, group: GroupRecord, occurrence: Occurrence) -> float:
        """When to open: the format's `before:` countdown ahead of the meeting's time, so the
        countdown (bot/core/meeting/countdown.py) ends as the meeting is due to begin — a little
        later in that window for a group behind others due at the same minute (its place in
        that queue, :meth:`_place`, :data:`OPENINGS_PER_SECOND`)."""
        try:
            plan = await self._formats.current(group)
        except Exception:  # a format that can't be read now: open at the time itself
            log.warning("A group's format could not be read; its meeting opens at its time")
            return occurrence.at.timestamp()
        before = plan.before_start.countdown_seconds if plan.before_start is not None else 0
        at = occurrence.at.timestamp()
        place = await self._place(group.id, at)
        spread = min(place / OPENINGS_PER_SECOND * self._clock.rate, before * SPREAD_SHARE)
        return at - before + spread

    async def _place(self, group_id: int, at: float) -> int:
        """How many groups with a lower id meet at the same instant, by their schedules: the
        same place each week and whatever is pending or under way when it is asked (openings
        of many groups run side by side, each re-arming its next one as it goes), so two
        groups never take the same place and none drifts. Read once per instant from every
        group's schedule (sharded: every process's groups, which share Discord's pace), and
        read again when a schedule changes (each change comes with a sync)."""
        groups = self._meeting_at.get(at)
        if groups is None:
            rows = await self._store.schedules.all()
            after = datetime.fromtimestamp(at - 1, tz=UTC)
            meeting = []
            for row in rows:
                try:
                    found = next_occurrence(row.spec.schedule(), time_zone(row.spec.zone), after)
                except ScheduleError:
                    continue
                if found is not None and found.at.timestamp() == at:
                    meeting.append(row.group_id)
            groups = tuple(sorted(meeting))
            if len(self._meeting_at) >= REMEMBERED_INSTANTS:
                del self._meeting_at[next(iter(self._meeting_at))]  # the oldest read
            self._meeting_at[at] = groups
            self._read = {row.group_id: row.spec for row in rows}
        return bisect_left(groups, group_id)

    async def next_meeting(self, group: GroupRecord) -> datetime | None:
        """The group's next meeting from its schedule, or None without one (for the welcome)."""
        row = await self._store.schedules.get(group.id)
        if row is None:
            return None
        occurrence = next_occurrence(
            row.spec.schedule(), time_zone(row.spec.zone), self._clock.now()
        )
        return None if occurrence is None else occurrence.at

    async def _open_due(self, payload: Mapping[str, Any]) -> None:
        group_id, at = int(payload["group_id"]), float(payload["at"])
        async with self._lock(group_id):
            group = await self._store.groups.by_id(group_id)
            row = await self._store.schedules.get(group_id)
            if group is None or row is None:
                return
            if row.opened_at is None or row.opened_at < at:
                await self._open(group, at)
                async with self._store.db.transaction() as tx:
                    await self._store.schedules.opened_in(tx, group_id, at)
            row = await self._store.schedules.get(group_id)
            if row is None:
                return
            await self._arm(group, row)
            if row.event_id is not None and row.event_at == at and not row.event_live:
                await self._event_status(group, row, EventStatus.ACTIVE)

    async def _open(self, group: GroupRecord, at: float) -> None:
        late = self._clock.timestamp() - at
        if late > max(LATE_OPEN.total_seconds(), LATE_REAL_SECONDS * self._clock.rate):
            log.warning("A scheduled meeting was not opened: the bot was offline at the time")
            return
        if self._live.under_way(group.channel_id):
            log.info("A scheduled meeting was already under way")
            return
        try:
            live = await self._opener.start_on_schedule(group.channel_id, due=at)
        except Exception:
            if not self._live.under_way(group.channel_id):
                raise  # tried again by the scheduler, with a growing delay
            log.warning("A scheduled meeting opened, but not everything was shown", exc_info=True)
            return
        log.info("A scheduled meeting opened by itself")
        if not live.chairs:
            await self._port.tell(group, texts.ASK_FOR_A_CHAIR)

    # --- the Discord event ------------------------------------------------------------------------

    async def meeting_closed(self, event: MeetingClosed) -> None:
        """The meeting ended: its event is completed, and the next meeting's is made."""
        async with self._lock(event.group_id):
            group = await self._store.groups.by_id(event.group_id)
            row = await self._store.schedules.get(event.group_id)
            if group is None or row is None:
                return
            await self._show(group, row, self._next(row.spec.schedule(), row))

    async def _show(self, group: GroupRecord, row: ScheduleRow, next_: Occurrence | None) -> None:
        if row.event_live and row.event_id is not None:
            if self._live.under_way(group.channel_id):
                return  # shown as happening now until the meeting closes
            await self._event_status(group, row, EventStatus.COMPLETED)
            await self._store.schedules.set_event(group.id, None, None)
            row = await self._store.schedules.get(group.id) or row
        try:
            await self._show_next(group, row, next_)
        except EventsNotAllowed:
            if not row.told_events:
                await self._port.tell(group, texts.NO_EVENTS_PERMISSION)
                await self._store.schedules.set_told(group.id, True)
            return
        if row.told_events:
            await self._store.schedules.set_told(group.id, False)

    async def _show_next(
        self, group: GroupRecord, row: ScheduleRow, next_: Occurrence | None
    ) -> None:
        old, port = row.event_id, self._port
        if next_ is None:
            if old is not None:
                await port.set_status(group, old, EventStatus.CANCELED)
                await self._store.schedules.set_event(group.id, None, None)
            return
        plan = await self._plan(group, next_)
        start = next_.at.timestamp()
        if old is not None and row.event_at != start and self._skipped(row):
            # That meeting is off (an exception): cancel its event, so those interested see it.
            await port.set_status(group, old, EventStatus.CANCELED)
            old = None
        if old is not None and await port.edit_event(group, old, plan):
            await self._store.schedules.set_event(group.id, old, start)
            return
        created = await port.create_event(group, plan)
        await self._store.schedules.set_event(group.id, created, start)

    def _skipped(self, row: ScheduleRow) -> bool:
        if row.event_at is None or row.event_at <= self._clock.timestamp():
            return False
        zone = time_zone(row.spec.zone)
        day = datetime.fromtimestamp(row.event_at, tz=zone).date()
        return day in row.spec.schedule().skips

    async def _plan(self, group: GroupRecord, occurrence: Occurrence) -> EventPlan:
        plan = await self._formats.current(group)
        length = max(MIN_EVENT, timedelta(seconds=plan.planned_length_seconds()))
        about = " ".join(plan.about.split())[:1000] or texts.EVENT_ABOUT
        return EventPlan(plan.name[:100], about, occurrence.at, occurrence.at + length)

    async def _event_status(
        self, group: GroupRecord, row: ScheduleRow, status: EventStatus
    ) -> None:
        if row.event_id is None:
            return
        try:
            changed = await self._port.set_status(group, row.event_id, status)
        except EventsNotAllowed:
            return
        if status is EventStatus.ACTIVE and changed:
            await self._store.schedules.set_event(group.id, row.event_id, row.event_at, live=True)

    async def _group_here(self, channel_id: int | None) -> GroupRecord:
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        if group is None:
            raise NoGroupHere
        return group
