"""The presenter's words about the meeting itself: its panel, notices, its close."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

import discord

from bot.core.formats.plan import CompiledFormat, SectionKind, WhoKind
from bot.core.formats.timing import minutes
from bot.core.meeting import Panel, Status
from bot.core.meeting import effects as fx
from bot.core.meeting import time_effects as tfx
from bot.core.meeting.state import CHAIR
from bot.core.pseudonyms import Pseudonym
from bot.core.resources import CLOSING_LINE
from bot.runtime.live import LiveMeeting
from bot.runtime.markup import when

QUEUE_SHOWN = 12

NOTICES = {
    fx.NoticeKind.PAUSED: "The meeting is paused for a moment.",
    fx.NoticeKind.RESUMED: "We're continuing. Thank you for waiting.",
    fx.NoticeKind.RESUMED_AFTER_RESTART: (
        "I had to restart for a moment — sorry about that. The meeting goes on from where we were."
    ),
    fx.NoticeKind.RESTARTED_PAUSED: (
        "I had to restart for a moment — sorry about that. The meeting is still paused; the chair "
        "can press **Resume** on the meeting panel to go on from where we were."
    ),
}


def ended_words(live: LiveMeeting, ended: fx.MeetingEnded) -> str:
    """The close, and when the meeting doesn't count, why (kindly)."""
    words = "This meeting has ended. Thank you all for being here, and take care. 💛"
    words += f"\n{CLOSING_LINE}"  # issue 15: /resources offered at every close
    if ended.counted:
        return words
    rule = live.plan.counts
    why = []
    if ended.too_short:
        why.append(f"it ran for less than {minutes(rule.seconds)}")
    if ended.too_few:
        why.append(
            f"fewer than {rule.members} members took part (sharing, reading, passing or "
            "using the panel)"
        )
    because = " and ".join(why) or "it was too short"
    return (
        f"{words}\nThis meeting doesn't count toward the group's meetings held, because "
        f"{because}. That's all right: thank you for gathering."
    )


def upper_first(name: str) -> str:
    """ "someone" -> "Someone"; a name keeps its own capitals."""
    return name[:1].upper() + name[1:]


def panel_embed(
    panel: Panel,
    chairs: Sequence[Pseudonym],
    name: Callable[[Pseudonym], str],
    cannot_post: str | None,
) -> discord.Embed:
    """The meeting panel: the part under way, who shares, who is next, the chair, the end;
    while paused, why (``cannot_post``: the bot can't post in the channel)."""
    if panel.status is Status.ENDED:
        return discord.Embed(title="The meeting has ended", description="Thank you all.")
    title = f"Meeting {panel.number}"
    if panel.section_title:
        title += f" · {panel.section_number}/{panel.section_count} {panel.section_title}"
    lines = []
    if panel.status is Status.PAUSED:
        lines.append(f"*{cannot_post or 'Paused for a moment.'}*")
    if panel.sharer is not None:
        countdown = when(panel.share_ends_at)
        lines.append(
            f"**Sharing:** {name(panel.sharer)}" + (f" · time {countdown}" if countdown else "")
        )
    if panel.waiting:
        shown = [name(who) for who in panel.waiting[:QUEUE_SHOWN]]
        more = len(panel.waiting) - len(shown)
        lines.append("**Up next:** " + ", ".join(shown) + (f" and {more} more" if more else ""))
    lines.append(f"**Chair:** {name(chairs[0])}" if chairs else "**Chair:** anyone")
    lines.append(f"**Meeting ends** {when(panel.meeting_ends_at)}")
    return discord.Embed(title=title[:256], description="\n".join(lines))


# --- sections (TIME lane: the words a member sees as each part begins) ------------------------


def at_time(moment: datetime) -> str:
    """A clock time Discord shows in everyone's own time zone ("7:45 PM")."""
    return f"<t:{int(moment.timestamp())}:t>"


def about(seconds: int) -> str:
    """A length left, in whole minutes: "about 12 minutes" (or "less than a minute")."""
    if seconds < 60:
        return "less than a minute"
    whole = round(seconds / 60)
    return f"about {whole} minute{'s' * (whole != 1)}"


