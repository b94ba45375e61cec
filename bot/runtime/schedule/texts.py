"""The schedule's words (STYLE.md: warm, short, plain; say what happens next). Messages
(:func:`bot.i18n.msg`) are rendered where the reader is known: the channel's posts in the
group's language by the adapter, errors in the member's."""

from __future__ import annotations

from datetime import date

from bot.core.wording import full_day
from bot.i18n import Msg, msg

NO_EVENTS_PERMISSION = msg(
    "I couldn't put the next meeting in this server's **Events** list: I need the "
    "**Create Events** permission (Server Settings → Roles → my role). Meetings still open on "
    "time without it, and `/group schedule` shows when they are."
)
ASK_FOR_A_CHAIR = msg(
    "The meeting has opened at its usual time. Nobody is down to chair today: anyone can press "
    "**Step in as chair** on the panel to chair it. Thank you!"
)
AFTER_FIRST_MEETING = msg(
    "The group has met, so its schedule now belongs to the group: changing it is something "
    "the members decide together. `/propose change` with `what: {subject}` puts it to a vote."
)
NEEDS_MANAGE_SERVER = msg(
    "Until the group's first meeting, the schedule is set by whoever set up the group (Manage "
    "Server). After that, the group changes it together with `/propose change`."
)
EVENT_ABOUT = msg(
    "A peer support group meeting. It opens by itself in the group's channel at this time."
)


def no_schedule(zone: str) -> Msg:
    return msg(
        "This group has no regular meeting time yet, so meetings start when someone uses "
        "`/meeting start`. (Time zone: {zone}.)",
        zone=zone,
    )


def day(d: date) -> Msg:
    """ "Tuesday 14 May 2026", rendered in the reader's language."""
    return full_day(d)
