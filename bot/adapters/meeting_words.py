"""The presenter's words about the meeting itself: its panel, notices, its close, how each
part begins, and what the room does together — in the group's language (bot/i18n).

Every function takes the ``locale`` it speaks (keyword, English by default). The time words
live in :mod:`bot.adapters.meeting_time_words` (re-exported here).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

import discord

from bot.adapters.meeting_time_words import (
    about,
    at_time,
    awaiting_words,
    countdown_words,
    late_decided_words,
    late_label,
    late_words,
    move_on_words,
    placeholder_note,
    reader_offered_words,
    shown_title,
    span,
)
from bot.core.formats.plan import CompiledFormat, SectionKind, WhoKind
from bot.core.meeting import Panel, Status
from bot.core.meeting import effects as fx
from bot.core.meeting.state import CHAIR
from bot.core.pseudonyms import Pseudonym
from bot.i18n import SOURCE, Msg, msg, msg_n, render, t
from bot.runtime.live import LiveMeeting
from bot.runtime.markup import when
from bot.runtime.meetings.requests import Chooser

__all__ = [
    "about",
    "at_time",
    "awaiting_words",
    "countdown_words",
    "late_decided_words",
    "late_label",
    "late_words",
    "move_on_words",
    "placeholder_note",
    "reader_offered_words",
    "shown_title",
    "span",
]

QUEUE_SHOWN = 12

NOTICES = {
    fx.NoticeKind.PAUSED: msg("The meeting is paused for a moment."),
    fx.NoticeKind.RESUMED: msg("We're continuing. Thank you for waiting."),
    fx.NoticeKind.RESUMED_AFTER_RESTART: msg(
        "I had to restart for a moment — sorry about that. The meeting goes on from where we were."
    ),
    fx.NoticeKind.RESTARTED_PAUSED: msg(
        "I had to restart for a moment — sorry about that. The meeting is still paused; the chair "
        "can press **Resume** on the meeting panel to go on from where we were."
    ),
}

#: The close's last line (issue 15): /resources offered at every close (the same words as
#: bot.core.resources.CLOSING_LINE; a test checks).
_CLOSING_LINE = msg("If you'd like support between meetings, `/resources` shows where to find it.")


def _not_counted(ended: fx.MeetingEnded, members: int, length: str) -> Msg:
    if ended.too_short and ended.too_few:
        return msg_n(
            "This meeting doesn't count toward the group's meetings held, because it ran for "
            "less than {length} and fewer than {n} member took part (sharing, reading, passing "
            "or using the panel). That's all right: thank you for gathering.",
            "This meeting doesn't count toward the group's meetings held, because it ran for "
            "less than {length} and fewer than {n} members took part (sharing, reading, passing "
            "or using the panel). That's all right: thank you for gathering.",
            members,
            length=length,
        )
    if ended.too_few:
        return msg_n(
            "This meeting doesn't count toward the group's meetings held, because fewer than "
            "{n} member took part (sharing, reading, passing or using the panel). That's all "
            "right: thank you for gathering.",
            "This meeting doesn't count toward the group's meetings held, because fewer than "
            "{n} members took part (sharing, reading, passing or using the panel). That's all "
            "right: thank you for gathering.",
            members,
        )
    if ended.too_short:
        return msg(
            "This meeting doesn't count toward the group's meetings held, because it ran for "
            "less than {length}. That's all right: thank you for gathering.",
            length=length,
        )
    return msg(
        "This meeting doesn't count toward the group's meetings held, because it was too short. "
        "That's all right: thank you for gathering."
    )


def ended_words(live: LiveMeeting, ended: fx.MeetingEnded, *, locale: str = SOURCE) -> str:
    """The close, and when the meeting doesn't count, why (kindly)."""
    lines = [
        t(locale, "This meeting has ended. Thank you all for being here, and take care. 💛"),
        render(locale, _CLOSING_LINE),
    ]
    if not ended.counted:
        rule = live.plan.counts
        why = _not_counted(ended, rule.members, span(locale, rule.seconds))
        lines.append(render(locale, why))
    return "\n".join(lines)


def upper_first(name: str) -> str:
    """ "someone" -> "Someone"; a name keeps its own capitals."""
    return name[:1].upper() + name[1:]


