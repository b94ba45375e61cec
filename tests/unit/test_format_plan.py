"""The compiled plan's helpers: conditions, choosing texts, splitting readings, the schedule."""

from __future__ import annotations

import datetime as dt
import textwrap

from bot.core.formats import conditions as cond
from bot.core.formats import load_format
from bot.core.formats.plan import ChoiceRule, CompiledText, SectionText


def facts(day: dt.date = dt.date(2024, 3, 5), **kwargs: object) -> cond.MeetingFacts:
    return cond.MeetingFacts(today=day, seconds_left=kwargs.pop("seconds_left", 3600), **kwargs)  # type: ignore[arg-type]


def test_evaluate_answers_switches_and_roles() -> None:
    assert cond.evaluate(None, facts())
    assert cond.evaluate(cond.Answer("new"), facts(answers={"new": True}))
    assert not cond.evaluate(cond.Answer("new"), facts())  # not asked yet
    assert cond.evaluate(cond.Answer("new", False), facts(answers={"new": False}))
    assert cond.evaluate(cond.SwitchOn("x"), facts(switches={"x": True}))
    assert cond.evaluate(cond.RoleFilled("speaker"), facts(filled_roles=frozenset({"speaker"})))
    assert cond.evaluate(cond.Not(cond.RoleFilled("speaker")), facts())


def test_evaluate_calendar() -> None:
    first_tuesday = dt.date(2024, 3, 5)
    last_tuesday = dt.date(2024, 3, 26)
    assert cond.evaluate(cond.OnWeekdays(frozenset({1})), facts(first_tuesday))
    assert cond.evaluate(cond.InWeeksOfMonth(frozenset({1})), facts(first_tuesday))
    assert not cond.evaluate(cond.InWeeksOfMonth(frozenset({-1})), facts(first_tuesday))
    assert cond.evaluate(cond.InWeeksOfMonth(frozenset({-1})), facts(last_tuesday))
    assert cond.evaluate(cond.InMonths(frozenset({3})), facts(first_tuesday))


def test_evaluate_time() -> None:
    assert cond.evaluate(cond.TimeLeft(600), facts(seconds_left=600))
    assert not cond.evaluate(cond.TimeLeft(600), facts(seconds_left=599))
    assert cond.evaluate(cond.TimeAllows(), facts(seconds_left=300, section_seconds=300))
    assert not cond.evaluate(cond.TimeAllows(), facts(seconds_left=299, section_seconds=300))
    both = cond.AllOf((cond.TimeAllows(), cond.AnyOf((cond.SwitchOn("a"), cond.SwitchOn("b")))))
    assert cond.evaluate(both, facts(section_seconds=10, switches={"b": True}))


def test_contradictions_and_descriptions() -> None:
    assert cond.contradiction(cond.AllOf((cond.Answer("q"), cond.Answer("q", False))))
    assert cond.contradiction(cond.AllOf((cond.SwitchOn("a"), cond.Not(cond.SwitchOn("a")))))
    days = cond.AllOf((cond.OnWeekdays(frozenset({0})), cond.OnWeekdays(frozenset({1}))))
    assert cond.contradiction(days)
    assert cond.contradiction(cond.SwitchOn("a")) is None
    assert cond.describe(cond.OnWeekdays(frozenset({0, 4}))) == "on Monday or Friday"
    assert cond.describe(cond.InWeeksOfMonth(frozenset({-1, 1}))) == "in the first or last week"
    assert cond.describe(cond.TimeAllows()) == "if time allows"


def test_text_selection() -> None:
    options = tuple(CompiledText(name, name, (name,)) for name in ("a", "b", "c"))
    assert SectionText(options[:1]).select(5, 0, 1, 1) == options[0]
    assert SectionText(options, ChoiceRule.CHAIR).select(5, 0, 1, 1) is None
    rotate = SectionText(options, ChoiceRule.ROTATE)
    assert [rotate.select(n, 0, 1, 1) for n in (1, 2, 3, 4)] == [*options, options[0]]
    assert SectionText(options, ChoiceRule.WEEKDAY).select(1, 4, 1, 1) == options[1]
    assert SectionText(options, ChoiceRule.WEEK_OF_MONTH).select(1, 0, 3, 1) == options[2]
    assert SectionText(options, ChoiceRule.MONTH).select(1, 0, 1, 12) == options[2]


def test_a_text_divided_among_readers() -> None:
    text = CompiledText("t", "T", ("one\n\ntwo\n\nthree\n\nfour",))
    assert text.for_readers(1) == (("one\n\ntwo\n\nthree\n\nfour",),)
    assert text.for_readers(2) == (("one\n\ntwo",), ("three\n\nfour",))
    assert len(text.for_readers(10)) == 4  # never more parts than paragraphs


SCHEDULED = textwrap.dedent(
    """
    format: 1
    name: Schedule
    length: 60m
    sections:
      - say: Welcome.
        time: 2m
      - meditation: 10m
      - share: Open sharing.
        until: end - 10m
      - share: For those who have not shared.
        who-shares: not-yet-shared
        time: 5m
      - say: One more round if there is time.
        time: 3m
        if: time-allows
      - closing: Goodbye.
        starts: end - 5m
        time: 5m
    """
)


def test_schedule_fills_elastic_sections_between_anchors() -> None:
    plan = load_format(SCHEDULED)
    times = [
        (item.section.index, item.start_seconds, item.length_seconds) for item in plan.schedule()
    ]
    assert times == [(0, 0, 120), (1, 120, 600), (2, 720, 2280), (3, 3000, 300), (5, 3300, 300)]
    assert plan.planned_length_seconds() == 3600
    assert plan.overruns() == ()
    with_optional = plan.schedule(also=[4])
    assert [i.section.index for i in with_optional] == [0, 1, 2, 3, 4, 5]


def test_fixed_sections_that_do_not_fit_are_overruns() -> None:
    plan = load_format(
        "format: 1\nname: Short\nlength: 10m\nsections:\n  - say: Hi.\n    time: 4m\n"
        "  - say: Middle.\n    time: 4m\n"
    )
    assert plan.overruns() == ()
    assert plan.planned_length_seconds() == 480


def test_lookups() -> None:
    plan = load_format(SCHEDULED)
    assert plan.role("chair") is not None
    assert plan.role("nobody") is None
    assert plan.text("missing") is None
    assert plan.guideline("missing") is None
