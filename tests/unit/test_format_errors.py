"""Every kind of mistake is reported as file:line:column with a hint, all at once, never a crash."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from bot.core.formats import MAX_FORMAT_BYTES, FormatError, Problem, load_format, load_format_file
from bot.core.formats.render import render

HEADER = "format: 1\nname: Test\n"


def problems(text: str) -> list[Problem]:
    """The problems found in ``text`` (dedented), failing the test if it loads."""
    with pytest.raises(FormatError) as caught:
        load_format(textwrap.dedent(text).lstrip("\n"), filename="group.yaml")
    return caught.value.problems


def only(text: str) -> Problem:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def where(problem: Problem) -> tuple[int, int]:
    return problem.line, problem.column


def test_a_problem_prints_as_file_line_column_message_hint() -> None:
    problem = Problem("group.yaml", 3, 7, "unknown key 'ordr'", "did you mean 'order'?")
    assert str(problem) == "group.yaml:3:7: unknown key 'ordr' (hint: did you mean 'order'?)"
    assert str(Problem("f", 1, 1, "m")) == "f:1:1: m"


def test_yaml_syntax_error() -> None:
    problem = only(
        """
        format: 1
        name: Test
        sections:
          - say: Reminder: we start on time.
        """
    )
    assert where(problem) == (4, 18)
    assert problem.message.startswith("YAML syntax:")
    assert "quotes" in problem.hint


def test_tabs_get_their_own_hint() -> None:
    problem = only("format: 1\nname: Test\nsections:\n\t- say: hi there\n")
    assert problem.line == 4
    assert "tabs" in problem.hint


def test_unknown_key_suggests_the_closest() -> None:
    problem = only(
        """
        format: 1
        name: Test
        sections:
          - share: Open sharing.
            ordr: hands
        """
    )
    assert where(problem) == (5, 5)
    assert problem.message == "unknown key 'ordr'"
    assert problem.hint == "did you mean 'order'?"


def test_unknown_top_level_key() -> None:
    problem = only(HEADER + "lenght: 60m\nsections:\n  - say: Hello there.\n")
    assert where(problem) == (3, 1)
    assert problem.hint == "did you mean 'length'?"


def test_unknown_section_kind() -> None:
    problem = only(HEADER + "sections:\n  - silense: 30s\n")
    assert where(problem) == (4, 5)
    assert problem.message == "this section does not say what kind it is"
    assert problem.hint == "did you mean 'silence'?"


def test_two_kinds_in_one_section() -> None:
    problem = only(HEADER + "sections:\n  - say: Hello there.\n    read: Words here.\n")
    assert "only one kind" in problem.message
    assert "split" in problem.hint


def test_options_written_inside_the_kind_key() -> None:
    problem = only(HEADER + "sections:\n  - share: {order: hands}\n")
    assert where(problem) == (4, 12)
    assert "own lines" in problem.hint


def test_wrong_types() -> None:
    found = problems(
        HEADER
        + "sections:\n"
        + "  - share: Open.\n"
        + "    first-timers-first: maybe\n"
        + "    rounds: lots\n"
        + "  - say: 42\n"
    )
    assert [(p.line, p.column) for p in found] == [(5, 25), (6, 13), (7, 10)]
    assert found[0].message == "expected yes or no here, not 'maybe'"
    assert found[1].message == "expected a whole number here, not 'lots'"
    assert found[2].message == "expected words here, not 42"
    assert found[2].hint == "put the words in quotes"


def test_a_choice_that_does_not_exist() -> None:
    problem = only(HEADER + "crosstalk: not-alowed\nsections:\n  - say: Hello there.\n")
    assert where(problem) == (3, 12)
    assert problem.hint == "did you mean 'not-allowed'?"


def test_missing_keys() -> None:
    found = problems("format: 1\nsections:\n  - say: Hello there.\n")
    assert [p.message for p in found] == ["'name' is missing here"]
    assert found[0].hint == "add  name: …"


def test_missing_or_wrong_version() -> None:
    assert only("name: Test\nsections:\n  - say: Hi there.\n").hint == "add  format: 1"
    problem = only("format: 2\nname: Test\nsections:\n  - say: Hi there.\n")
    assert where(problem) == (1, 1)
    assert "format: 1" in problem.message


def test_duration_without_a_unit() -> None:
    problem = only(HEADER + "share:\n  limit: 3\nsections:\n  - say: Hello there.\n")
    assert where(problem) == (4, 10)
    assert problem.message == "3 needs a unit"
    assert problem.hint == "write 3m for minutes or 3s for seconds"


def test_references_to_texts_roles_and_switches() -> None:
    found = problems(
        """
        format: 1
        name: Test
        roles:
          reader: on-the-day
        sections:
          - read: closng
            by: redaer
            if: {switch: long-readin}
        texts:
          closing: Thank you.
        """
    )
    assert [(p.line, p.message, p.hint) for p in found] == [
        (6, "there is no text called 'closng'", "did you mean 'closing'?"),
        (7, "'redaer' is not a role of this format", "did you mean 'reader'?"),
        (8, "there is no switch called 'long-readin'", "declare it under switches:"),
    ]


def test_a_fallback_to_a_missing_role_and_a_circle_of_fallbacks() -> None:
    found = problems(
        """
        format: 1
        name: Test
        roles:
          reader: {fallback: greeter}
          greeter: {fallback: reader}
          host: {fallback: hots}
        sections:
          - say: Hello there.
        """
    )
    messages = {(p.line, p.message) for p in found}
    assert (4, "these fallbacks go round in a circle") in messages
    assert (6, "there is no role called 'hots'") in messages


def test_unknown_placeholders_point_inside_the_text() -> None:
    found = problems(
        """
        format: 1
        name: Test
        sections:
          - say: Welcome to ${grop}.
          - read: welcome
        texts:
          welcome: |
            First line.
            We are glad you came, ${__import__}.
        """
    )
    assert [(p.line, p.column, p.message) for p in found] == [
        (4, 21, "unknown placeholder ${grop}"),
        (9, 27, "unknown placeholder ${__import__}"),
    ]
    assert found[0].hint == "did you mean ${group}?"


def test_a_question_used_before_it_is_asked_or_never_asked() -> None:
    found = problems(
        """
        format: 1
        name: Test
        sections:
          - say: Welcome, everyone.
            if: {answered-yes: newcomers}
          - ask: Is anyone new today?
            id: newcomers
          - say: Glad you're here.
            if: {answered-no: newcomer}
        """
    )
    assert [(p.line, p.message) for p in found] == [
        (5, "the question 'newcomers' is asked only after this section"),
        (9, "there is no question with id 'newcomer'"),
    ]
    assert found[1].hint == "did you mean 'newcomers'?"


def test_a_section_that_can_never_run() -> None:
    problem = only(
        """
        format: 1
        name: Test
        sections:
          - ask: Is there a speaker today?
            id: speaker
            yes:
              - say: Welcome to our speaker.
                if: {answered-no: speaker}
        """
    )
    assert problem.line == 7
    assert problem.message.startswith("this section can never run")


def test_a_question_nothing_depends_on() -> None:
    problem = only(HEADER + "sections:\n  - ask: Is anyone new?\n")
    assert problem.message == "nothing depends on the answer to this question"


def test_sections_longer_than_the_meeting() -> None:
    problem = only(
        HEADER + "length: 30m\nsections:\n  - say: Hello there.\n  - share: Open.\n    time: 40m\n"
    )
    assert problem.line == 6
    assert "longer than the meeting" in problem.message
    assert "length:" in problem.hint


def test_anchors_that_contradict_each_other() -> None:
    found = problems(
        """
        format: 1
        name: Test
        length: 60m
        sections:
          - share: Open.
            time: 30m
          - say: Halfway.
            starts: start + 20m
          - share: More.
            starts: end + 5m
          - say: The end.
            starts: start + 10m
            until: start + 5m
        """
    )
    messages = [(p.line, p.message) for p in found]
    assert (10, "a moment after the end is never reached") in messages
    found = problems(
        """
        format: 1
        name: Test
        length: 60m
        sections:
          - share: Open.
            time: 30m
          - say: Halfway.
            starts: start + 20m
          - say: The end.
            starts: start + 40m
            until: start + 35m
        """
    )
    messages = [(p.line, p.message) for p in found]
    late = "the sections before this point need about 10 minutes more than the plan allows"
    assert (8, late) in messages
    assert (11, "this section ends before it starts") in messages


def test_share_limits_that_cannot_work() -> None:
    found = problems(
        """
        format: 1
        name: Test
        sections:
          - share: Open.
            limit: 5m
            time: 3m
          - share: More.
            limit: 2m
            warn: [3m, time, time]
          - share: And more.
            until: end - 10m
            time: 5m
          - say: Bye now.
            if: {time-left: 2h}
        """
    )
    messages = [(p.line, p.message) for p in found]
    assert (6, "a 5 minutes share cannot fit in this 3 minutes section") in messages
    assert (9, "a note 3 minutes before a 2 minutes limit would come before the share starts") in (
        messages
    )
    assert (9, "this note is listed twice") in messages
    assert (12, "a section with until: takes the time up to that moment") in messages
    assert (14, "the meeting is only 60 minutes long, so 120 minutes are never left") in messages


def test_duplicate_keys_anchors_and_tags() -> None:
    found = problems(HEADER + "name: Again\nsections:\n  - say: !!python/object hi\n")
    messages = [(p.line, p.message) for p in found]
    assert (3, "'name' appears twice here (first on line 2)") in messages
    assert (5, "formats do not use YAML tags like !!python/object") in messages
    problem = only(HEADER + "texts:\n  a: &x Hi there.\n  b: *x\nsections:\n  - say: a\n")
    assert problem.message == "formats do not use YAML anchors and aliases (& and *)"


def test_names_must_be_simple() -> None:
    problem = only(HEADER + "texts:\n  Closing Words: Bye.\nsections:\n  - say: Hi there.\n")
    assert where(problem) == (4, 3)
    assert problem.message == "'Closing Words' cannot be a name"


def test_reserved_role_names() -> None:
    problem = only(HEADER + "roles:\n  volunteer: {}\nsections:\n  - say: Hi there.\n")
    assert problem.message == "'volunteer' already means something"


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    found = problems(
        """
        format: 1
        name: Test
        share: {limit: 3 mins, grce: 10s}
        crosstalk: maybe
        sections:
          - say: ${who}
          - reed: text
        """
    )
    assert [p.line for p in found] == [3, 4, 6, 7]


def test_empty_and_non_mapping_files() -> None:
    assert only("").message == "the file is empty"
    assert only("# only a note\n").message == "the file is empty"
    assert "list of keys" in only("- just\n- a list\n").message


def test_oversize_file() -> None:
    source = (HEADER + "about: '" + "x" * MAX_FORMAT_BYTES + "'\n").encode()
    with pytest.raises(FormatError) as caught:
        load_format(source, filename="big.yaml")
    (problem,) = caught.value.problems
    assert str(problem).startswith("big.yaml:1:1: the file is 64 KiB")
    # The cap is in bytes, so text full of multi-byte characters counts by its encoded size.
    with pytest.raises(FormatError):
        load_format(HEADER + "about: '" + "é" * (MAX_FORMAT_BYTES // 2 + 1) + "'\n")


def test_non_utf8_file_names_the_place() -> None:
    source = (HEADER + "about: caf\xe9\n").encode("latin-1")
    with pytest.raises(FormatError) as caught:
        load_format(source, filename="latin.yaml")
    (problem,) = caught.value.problems
    assert where(problem) == (3, 11)
    assert problem.message == "the file is not UTF-8 text"
    assert "UTF-8" in problem.hint


def test_a_utf8_byte_order_mark_is_fine() -> None:
    load_format(("\ufeff" + HEADER + "sections:\n  - say: Hi there.\n").encode())


def test_control_characters_and_lone_surrogates() -> None:
    assert "not allowed" in only(HEADER + "about: a\x07b\nsections:\n  - say: Hi there.\n").message
    with pytest.raises(FormatError):
        load_format(HEADER + "about: \ud800\n")


def test_deep_nesting_is_refused_cleanly() -> None:
    with pytest.raises(FormatError):
        load_format(HEADER + "sections: " + "[" * 5000 + "]" * 5000)
    with pytest.raises(FormatError):
        load_format(HEADER + "sections: " + "[" * 40 + "]" * 40)


def test_load_format_file_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as caught:
        load_format_file(tmp_path / "nope.yaml")
    assert caught.value.problems[0].message.startswith("cannot open the file")


def test_huge_numbers_stay_harmless() -> None:
    problem = only(HEADER + "sections:\n  - share: Open.\n    rounds: " + "9" * 5000 + "\n")
    assert problem.line == 5


def test_every_bad_placeholder_in_one_text_is_listed() -> None:
    found = problems(HEADER + "sections:\n  - say: ${a} and ${b}\n")
    assert [(p.line, p.column, p.message) for p in found] == [
        (4, 10, "unknown placeholder ${a}"),
        (4, 19, "unknown placeholder ${b}"),
    ]


def test_an_order_written_as_the_main_value_gets_a_helpful_hint() -> None:
    problem = only(HEADER + "sections:\n  - share: hands\n")
    assert problem.hint == "to choose how turns are taken, write  order: hands  on the next line"


def test_the_documented_escape_prints_a_dollar_and_a_brace() -> None:
    plan = load_format(
        "format: 1\nname: Escapes\nsections:\n  - say: The fund costs $${five} — ${chair}.\n"
    )
    (section,) = plan.sections
    assert section.text is not None
    text = "".join(section.text.options[0].chunks)
    assert render(text, {"chair": "Ana"}) == "The fund costs ${five} — Ana."


def test_a_tag_inside_a_flow_list_is_named_at_its_line() -> None:
    with pytest.raises(FormatError) as caught:
        load_format("format: 1\nname: Tags\nsections: [ !!python/tuple [1, 2] ]\n")
    first = caught.value.problems[0]
    assert (first.line, first.column) == (3, 13)
    assert "!!python/tuple" in first.message


def test_deep_flow_nesting_is_refused_at_its_line_without_a_stall() -> None:
    started = time.perf_counter()
    with pytest.raises(FormatError) as caught:
        load_format("format: 1\nname: X\nsections:\n  - say: " + "[" * 300 + "]" * 300 + "\n")
    assert time.perf_counter() - started < 0.5
    (problem,) = caught.value.problems
    assert problem.line == 4
    assert "nested too deeply" in problem.message