def _up_next(locale: str, names: Sequence[str], more: int) -> str:
    shown = ", ".join(names)
    if more:
        return render(
            locale,
            msg_n(
                "**Up next:** {names} and {n} more",
                "**Up next:** {names} and {n} more",
                more,
                names=shown,
            ),
        )
    return t(locale, "**Up next:** {names}", names=shown)


def panel_embed(
    panel: Panel,
    chairs: Sequence[Pseudonym],
    name: Callable[[Pseudonym], str],
    cannot_post: str | None,
    *,
    locale: str = SOURCE,
) -> discord.Embed:
    """The meeting panel: the part under way, who shares, who is next, the chair, the end;
    while paused, why (``cannot_post``: the bot can't post in the channel)."""
    if panel.status is Status.ENDED:
        return discord.Embed(
            title=t(locale, "The meeting has ended"), description=t(locale, "Thank you all.")
        )
    title = t(locale, "Meeting {number}", number=panel.number)
    if panel.section_title:
        title = t(
            locale,
            "Meeting {number} · {section}/{sections} {title}",
            number=panel.number,
            section=panel.section_number,
            sections=panel.section_count,
            title=shown_title(locale, panel.section_title),
        )
    lines = []
    if panel.status is Status.PAUSED:
        paused = cannot_post or t(locale, "Paused for a moment.")
        lines.append(f"*{paused}*")
    if panel.sharer is not None:
        countdown = when(panel.share_ends_at)
        sharer = name(panel.sharer)
        lines.append(
            t(locale, "**Sharing:** {name} · time {countdown}", name=sharer, countdown=countdown)
            if countdown
            else t(locale, "**Sharing:** {name}", name=sharer)
        )
    if panel.waiting:
        shown = [name(who) for who in panel.waiting[:QUEUE_SHOWN]]
        lines.append(_up_next(locale, shown, len(panel.waiting) - len(shown)))
    lines.append(
        t(locale, "**Chair:** {name}", name=name(chairs[0]))
        if chairs
        else t(locale, "**Chair:** anyone")
    )
    lines.append(t(locale, "**Meeting ends** {when}", when=when(panel.meeting_ends_at)))
    return discord.Embed(title=title[:256], description="\n".join(lines))


# --- sections (the words a member sees as each part begins) ---------------------------------


def section_heading(
    title: str,
    *,
    chair: str | None = None,
    together: bool = False,
    ends_at: datetime | None = None,
    locale: str = SOURCE,
) -> str:
    """A section's heading: ``**Title** — with Robin · until <t:…:R>``. ``chair`` only when the
    chair leads it (not while a job is still being offered); no "until" without a deadline."""
    if chair:
        heading = t(locale, "**{title}** — with {chair}", title=title, chair=chair)
    elif together:
        heading = t(locale, "**{title}** — all together", title=title)
    else:
        heading = f"**{title}**"
    if ends_at is not None:
        heading = t(locale, "{heading} · until {when}", heading=heading, when=when(ends_at))
    return heading


def section_begins(
    plan: CompiledFormat,
    post: fx.PostSection,
    holders: Callable[[str], Sequence[Pseudonym]],
    chair: str,
    *,
    locale: str = SOURCE,
) -> tuple[str | None, str | None]:
    """How a section begins: its heading (None when an offered reading's heading goes with its
    offer or its reader's words, one message) and the title of a job to offer on the day (the
    speaker …), if its role is still open. The chair (``chair``: their first name) is named
    only when the chair leads it, never while the job is still on offer."""
    section = plan.sections[post.index]
    wanted = section.who
    role = wanted.role if wanted.kind is WhoKind.ROLE else None
    job = None
    if role is not None and role != CHAIR and not holders(role):
        compiled = plan.role(role)
        job = compiled.title if compiled else role
    leader = post.leader
    chair_leads = leader.kind is WhoKind.ROLE and leader.role == CHAIR and job is None
    heading = section_heading(
        shown_title(locale, post.title),
        chair=chair if chair_leads else None,
        together=leader.kind is WhoKind.EVERYONE,
        ends_at=post.ends_at,
        locale=locale,
    )
    offered = section.reading is not None and section.reading.offer
    return (None if offered and not post.chunks else heading), job