def section_heading(
    title: str,
    *,
    chair: str | None = None,
    together: bool = False,
    ends_at: datetime | None = None,
) -> str:
    """A section's heading: ``**Title** — with Robin · until <t:…:R>``. ``chair`` only when the
    chair leads it (not while a job is still being offered); no "until" without a deadline."""
    heading = f"**{title}**"
    if chair:
        heading += f" — with {chair}"
    elif together:
        heading += " — all together"
    if ends_at is not None:
        heading += f" · until {when(ends_at)}"
    return heading


def section_begins(
    plan: CompiledFormat,
    post: fx.PostSection,
    holders: Callable[[str], Sequence[Pseudonym]],
    chair: str,
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
        post.title,
        chair=chair if chair_leads else None,
        together=leader.kind is WhoKind.EVERYONE,
        ends_at=post.ends_at,
    )
    offered = section.reading is not None and section.reading.offer
    return (None if offered and not post.chunks else heading), job


def quiet_words(kind: SectionKind, ends_at: datetime | None, bell: bool) -> str:
    """The start of a silence, a meditation or a break; an untimed one says who ends it."""
    start = "🔔 " if bell else ""
    if kind is SectionKind.BREAK:
        words = "Let's take a short break."
        end = f" We'll carry on {when(ends_at)}." if ends_at else " The chair will call us back."
    else:
        words = (
            "Let's begin our meditation together."
            if kind is SectionKind.MEDITATION
            else "Let's take this time in quiet together."
        )
        end = (
            f" Until {when(ends_at)}."
            if ends_at
            else " The chair will let us know when it's time to go on."
        )
    return start + words + end


_SENTENCE = re.compile(r"[^.!?\n]*\$\{next_chair\}[^.!?\n]*[.!?]?[ \t]*")


def without_next_chair(chunk: str) -> str:
    """A text with every sentence that names ``${next_chair}`` left out: said when nobody is
    known to chair next time (the sentence would name nobody)."""
    return _SENTENCE.sub("", chunk).strip(" \t")


def choose_words(title: str) -> str:
    return f"Chair, which text would the group like for **{title}** today?"


# --- time in the room: the countdown, moments awaited, running late -------------------------


def countdown_words(begins_at: datetime, said: Sequence[str], readings: bool) -> str:
    """The countdown before the start: the format's words, when it begins, how to begin now,
    and (with readings to offer) how to offer to read."""
    lines = [text for text in said if text.strip()]
    lines.append(
        f"We'll begin {when(begins_at)} (at {at_time(begins_at)}). Chair, if everyone's "
        "ready, **Start now** begins at once."
    )
    if readings:
        lines.append(
            "Would anyone like to read today? Press a reading to offer — I'll post the words "
            "for you when we get there."
        )
    return "\n\n".join(lines)


def reader_offered_words(name: str, title: str) -> str:
    return f"Thank you, {name} — you'll read **{title}** when we get there."


def awaiting_words(title: str, at: datetime) -> str:
    return (
        f"We're a little ahead of time. **{title}** begins at {at_time(at)} ({when(at)}) — "
        "take a breath, stretch, or sit quietly until then. Chair, **Begin now** starts it "
        "sooner if everyone's ready."
    )


def late_words(late: tfx.RunningLate) -> str:
    """Running late: what is left for the part, and what happens without an answer."""
    if late.room > 0:
        left = (
            f"We're running a little behind. **{late.title}** was planned for "
            f"{about(late.planned)}; keeping our closing's time, there are {about(late.room)} "
            "left for it."
        )
    else:
        left = (
            f"We're running behind, and there's no time left for **{late.title}** if we keep "
            "our closing's time. If we share anyway, we'll take about five minutes for it and "
            "finish a little after our planned end."
        )
    default = LATE_PLANS[late.choices[0]].format(shorter=_short(late.shorter))
    return (
        f"{left} Chair, how would you like to go on? If there's no answer "
        f"{when(late.decide_by)}, {default}."
    )


LATE_PLANS = {
    tfx.LateChoice.SHORTER: "we'll go on with shorter shares ({shorter} each)",
    tfx.LateChoice.AS_IS: "we'll go on with shares as usual, ending in time for the closing",
    tfx.LateChoice.SKIP: "we'll leave it out today",
}


