"""What the presenter (:mod:`bot.adapters.meetings`) says for each moment of a meeting, in the
group's language (bot/i18n): the floor, the chair away and back, readings, quiet ends, time
notes, and the buttons of its prompts. Also the format's own built-in words (a share's default
time notes, the default fellowship words), said in the group's language when the format did not
write its own.

Each function takes the ``locale`` first; names and times come in already made (first names,
mentions, Discord's ``<t:…:R>`` markup).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from bot.adapters.meeting_time_words import span
from bot.adapters.room_words import given_words
from bot.core.formats.plan import Order, Sharers
from bot.core.formats.sharing import AtLimit
from bot.core.meeting import effects as fx
from bot.i18n import SOURCE, Msg, msg, render, t
from bot.runtime.markup import when

#: The buttons of the presenter's prompts, by the action they carry.
LABELS = {
    "here": msg("I'm here"),
    "imback": msg("I'm back"),
    "read": msg("I'll read it"),
    "chairread": msg("Chair reads it"),
    "yes": msg("Yes"),
    "no": msg("No"),
    "first": msg("It's my first time"),
    "role": msg("I'll do it"),
}

#: Names the format's ``${…}`` may use when nobody is known for them.
SOMEONE = msg("someone")
OUR_GROUP = msg("our group")
TODAYS_CHAIR = msg("today's chair")
A_MEMBER = msg("a member of our group")
THE_CHAIR = msg("the chair")
OUR_CHAIR = msg("our chair")
EVERYONE = msg("everyone")


def label(locale: str, action: str) -> str:
    return render(locale, LABELS[action])


# --- the chair, away or back ------------------------------------------------------------------


def chair_asked(locale: str, chair: str | None, by: str, until: datetime) -> str:
    """``chair``: a mention of the chair, or None when they can't be found."""
    if chair is None:
        return t(
            locale,
            "Chair, are you still with us? {by} has kindly offered to step in as chair. If "
            "you're here, press **I'm here**; if there's no answer {when}, {by} will chair.",
            by=by,
            when=when(until),
        )
    return t(
        locale,
        "{chair}, are you still with us? {by} has kindly offered to step in as chair. If "
        "you're here, press **I'm here**; if there's no answer {when}, {by} will chair.",
        chair=chair,
        by=by,
        when=when(until),
    )


def chair_stays(locale: str, chair: str, by: str) -> str:
    return t(
        locale,
        "{chair} is still with us and goes on chairing. Thank you, {by}, for looking out for "
        "the meeting.",
        chair=chair,
        by=by,
    )


def chair_handed_over(locale: str, by: str, before: str) -> str:
    return t(
        locale,
        "{by} is chairing now — thank you for stepping in. {before}, if you're back, press "
        "**I'm back** to take the chair again.",
        by=by,
        before=before,
    )


def chair_taken_back(locale: str, who: str, helper: str) -> str:
    return t(
        locale,
        "Welcome back, {who} — you're chairing again. Thank you, {helper}, for holding the chair.",
        who=who,
        helper=helper,
    )


# --- readings, the agenda, quiet, time ---------------------------------------------------------


def offer_reading(locale: str, title: str, part: int, parts: int) -> str:
    if parts > 1:
        return t(
            locale,
            "Would someone like to read **{title}** (part {part} of {parts})?",
            title=title,
            part=part,
            parts=parts,
        )
    return t(locale, "Would someone like to read **{title}**?", title=title)


def reading_heading(locale: str, title: str, part: int, parts: int, reader: str | None) -> str:
    """``reader``: the reader's first name, or None when the chair reads it."""
    if parts > 1:
        if reader is None:
            return t(
                locale,
                "**{title}** (part {part} of {parts}) — read by the chair",
                title=title,
                part=part,
                parts=parts,
            )
        return t(
            locale,
            "**{title}** (part {part} of {parts}) — read by {reader}",
            title=title,
            part=part,
            parts=parts,
            reader=reader,
        )
    if reader is None:
        return t(locale, "**{title}** — read by the chair", title=title)
    return t(locale, "**{title}** — read by {reader}", title=title, reader=reader)


def agenda_item(locale: str, item: int, title: str, ends_at: datetime | None) -> str:
    if ends_at:
        return t(
            locale,
            "**Agenda item {number}: {title}** · until {when}",
            number=item + 1,
            title=title,
            when=when(ends_at),
        )
    return t(locale, "**Agenda item {number}: {title}**", number=item + 1, title=title)


def floor_given(
    locale: str, how: fx.GivenBy, name: str | None, limit_at: datetime | None, timed: bool
) -> str:
    """The floor is given: ``name`` is a mention (None when the member can't be found)."""
    if name is None:
        name = t(locale, "The next sharer")
    said = given_words(how, name, locale=locale)
    if limit_at and timed:
        said += " " + t(locale, "Time {when}.", when=when(limit_at))
    return said


_SIMPLE: dict[type, Msg] = {
    fx.AgendaItemTimeUp: msg("A gentle note for the chair: the time for this agenda item is up."),
    fx.SectionsSkipped: msg("We're moving on, to keep to our time."),
}
TIME_UP = {
    AtLimit.NOTE: msg("That's time — please finish your thought when you're ready."),
    AtLimit.NEXT: msg("Thank you — that's time. We'll go on to the next person."),
    AtLimit.HAND_BACK: msg("Thank you — that's time. Over to the chair."),
}
HAND_LOWERED = msg(
    "This part of the meeting is for those who haven't shared yet, so I lowered your hand for "
    "now. Thank you for making room."
)