def quiet_words(
    kind: SectionKind, ends_at: datetime | None, bell: bool, *, locale: str = SOURCE
) -> str:
    """The start of a silence, a meditation or a break; an untimed one says who ends it."""
    start = "🔔 " if bell else ""
    until = when(ends_at)
    if kind is SectionKind.BREAK:
        words = (
            msg("Let's take a short break. We'll carry on {when}.")
            if ends_at
            else msg("Let's take a short break. The chair will call us back.")
        )
    elif kind is SectionKind.MEDITATION:
        words = (
            msg("Let's begin our meditation together. Until {when}.")
            if ends_at
            else msg(
                "Let's begin our meditation together. The chair will let us know when it's "
                "time to go on."
            )
        )
    else:
        words = (
            msg("Let's take this time in quiet together. Until {when}.")
            if ends_at
            else msg(
                "Let's take this time in quiet together. The chair will let us know when it's "
                "time to go on."
            )
        )
    return start + t(locale, words.msgid, when=until)


_SENTENCE = re.compile(r"[^.!?\n]*\$\{next_chair\}[^.!?\n]*[.!?]?[ \t]*")


def without_next_chair(chunk: str) -> str:
    """A text with every sentence that names ``${next_chair}`` left out: said when nobody is
    known to chair next time (the sentence would name nobody)."""
    return _SENTENCE.sub("", chunk).strip(" \t")


def choose_words(title: str, *, locale: str = SOURCE) -> str:
    return t(
        locale,
        "Chair, which text would the group like for **{title}** today?",
        title=shown_title(locale, title),
    )


# --- parts the room does together: a topic, milestones, small groups, private requests ------


def breakout_words(size: int, ends_at: datetime | None, *, locale: str = SOURCE) -> str:
    """Small groups: said as it is — the bot can't open breakout rooms in Discord."""
    if ends_at:
        return t(
            locale,
            "Discord doesn't let me open breakout rooms, so I haven't split anyone up. Groups of "
            "about {size} can meet in the server's voice channels or threads and come back here "
            "{when} — or we can stay together and take this time as a pause.",
            size=size,
            when=when(ends_at),
        )
    return t(
        locale,
        "Discord doesn't let me open breakout rooms, so I haven't split anyone up. Groups of "
        "about {size} can meet in the server's voice channels or threads and come back when the "
        "chair calls us — or we can stay together and take this time as a pause.",
        size=size,
    )


def topic_prompt(chooser: Chooser | None, *, locale: str = SOURCE) -> tuple[str, str]:
    """How the topic is chosen in the room, and the button's label. ``chooser`` is the chair or
    another role, or ``None`` when anyone may (``volunteer``, ``everyone``)."""
    if chooser is None:
        return (
            t(
                locale,
                "Anyone may suggest a topic: press **Suggest a topic** and it's posted here, "
                "without your name.",
            ),
            t(locale, "Suggest a topic"),
        )
    if chooser.role is None:
        said = t(locale, "When the chair is ready, **Choose the topic** posts it here.")
    else:
        said = t(
            locale,
            "When our {role} is ready, **Choose the topic** posts it here.",
            role=chooser.role,
        )
    return said, t(locale, "Choose the topic")


MILESTONE_PROMPT = msg(
    "Celebrating something, and would rather not say it yourself? **Mark a milestone** posts "
    "it here without your name; nothing is kept."
)
ASK_PROMPT = msg(
    "Something you'd like the chair to know? **Tell the chair privately** passes it on "
    "without your name; nothing is kept."
)


def topic_words(topic: str, chooser: Chooser | None, *, locale: str = SOURCE) -> str:
    if chooser is None:
        return t(locale, "**A topic suggested:** {topic}", topic=topic)
    if chooser.role is None:
        return t(locale, "**Today's topic**, chosen by the chair: {topic}", topic=topic)
    return t(
        locale,
        "**Today's topic**, chosen by our {role}: {topic}",
        role=chooser.role,
        topic=topic,
    )


def milestone_words(what: str, *, locale: str = SOURCE) -> str:
    if what:
        return t(
            locale,
            "🎉 A member is celebrating a milestone today: {what}. Congratulations — we're so "
            "glad you're here.",
            what=what,
        )
    return t(
        locale,
        "🎉 A member is celebrating a milestone today. Congratulations — we're so glad you're "
        "here.",
    )


def chair_request_words(words: str, title: str, channel_id: int, *, locale: str = SOURCE) -> str:
    return t(
        locale,
        "A member asked me to pass this on to you privately, during **{title}** in "
        "<#{channel}>. I didn't keep their name or their words, and nobody else has seen "
        "them:\n> {words}",
        title=shown_title(locale, title),
        channel=channel_id,
        words=words,
    )
