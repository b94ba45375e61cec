"""Advice on a format that loads: things that will run, but probably not as the group means.

A format with only advice is valid — a meeting can run it — but the secretary should look
again: a sharing section that quietly takes all the time that is left, a clock time that comes
twice in a long meeting, words after the closing, a conditional section that would run past the
end, a reading that is still the guide's placeholder. ``python -m bot format check``,
``/format preview`` and ``/format upload`` show each one with its line, as a warning.

:func:`advise` is pure: the compiled plan and the YAML path of each section in, ``(path,
message, hint)`` triples out (the loader turns paths into lines).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.formats.conditions import Not, SwitchOn, conjuncts
from bot.core.formats.plan import AnchorBase, CompiledFormat, CompiledSection, SectionKind
from bot.core.formats.timing import minutes_said
from bot.core.formats.yamlsource import Path
from bot.i18n.message import Msg, msg

Advise = Callable[[Path, Msg | str, Msg | str], None]


def advise(plan: CompiledFormat, paths: Sequence[Path], warn: Advise) -> None:
    """Call ``warn(path, message, hint)`` for each thing the group should look at again."""
    for section, path in zip(plan.sections, paths, strict=True):
        _unbounded_sharing(plan, section, path, warn)
        _fair_share_unbounded(plan, section, path, warn)
        _ambiguous_clock(plan, section, path, warn)
        _placeholder(section, path, warn)
    _after_closing(plan, paths, warn)
    _conditional_overruns(plan, paths, warn)


def runs_by_default(plan: CompiledFormat, section: CompiledSection) -> bool:
    """Whether a conditional section runs with the switches as the format sets them, knowing
    nothing else (its condition is made of switches only, and they hold by default)."""
    if section.condition is None:
        return True
    defaults = {switch.name: switch.default for switch in plan.switches}
    for part in conjuncts(section.condition):
        match part:
            case SwitchOn(name):
                if not defaults.get(name, False):
                    return False
            case Not(SwitchOn(name)):
                if defaults.get(name, False):
                    return False
            case _:
                return False
    return True


def default_sections(plan: CompiledFormat) -> list[int]:
    """The conditional sections that run by default (see :func:`runs_by_default`)."""
    return [s.index for s in plan.sections if s.condition is not None and runs_by_default(plan, s)]


def _unbounded_sharing(
    plan: CompiledFormat, section: CompiledSection, path: Path, warn: Advise
) -> None:
    if section.sharing is None or not section.elastic or section.until is not None:
        return
    later = plan.sections[section.index + 1 :]
    if any(s.starts is not None for s in later):
        return  # a later section starts at a set moment, which ends this one
    warn(
        path,
        msg(
            "this sharing section has no time: or until:, so it takes all the time that is left "
            "and the chair has to end it"
        ),
        msg("give it  until: end - 10m  (or  time: 20m)  so the closing keeps its time"),
    )


def _fair_share_unbounded(
    plan: CompiledFormat, section: CompiledSection, path: Path, warn: Advise
) -> None:
    """``fair-share`` divides the time left in the section: with no end it has nothing to
    divide (a later ``starts:`` ends it only if that section always runs)."""
    sharing = section.sharing
    if sharing is None or sharing.sharer is not None or sharing.timer.fair_share is None:
        return
    if section.time_box_seconds or section.until is not None:
        return
    later = plan.sections[section.index + 1 :]
    if any(s.starts is not None and s.condition is None for s in later):
        return
    warn(
        path,
        msg(
            "fair-share sizes each share to the time left in this section, but it has no time: "
            "or until:, so shares keep their usual limit"
        ),
        msg("give this section  time: 20m  (or  until: end - 10m)  so fair-share can work"),
    )


def _ambiguous_clock(
    plan: CompiledFormat, section: CompiledSection, path: Path, warn: Advise
) -> None:
    if plan.length_seconds <= 3600:
        return
    for key, anchor in (("starts", section.starts), ("until", section.until)):
        if anchor is None or anchor.base is not AnchorBase.CLOCK or anchor.hour is not None:
            continue
        warn(
            (*path, key),
            msg(
                "':{minute}' comes more than once in a meeting of {minutes}; the bot uses the "
                "first :{minute} after the start",
                minute=f"{anchor.minute:02d}",
                minutes=minutes_said(plan.length_seconds),
            ),
            msg(
                "write the time of day, like 19:{minute} (with  starts-at: at the top), or a "
                "moment like 'start + 15m'",
                minute=f"{anchor.minute:02d}",
            ),
        )


def _placeholder(section: CompiledSection, path: Path, warn: Advise) -> None:
    if section.text is None:
        return
    if any(option.placeholder for option in section.text.options):
        warn(
            path,
            msg(
                "this reading is still a placeholder, not your group's own words, so meetings "
                "leave it out (the chair is told privately)"
            ),
            msg(
                "put your group's own words in its text (placeholder: false), or remove the section"
            ),
        )


def _after_closing(plan: CompiledFormat, paths: Sequence[Path], warn: Advise) -> None:
    closing = next(
        (s for s in plan.sections if s.kind is SectionKind.CLOSING and s.depth == 0), None
    )
    if closing is None:
        return
    for section in plan.sections[closing.index + 1 :]:
        if section.depth == 0:
            warn(
                paths[section.index],
                msg(
                    "this section comes after the closing, so it runs after the group has said "
                    "goodbye"
                ),
                msg("move it before the closing; for time together afterwards use  after:"),
            )


def _conditional_overruns(plan: CompiledFormat, paths: Sequence[Path], warn: Advise) -> None:
    by_default = default_sections(plan)
    if plan.overruns():
        return  # the plan itself already runs over: the loader reports that
    if overruns := plan.overruns_with(by_default):
        late = max(overrun.seconds for overrun in overruns)
        warn(
            paths[by_default[0]],
            msg(
                "with the switches as they are set, the meeting runs about {minutes} past its plan",
                minutes=minutes_said(late),
            ),
            msg("give some sections less time, or raise length:"),
        )
        return
    for section in plan.sections:
        if section.condition is None or section.if_time_allows or section.index in by_default:
            continue
        overruns = plan.overruns_with([*by_default, section.index])
        if not overruns:
            continue
        late = max(overrun.seconds for overrun in overruns)
        warn(
            paths[section.index],
            msg(
                "when this section runs, the meeting runs about {minutes} past its plan",
                minutes=minutes_said(late),
            ),
            msg(
                "give it (or the sections around it) less time, or add  time-allows: true  to its "
                "if:"
            ),
        )
