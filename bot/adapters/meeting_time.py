"""The presenter's time words (:mod:`bot.core.meeting.waits`): the countdown with **Start now**
and offers to read, a section awaiting its moment, running late with the chair's choices,
**Move on**, a placeholder left out (privately, to the chair), and how a section begins.

Split from :mod:`bot.adapters.meetings` (which calls :func:`show_time` and
:func:`post_section`); the words themselves are plain functions in
:mod:`bot.adapters.meeting_words`, tested as a member reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.adapters import meeting_said
from bot.adapters import meeting_words as words
from bot.core.formats.plan import CompiledFormat, SectionKind
from bot.core.meeting import MeetingState
from bot.core.meeting import effects as fx
from bot.core.meeting import time_effects as tfx
from bot.i18n import SOURCE, render, t
from bot.runtime.live import LiveMeeting
from bot.runtime.meetings.requests import chooser_of, chooser_words
from bot.runtime.meetings.timing import LATE_CHOICES
from bot.ui.meeting import MeetingButton

if TYPE_CHECKING:
    from bot.adapters.meetings import MeetingPresenter

LABEL_LIMIT = 80
Spec = tuple[str, int | None, str, discord.ButtonStyle]


def buttons(live: LiveMeeting, specs: Sequence[Spec]) -> discord.ui.View:
    """A prompt's buttons: ``(action, arg, label, style)`` each."""
    view = discord.ui.View(timeout=None)
    for action, arg, label, style in specs:
        view.add_item(MeetingButton(live.id, action, arg, label=label[:LABEL_LIMIT], style=style))
    return view


async def show_time(presenter: MeetingPresenter, live: LiveMeeting, effect: Any) -> bool:
    """Show one time effect; False when ``effect`` is not one."""
    primary, secondary = discord.ButtonStyle.primary, discord.ButtonStyle.secondary
    locale = presenter.locale(live)
    match effect:
        case tfx.CountdownBegins(begins_at=begins_at, chunks=chunks, readings=readings):
            values = presenter.values(live)
            said = [presenter.render(live, chunk, values) for chunk in chunks]
            specs: list[Spec] = [("startnow", None, t(locale, "Start now (chair)"), primary)]
            specs += [
                ("recruit", i, t(locale, "I'll read: {title}", title=title), secondary)
                for i, title in readings
            ]
            await presenter._post(
                live,
                words.countdown_words(begins_at, said, bool(readings), locale=locale),
                view=buttons(live, specs[:25]),
            )
        case tfx.ReaderOffered(title=title, who=who):
            name = presenter.name(live, who)
            await presenter._post(live, words.reader_offered_words(name, title, locale=locale))
        case tfx.AwaitingStart(title=title, at=at):
            start = t(locale, "Begin now (chair)")
            await presenter._post(
                live,
                words.awaiting_words(words.shown_title(locale, title), at, locale=locale),
                view=buttons(live, [("startnow", None, start, primary)]),
            )
        case tfx.RunningLate(choices=choices, shorter=shorter, room=room):
            options: list[Spec] = [
                (
                    "late",
                    LATE_CHOICES.index(c),
                    words.late_label(c, shorter, room, locale=locale),
                    secondary,
                )
                for c in choices
            ]
            options[0] = (*options[0][:3], primary)  # what happens without an answer
            said_late = words.late_words(effect, locale=locale)
            await presenter._post(live, said_late, view=buttons(live, options))
        case tfx.LateDecided():
            await presenter._post(live, words.late_decided_words(effect, locale=locale))
        case tfx.OfferMoveOn(run=run):
            move_on = t(locale, "Move on (chair)")
            await presenter._post(
                live,
                words.move_on_words(locale=locale),
                view=buttons(live, [("moveon", run, move_on, secondary)]),
            )
        case tfx.PlaceholderLeftOut(index=index, title=title, whole=whole):
            chairs = live.chairs
            if chairs:
                kind = live.plan.sections[index].kind
                channel = live.group.channel_id
                note = words.placeholder_note(title, kind, whole, channel, locale=locale)
                await presenter._private(live, chairs[0], note)
        case _:
            return False
    return True


async def post_section(
    presenter: MeetingPresenter, live: LiveMeeting, effect: fx.PostSection
) -> None:
    """A section begins: its heading and words (one message where they fit), and the offer of
    a job found on the day (:func:`~bot.adapters.meeting_words.section_begins`)."""
    locale = presenter.locale(live)
    chair = presenter.values(live)["chair"]
    heading, job = words.section_begins(live.plan, effect, live.state.holders, chair, locale=locale)
    if heading is not None:
        await presenter._post_chunks(live, heading, effect.chunks)
    for said, specs in section_prompts(live.plan, live.state, effect, locale=locale):
        await presenter._post(live, said, view=buttons(live, specs) if specs else None)
    if job is not None:
        # A job found on the day (the speaker …): anyone may take it.
        take = [(f"role:{effect.index}", meeting_said.label(locale, "role"))]
        await presenter._post(
            live,
            t(locale, "Who would like to be our {job} today?", job=job.lower()),
            view=presenter._prompt_view(live, "role", take),
        )


def section_prompts(
    plan: CompiledFormat, state: MeetingState, effect: fx.PostSection, *, locale: str = SOURCE
) -> list[tuple[str, list[Spec]]]:
    """What the room is told as a part begins, after its words, with its buttons: small groups
    (honestly: no breakout rooms), how the topic is chosen, a milestone or a request offered
    privately (``private-requests``)."""
    section = plan.sections[effect.index]
    primary, secondary = discord.ButtonStyle.primary, discord.ButtonStyle.secondary
    prompts: list[tuple[str, list[Spec]]] = []
    if section.kind is SectionKind.BREAKOUT and section.breakout_group_size:
        size = section.breakout_group_size
        prompts.append((words.breakout_words(size, effect.ends_at, locale=locale), []))
    if section.kind is SectionKind.TOPIC:
        chooser = chooser_words(plan, chooser_of(state, section))
        said, topic = words.topic_prompt(chooser, locale=locale)
        prompts.append((said, [("topic", None, topic, primary)]))
    if section.private_requests and section.kind is SectionKind.MILESTONES:
        mark = t(locale, "Mark a milestone")
        prompts.append(
            (render(locale, words.MILESTONE_PROMPT), [("milestone", None, mark, primary)])
        )
    elif section.private_requests:
        ask = t(locale, "Tell the chair privately")
        prompts.append((render(locale, words.ASK_PROMPT), [("ask", None, ask, secondary)]))
    return prompts
