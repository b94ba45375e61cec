"""The checker's advice (warnings on a format that works) and the checker problems issue 14
lists: clock times, terms in years, the readers' limit, sections after the closing,
conditional overruns, placeholders, and the preview's words and timings."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import formats_cli
from bot.core.formats import FormatError, builtin_formats, check_format, load_format
from bot.core.formats.describe import preview_lines
from bot.core.formats.plan import Anchor, AnchorBase, Term, TermUnit
from bot.core.meeting.clock import wall_clock

HEAD = "format: 1\nname: Test\n"


def _warnings(body: str) -> list[str]:
    _plan, warnings = check_format(HEAD + body)
    return [f"{w.line}: {w.message}" for w in warnings]


def test_a_clean_format_has_no_advice() -> None:
    body = (
        "length: 60m\nsections:\n  - say: Welcome.\n  - share: The floor is open.\n"
        "    until: end - 5m\n  - closing: Thank you.\n"
    )
    assert _warnings(body) == []


def test_a_sharing_section_without_time_or_until_is_named_at_its_line() -> None:
    body = "sections:\n  - say: Welcome.\n  - share: Open.\n  - closing: Thanks.\n"
    found = _warnings(body)
    assert len(found) == 1
    assert found[0].startswith("5: this sharing section has no time: or until:")


def test_a_sharing_section_ended_by_a_later_starts_moment_is_fine() -> None:
    body = "sections:\n  - share: Open.\n  - closing: Thanks.\n    starts: end - 5m\n"
    assert _warnings(body) == []


def test_fair_share_in_a_section_with_no_end_is_warned_about() -> None:
    """fair-share divides the time left in a section: with neither time: nor until:, nor a
    later starts: that always runs, there is nothing to divide."""
    fair = "length: 60m\nshare:\n  limit: 5m\n  fair-share: 2m\nsections:\n"
    unbounded = fair + "  - share: Open.\n  - closing: Thanks.\n    time: 5m\n"
    found = _warnings(unbounded)
    assert len(found) == 2
    assert found[0].startswith("8: this sharing section has no time: or until:")
    assert found[1] == (
        "8: fair-share sizes each share to the time left in this section, but it has no time: "
        "or until:, so shares keep their usual limit"
    )
    # Ended by a later section that begins at a set moment, but only on some days: the
    # section runs on when that one doesn't, so fair-share is still warned about.
    switched = fair.replace("sections:", "switches:\n  late: false\nsections:")
    later = "  - share: Open.\n  - say: Later.\n    starts: end - 5m\n    if: {switch: late}\n"
    assert [w[:14] for w in _warnings(switched + later + "  - closing: Thanks.\n")] == [
        "10: fair-share"
    ]
    for ended in ("    time: 20m\n", "    until: end - 10m\n"):
        body = fair + "  - share: Open.\n" + ended + "  - closing: Thanks.\n"
        assert _warnings(body) == []
    always = fair + "  - share: Open.\n  - closing: Thanks.\n    starts: end - 5m\n"
    assert _warnings(always) == []


def test_a_clock_minute_in_a_meeting_longer_than_an_hour_is_ambiguous() -> None:
    body = "length: 75m\nsections:\n  - share: Open.\n    until: ':15'\n  - closing: Thanks.\n"
    found = _warnings(body)
    assert found == [
        "6: ':15' comes more than once in a meeting of 75 minutes; the bot uses the first :15 "
        "after the start"
    ]
    shorter = body.replace("75m", "60m")
    assert _warnings(shorter) == []


def test_sections_after_the_closing_are_warned_about() -> None:
    body = "sections:\n  - closing: Thanks.\n  - say: One more thing.\n"
    assert _warnings(body) == [
        "5: this section comes after the closing, so it runs after the group has said goodbye"
    ]


def test_a_conditional_section_that_would_overrun_is_flagged_but_time_allows_is_not() -> None:
    body = (
        "length: 30m\nsections:\n  - say: Welcome.\n    time: 20m\n"
        "  - say: A long extra.\n    time: 15m\n    if: {weekday: friday}\n"
        "  - closing: Thanks.\n"
    )
    found = _warnings(body)
    assert len(found) == 1
    assert found[0].startswith("7: when this section runs, the meeting runs about")
    assert _warnings(body.replace("{weekday: friday}", "{time-allows: true}")) == []


def test_switched_on_sections_count_in_the_plan_and_the_preview() -> None:
    body = (
        "length: 30m\nswitches:\n  long: {on: true}\nsections:\n  - say: Welcome.\n"
        "    time: 20m\n  - say: Long reading.\n    time: 15m\n    if: {switch: long}\n"
        "  - closing: Thanks.\n"
    )
    found = _warnings(body)
    assert found
    assert "with the switches as they are set" in found[0]
    plan = load_format(HEAD + body.replace("time: 15m", "time: 5m"))
    preview = "\n".join(preview_lines(plan))
    assert " 0:20 2. From the chair (5 minutes)" in preview  # timed: the switch is on
    assert "Total planned length: about 25 minutes" in preview


def test_a_placeholder_reading_is_warned_about_and_the_builtins_say_so() -> None:
    body = (
        "texts:\n  ours: {text: '[Your own reading]', placeholder: true}\n"
        "sections:\n  - read: ours\n"
    )
    assert _warnings(body)[0].startswith("6: this reading is still a placeholder")
    assert "meetings leave it out (the chair is told privately)" in _warnings(body)[0]
    # Built-in formats that carry a placeholder reading warn; none has any other advice.
    for path in builtin_formats().values():
        _plan, warnings = check_format(path.read_bytes(), filename=path.name)
        assert all("placeholder" in w.message for w in warnings), warnings


@pytest.mark.parametrize(
    ("written", "anchor"),
    [
        ("19:50", Anchor(AnchorBase.CLOCK, 0, 50, hour=19)),
        ("7:50 pm", Anchor(AnchorBase.CLOCK, 0, 50, hour=19)),
        ("12:05 am", Anchor(AnchorBase.CLOCK, 0, 5, hour=0)),
        ("0:30", Anchor(AnchorBase.CLOCK, 0, 30, hour=0)),
    ],
)
def test_times_of_day_are_moments(written: str, anchor: Anchor) -> None:
    body = (
        f"starts-at: 19:00\nlength: 90m\nsections:\n  - say: Hi.\n  - closing: Bye.\n"
        f"    starts: '{written}'\n"
    )
    if anchor.hour == 19:
        plan = load_format(HEAD + body)
        assert plan.sections[1].starts == anchor
        assert plan.schedule()[1].start_seconds == 50 * 60
    else:
        with pytest.raises(FormatError, match="after the meeting's planned end"):
            load_format(HEAD + body)


def test_a_time_of_day_needs_starts_at_and_starts_at_must_be_a_time() -> None:
    body = "length: 90m\nsections:\n  - say: Hi.\n  - closing: Bye.\n    starts: '20:20'\n"
    with pytest.raises(FormatError) as error:
        load_format(HEAD + body)
    assert "needs the time the meeting usually starts" in str(error.value)
    assert "starts-at: 19:00" in str(error.value)
    for bad in ("'25:00'", "'13:00 pm'", "soon", "1900"):
        with pytest.raises(FormatError, match="is not a time of day"):
            load_format(HEAD + f"starts-at: {bad}\nsections:\n  - say: Hi.\n")


def test_at_the_meeting_a_time_of_day_goes_by_the_real_clock() -> None:
    late_start = datetime(2026, 3, 3, 19, 7, tzinfo=UTC)
    assert wall_clock(late_start, 50, 20) == datetime(2026, 3, 3, 20, 50, tzinfo=UTC)
    assert wall_clock(late_start, 50) == datetime(2026, 3, 3, 19, 50, tzinfo=UTC)
    after_midnight = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)
    assert wall_clock(after_midnight, 15, 0) == after_midnight.replace(
        hour=0, minute=15
    ) + timedelta(days=1)


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("4 meetings", Term(4, TermUnit.MEETINGS)),
        ("3 months", Term(3, TermUnit.MONTHS)),
        ("1 year", Term(12, TermUnit.MONTHS)),
        ("2 years", Term(24, TermUnit.MONTHS)),
    ],
)
def test_terms_take_years(written: str, term: Term) -> None:
    body = f"roles:\n  treasurer: {{rotation: term, term: {written}}}\nsections:\n  - say: Hi.\n"
    plan = load_format(HEAD + body)
    role = plan.role("treasurer")
    assert role is not None
    assert role.term == term


@pytest.mark.parametrize(
    ("written", "days"),
    [("90 days", 90), ("6 weeks", 42), ("3 months", 90), ("1 year", 365), ("12w", 84)],
)
def test_member_for_takes_months_and_years(written: str, days: int) -> None:
    body = f"roles:\n  greeter: {{member-for: {written}}}\nsections:\n  - say: Hi.\n"
    role = load_format(HEAD + body).role("greeter")
    assert role is not None
    assert role.eligibility.member_for_days == days


def test_too_many_readers_says_the_limit() -> None:
    body = "texts:\n  r: Words.\nsections:\n  - read: r\n    readers: 11\n"
    with pytest.raises(FormatError, match="11 is too big here: at most 10"):
        load_format(HEAD + body)


def test_nobody_is_reads_as_plain_words_in_the_preview() -> None:
    body = (
        "roles:\n  speaker: on-the-day\nsections:\n  - say: Hi.\n"
        "    if: {nobody-is: speaker}\n  - say: Later.\n    if: {switch-off: quiet}\n"
        "switches:\n  quiet: {about: Quiet.}\n"
    )
    preview = "\n".join(preview_lines(load_format(HEAD + body)))
    assert "Only when nobody is the speaker." in preview
    assert "Only when the group's switch “quiet” is off." in preview
    assert "unless" not in preview


def test_check_prints_warnings_and_still_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(HEAD + "sections:\n  - closing: Bye.\n  - say: After.\n")
    out = io.StringIO()
    assert formats_cli.check([str(path)], out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{path}:5:5: warning: this section comes after the closing")
    assert lines[1].endswith("ok — “Test”, 2 sections, 1 warning")
