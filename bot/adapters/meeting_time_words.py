"""The presenter's time words, in the group's language (bot/i18n): the countdown, a section
awaiting its moment, running late with the chair's choices, **Move on**, a placeholder left out
(privately, to the chair), and lengths of time said the language's way.

Every function takes the ``locale`` it speaks (English by default); times are Discord's markup
(``<t:…:R>``, shown in each reader's own language by Discord). Re-exported by
:mod:`bot.adapters.meeting_words`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.formats.headings import heading_said
from bot.core.formats.plan import SectionKind
from bot.core.meeting import time_effects as tfx
from bot.i18n import SOURCE, Msg, msg, render, t, tn
from bot.runtime.markup import when

#: The headings a section has when its format gave it none (bot/core/formats/kinds): said in
#: the group's language. A title the format wrote is shown as written.
DEFAULT_TITLES = frozenset(
    m.msgid
    for m in (
        msg("Announcements"),
        msg("A question for the chair"),
        msg("Small groups"),
        msg("Business meeting"),
        msg("Milestones"),
        msg("A moment of silence"),
        msg("Meditation"),
        msg("Break"),
        msg("Reading"),
        msg("Our speaker"),
        msg("From the chair"),
        msg("From a member"),
        msg("Together"),
        msg("Collection"),
        msg("Closing"),
        msg("Choosing a topic"),
        msg("Introductions"),
        msg("Check-in"),
        msg("Check-out"),
        msg("Sharing"),
    )
)


def shown_title(locale: str, title: str) -> str:
    """A section's title: a default heading in the group's language, the format's own as it
    wrote it."""
    if locale == SOURCE:
        return title
    if title in DEFAULT_TITLES:
        return t(locale, title)
    return render(locale, heading_said(title))  # "From the secretary"; the format's own as written


def span(locale: str, seconds: int) -> str:
    """A length in plain words, as bot.core.formats.timing.minutes says it in English: "45
    seconds", "1 minute", "3 minutes", "1 minute 30 seconds"."""
    whole, rest = divmod(abs(seconds), 60)
    if whole == 0:
        return tn(locale, "{n} second", "{n} seconds", rest)
    said = tn(locale, "{n} minute", "{n} minutes", whole)
    if not rest:
        return said
    return t(
        locale,
        "{minutes} {seconds}",
        minutes=said,
        seconds=tn(locale, "{n} second", "{n} seconds", rest),
    )


def at_time(moment: datetime) -> str:
    """A clock time Discord shows in everyone's own time zone ("7:45 PM")."""
    return f"<t:{int(moment.timestamp())}:t>"


def about(locale: str, seconds: int) -> str:
    """A length left, in whole minutes: "about 12 minutes" (or "less than a minute")."""
    if seconds < 60:
        return t(locale, "less than a minute")
    whole = round(seconds / 60)
    return tn(locale, "about {n} minute", "about {n} minutes", whole)


def countdown_words(
    begins_at: datetime, said: Sequence[str], readings: bool, *, locale: str = SOURCE
) -> str:
    """The countdown before the start: the format's words, when it begins, how to begin now,
    and (with readings to offer) how to offer to read."""
    lines = [text for text in said if text.strip()]
    lines.append(
        t(
            locale,
            "We'll begin {when} (at {time}). Chair, if everyone's ready, **Start now** begins "
            "at once.",
            when=when(begins_at),
            time=at_time(begins_at),
        )
    )
    if readings:
        lines.append(
            t(
                locale,
                "Would anyone like to read today? Press a reading to offer — I'll post the words "
                "for you when we get there.",
            )
        )
    return "\n\n".join(lines)


def reader_offered_words(name: str, title: str, *, locale: str = SOURCE) -> str:
    return t(
        locale,
        "Thank you, {name} — you'll read **{title}** when we get there.",
        name=name,
        title=title,
    )


def awaiting_words(title: str, at: datetime, *, locale: str = SOURCE) -> str:
    return t(
        locale,
        "We're a little ahead of time. **{title}** begins at {time} ({when}) — take a breath, "
        "stretch, or sit quietly until then. Chair, **Begin now** starts it sooner if "
        "everyone's ready.",
        title=title,
        time=at_time(at),
        when=when(at),
    )


def _short(locale: str, seconds: int | None) -> str:
    return t(locale, "shorter") if seconds is None else span(locale, seconds)


