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
from bot.core.formats.parts import Parts, default_title, minutes
from bot.core.formats.plan import (
    AgendaItem,
    Anchor,
    AnchorBase,
    BusinessRules,
    CompiledFormat,
    CompiledSection,
    Order,
    Question,
    Quiet,
    ReadingRules,
    SectionKind,
    Sharers,
    Sharing,
    TurnTaking,
    Who,
    WhoKind,
)
from bot.core.formats.yamlsource import Path

Report = Callable[[Path, str, str], None]

_FIXED_ESTIMATES = {  # planned seconds for sections whose length the format does not give
    SectionKind.TOPIC: 120,
    SectionKind.MILESTONES: 180,
    SectionKind.ASK: 20,
}


def compile_format(spec: schema.FormatSpec, report: Report) -> CompiledFormat:
    """Build the plan; problems found on the way go to ``report`` (the plan is then unusable)."""
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
        lock_channel=spec.lock_channel,
    )
    _check_timing(plan, builder.paths, report)
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
        kind = SectionKind(next(k for k, m in schema.SECTION_MODELS.items() if type(spec) is m))
        own = self._condition(spec.if_, (*path, "if")) if spec.if_ else None
        condition = _both(inherited, own)
        if (reason := cond.contradiction(condition)) is not None:
            self.report(path, f"this section can never run: {reason}", "check its if: conditions")
        self._check_anchors(spec, path)
        section = self._build(kind, spec, path, depth, condition)
        self.sections.append(section)
        self.paths.append(path)
        if isinstance(spec, schema.AskSection) and section.question is not None:
            question = section.question.id
            self.asked.add(question)
            if not spec.yes and not spec.no and spec.id is None:
                self.report(
                    path,
                    "nothing depends on the answer to this question",
                    "add yes: or no: sections under it, or give it an id: to use in if:",
                )
            for answer, branch in ((True, spec.yes), (False, spec.no)):
                branch_condition = _both(condition, cond.Answer(question, answer))
                key = "yes" if answer else "no"
                self.add_all(branch, (*path, key), depth + 1, branch_condition)

    def _build(
        self,
        kind: SectionKind,
        spec: schema.SectionSpec,
        path: Path,
        depth: int,
        condition: cond.Condition | None,
    ) -> CompiledSection:
        parts = self.parts
        main = getattr(spec, kind.value.replace("-", "_"), None)
        text_value = main if isinstance(main, str) else getattr(spec, "text", None)
        text = parts.section_text(text_value, (*path, kind.value)) if text_value else None
        who = parts.who(spec.by, kind)
        time_box = spec.time
        extras: dict[str, object] = {}
        planned = (text.reading_seconds if text else 0) if time_box is None else time_box
        elastic = False
        if isinstance(spec, schema.ReadSection):
            extras["reading"] = ReadingRules(
                readers=spec.readers,
                offer=spec.offer if spec.offer is not None else who.kind is WhoKind.VOLUNTEER,
            )
        elif isinstance(spec, schema.SilenceSection | schema.MeditationSection):
            length = spec.silence if isinstance(spec, schema.SilenceSection) else spec.meditation
            bells = spec.bells or schema.Bells(
                start=kind is SectionKind.MEDITATION, end=kind is SectionKind.MEDITATION
            )
            extras["quiet"] = Quiet(length, bells.start, bells.end)
            planned = time_box or length or 60
        elif isinstance(spec, schema.BreakSection):
            extras["quiet"] = Quiet(spec.break_)
            planned = time_box or spec.break_
        elif isinstance(spec, schema.SharingSpec | schema.SpeakerSection):
            sharing = self._sharing(kind, spec, path, who)
            extras["sharing"] = sharing
            if isinstance(spec, schema.SharingSpec):
                extras["private_requests"] = (
                    spec.private_requests
                    if spec.private_requests is not None
                    else kind is SectionKind.INTRODUCTIONS or sharing.phases[0].first_timers_first
                )
            if kind is SectionKind.SPEAKER:
                planned = time_box or (sharing.timer.limit_seconds or 0) + planned
            else:
                elastic = time_box is None
        elif isinstance(spec, schema.AskSection):
            words = spec.ask
            question_id = spec.id or f"question-{len(self.sections) + 1}"
            extras["question"] = Question(question_id, words)
            text = None
        elif isinstance(spec, schema.AnnouncementsSection):
            calls = spec.calls or ([] if text else ["Are there any announcements?"])
            extras["announcement_calls"] = tuple(
                parts.chunks(call, (*path, "calls", i)) for i, call in enumerate(calls)
            )
            planned = time_box or 90 * max(1, len(calls)) + planned
        elif isinstance(spec, schema.TopicSection):
            extras["topic_chosen_by"] = parts.who(spec.chosen_by, kind)
        elif isinstance(spec, schema.BreakoutSection):
            extras["breakout_group_size"] = spec.group_size
            elastic = time_box is None
        elif isinstance(spec, schema.BusinessSection):
            extras["business"] = self._business(spec, kind)
            item_times = [item.time for item in spec.agenda]
            if time_box is None:
                elastic = not item_times or None in item_times
                planned = 0 if elastic else sum(t or 0 for t in item_times) + planned
        if isinstance(spec, schema.MilestonesSection):
            extras["private_requests"] = spec.private_requests
        if kind in _FIXED_ESTIMATES and time_box is None:
            planned = _FIXED_ESTIMATES[kind] + planned
        if spec.until is not None:
            elastic = True
        return CompiledSection(
            index=len(self.sections),
            kind=kind,
            title=spec.title or _question_title(spec) or default_title(kind, text),
            who=who,
            condition=condition,
            crosstalk=parts.crosstalk(spec.crosstalk, (*path, "crosstalk")),
            channel=parts.channel(spec.channel),
            planned_seconds=0 if elastic else planned,
            elastic=elastic,
            time_box_seconds=time_box,
            starts=spec.starts,
            until=spec.until,
            depth=depth,
            text=text,
            **extras,  # type: ignore[arg-type]  # each key is a field of CompiledSection
        )

    def _sharing(
        self,
        kind: SectionKind,
        spec: schema.SharingSpec | schema.SpeakerSection,
        path: Path,
        who: Who,
    ) -> Sharing:
        timer = self.parts.timer(spec, path, speaker=who if kind is SectionKind.SPEAKER else None)
        if spec.time is not None and timer.limit_seconds and timer.limit_seconds > spec.time:
            self.report(
                (*path, "time"),
                f"a {minutes(timer.limit_seconds)} share cannot fit in this "
                f"{minutes(spec.time)} section",
                "make the section longer or the share limit shorter",
            )
        if isinstance(spec, schema.SpeakerSection):
            return Sharing((TurnTaking(Order.FREE, pass_allowed=False),), timer, sharer=who)
        order = spec.order or (Order.HANDS if kind is SectionKind.SHARE else Order.ROUND)
        if spec.rounds is not None and spec.rounds > 1 and order is not Order.ROUND:
            self.report((*path, "rounds"), "rounds: goes with order: round", "remove rounds:")
        phase = TurnTaking(
            order=order,
            sharers=spec.who_shares or Sharers.EVERYONE,
            pass_allowed=True if spec.pass_ is None else spec.pass_,
            first_timers_first=bool(spec.first_timers_first),
            not_yet_shared_first=bool(spec.not_yet_shared_first),
            once_each_first=True if spec.once_each is None else spec.once_each,
            rounds=spec.rounds or 1,
        )
        phases = [phase]
        for change in spec.then or []:
            begins = change.at or Anchor(AnchorBase.SECTION, change.after or 0)
            previous = phases[-1]
            phases.append(
                TurnTaking(
                    order=change.order or previous.order,
                    sharers=change.who_shares or previous.sharers,
                    pass_allowed=previous.pass_allowed if change.pass_ is None else change.pass_,
                    first_timers_first=_pick(
                        change.first_timers_first, previous.first_timers_first
                    ),
                    not_yet_shared_first=_pick(
                        change.not_yet_shared_first, previous.not_yet_shared_first
                    ),
                    once_each_first=previous.once_each_first,
                    rounds=1,
                    begins=begins,
                )
            )
        return Sharing(tuple(phases), timer)

    def _business(self, spec: schema.BusinessSection, kind: SectionKind) -> BusinessRules:
        agenda = tuple(
            AgendaItem(item.item, item.time, self.parts.who(item.by, kind) if item.by else None)
            for item in spec.agenda
        )
        motions = spec.motions
        return BusinessRules(
            agenda=agenda,
            second_required=motions.second,
            discussion_seconds=motions.discussion,
            vote=motions.vote,
            threshold=motions.threshold,
            quorum=motions.quorum,
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
                    f"there is no question with id '{question}'",
                    schema.suggestion(question, self.question_ids)
                    or "give the ask: section an id: first",
                )
            elif question not in self.asked:
                self.report(
                    (*path, key),
                    f"the question '{question}' is asked only after this section",
                    "move the ask: section before this one",
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
                    f"the meeting is only {minutes(self.spec.length)} long, so "
                    f"{minutes(spec.time_left)} are never left",
                    "use a shorter time",
                )
            found.append(cond.TimeLeft(spec.time_left))
        if spec.time_allows:
            found.append(cond.TimeAllows())
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
        length = self.spec.length
        for key, anchor in (("starts", spec.starts), ("until", spec.until)):
            if anchor is not None and anchor.seconds_from_start(length) > length:
                self.report(
                    (*path, key),
                    f"{anchor.describe()} is after the meeting's planned end",
                    f"the meeting is {minutes(length)} long (length:)",
                )
        if (
            spec.starts is not None
            and spec.until is not None
            and spec.until.seconds_from_start(length) <= spec.starts.seconds_from_start(length)
        ):
            self.report((*path, "until"), "this section ends before it starts", "check both")
        if spec.until is not None and spec.time is not None:
            self.report(
                (*path, "time"),
                "a section with until: takes the time up to that moment",
                "give either time: or until:, not both",
            )


