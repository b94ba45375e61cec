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
from bot.core.formats.conditions import Answer, Condition, Declared, Not, conjuncts, describe
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
from bot.core.formats.render import render
from bot.core.formats.roles import eligibility_said
from bot.core.formats.timing import limit_said, minutes, minutes_said
from bot.i18n.message import Msg, msg

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


def section_heading(plan: CompiledFormat, section: CompiledSection) -> str:
    """One line: title, length and who leads it."""
    if section.elastic:
        length = f"until {section.until.describe()}" if section.until else "the time that is left"
    elif section.quiet is not None and section.quiet.length_seconds is None:
        length = "untimed"
    else:
        estimated = section.time_box_seconds is None and KINDS[section.kind].estimated
        length = ("about " if estimated else "") + minutes(section.planned_seconds)
    return f"{section.title} ({length}) — {_who_line(plan, section)}"


def _who_line(plan: CompiledFormat, section: CompiledSection) -> str:
    who = section.who.describe(plan.roles)
    if section.reading is not None:
        if section.reading.readers > 1:
            return f"{section.reading.readers} readers share it; {who} leads"
        return f"{who} reads" + (
            " (the bot asks who would like to)" if section.reading.offer else ""
        )
    if section.sharing is not None and section.sharing.sharer is not None:
        return f"{section.sharing.sharer.describe(plan.roles)} shares"
    return f"{who} leads" if section.who.kind.value == "role" else who


def section_details(
    plan: CompiledFormat,
    section: CompiledSection,
    values: Mapping[str, str] = SAMPLE_VALUES,
) -> list[str]:
    """What the group will see and hear in this section, as lines of text."""
    lines: list[str] = []
    if section.starts is not None:
        lines.append(
            f"Starts at {section.starts.describe()} (never earlier: reached early, the meeting "
            "waits for it, unless the chair begins it sooner)."
        )
    if section.text is not None:
        if section.text.choose is not ChoiceRule.FIXED:
            names = ", ".join(option.title for option in section.text.options)
            lines.append(f"One of: {names} ({_choice_words(section.text.choose)}). The first:")
        option = section.text.options[0]
        if option.placeholder:
            lines.append(
                "(Still a placeholder: the meeting leaves it out, and tells the chair, until the "
                "group puts its own words in.)"
            )
        for chunk in option.chunks:
            lines.extend(render(chunk, values).splitlines())
    lines.extend(KINDS[section.kind].describe(plan, section, values))
    if section.private_requests:
        lines.append("Members may privately ask the bot to let the chair know (nothing is kept).")
    if section.channel != plan.defaults.channel:
        lines.append(_channel_words(section.channel))
    return lines


def _channel_words(channel: ChannelRules) -> str:
    words = {
        WhoMay.EVERYONE: "everyone",
        WhoMay.SHARER: "whoever is sharing, and the chair,",
        WhoMay.CHAIR: "only the chair",
        WhoMay.NOBODY: "nobody",
    }
    text = f"In the channel, {words[channel.post]} may write; {words[channel.speak]} may speak"
    if channel.slow_mode_seconds:
        text += f"; slow mode, one message every {minutes(channel.slow_mode_seconds)}"
    if channel.video is not WhoMay.EVERYONE:
        text += f"; in voice, {words[channel.video]} may turn a camera on or share a screen"
    return text + "."


def _choice_words(rule: ChoiceRule) -> str:
    return {
        ChoiceRule.CHAIR: "the chair picks",
        ChoiceRule.ROTATE: "a different one each meeting",
        ChoiceRule.WEEKDAY: "by day of the week",
        ChoiceRule.WEEK_OF_MONTH: "by week of the month",
        ChoiceRule.MONTH: "by month",
    }.get(rule, "")


def _condition_words(plan: CompiledFormat, condition: Condition | None) -> str:
    questions = {s.question.id: s.question.text for s in plan.sections if s.question}
    parts = []
    for part in conjuncts(condition):
        if isinstance(part, Answer):
            answer = "yes" if part.expected else "no"
            text = render(questions.get(part.question, part.question), SAMPLE_VALUES)
            parts.append(f"if the answer to “{text}” is {answer}")
        elif isinstance(part, Declared | Not) and (said := _declaration(plan, part)):
            parts.append(said)
        else:
            parts.append(describe(part))
    return " and ".join(parts)


def _declaration(plan: CompiledFormat, part: Declared | Not) -> str | None:
    """A private declaration in its own words: "when someone has said privately “I'm new”"."""
    inner = part.condition if isinstance(part, Not) else part
    if not isinstance(inner, Declared):
        return None
    found = plan.variants.declaration(inner.id)
    words = found.words if found is not None else inner.id
    who = "nobody" if isinstance(part, Not) else "someone"
    return f"when {who} has said privately “{words}” (only how many say it is used, never who)"


def _variant_lines(plan: CompiledFormat) -> list[str]:
    """What members may say privately, and the group's modes and cycle, in plain words."""
    variants, lines = plan.variants, []
    if variants.declarations:
        lines += ["", "Members may say privately, for this meeting only (nothing is kept):"]
        lines += [f"  “{d.words}”" for d in variants.declarations]
    for mode in variants.modes:
        about = f" {mode.about}" if mode.about else ""
        choices = ", ".join(mode.choices)
        lines += [
            "",
            f"The group chooses “{mode.name}”: {choices} (to begin with: {mode.default}).{about}",
        ]
    if variants.cycle is not None:
        cycle = variants.cycle
        lines += [
            "",
            f"Weeks go in a cycle of {cycle.weeks}, week 1 beginning "
            f"{cycle.since.day} {cycle.since:%B %Y}.",
        ]
    return lines


def _only(words: str) -> str:
    """ "Only if …" / "Only when …"; a condition that reads on its own ("unless …",
    "either …") is just capitalised."""
    if words.startswith(("unless ", "either ")):
        return words[0].upper() + words[1:]
    return f"Only {words}"


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
            f"{at:>5} {'   ' * section.depth}{section.index + 1}. {section_heading(plan, section)}"
        )
        if section.condition is not None:
            lines.append(f"{indent}{_only(_condition_words(plan, section.condition))}.")
        if section.crosstalk != crosstalk:
            lines += [
                msg("{indent}{line}", indent=indent, line=line)
                for line in _crosstalk_change(section.crosstalk, values)
            ]
            crosstalk = section.crosstalk
        lines += [indent + line if line else "" for line in section_details(plan, section, values)]
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
