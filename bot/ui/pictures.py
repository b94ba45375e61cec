"""The timeline picture as a Discord attachment, for ``/format preview``, ``/format upload``
and ``/meeting status``.

Drawn off the event loop (:func:`bot.pictures.draw_off_loop`). A picture that cannot be drawn
is left out (and logged without the format's words): the text says it all anyway.

Pillow and the timelines are imported when the first picture is drawn, not when the bot starts
(issue 18, item 4).
"""

from __future__ import annotations

import io
import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.core.formats.timing import minutes_said
from bot.i18n import msg_n, render

if TYPE_CHECKING:
    from bot.core.formats import CompiledFormat
    from bot.core.formats.timeline import Timeline
    from bot.core.meeting.state import MeetingState

log = logging.getLogger(__name__)

FILENAME = "timeline.png"


async def timeline_file(plan: CompiledFormat, locale: str) -> discord.File | None:
    """The format's timeline, with its words in ``locale``."""
    from bot.core.formats.timeline import timeline

    return await _file(timeline(plan), locale)


async def meeting_timeline_file(
    plan: CompiledFormat, state: MeetingState, now: datetime, locale: str
) -> discord.File | None:
    """A meeting under way on its timeline: "now" marked, the sections done greyed."""
    from bot.core.meeting.timeline import meeting_timeline

    return await _file(meeting_timeline(plan, state, now), locale)


async def _file(shape: Timeline, locale: str) -> discord.File | None:
    from bot.pictures import draw_off_loop

    try:
        picture = await draw_off_loop(shape, locale)
    except (OSError, ValueError) as error:
        log.warning("The timeline picture could not be drawn (%s)", type(error).__name__)
        return None
    described = msg_n(
        "A timeline of the meeting: {n} part, planned for {length}.",
        "A timeline of the meeting: {n} parts, planned for {length}.",
        len(shape.blocks),
        length=minutes_said(shape.length_seconds),
    )
    return discord.File(
        io.BytesIO(picture.png), filename=FILENAME, description=render(locale, described)
    )
