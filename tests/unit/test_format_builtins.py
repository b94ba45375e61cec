"""The shipped formats load, preview well, and pass `format check`; the command line behaves."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot import formats_cli
from bot.core.formats import builtin_formats, load_builtin_format, load_format_file
from bot.core.formats.kinds import TEXT_KINDS
from bot.core.formats.plan import SectionKind
from bot.core.formats.render import TEXT_CHUNK_LIMIT

EXPECTED = {
    "business-meeting",
    "chair-picks-discussion",
    "check-in-check-out",
    "check-in-round",
    "meditation-and-sharing",
    "open-discussion",
    "peer-support-circle",
    "speaker-meeting",
    "tag-meeting",
}
#: The built-ins in Spanish and French (their keys are English, their words are not).
IN_OTHER_LANGUAGES = {
    "discusion-abierta": "es",
    "circulo-de-turnos": "es",
    "discussion-ouverte": "fr",
    "cercle-a-tour-de-role": "fr",
}
BUILTINS = builtin_formats()


def test_all_builtins_are_found_by_id() -> None:
    assert set(BUILTINS) == EXPECTED | set(IN_OTHER_LANGUAGES)
    assert all(path.suffix == ".yaml" and path.is_file() for path in BUILTINS.values())


def test_the_shipped_formats_are_listed_once_and_each_caller_gets_its_own_dict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A restart asks for a thousand meetings' formats: the folder is read once, not each time."""
    import bot.core.formats as formats

    listed: list[str] = []
    files = formats.resources.files

    def counted(package: str) -> object:
        listed.append(package)
        return files(package)

    monkeypatch.setattr(formats.resources, "files", counted)
    formats._shipped.cache_clear()
    try:
        first = builtin_formats()
        first.pop("open-discussion")  # a caller's own copy
        assert [builtin_formats() for _ in range(3)] == [BUILTINS] * 3
        assert listed == ["formats"]
    finally:
        formats._shipped.cache_clear()


@pytest.mark.parametrize("format_id", sorted(EXPECTED | set(IN_OTHER_LANGUAGES)))
def test_builtin_loads_and_fits_its_length(format_id: str) -> None:
    plan = load_builtin_format(format_id)
    assert plan.name
    assert plan.about
    assert plan.overruns() == ()
    assert 0 < plan.planned_length_seconds() <= plan.length_seconds
    assert plan.sections[-1].kind is SectionKind.CLOSING
    assert plan.guidelines, "concerns quote the group's guidelines"
    for section in plan.sections:
        for option in section.text.options if section.text else ():
            assert all(len(chunk) <= TEXT_CHUNK_LIMIT for chunk in option.chunks)
        if section.kind in TEXT_KINDS:
            assert section.text is not None


@pytest.mark.parametrize("format_id", sorted(EXPECTED))
def test_builtin_preview_reads_well(format_id: str) -> None:
    out = io.StringIO()
    assert formats_cli.preview(str(BUILTINS[format_id]), out) == 0
    text = out.getvalue()
    plan = load_format_file(BUILTINS[format_id])
    assert text.startswith(plan.name)
    assert "Who does what:" in text
    assert "Total planned length: about" in text
    assert "${" not in text, "every placeholder is filled in the preview"
    for section in plan.sections:
        assert f"{section.index + 1}. {section.title}" in text


