"""A compiled format in plain words: what happens, when, and who does it.

Used by ``python -m bot format preview`` and meant for ``/format show`` and ``/format preview``
too: :func:`section_heading` and :func:`section_details` describe one section,
:func:`preview_lines` the whole meeting, with texts rendered from :data:`SAMPLE_VALUES`.
Each kind's own lines come from its module in :mod:`bot.core.formats.kinds`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from bot.core.formats.advice import default_sections
from bot.core.formats.conditions import Answer, Condition, Declared, Not, conjuncts
from bot.core.formats.kinds import KINDS
from bot.core.formats.plan import (
    ChannelRules,
    ChoiceRule,
    CompiledFormat,
    CompiledRole,
    CompiledSection,
    CrosstalkMode,
    CrosstalkPolicy,
    RotationKind,
    WhoMay,
)
from bot.core.formats.preview_words import (
    anchor_said,
    condition_said,
    heading_said,
    only_said,
    who_said,
)
from bot.core.formats.render import render
from bot.core.formats.roles import eligibility_said
from bot.core.formats.timing import limit_said, minutes_said
from bot.core.wording import day_month_year
from bot.i18n.message import Msg, msg, msg_n

SAMPLE_VALUES: Mapping[str, str] = {
    "group": "Tuesday Evening Circle",
    "chair": "Sam",
    "next_chair": "Robin",
    "speaker": "Alex",
    "weekday": "Tuesday",
    "date": "4 March",
    "time": "19:00",
    "end_time": "20:00",
    "meeting_number": "42",
    "meeting_length": "60 minutes",
}

_CROSSTALK_WORDS = {
    CrosstalkMode.NOT_ALLOWED: msg("no crosstalk"),
    CrosstalkMode.ALLOWED: msg("crosstalk welcome"),
    CrosstalkMode.ENCOURAGED: msg("responses encouraged, kept short"),
    CrosstalkMode.FEEDBACK_ONLY: msg("feedback only when asked for"),
}
_ROTATION_WORDS = {
    RotationKind.EVERY_MEETING: msg("rotates every meeting"),
    RotationKind.BY_WEEKDAY: msg("a weekly roster, one person per weekday"),
    RotationKind.TERM: msg("serves a term"),
    RotationKind.ON_THE_DAY: msg("someone volunteers on the day"),
}
Line = Msg | str


def clock(seconds: int) -> str:
    """Minutes into the meeting as h:mm."""
    hours, rest = divmod(seconds // 60, 60)
    return f"{hours}:{rest:02d}"


def section_heading(plan: CompiledFormat, section: CompiledSection) -> Msg:
    """One line: title, length and who leads it (the title as the format wrote it, or its
    default heading in the reader's language)."""
    length: Msg
    if section.elastic:
        length = (
            msg("until {moment}", moment=anchor_said(section.until))
            if section.until
            else msg("the time that is left")
        )
    elif section.quiet is not None and section.quiet.length_seconds is None:
        length = msg("untimed")
    else:
        estimated = section.time_box_seconds is None and KINDS[section.kind].estimated
        planned = minutes_said(section.planned_seconds)
        length = msg("about {length}", length=planned) if estimated else planned
    return msg(
        "{title} ({length}) — {who}",
        title=heading_said(section.title),
        length=length,
        who=_who_line(plan, section),
    )


def _who_line(plan: CompiledFormat, section: CompiledSection) -> Msg:
    who = who_said(section.who, plan.roles)
    if section.reading is not None:
        if section.reading.readers > 1:
            return msg_n(
                "{n} reader shares it; {who} leads",
                "{n} readers share it; {who} leads",
                section.reading.readers,
                who=who,
            )
        if section.reading.offer:
            return msg("{who} reads (the bot asks who would like to)", who=who)
        return msg("{who} reads", who=who)
    if section.sharing is not None and section.sharing.sharer is not None:
        return msg("{who} shares", who=who_said(section.sharing.sharer, plan.roles))
    return msg("{who} leads", who=who) if section.who.kind.value == "role" else who


def section_details(
    plan: CompiledFormat,
    section: CompiledSection,
    values: Mapping[str, str] = SAMPLE_VALUES,
) -> list[Line]:
    """What the group will see and hear in this section, as lines (messages to render in the
    reader's language, and the group's own words as written)."""
    lines: list[Line] = []
    if section.starts is not None:
        lines.append(
            msg(
                "Starts at {moment} (never earlier: reached early, the meeting waits for it, "
                "unless the chair begins it sooner).",
                moment=anchor_said(section.starts),
            )
        )
    if section.text is not None:
        if section.text.choose is not ChoiceRule.FIXED:
            names = ", ".join(option.title for option in section.text.options)
            lines.append(
                msg(
                    "One of: {names} ({how}). The first:",
                    names=names,
                    how=_choice_words(section.text.choose),
                )
            )
        option = section.text.options[0]
        if option.placeholder:
            lines.append(
                msg(
                    "(Still a placeholder: the meeting leaves it out, and tells the chair, until "
                    "the group puts its own words in.)"
                )
            )
        for chunk in option.chunks:
            lines.extend(render(chunk, values).splitlines())
    lines.extend(KINDS[section.kind].describe(plan, section, values))
    if section.private_requests:
        lines.append(
            msg("Members may privately ask the bot to let the chair know (nothing is kept).")
        )
    if section.channel != plan.defaults.channel:
        lines.append(_channel_words(section.channel))
    return lines


_MAY = {
    WhoMay.EVERYONE: msg("everyone"),
    WhoMay.SHARER: msg("whoever is sharing, and the chair,"),
    WhoMay.CHAIR: msg("only the chair"),
    WhoMay.NOBODY: msg("nobody"),
}


def _channel_words(channel: ChannelRules) -> Msg:
    said = msg(
        "In the channel, {post} may write; {speak} may speak",
        post=_MAY[channel.post],
        speak=_MAY[channel.speak],
    )
    if channel.slow_mode_seconds:
        slow = msg(
            "slow mode, one message every {length}",
            length=minutes_said(channel.slow_mode_seconds),
        )
        said = msg("{said}; {more}", said=said, more=slow)
    if channel.video is not WhoMay.EVERYONE:
        video = msg(
            "in voice, {who} may turn a camera on or share a screen", who=_MAY[channel.video]
        )
        said = msg("{said}; {more}", said=said, more=video)
    return msg("{said}.", said=said)


def _choice_words(rule: ChoiceRule) -> Msg | str:
    return {
        ChoiceRule.CHAIR: msg("the chair picks"),
        ChoiceRule.ROTATE: msg("a different one each meeting"),
        ChoiceRule.WEEKDAY: msg("by day of the week"),
        ChoiceRule.WEEK_OF_MONTH: msg("by week of the month"),
        ChoiceRule.MONTH: msg("by month"),
    }.get(rule, "")


def _condition_words(plan: CompiledFormat, condition: Condition | None) -> Msg:
    """ "Only if the answer to “…” is yes." — when a part runs, as a sentence."""
    questions = {s.question.id: s.question.text for s in plan.sections if s.question}
    parts: list[Msg | str] = []
    for part in conjuncts(condition):
        if isinstance(part, Answer):
            text = render(questions.get(part.question, part.question), SAMPLE_VALUES)
            parts.append(condition_said(Answer(text, part.expected)))
        elif isinstance(part, Declared | Not) and (said := _declaration(plan, part)):
            parts.append(said)
        else:
            parts.append(condition_said(part))
    joined = parts[0]
    for more in parts[1:]:
        joined = msg("{first} and {then}", first=joined, then=more)
    return only_said(joined)


def _declaration(plan: CompiledFormat, part: Declared | Not) -> Msg | None:
    """A private declaration in its own words: "when someone has said privately “I'm new”"."""
    inner = part.condition if isinstance(part, Not) else part
    if not isinstance(inner, Declared):
        return None
    found = plan.variants.declaration(inner.id)
    words = found.words if found is not None else inner.id
    if isinstance(part, Not):
        return msg(
            "when nobody has said privately “{words}” (only how many say it is used, never who)",
            words=words,
        )
    return msg(
        "when someone has said privately “{words}” (only how many say it is used, never who)",
        words=words,
    )


def _variant_lines(plan: CompiledFormat) -> list[Line]:
    """What members may say privately, and the group's modes and cycle, in plain words."""
    variants, lines = plan.variants, list[Line]()
    if variants.declarations:
        lines += ["", msg("Members may say privately, for this meeting only (nothing is kept):")]
        lines += [f"  “{d.words}”" for d in variants.declarations]
    for mode in variants.modes:
        chooses = msg(
            "The group chooses “{name}”: {choices} (to begin with: {default}).",
            name=mode.name,
            choices=", ".join(mode.choices),
            default=mode.default,
        )
        about = msg("{said} {about}", said=chooses, about=mode.about) if mode.about else chooses
        lines += ["", about]
    if variants.cycle is not None:
        cycle = variants.cycle
        lines += [
            "",
            msg_n(
                "Weeks go in a cycle of {n}, week 1 beginning {since}.",
                "Weeks go in a cycle of {n}, week 1 beginning {since}.",
                cycle.weeks,
                since=day_month_year(cycle.since),
            ),
        ]
    return lines


def _crosstalk_change(policy: CrosstalkPolicy, values: Mapping[str, str]) -> list[Line]:
    words = render(" ".join(policy.explanation), values)
    return [msg("[Crosstalk: {mode}] {words}", mode=_CROSSTALK_WORDS[policy.mode], words=words)]


def preview_lines(plan: CompiledFormat, values: Mapping[str, str] = SAMPLE_VALUES) -> list[str]:
    """The whole meeting as the group will see it, ready to print (in English)."""
    return wrap_lines([str(line) for line in preview_said(plan, values)])


def wrap_lines(lines: list[str], width: int = 100) -> list[str]:
    """Rendered preview lines, each wrapped for a terminal."""
    return [wrapped for line in lines for wrapped in _wrap(line, width)]


def _planned(plan: CompiledFormat) -> Msg:
    timer, mode = plan.defaults.share, _CROSSTALK_WORDS[plan.defaults.crosstalk.mode]
    length = minutes_said(plan.length_seconds)
    if timer.limit_seconds:
        shares = limit_said(timer.limit_seconds, timer.low_seconds)
        return msg(
            "Planned for {length}; shares {shares}; {crosstalk}.",
            length=length,
            shares=shares,
            crosstalk=mode,
        )
    return msg("Planned for {length}; {crosstalk}.", length=length, crosstalk=mode)


def _role_line(plan: CompiledFormat, role: CompiledRole) -> Msg:
    rules = eligibility_said(role, plan.roles)
    how: Msg | str = ""
    for rule in rules:
        how = rule if not how else msg("{rules}; {rule}", rules=how, rule=rule)
    filled = (
        msg("elected at a business meeting") if role.elected else _ROTATION_WORDS[role.rotation]
    )
    said = (
        msg("  {title} — {filled} ({how}).", title=role.title, filled=filled, how=how)
        if how
        else msg("  {title} — {filled}.", title=role.title, filled=filled)
    )
    if role.duties:
        return msg("{line} {duties}", line=said, duties=role.duties)
    return said


def preview_said(plan: CompiledFormat, values: Mapping[str, str] = SAMPLE_VALUES) -> list[Line]:
    """The whole meeting as the group will see it: lines to render in a language, then wrap
    (:func:`wrap_lines`). The group's own words are shown as written."""
    lines: list[Line] = [plan.name, "=" * len(plan.name)]
    if plan.about:
        lines.append(plan.about)
    channel = plan.defaults.channel
    if channel != ChannelRules():
        lines.append(_channel_words(channel))
    lines.append(_planned(plan))
    lines += ["", msg("Who does what:")]
    lines += [_role_line(plan, role) for role in plan.roles]
    if plan.before_start is not None:
        countdown = minutes_said(plan.before_start.countdown_seconds)
        lines += [
            "",
            msg(
                "Before the start, a countdown of {countdown} (the chair can start at once):",
                countdown=countdown,
            ),
        ]
        if plan.before_start.recruit_readers:
            lines.append(msg("  The bot asks who would like to read today."))
        for chunk in plan.before_start.text.options[0].chunks if plan.before_start.text else ():
            lines += ["  " + line for line in render(chunk, values).splitlines()]
    lines += _variant_lines(plan)
    by_default = default_sections(plan)  # switched on unless the group decides otherwise
    starts = {item.section.index: item.start_seconds for item in plan.schedule(by_default)}
    crosstalk = plan.defaults.crosstalk
    lines += ["", msg("The meeting:")]
    for section in plan.sections:
        indent = "      " + "   " * section.depth
        at = clock(starts[section.index]) if section.index in starts else ""
        lines.append("")
        lines.append(
            msg(
                "{at} {indent}{number}. {heading}",
                at=f"{at:>5}",
                indent="   " * section.depth,
                number=section.index + 1,
                heading=section_heading(plan, section),
            )
        )
        if section.condition is not None:
            lines.append(
                msg("{indent}{line}", indent=indent, line=_condition_words(plan, section.condition))
            )
        if section.crosstalk != crosstalk:
            lines += [
                msg("{indent}{line}", indent=indent, line=line)
                for line in _crosstalk_change(section.crosstalk, values)
            ]
            crosstalk = section.crosstalk
        lines += [
            msg("{indent}{line}", indent=indent, line=line) if line else ""
            for line in section_details(plan, section, values)
        ]
    if plan.after_close is not None:
        after = minutes_said(plan.after_close.fellowship_seconds)
        lines += ["", msg("After the close ({length}):", length=after)]
        for chunk in plan.after_close.text.options[0].chunks if plan.after_close.text else ():
            lines += ["  " + line for line in render(chunk, values).splitlines()]
    if plan.guidelines:
        lines += ["", msg("The group's guidelines:")]
        lines += [f"  {g.title}: {g.text}" for g in plan.guidelines]
    total = max((i.end_seconds for i in plan.schedule(by_default)), default=0)
    optional = [s.index for s in plan.sections if s.if_time_allows]
    longest = max((i.end_seconds for i in plan.schedule([*by_default, *optional])), default=total)
    planned = minutes_said(plan.length_seconds)
    total_said = (
        msg(
            "Total planned length: about {total}, or {longest} if time allows (the meeting is "
            "planned for {planned}).",
            total=minutes_said(total),
            longest=minutes_said(longest),
            planned=planned,
        )
        if longest > total
        else msg(
            "Total planned length: about {total} (the meeting is planned for {planned}).",
            total=minutes_said(total),
            planned=planned,
        )
    )
    lines += ["", total_said]
    return lines


def _wrap(line: str, width: int = 100) -> list[str]:
    """Long lines wrapped for a terminal, keeping their indentation."""
    if len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip(" ")))
    return textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False) or [line]
