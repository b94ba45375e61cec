"""Compiling the conditions on a format's variants: private declarations (``someone-declared``,
``nobody-declared``), the time of day (``time-of-day``, ``after``, ``before``), the week of the
cycle (``week-of-cycle``) and the group's modes (``mode``). Each reference is checked against
what the format declares, and a problem goes to ``report(path, message, hint)``."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.formats import conditions as cond
from bot.core.formats.fields import ConditionSpec, suggestion
from bot.core.formats.variants import Variants
from bot.core.formats.yamlsource import Path
from bot.i18n.message import Msg, msg

Report = Callable[[Path, Msg | str, Msg | str], None]
DAY = 24 * 60


def variant_conditions(
    spec: ConditionSpec, variants: Variants, path: Path, report: Report
) -> list[cond.Condition]:
    """The conditions these keys of an ``if:`` ask for (all must hold)."""
    found: list[cond.Condition] = []
    known = {d.id for d in variants.declarations}
    for key, declared, negate in (
        ("someone-declared", spec.someone_declared, False),
        ("nobody-declared", spec.nobody_declared, True),
    ):
        if declared is None:
            continue
        if declared not in known:
            report(
                (*path, key),
                msg("there is no declaration called '{declared}'", declared=declared),
                suggestion(declared, known)
                or f"add it under declarations:, like  {declared}: I've worked this step",
            )
        found.append(cond.Not(cond.Declared(declared)) if negate else cond.Declared(declared))
    if spec.time_of_day:
        parts = [cond.StartsBetween(*cond.PARTS_OF_DAY[p], part=p) for p in spec.time_of_day]
        found.append(parts[0] if len(parts) == 1 else cond.AnyOf(tuple(parts)))
    if spec.after is not None or spec.before is not None:
        start = spec.after if spec.after is not None else 0
        end = spec.before if spec.before is not None else DAY
        if start == end:
            report(
                (*path, "before"),
                msg("after: and before: are the same time, so no meeting is ever between them"),
                msg(
                    "give the time the meeting may begin from (after:) and the time it begins "
                    "before (before:)"
                ),
            )
        found.append(cond.StartsBetween(start, end))
    if spec.week_of_cycle:
        found.extend(_cycle(spec, variants, path, report))
    for name, wanted in (spec.mode or {}).items():
        found.extend(_mode(name, wanted, variants, (*path, "mode", name), report))
    return found


def _cycle(
    spec: ConditionSpec, variants: Variants, path: Path, report: Report
) -> list[cond.Condition]:
    weeks, cycle = spec.week_of_cycle or frozenset(), variants.cycle
    if cycle is None:
        report(
            (*path, "week-of-cycle"),
            msg("week-of-cycle: needs the cycle it counts in"),
            msg(
                "add at the top of the format:  cycle: {{weeks: 4, from: 2026-01-05}}  (the first "
                "day of a week 1)"
            ),
        )
        return []
    beyond = sorted(w for w in weeks if w > cycle.weeks)
    if beyond:
        report(
            (*path, "week-of-cycle"),
            msg(
                "the cycle has {weeks} weeks, so week {beyond} never comes",
                weeks=cycle.weeks,
                beyond=beyond[0],
            ),
            msg("use a week from 1 to {weeks}, or change  weeks:  under cycle:", weeks=cycle.weeks),
        )
    return [cond.InCycleWeeks(frozenset(weeks), cycle)]


def _mode(
    name: str, wanted: str | list[str], variants: Variants, path: Path, report: Report
) -> list[cond.Condition]:
    mode = next((m for m in variants.modes if m.name == name), None)
    if mode is None:
        report(
            path,
            msg("there is no mode called '{name}'", name=name),
            suggestion(name, {m.name for m in variants.modes}) or msg("declare it under modes:"),
        )
        return []
    values = [wanted] if isinstance(wanted, str) else wanted
    for value in values:
        if value not in mode.choices:
            report(
                path,
                msg(
                    "'{value}' is not one of the choices of the mode '{name}'",
                    value=value,
                    name=name,
                ),
                suggestion(value, set(mode.choices)),
            )
    if not values:
        report(
            path,
            msg("the list of choices is empty"),
            msg("name one of: {choices}", choices=", ".join(mode.choices)),
        )
        return []
    return [cond.InMode(name, frozenset(values))]
