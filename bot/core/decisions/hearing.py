"""The hearing before an exclusion vote: voting opens only once the member concerned could read
the notice.

The notice goes by private message. When Discord refuses it (the member doesn't accept private
messages from the bot), the member is asked in the group's channel to open it privately with a
button. Voting then opens at the later of:

* the end of the hearing as planned when the proposal was seconded, and
* a whole hearing after the member could read the notice (delivered, or the button pressed);

and while they haven't been able to read it, at the latest :data:`NOTICE_WAIT` (48 hours) after
they were asked — so one member can't hold the group's decision up for ever. The group is told
plainly when a vote opens without the member having read the notice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum

from bot.core.decisions._time import require_aware

#: How long a vote waits for a member who hasn't read the notice yet.
NOTICE_WAIT = timedelta(hours=48)
#: While waiting, how often to look again (a read notice re-arms the opening from there).
RECHECK = timedelta(hours=1)


class NoticeState(IntEnum):
    """How far the notice before an exclusion vote got (stored with the proposal)."""

    PENDING = 0  # not carried out yet (Discord may be down: it is tried again)
    PRIVATE = 1  # delivered by private message
    ASKED = 2  # private messages refused: asked in the channel to open it, not opened yet
    READ = 3  # opened with the button in the channel
    UNREACHABLE = 4  # not in the server: there is nobody to tell

    @property
    def could_read(self) -> bool:
        return self in (NoticeState.PRIVATE, NoticeState.READ)


def voting_may_open(
    state: NoticeState,
    *,
    planned: datetime,
    hearing: timedelta,
    heard_at: datetime | None,
    waiting_since: datetime,
    now: datetime,
) -> datetime | None:
    """None if voting on an exclusion may open ``now``; else when to look again.

    ``planned`` is the end of the hearing set at the second; ``heard_at`` when the member could
    read the notice; ``waiting_since`` when they were asked in the channel (or, while the notice
    is still pending, when the hearing began).
    """
    require_aware(now)
    if state is NoticeState.UNREACHABLE:
        return None if now >= planned else planned
    if state.could_read:
        opens = planned if heard_at is None else max(planned, heard_at + hearing)
        return None if now >= opens else opens
    limit = waiting_since + NOTICE_WAIT
    if now >= max(limit, planned):
        return None  # waited long enough: the group is told plainly with the ballot
    return min(max(limit, planned), max(planned, now + RECHECK))


def unread(state: NoticeState) -> bool:
    """Voting opened (or opens) without the member having been able to read the notice."""
    return state in (NoticeState.PENDING, NoticeState.ASKED)