def simple_words(locale: str, effect: fx.ChannelEffect) -> str | None:
    """The words of an effect that needs nothing but the language, or None."""
    match effect:
        case fx.BellEnd(bell=bell):
            return ("🔔 " if bell else "") + t(locale, "Thank you.")
        case fx.SectionTimeUp(moving_on=moving_on):
            return (
                t(locale, "Our time for this part is up; we'll move on after the current share.")
                if moving_on
                else t(
                    locale,
                    "A gentle note for the chair: the time planned for this part is up.",
                )
            )
        case fx.FloorEnded(why=why):
            return t(locale, "Thank you for sharing.") if why is fx.EndedBy.DONE else None
        case fx.ShareExtended(limit_at=limit_at):
            return t(locale, "A little more time: {when}.", when=when(limit_at))
        case fx.PhaseBegins(order=order, sharers=sharers):
            if sharers is Sharers.NOT_YET_SHARED:
                return t(locale, "Now for those who haven't shared yet.")
            if order is Order.ROUND:
                return t(locale, "Now we'll go round, one at a time.")
            return t(locale, "The floor is open for sharing.")
    found = _SIMPLE.get(type(effect))
    return None if found is None else render(locale, found)


# --- the format's own built-in words (bot/core/formats/parts.py), when it wrote none ----------

_BUILT_IN = {
    m.msgid: m
    for m in (
        msg("About a minute left — no rush, just so you know."),
        msg("About 30 seconds left."),
        msg("That's time — thank you. Take a moment to finish your thought."),
        msg(
            "No rush — there's still time to finish your thought; you might begin to bring it home."
        ),
        msg(
            "The meeting has closed. Stay a while if you like: this is fellowship time, and "
            "conversation is welcome."
        ),
        # the crosstalk policy's default explanation, posted as a part changes it
        msg(
            "While someone shares, we listen without replying or commenting, so everyone can "
            "speak freely. You're welcome to share when it's your turn."
        ),
        msg("From here on, you're welcome to respond to each other — kindly, and one at a time."),
        msg("From here on, responses are welcome. Please keep them short so everyone has room."),
        msg("From here on, you may offer feedback when the person sharing asks for it."),
    )
}
_SPAN = r"(?P<span>\d+ seconds?|\d+ minutes?(?: \d+ seconds)?)"
_BUILT_IN_SPANS = (
    (
        re.compile(rf"About {_SPAN} left — no rush, just so you know\."),
        msg("About {time} left — no rush, just so you know."),
    ),
    (
        re.compile(rf"Time was up {_SPAN} ago\. Let's make room for the next person — thank you\."),
        msg("Time was up {time} ago. Let's make room for the next person — thank you."),
    ),
    (re.compile(rf"About {_SPAN} left in our meeting\."), msg("About {time} left in our meeting.")),
    (
        re.compile(
            rf"From here on, responses are welcome\. Please keep each to {_SPAN} so everyone "
            r"has room\."
        ),
        msg(
            "From here on, responses are welcome. Please keep each to {time} so everyone has room."
        ),
    ),
)
#: A default explanation with the policy's limit: "<explanation> Please keep each response to …"
_EACH = re.compile(rf"(?P<said>.+) Please keep each response to {_SPAN}\.")
_KEEP_EACH = msg("{explanation} Please keep each response to {time}.")


def _seconds(said: str) -> int:
    numbers = [int(n) for n in re.findall(r"\d+", said)]
    if "minute" in said:
        return numbers[0] * 60 + (numbers[1] if len(numbers) > 1 else 0)
    return numbers[0]


def built_in(locale: str, text: str) -> str:
    """``text`` in the group's language when it is one of the format's built-in sentences
    (a default time note, the default fellowship words); the format's own words as written."""
    if locale == SOURCE:
        return text
    found = _BUILT_IN.get(text.strip())
    if found is not None:
        return render(locale, found)
    each = _EACH.fullmatch(text.strip())
    if each and each["said"] in _BUILT_IN:
        explanation = render(locale, _BUILT_IN[each["said"]])
        seconds = _seconds(each["span"])
        return t(locale, _KEEP_EACH.msgid, explanation=explanation, time=span(locale, seconds))
    for pattern, words in _BUILT_IN_SPANS:
        matched = pattern.fullmatch(text.strip())
        if matched:
            return t(locale, words.msgid, time=span(locale, _seconds(matched["span"])))
    return text


def local_values(locale: str, values: Mapping[str, str], start: datetime) -> dict[str, str]:
    """The core's ``${…}`` values (bot/core/meeting/panel.py: English) said in the group's
    language: the weekday, the date, the meeting's length and a share's."""
    if locale == SOURCE:
        return dict(values)
    from babel.dates import format_date, format_skeleton  # first use: not loaded at start-up

    said = dict(values)
    said["weekday"] = format_date(start, "EEEE", locale=locale)
    said["date"] = format_skeleton("MMMMd", start, locale=locale)
    for key in ("meeting_length", "share_limit"):
        if key in said and re.fullmatch(_SPAN, said[key]):
            said[key] = span(locale, _seconds(said[key]))
    return said
