"""The timeline picture as a Discord attachment, for ``/format upload`` (with its answer) and
for ``/meeting status`` and ``/format preview`` (added to their answer once drawn:
:func:`add_picture`).

Drawn off the event loop (:func:`bot.pictures.draw_off_loop`). A picture that cannot be drawn
is left out (and logged without the format's words): the text says it all anyway.

Pillow and the timelines are imported when the first picture is drawn, not when the bot starts
(issue 18, item 4).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Any

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


async def add_meeting_timeline(
    interaction: discord.Interaction[Any],
    plan: CompiledFormat,
    state: MeetingState,
    now: datetime,
    locale: str,
) -> bool:
    """Attach the meeting's timeline to the answer already sent for ``interaction``: see
    :func:`add_picture`."""
    return await add_picture(interaction, meeting_timeline_file(plan, state, now, locale))


async def add_format_timeline(
    interaction: discord.Interaction[Any], plan: CompiledFormat, locale: str
) -> bool:
    """Attach a format's timeline to the answer already sent for ``interaction``: see
    :func:`add_picture`."""
    return await add_picture(interaction, timeline_file(plan, locale))


async def add_picture(
    interaction: discord.Interaction[Any], drawing: Awaitable[discord.File | None]
) -> bool:
    """Attach a picture to the answer already sent for ``interaction`` (its original
    response), once drawn: the answer goes first, since drawing takes a while (one drawing at a
    time in the whole process) and Discord waits 3 seconds at most for it. True if attached;
    if the picture could not be drawn, or Discord would not take the edit (the interaction's 15
    minutes are over, the member dismissed the answer), the answer stands as it was and this is
    only logged."""
    try:
        picture = await drawing
        if picture is None:
            return False
        await interaction.edit_original_response(attachments=[picture])
    except discord.HTTPException as error:
        log.warning(
            "The timeline picture could not be added to an answer (HTTP %s, code %s)",
            error.status,
            error.code,
        )
        return False
    except Exception as error:
        # The answer given stands. Only the error's kind is logged, not its words (they
        # could quote the format's text).
        log.warning("The timeline picture could not be added (%s)", type(error).__name__)
        return False
    return True


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
