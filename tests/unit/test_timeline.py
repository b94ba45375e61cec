"""The timeline as data (bot/core/formats/timeline.py): blocks, bands, conditions, warnings,
and a meeting under way (bot/core/meeting/timeline.py)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.formats import builtin_formats, load_builtin_format, load_format
from bot.core.formats.timeline import (
    Family,
    Progress,
    WarningKind,
    bands,
    timeline,
    with_progress,
)
from bot.core.meeting.state import MeetingState, SectionStep
from bot.core.meeting.timeline import meeting_timeline
from bot.i18n import render
from tests.unit.timeline_formats import EVERY_WARNING, largest_format


@pytest.mark.parametrize("name", sorted(builtin_formats()))
def test_every_builtin_lays_out_every_section(name: str) -> None:
    plan = load_builtin_format(name)
    shape = timeline(plan)
    assert [b.title for b in shape.blocks] == [s.title for s in plan.sections]
    assert shape.length_seconds == plan.length_seconds
    assert shape.bands[0].start_seconds == 0
    assert shape.bands[-1].end_seconds >= shape.end_seconds
    assert 1 <= len(shape.bands) <= 3
    for block in shape.blocks:
        assert 0 <= block.start_seconds <= block.end_seconds
        if block.conditional:
            assert block.condition is not None  # hatched, with its condition in words
    main = [b for b in shape.blocks if not b.conditional]
    for before, after in itertools.pairwise(main):
        assert before.end_seconds <= after.start_seconds  # the main lane never overlaps
    assert shape.warnings == ()  # the shipped formats keep their time


def test_families_and_conditions() -> None:
    shape = timeline(load_builtin_format("open-discussion"))
    families = {b.title: b.family for b in shape.blocks}
    assert families["A moment of silence"] is Family.SILENCE
    assert families["How we share"] is Family.READINGS
    assert families["Sharing"] is Family.SHARING
    assert families["Collection"] is Family.BUSINESS
    assert families["Closing"] is Family.CLOSING
    newcomers = next(b for b in shape.blocks if b.title == "A welcome to newcomers")
    assert newcomers.conditional
    assert newcomers.condition is not None
    assert render("en", newcomers.condition) == "if the chair answers yes"
    assert render("es", newcomers.condition) == "si quien coordina responde que sí"


def test_every_kind_of_warning_at_its_place() -> None:
    shape = timeline(load_format(EVERY_WARNING))
    found = {(w.kind, shape.blocks[w.section].title, w.at_seconds) for w in shape.warnings}
    assert found == {
        (WarningKind.OVERLAP, "Long welcome", 15 * 60),  # runs into the sharing's start
        (WarningKind.NO_TIME, "Last shares", 50 * 60),  # takes all the time left
        (WarningKind.OVERRUN, "Extra words", 60 * 60),  # past the planned end
    }
    said = [render("en", w.words) for w in shape.warnings]
    assert said[0] == (
        "when “Long welcome” runs: the sections before “Open sharing” run about 10 minutes "
        "into its start"
    )
    assert "Last shares" in said[1]
    assert "past its planned end" in said[2]
    conditional = {b.title for b in shape.blocks if b.conditional}
    assert conditional == {"Long welcome", "Extra words"}
    extra = next(b for b in shape.blocks if b.title == "Extra words")
    assert extra.end_seconds > shape.length_seconds  # drawn past the planned end
    assert shape.bands[-1].end_seconds >= extra.end_seconds


def test_bands_are_few_and_even() -> None:
    assert [(b.start_seconds, b.end_seconds) for b in bands(3600)] == [
        (0, 1200),
        (1200, 2400),
        (2400, 3600),
    ]
    assert len(bands(90 * 60)) == 3
    assert len(bands(4 * 3600)) == 3
    assert len(bands(30)) == 1


def test_progress_marks_now_and_done() -> None:
    shape = with_progress(timeline(load_builtin_format("open-discussion")), 1500, 7, range(7))
    assert shape.now_seconds == 1500
    progress = [b.progress for b in shape.blocks]
    assert progress[:7] == [Progress.DONE] * 7
    assert progress[7] is Progress.NOW
    assert set(progress[8:]) == {Progress.AHEAD}


def test_a_meeting_under_way() -> None:
    plan = load_builtin_format("open-discussion")
    start = datetime(2026, 3, 3, 19, 0, tzinfo=UTC)
    state = MeetingState(
        format_name=plan.name,
        section_count=len(plan.sections),
        number=4,
        started_at=start,
        planned_end=start + timedelta(seconds=plan.length_seconds),
    )
    newcomers = next(s.index for s in plan.sections if s.title == "A welcome to newcomers")
    state = replace(
        state,
        step=SectionStep(index=newcomers + 1, run=5, started_at=start),
        history=(0, 1, 2, 3, 4, newcomers),
    )
    shape = meeting_timeline(plan, state, start + timedelta(minutes=3))
    assert shape.now_seconds == 180
    now = [b for b in shape.blocks if b.progress is Progress.NOW]
    assert [b.index for b in now] == [newcomers + 1]
    assert all(b.progress is Progress.DONE for b in shape.blocks[: newcomers + 1])
    ran = shape.blocks[newcomers]
    assert not ran.conditional  # it ran at this meeting: in the main lane


def test_the_largest_format_loads() -> None:
    shape = timeline(load_format(largest_format()))
    assert len(shape.blocks) == 200
    assert sum(b.conditional for b in shape.blocks) == 20