def late_label(choice: tfx.LateChoice, shorter: int | None, room: int) -> str:
    """A running-late button."""
    if choice is tfx.LateChoice.SKIP:
        return "Leave it out today"
    if choice is tfx.LateChoice.SHORTER:
        return f"Shorter shares ({_short(shorter)})"
    return "Share as usual" if room > 0 else "Share anyway"


def late_decided_words(decided: tfx.LateDecided) -> str:
    who = "Nobody answered, so" if decided.by_default else "The chair chose:"
    title = f"**{decided.title}**"
    if decided.choice is tfx.LateChoice.SKIP:
        what = f"we'll leave {title} out today, to keep our time."
    elif decided.choice is tfx.LateChoice.SHORTER:
        what = (
            f"shorter shares in {title}, {_short(decided.shorter)} each, so that we keep our "
            f"closing's time. It ends {when(decided.ends_at)}."
        )
    else:
        what = f"{title} goes on with shares as usual and ends {when(decided.ends_at)}."
    return f"{who} {what}"


def move_on_words() -> str:
    return (
        "Our time for this part is up. Nobody new will be called; we'll move on when the "
        "current share comes to a close. Chair, **Move on** takes us on whenever it feels right."
    )


def placeholder_note(title: str, kind: SectionKind, whole: bool, channel_id: int) -> str:
    """The private note to the chair: a placeholder was not read aloud."""
    what = "reading" if kind is SectionKind.READ else "text"
    if whole:
        done = f"This {what} is still the format's placeholder, so I left it out of the meeting"
    else:
        done = (
            "The words of this part are still the format's placeholder, so I left them out "
            "(the part itself went on)"
        )
    return (
        f"{done}: **{title}** in <#{channel_id}>. When your group has its own words for it, a "
        "member can put them in the format (`/format upload`), and they'll be read from then on."
    )


def _short(seconds: int | None) -> str:
    return "shorter" if seconds is None else minutes(seconds)


# --- parts the room does together: a topic, milestones, small groups, private requests ------


def breakout_words(size: int, ends_at: datetime | None) -> str:
    """Small groups: said as it is — the bot can't open breakout rooms in Discord."""
    back = f"come back here {when(ends_at)}" if ends_at else "come back when the chair calls us"
    return (
        "Discord doesn't let me open breakout rooms, so I haven't split anyone up. Groups of "
        f"about {size} can meet in the server's voice channels or threads and {back} — or we "
        "can stay together and take this time as a pause."
    )


def topic_prompt(chooser: str | None) -> tuple[str, str]:
    """How the topic is chosen in the room, and the button's label. ``chooser`` is "the
    chair", "our secretary" …, or ``None`` when anyone may (``volunteer``, ``everyone``)."""
    if chooser is None:
        return (
            "Anyone may suggest a topic: press **Suggest a topic** and it's posted here, "
            "without your name.",
            "Suggest a topic",
        )
    return f"When {chooser} is ready, **Choose the topic** posts it here.", "Choose the topic"


MILESTONE_PROMPT = (
    "Celebrating something, and would rather not say it yourself? **Mark a milestone** posts "
    "it here without your name; nothing is kept."
)
ASK_PROMPT = (
    "Something you'd like the chair to know? **Tell the chair privately** passes it on "
    "without your name; nothing is kept."
)


def topic_words(topic: str, chooser: str | None) -> str:
    if chooser is None:
        return f"**A topic suggested:** {topic}"
    return f"**Today's topic**, chosen by {chooser}: {topic}"


def milestone_words(what: str) -> str:
    marking = f": {what}" if what else ""
    return (
        f"🎉 A member is celebrating a milestone today{marking}. Congratulations — we're so "
        "glad you're here."
    )


def chair_request_words(words: str, title: str, channel_id: int) -> str:
    return (
        f"A member asked me to pass this on to you privately, during **{title}** in "
        f"<#{channel_id}>. I didn't keep their name or their words, and nobody else has "
        f"seen them:\n> {words}"
    )