def _question_title(spec: schema.SectionSpec) -> str:
    """An ``ask`` section is titled by its question, when that is short enough for a heading."""
    if isinstance(spec, schema.AskSection) and len(spec.ask) <= 100 and "${" not in spec.ask:
        return spec.ask
    return ""


def _pick(value: bool | None, previous: bool) -> bool:
    return previous if value is None else value


def _both(first: cond.Condition | None, second: cond.Condition | None) -> cond.Condition | None:
    parts = cond.conjuncts(first) + cond.conjuncts(second)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else cond.AllOf(parts)


def _all_question_ids(sections: Sequence[schema.SectionSpec]) -> frozenset[str]:
    found: set[str] = set()
    for section in sections:
        if isinstance(section, schema.AskSection):
            if section.id:
                found.add(section.id)
            found |= _all_question_ids(section.yes) | _all_question_ids(section.no)
    return frozenset(found)


def _check_timing(plan: CompiledFormat, paths: list[Path], report: Report) -> None:
    seen_ids: dict[str, Path] = {}
    for section, path in zip(plan.sections, paths, strict=True):
        if section.question is not None and section.question.id in seen_ids:
            report(
                (*path, "id"), f"two questions have the id '{section.question.id}'", "rename one"
            )
        elif section.question is not None:
            seen_ids[section.question.id] = path
    for overrun in plan.overruns():
        path = paths[overrun.section.index]
        if overrun.moment == "end":
            report(
                path,
                f"the sections add up to about {minutes(plan.planned_length_seconds())}, "
                f"longer than the meeting ({minutes(plan.length_seconds)})",
                "raise length:, or give some sections less time",
            )
        else:
            report(
                (*path, overrun.moment),
                f"the sections before this point need about {minutes(overrun.seconds)} more "
                "than the plan allows",
                "give earlier sections less time, or move this moment later",
            )