def _late_default(choice: tfx.LateChoice) -> Msg:
    """The chair's question, with what happens when nobody answers by ``{when}``."""
    if choice is tfx.LateChoice.SHORTER:
        return msg(
            "Chair, how would you like to go on? If there's no answer {when}, we'll go on with "
            "shorter shares ({shorter} each)."
        )
    if choice is tfx.LateChoice.AS_IS:
        return msg(
            "Chair, how would you like to go on? If there's no answer {when}, we'll go on with "
            "shares as usual, ending in time for the closing."
        )
    return msg(
        "Chair, how would you like to go on? If there's no answer {when}, we'll leave it out today."
    )


def late_words(late: tfx.RunningLate, *, locale: str = SOURCE) -> str:
    """Running late: what is left for the part, and what happens without an answer."""
    if late.room > 0:
        left = t(
            locale,
            "We're running a little behind. **{title}** was planned for {planned}; keeping our "
            "closing's time, there are {room} left for it.",
            title=shown_title(locale, late.title),
            planned=about(locale, late.planned),
            room=about(locale, late.room),
        )
    else:
        left = t(
            locale,
            "We're running behind, and there's no time left for **{title}** if we keep our "
            "closing's time. If we share anyway, we'll take about five minutes for it and "
            "finish a little after our planned end.",
            title=shown_title(locale, late.title),
        )
    question = _late_default(late.choices[0])
    asked = t(
        locale, question.msgid, when=when(late.decide_by), shorter=_short(locale, late.shorter)
    )
    return f"{left} {asked}"


def late_label(
    choice: tfx.LateChoice, shorter: int | None, room: int, *, locale: str = SOURCE
) -> str:
    """A running-late button."""
    if choice is tfx.LateChoice.SKIP:
        return t(locale, "Leave it out today")
    if choice is tfx.LateChoice.SHORTER:
        return t(locale, "Shorter shares ({shorter})", shorter=_short(locale, shorter))
    return t(locale, "Share as usual") if room > 0 else t(locale, "Share anyway")


def _decided(decided: tfx.LateDecided) -> Msg:
    by_default = decided.by_default
    if decided.choice is tfx.LateChoice.SKIP:
        if by_default:
            return msg("Nobody answered, so we'll leave **{title}** out today, to keep our time.")
        return msg("The chair chose: we'll leave **{title}** out today, to keep our time.")
    if decided.choice is tfx.LateChoice.SHORTER:
        if by_default:
            return msg(
                "Nobody answered, so shorter shares in **{title}**, {shorter} each, so that we "
                "keep our closing's time. It ends {when}."
            )
        return msg(
            "The chair chose: shorter shares in **{title}**, {shorter} each, so that we keep "
            "our closing's time. It ends {when}."
        )
    if by_default:
        return msg("Nobody answered, so **{title}** goes on with shares as usual and ends {when}.")
    return msg("The chair chose: **{title}** goes on with shares as usual and ends {when}.")


def late_decided_words(decided: tfx.LateDecided, *, locale: str = SOURCE) -> str:
    template = _decided(decided)
    return t(
        locale,
        template.msgid,
        title=shown_title(locale, decided.title),
        shorter=_short(locale, decided.shorter),
        when=when(decided.ends_at),
    )


def move_on_words(*, locale: str = SOURCE) -> str:
    return t(
        locale,
        "Our time for this part is up. Nobody new will be called; we'll move on when the "
        "current share comes to a close. Chair, **Move on** takes us on whenever it feels right.",
    )


def placeholder_note(
    title: str, kind: SectionKind, whole: bool, channel_id: int, *, locale: str = SOURCE
) -> str:
    """The private note to the chair: a placeholder was not read aloud."""
    if not whole:
        note = msg(
            "The words of this part are still the format's placeholder, so I left them out "
            "(the part itself went on): **{title}** in <#{channel}>. When your group has its "
            "own words for it, a member can put them in the format (`/format upload`), and "
            "they'll be read from then on."
        )
    elif kind is SectionKind.READ:
        note = msg(
            "This reading is still the format's placeholder, so I left it out of the meeting: "
            "**{title}** in <#{channel}>. When your group has its own words for it, a member "
            "can put them in the format (`/format upload`), and they'll be read from then on."
        )
    else:
        note = msg(
            "This text is still the format's placeholder, so I left it out of the meeting: "
            "**{title}** in <#{channel}>. When your group has its own words for it, a member "
            "can put them in the format (`/format upload`), and they'll be read from then on."
        )
    return t(locale, note.msgid, title=title, channel=channel_id)