def test_the_builtins_describe_what_the_issue_asks_for() -> None:
    open_discussion = load_builtin_format("open-discussion")
    shares = [s for s in open_discussion.sections if s.sharing]
    assert shares[0].sharing is not None
    assert shares[0].sharing.timer.limit_seconds == 180
    assert shares[0].sharing.phases[0].first_timers_first
    assert shares[0].until is not None
    assert shares[0].until.offset_seconds == -600
    assert any(s.sharing and s.sharing.phases[0].sharers.value == "not-yet-shared" for s in shares)

    speaker = load_builtin_format("speaker-meeting")
    (talk,) = [s for s in speaker.sections if s.kind is SectionKind.SPEAKER]
    assert talk.sharing is not None
    assert talk.sharing.timer.limit_seconds == 20 * 60

    check_in = load_builtin_format("check-in-check-out")
    kinds = [s.kind for s in check_in.sections]
    assert SectionKind.CHECK_IN in kinds
    assert SectionKind.CHECK_OUT in kinds
    after_check_in = check_in.sections[kinds.index(SectionKind.CHECK_IN) + 1]
    assert after_check_in.crosstalk.mode.value != "not-allowed"

    meditation = load_builtin_format("meditation-and-sharing")
    timed = [s for s in meditation.sections if s.quiet and s.quiet.bell_at_start]
    assert timed
    assert timed[0].quiet is not None
    assert timed[0].quiet.bell_at_end

    circle = load_builtin_format("peer-support-circle")
    rounds = [s for s in circle.sections if s.kind is SectionKind.SHARE]
    assert all(s.sharing and s.sharing.phases[0].pass_allowed for s in rounds)
    assert rounds[-1].if_time_allows

    business = load_builtin_format("business-meeting")
    (meeting,) = [s for s in business.sections if s.business]
    assert meeting.business is not None
    assert meeting.business.agenda
    assert meeting.business.vote.value == "secret"


def test_check_reports_ok_and_exit_zero_for_all_builtins() -> None:
    out = io.StringIO()
    assert formats_cli.check([str(p) for p in BUILTINS.values()], out, lang="en") == 0
    assert out.getvalue().count(": ok") == len(BUILTINS)


def test_check_prints_every_problem_and_exits_one(tmp_path: Path) -> None:
    good = BUILTINS["peer-support-circle"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nname: Bad\nsections:\n  - sya: Hello.\n  - read: nope\n")
    out = io.StringIO()
    assert formats_cli.check([str(good), str(bad)], out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("ok — “Peer Support Circle”, 6 sections")
    assert lines[1].startswith(f"{bad}:4:5: this section does not say what kind it is")
    assert lines[2].startswith(f"{bad}:5:11: there is no text called 'nope'")


def test_preview_of_a_bad_or_missing_file_exits_one(tmp_path: Path) -> None:
    out = io.StringIO()
    assert formats_cli.preview(str(tmp_path / "missing.yaml"), out) == 1
    assert "cannot open the file" in out.getvalue()


@pytest.mark.parametrize("format_id", sorted(IN_OTHER_LANGUAGES))
def test_the_spanish_and_french_builtins_check_clean_in_their_own_language(format_id: str) -> None:
    language = IN_OTHER_LANGUAGES[format_id]
    plan = load_builtin_format(format_id)
    assert plan.language == language
    kinds = {s.kind for s in plan.sections}
    assert SectionKind.SHARE in kinds
    assert SectionKind.CLOSING in kinds
    out = io.StringIO()
    assert formats_cli.check([str(BUILTINS[format_id])], out) == 0
    (line,) = out.getvalue().splitlines()  # no warning at all
    said = {"es": ": bien — «", "fr": " : ok — « "}[language]
    assert said in line
    out = io.StringIO()
    assert formats_cli.preview(str(BUILTINS[format_id]), out) == 0
    text = out.getvalue()
    assert {"es": "Quién hace qué:", "fr": "Qui fait quoi :"}[language] in text
    assert {"es": "Duración total prevista", "fr": "Durée totale prévue"}[language] in text
    assert "Who does what:" not in text
    assert "${" not in text


def test_one_open_discussion_and_one_round_robin_circle_in_each_language() -> None:
    for open_id, circle_id in [
        ("discusion-abierta", "circulo-de-turnos"),
        ("discussion-ouverte", "cercle-a-tour-de-role"),
    ]:
        open_discussion = load_builtin_format(open_id)
        shares = [s.sharing for s in open_discussion.sections if s.sharing]
        assert shares[0] is not None
        assert shares[0].phases[0].order.value == "hands"
        circle = load_builtin_format(circle_id)
        rounds = [s.sharing for s in circle.sections if s.kind is SectionKind.SHARE]
        assert all(r is not None and r.phases[0].order.value == "round" for r in rounds)
