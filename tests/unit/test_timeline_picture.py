"""The timeline picture (bot/pictures): its size, every title drawn, the warning marks, "now",
the words in the format's language, and how long the largest format takes to draw."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image

from bot import formats_cli
from bot.core.formats import builtin_formats, load_builtin_format, load_format
from bot.core.formats.timeline import timeline, with_progress
from bot.pictures import Picture, draw, draw_off_loop
from bot.pictures.timeline import WIDTH
from tests.unit.timeline_formats import EVERY_WARNING, largest_format


def opened(picture: Picture) -> Image.Image:
    image = Image.open(io.BytesIO(picture.png))
    assert image.format == "PNG"
    assert image.size == (picture.width, picture.height)
    return image


@pytest.mark.parametrize("name", sorted(builtin_formats()))
def test_every_builtin_is_drawn_with_every_title(name: str) -> None:
    plan = load_builtin_format(name)
    shape = timeline(plan)
    picture = draw(shape, plan.language)
    opened(picture)
    # Discord shows a 1200-px-wide picture whole; these stay short enough to read at a glance.
    assert picture.width == WIDTH == 1200
    assert 380 <= picture.height <= 700
    assert picture.texts("title") == [s.title for s in plan.sections]  # each, as written
    assert picture.texts("name") == [plan.name]
    for placed in picture.placed:
        left, top, right, bottom = placed.box
        assert 0 <= left <= right <= picture.width, placed
        assert 0 <= top <= bottom <= picture.height, placed
    assert picture.texts("mark") == []  # no warnings, no marks
    assert picture.texts("end")  # the planned end is marked


def test_the_words_are_in_the_formats_language() -> None:
    plan = load_builtin_format("discussion-ouverte")
    picture = draw(timeline(plan), plan.language)
    assert "fin prévue" in picture.texts("end")
    legend = picture.texts("legend")
    assert {"Lectures", "Silence", "seulement certaines fois"} <= set(legend)
    spanish = draw(timeline(load_builtin_format("discusion-abierta")), "es")
    assert "final previsto" in spanish.texts("end")


def test_every_kind_of_warning_is_marked() -> None:
    shape = timeline(load_format(EVERY_WARNING))
    picture = draw(shape, "en")
    image = opened(picture)
    assert image.info["Warnings"] == "3"
    assert picture.texts("mark") == ["1", "2", "3", "1", "2", "3"]  # on the bands, in the list
    lines = " ".join(picture.texts("warning"))
    assert "1. At 0:15: when “Long welcome” runs" in lines
    assert "2. At 0:50: “Last shares” has no time of its own" in lines
    assert "3. At 1:00: when “Extra words” runs: the meeting runs about" in lines
    assert picture.texts("title") == [b.title for b in shape.blocks]
    assert "a warning" in picture.texts("legend")


def test_now_and_done_for_a_meeting_under_way() -> None:
    plan = load_builtin_format("open-discussion")
    shape = with_progress(timeline(plan), 25 * 60, 7, range(7))
    picture = draw(shape, "en")
    image = opened(picture)
    assert picture.texts("now") == ["now"]
    assert image.info["Now"] == "8"
    grey = image.convert("RGB").getpixel((30, 108 + 18 + 10))  # the first block, greyed
    assert grey in {(200, 200, 200), (120, 120, 120)}


def test_it_survives_greyscale() -> None:
    """Each family has its own pattern: in grey, the families' swatches still differ."""
    picture = draw(timeline(load_builtin_format("open-discussion")), "en")
    grey = Image.open(io.BytesIO(picture.png)).convert("L")
    legend_x = [p.box[0] for p in picture.placed if p.role == "legend"]
    assert len(legend_x) == 7  # six families and "only sometimes"
    # the swatch left of each name, in grey
    patches = {grey.crop((x - 32, 78, x - 6, 95)).tobytes() for x in legend_x}
    assert len(patches) == 7


def test_the_largest_format_draws_in_well_under_a_second() -> None:
    shape = timeline(load_format(largest_format()))
    draw(shape, "en")  # fonts and patterns loaded once
    started, cpu = time.perf_counter(), time.thread_time()
    picture = draw(shape, "en")
    took, worked = time.perf_counter() - started, time.thread_time() - cpu
    print(f"\nthe largest valid format (200 sections): drawn in {took:.3f} s ({worked:.3f} s CPU)")
    # The work itself (CPU time of this thread, where Pillow draws and encodes) is the
    # benchmark: under 0.5 s. The wall clock also counts waiting for a core on a shared
    # machine, so it only gets a loose bound.
    assert worked < 0.5
    assert took < 5.0
    assert picture.texts("title") == [b.title for b in shape.blocks]
    opened(picture)


async def test_drawn_off_the_event_loop() -> None:
    shape = timeline(load_builtin_format("tag-meeting"))
    picture = await draw_off_loop(shape, "en")
    assert picture.png.startswith(b"\x89PNG")


def test_the_command_line_writes_the_picture(tmp_path: Path) -> None:
    out, target = io.StringIO(), tmp_path / "timeline.png"
    path = str(builtin_formats()["circulo-de-turnos"])
    assert formats_cli.preview(path, out, png=str(target)) == formats_cli.EXIT_OK
    with Image.open(target) as image:
        assert image.format == "PNG"
        assert image.size[0] == 1200
    assert f"La línea de tiempo está en {target} (1200×" in out.getvalue()  # the file's language
    unwritable = str(tmp_path / "missing" / "timeline.png")
    out = io.StringIO()
    assert formats_cli.preview(path, out, png=unwritable) == formats_cli.EXIT_INVALID
    assert f"No pude guardar la imagen en {unwritable}" in out.getvalue()
