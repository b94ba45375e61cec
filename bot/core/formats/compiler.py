"""Turning a validated :class:`~bot.core.formats.schema.FormatSpec` into a :class:`CompiledFormat`.

The schema has checked each value on its own; here the parts are put together: defaults are
merged into sections, texts are resolved and split, ``ask`` branches are flattened, and the
things that only show up as a whole are checked — a question used before it is asked, a section
whose conditions can never all hold, anchors that contradict each other, sections that cannot
fit in the meeting. Each such problem is reported through ``report(path, message, hint)`` with
the path of the YAML key it concerns, so the loader can name the line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.formats import conditions as cond
from bot.core.formats import schema
from bot.core.formats.advice import advise
from bot.core.formats.kinds import kind_of
from bot.core.formats.kinds.base import Draft
from bot.core.formats.parts import Parts
from bot.core.formats.plan import CompiledFormat, CompiledSection, CountRule
from bot.core.formats.preview_words import contradiction_said
from bot.core.formats.timing import minutes_said
from bot.core.formats.variant_conditions import variant_conditions
from bot.core.formats.yamlsource import Path
from bot.i18n.message import Msg, msg

Report = Callable[[Path, Msg | str, Msg | str], None]


def compile_format(
    spec: schema.FormatSpec, report: Report, warn: Report | None = None
) -> CompiledFormat:
    """Build the plan; problems found on the way go to ``report`` (the plan is then unusable),
    and advice on a plan that works but may not be what the group means to ``warn``."""
    parts = Parts(spec, report)
    builder = _SectionBuilder(spec, parts, report)
    builder.add_all(spec.sections, ("sections",), depth=0, inherited=None)
    plan = CompiledFormat(
        version=1,
        name=spec.name,
        about=spec.about,
        language=spec.language,
        length_seconds=spec.length,
        roles=parts.roles,
        defaults=parts.defaults,
        sections=tuple(builder.sections),
        texts=parts.plain_texts,
        guidelines=parts.guidelines,
        switches=parts.switches,
        meeting_warnings=parts.meeting_warnings,
        before_start=parts.before_start,
        after_close=parts.after_close,
        lock_channel=spec.lock_channel.when,
        counts=_counts(spec, report),
        lock_after_seconds=_lock_after(spec, report),
        starts_at_minute=spec.starts_at,
        resources=parts.resources,
        variants=parts.variants,
    )
    _check_timing(plan, builder.paths, report)
    if warn is not None:
        advise(plan, builder.paths, warn)
    return plan


class _SectionBuilder:
    def __init__(self, spec: schema.FormatSpec, parts: Parts, report: Report) -> None:
        self.spec, self.parts, self.report = spec, parts, report
        self.sections: list[CompiledSection] = []
        self.paths: list[Path] = []
        self.asked: set[str] = set()
        self.question_ids = _all_question_ids(spec.sections)

    def add_all(
        self,
        specs: Sequence[schema.SectionSpec],
        path: Path,
        depth: int,
        inherited: cond.Condition | None,
    ) -> None:
        for position, spec in enumerate(specs):
            self.add(spec, (*path, position), depth, inherited)

    def add(
        self,
        spec: schema.SectionSpec,
        path: Path,
        depth: int,
        inherited: cond.Condition | None,
    ) -> None:
        own = self._condition(spec.if_, (*path, "if")) if spec.if_ else None
        condition = _both(inherited, own)
        if (reason := contradiction_said(condition)) is not None:
            self.report(
                path,
                msg("this section can never run: {reason}", reason=reason),
                msg("check its if: conditions"),
            )
        self._check_anchors(spec, path)
        section = self._build(spec, path, depth, condition)
        self.sections.append(section)
        self.paths.append(path)
        if section.question is None:
            return
        question = section.question.id
        self.asked.add(question)
        for key, answer, branch in kind_of(spec).branches(spec):
            branch_condition = _both(condition, cond.Answer(question, answer))
            self.add_all(branch, (*path, key), depth + 1, branch_condition)

    def _build(
        self,
        spec: schema.SectionSpec,
        path: Path,
        depth: int,
        condition: cond.Condition | None,
    ) -> CompiledSection:
        """What every section has, then what its kind adds (see :mod:`bot.core.formats.kinds`)."""
        parts, kind = self.parts, kind_of(spec)
        main = getattr(spec, kind.kind.value.replace("-", "_"), None)
        text_value = main if isinstance(main, str) else getattr(spec, "text", None)
        text = parts.section_text(text_value, (*path, kind.kind.value)) if text_value else None
        time_box = spec.time
        draft = Draft(
            kind=kind.kind,
            index=len(self.sections),
            path=path,
            parts=parts,
            who=parts.who(spec.by, kind.leader(parts)),
            text=text,
            time_box=time_box,
            planned=(text.reading_seconds if text else 0) if time_box is None else time_box,
        )
        kind.compile(spec, draft)
        elastic = draft.elastic or spec.until is not None
        return CompiledSection(
            index=draft.index,
            kind=kind.kind,
            title=spec.title or draft.title or kind.title,
            who=draft.who,
            condition=condition,
            crosstalk=parts.crosstalk(spec.crosstalk, (*path, "crosstalk")),
            channel=parts.channel(spec.channel),
            planned_seconds=0 if elastic else draft.planned,
            elastic=elastic,
            time_box_seconds=time_box,
            starts=spec.starts,
            until=spec.until,
            depth=depth,
            text=draft.text,
            **draft.extras,  # type: ignore[arg-type]  # each key is a field of CompiledSection
        )

    def _condition(self, spec: schema.ConditionSpec, path: Path) -> cond.Condition | None:
        found: list[cond.Condition] = []
        for key, expected in (("answered-yes", True), ("answered-no", False)):
            question = spec.answered_yes if expected else spec.answered_no
            if question is None:
                continue
            if question not in self.question_ids:
                self.report(
                    (*path, key),
                    msg("there is no question with id '{question}'", question=question),
                    schema.suggestion(question, self.question_ids)
                    or "give the ask: section an id: first",
                )
            elif question not in self.asked:
                self.report(
                    (*path, key),
                    msg(
                        "the question '{question}' is asked only after this section",
                        question=question,
                    ),
                    msg("move the ask: section before this one"),
                )
            found.append(cond.Answer(question, expected))
        if spec.switch:
            found.append(cond.SwitchOn(spec.switch))
        if spec.switch_off:
            found.append(cond.Not(cond.SwitchOn(spec.switch_off)))
        if spec.someone_is:
            found.append(cond.RoleFilled(spec.someone_is))
        if spec.nobody_is:
            found.append(cond.Not(cond.RoleFilled(spec.nobody_is)))
        if spec.weekday:
            found.append(cond.OnWeekdays(spec.weekday))
        if spec.week_of_month:
            found.append(cond.InWeeksOfMonth(spec.week_of_month))
        if spec.month:
            found.append(cond.InMonths(spec.month))
        if spec.time_left is not None:
            if spec.time_left >= self.spec.length:
                self.report(
                    (*path, "time-left"),
                    msg(
                        "the meeting is only {minutes} long, so {minutes2} are never left",
                        minutes=minutes_said(self.spec.length),
                        minutes2=minutes_said(spec.time_left),
                    ),
                    msg("use a shorter time"),
                )
            found.append(cond.TimeLeft(spec.time_left))
        if spec.time_allows:
            found.append(cond.TimeAllows())
        found += variant_conditions(spec, self.parts.variants, path, self.report)
        for key, group, combine in (("all", spec.all, cond.AllOf), ("any", spec.any, cond.AnyOf)):
            inner = [self._condition(c, (*path, key, i)) for i, c in enumerate(group or [])]
            present = tuple(c for c in inner if c is not None)
            if present:
                found.append(combine(present))
        if spec.not_ is not None and (negated := self._condition(spec.not_, (*path, "not"))):
            found.append(cond.Not(negated))
        if not found:
            return None
        return found[0] if len(found) == 1 else cond.AllOf(tuple(found))

    def _check_anchors(self, spec: schema.SectionSpec, path: Path) -> None:
        length, start = self.spec.length, self.spec.starts_at or 0
        for key, anchor in (("starts", spec.starts), ("until", spec.until)):
            if anchor is not None and anchor.hour is not None and self.spec.starts_at is None:
                self.report(
                    (*path, key),
                    msg(
                        "{moment} needs the time the meeting usually starts",
                        moment=anchor.said(),
                    ),
                    msg("add  starts-at: 19:00  (your group's start) at the top of the format"),
                )
                continue
            if anchor is not None and anchor.seconds_from_start(length, start) > length:
                self.report(
                    (*path, key),
                    msg("{moment} is after the meeting's planned end", moment=anchor.said()),
                    msg("the meeting is {minutes} long (length:)", minutes=minutes_said(length)),
                )
        if (
            spec.starts is not None
            and spec.until is not None
            and spec.until.seconds_from_start(length, start)
            <= spec.starts.seconds_from_start(length, start)
        ):
            self.report(
                (*path, "until"), msg("this section ends before it starts"), msg("check both")
            )
        if spec.until is not None and spec.time is not None:
            self.report(
                (*path, "time"),
                msg("a section with until: takes the time up to that moment"),
                msg("give either time: or until:, not both"),
            )


def _both(first: cond.Condition | None, second: cond.Condition | None) -> cond.Condition | None:
    parts = cond.conjuncts(first) + cond.conjuncts(second)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else cond.AllOf(parts)


def _all_question_ids(sections: Sequence[schema.SectionSpec]) -> frozenset[str]:
    """The question ids the file declares, at any depth."""
    found: set[str] = set()
    for section in sections:
        kind = kind_of(section)
        if question := kind.question_id(section):
            found.add(question)
        for _key, _answer, branch in kind.branches(section):
            found |= _all_question_ids(branch)
    return frozenset(found)


#: A meeting counts after this long unless the format says otherwise (or is shorter).
COUNTS_AFTER_MINUTES = 15


def _counts(spec: schema.FormatSpec, report: Report) -> CountRule:
    """When a meeting of this format counts: ``counts:`` as written, else 15 minutes (or the
    whole length of a shorter format) and three members."""
    written = spec.counts.minutes
    if written is not None and written * 60 > spec.length:
        report(
            ("counts", "minutes"),
            msg(
                "a meeting would have to run {written} minutes to count, longer than the meeting "
                "({minutes})",
                written=written,
                minutes=minutes_said(spec.length),
            ),
            msg("lower minutes: to the meeting's length or less"),
        )
    seconds = written * 60 if written is not None else min(COUNTS_AFTER_MINUTES * 60, spec.length)
    return CountRule(seconds=seconds, members=spec.counts.members)


def _lock_after(spec: schema.FormatSpec, report: Report) -> int:
    """``lock-channel: {after: …}``: a moment inside the meeting."""
    after = spec.lock_channel.after_seconds
    if after >= spec.length:
        report(
            ("lock-channel", "after"),
            msg(
                "the channel would close {after} after the start, but the meeting is {length} "
                "long, so it would never close",
                after=minutes_said(after),
                length=minutes_said(spec.length),
            ),
            msg("make after: shorter than the meeting's length"),
        )
    return after


def _check_timing(plan: CompiledFormat, paths: list[Path], report: Report) -> None:
    seen_ids: dict[str, Path] = {}
    for section, path in zip(plan.sections, paths, strict=True):
        if section.question is not None and section.question.id in seen_ids:
            report(
                (*path, "id"),
                msg("two questions have the id '{id}'", id=section.question.id),
                msg("rename one"),
            )
        elif section.question is not None:
            seen_ids[section.question.id] = path
    for overrun in plan.overruns():
        path = paths[overrun.section.index]
        if overrun.moment == "end":
            report(
                path,
                msg(
                    "the sections add up to about {minutes}, longer than the meeting ({minutes2})",
                    minutes=minutes_said(plan.planned_length_seconds()),
                    minutes2=minutes_said(plan.length_seconds),
                ),
                msg("raise length:, or give some sections less time"),
            )
        else:
            report(
                (*path, overrun.moment),
                msg(
                    "the sections before this point need about {minutes} more than the plan allows",
                    minutes=minutes_said(overrun.seconds),
                ),
                msg("give earlier sections less time, or move this moment later"),
            )
