"""A format's timeline as a PNG: :func:`draw` turns a :class:`~bot.core.formats.timeline.Timeline`
into a picture readable at Discord's preview size (1200 px wide).

Readable by someone colour-blind: the Okabe–Ito palette, and each family of sections has its
own pattern too (lines, dots, stripes, a grid …), so the picture survives greyscale; sections
that run only sometimes are hatched, in a lane of their own, with their condition in words.
Every section is listed under the bands with its number, time and title as the format wrote
it; the other words are in the reader's language. :class:`Picture` keeps where each text was
placed, so tests can check that every title was drawn.
"""

from __future__ import annotations

import asyncio
import functools
import io
import weakref
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

from bot.core.formats.describe import clock
from bot.core.formats.timeline import (
    FAMILY_WORDS,
    Band,
    Block,
    Family,
    Progress,
    Timeline,
    TimelineWarning,
)
from bot.core.formats.timing import minutes_said
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n import msg, render

FONTS = Path(__file__).with_name("fonts")
WIDTH = 1200
MARGIN = 28
INK = (20, 20, 20)
PAPER = (255, 255, 255)
GREY = (200, 200, 200)
GREY_INK = (120, 120, 120)
WARN = (213, 94, 0)  # Okabe–Ito vermillion: used for warnings only

# Okabe–Ito: distinguishable with every common colour-vision deficiency.
COLOURS: dict[Family, tuple[int, int, int]] = {
    Family.WORDS: (86, 180, 233),  # sky blue
    Family.READINGS: (0, 114, 178),  # blue
    Family.SILENCE: (0, 158, 115),  # bluish green
    Family.SHARING: (230, 159, 0),  # orange
    Family.BUSINESS: (204, 121, 167),  # reddish purple
    Family.CLOSING: (240, 228, 66),  # yellow
}
PATTERNS: dict[Family, str] = {
    Family.WORDS: "rows",
    Family.READINGS: "dots",
    Family.SILENCE: "plain",
    Family.SHARING: "stripes",
    Family.BUSINESS: "grid",
    Family.CLOSING: "columns",
}

AXIS_H, MAIN_H, IF_H, BAND_GAP = 18, 46, 30, 12
TOP = 108  # where the first band begins
ROW_H = 21  # one line of the key


@lazy_dataclass(frozen=True)
class Placed:
    text: str
    box: tuple[int, int, int, int]
    role: str  # "name", "title" (the key), "block", "warning", "mark", "now", "end", "legend"


@lazy_dataclass(frozen=True)
class Picture:
    png: bytes
    width: int
    height: int
    placed: tuple[Placed, ...]

    def texts(self, role: str) -> list[str]:
        return [p.text for p in self.placed if p.role == role]


@functools.cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


@functools.cache
def _mask(pattern: str, width: int, height: int) -> Image.Image:
    """Where a pattern's ink goes, as a greyscale mask (cached: the same few sizes recur)."""
    mask = Image.new("L", (width, height), 0)
    pen = ImageDraw.Draw(mask)
    if pattern == "rows":
        for y in range(3, height, 7):
            pen.line([(0, y), (width, y)], fill=255, width=2)
    elif pattern == "columns":
        for x in range(3, width, 8):
            pen.line([(x, 0), (x, height)], fill=255, width=2)
    elif pattern == "dots":
        for y in range(3, height, 8):
            for x in range(3 + (y // 8 % 2) * 4, width, 8):
                pen.ellipse([x - 1.5, y - 1.5, x + 1.5, y + 1.5], fill=255)
    elif pattern in ("stripes", "hatch"):
        step, thick = (10, 3) if pattern == "stripes" else (8, 4)
        sign = 1 if pattern == "stripes" else -1
        for x in range(-height, width + height, step):
            pen.line([(x, height), (x + sign * height, 0)], fill=255, width=thick)
    elif pattern == "grid":
        for y in range(4, height, 9):
            pen.line([(0, y), (width, y)], fill=255, width=1)
        for x in range(4, width, 9):
            pen.line([(x, 0), (x, height)], fill=255, width=1)
    return mask


def _dark(colour: tuple[int, int, int]) -> bool:
    red, green, blue = colour
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 110


class _Canvas:
    def __init__(self, height: int) -> None:
        self.image = Image.new("RGB", (WIDTH, height), PAPER)
        self.pen = ImageDraw.Draw(self.image)
        self.placed: list[Placed] = []

    def text(
        self, at: tuple[float, float], words: str, size: int, role: str, **style: object
    ) -> tuple[int, int, int, int]:
        face = font(size, bool(style.get("bold")))
        fill = style.get("fill", INK)
        self.pen.text(at, words, font=face, fill=fill)  # type: ignore[arg-type]
        left, top, right, bottom = self.pen.textbbox(at, words, font=face)
        box = (int(left), int(top), int(right), int(bottom))
        self.placed.append(Placed(words, box, role))
        return box

    def swatch(self, box: tuple[int, int, int, int], block_family: Family, mode: str) -> None:
        """A patch of a family's colour and pattern: ``mode`` "plain", "if" (hatched) or
        "done" (greyed)."""
        x0, y0, x1, y1 = box
        width, height = max(1, x1 - x0), max(1, y1 - y0)
        colour = COLOURS[block_family]
        if mode == "if":
            self.pen.rectangle(box, fill=PAPER)
            self.image.paste(
                colour, (x0, y0, x0 + width, y0 + height), _mask("hatch", width, height)
            )
            self._dashed(box)
            return
        fill = GREY if mode == "done" else colour
        self.pen.rectangle(box, fill=fill)
        ink = GREY_INK if mode == "done" else ((255, 255, 255) if _dark(colour) else INK)
        pattern = PATTERNS[block_family]
        if pattern != "plain":
            self.image.paste(ink, (x0, y0, x0 + width, y0 + height), _mask(pattern, width, height))
        self.pen.rectangle(box, outline=INK, width=1)

    def _dashed(self, box: tuple[int, int, int, int]) -> None:
        x0, y0, x1, y1 = box
        for x in range(x0, x1, 8):
            self.pen.line([(x, y0), (min(x + 4, x1), y0)], fill=INK)
            self.pen.line([(x, y1), (min(x + 4, x1), y1)], fill=INK)
        for y in range(y0, y1, 8):
            self.pen.line([(x0, y), (x0, min(y + 4, y1))], fill=INK)
            self.pen.line([(x1, y), (x1, min(y + 4, y1))], fill=INK)

    def warning_mark(self, x: float, y: float, number: int | str, size: int = 20) -> None:
        half = size / 2
        points = [(x, y), (x - half, y + size), (x + half, y + size)]
        self.pen.polygon(points, fill=WARN, outline=INK, width=2)
        face = font(11, bold=True)
        label = str(number)
        width = self.pen.textlength(label, font=face)
        self.text((x - width / 2, y + size - 14), label, 11, "mark", bold=True, fill=PAPER)


def _fit(words: str, size: int, room: float, bold: bool = False) -> str:
    """``words`` cut with … to fit ``room`` pixels ("" if not even one letter fits)."""
    face = font(size, bold)
    if face.getlength(words) <= room:
        return words
    low, high = 0, len(words)  # the longest start that fits with "…": a binary search
    while low < high:
        middle = (low + high + 1) // 2
        if face.getlength(words[:middle] + "…") <= room:
            low = middle
        else:
            high = middle - 1
    return words[:low] + "…" if low else ""


def _wrap(words: str, size: int, room: float) -> list[str]:
    face, lines, line = font(size), [], ""
    for word in words.split(" "):
        trial = f"{line} {word}" if line else word
        if line and face.getlength(trial) > room:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


def _band_of(shape: Timeline, seconds: int) -> int:
    """The band a moment is drawn in: a moment at a band's end stays at its right edge."""
    for number, band in enumerate(shape.bands):
        if band.start_seconds < seconds <= band.end_seconds:
            return number
    return 0 if seconds <= 0 else len(shape.bands) - 1


def draw(shape: Timeline, locale: str) -> Picture:
    """The timeline as a PNG, with its words in ``locale`` and the titles as written."""
    conditional = any(block.conditional for block in shape.blocks)
    band_h = AXIS_H + MAIN_H + (IF_H if conditional else 0) + BAND_GAP
    key_rows = (len(shape.blocks) + 1) // 2
    room = WIDTH - 2 * MARGIN
    warning_lines = [
        _wrap(_warning_said(number, warning, locale), 14, room - 30)
        for number, warning in enumerate(shape.warnings, 1)
    ]
    key_top = TOP + band_h * len(shape.bands) + 6
    warn_top = key_top + key_rows * ROW_H + 10
    height = warn_top + sum(len(lines) for lines in warning_lines) * 19 + 16
    canvas = _Canvas(height)

    canvas.text((MARGIN, 14), _fit(shape.name, 26, room, bold=True), 26, "name", bold=True)
    planned = msg("Planned for {length}.", length=minutes_said(shape.length_seconds))
    canvas.text((MARGIN, 50), render(locale, planned), 15, "subtitle", fill=GREY_INK)
    _legend(canvas, shape, locale, conditional)
    for number, band in enumerate(shape.bands):
        _band(canvas, shape, band, TOP + number * band_h, conditional, locale)
    _warning_marks(canvas, shape, band_h)
    _key(canvas, shape, key_top, locale)
    y = warn_top
    for number, lines in enumerate(warning_lines, 1):
        canvas.warning_mark(MARGIN + 10, y, number, size=16)
        for line in lines:
            canvas.text((MARGIN + 28, y), line, 14, "warning")
            y += 19
    out = io.BytesIO()
    canvas.image.save(out, format="PNG", compress_level=1, pnginfo=_about(shape))
    return Picture(out.getvalue(), WIDTH, height, tuple(canvas.placed))


#: One drawing at a time for each event loop (:func:`draw_off_loop`).
_DRAWING: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


async def draw_off_loop(shape: Timeline, locale: str) -> Picture:
    """:func:`draw` in a worker thread, so the event loop keeps answering meanwhile; one at a
    time. Pillow holds the GIL for much of a drawing, so several threads drawing at once (a
    thousand ``/meeting status`` after a restart) starve the loop. Measured with 60 drawings
    of a built-in format asked at once: one at a time, a 1 ms sleep on the loop came back
    1,049 times (p99 8 ms) against 190 (p99 47 ms) with six threads drawing, and the 60 took
    no longer in all (1.6 s)."""
    loop = asyncio.get_running_loop()
    gate = _DRAWING.setdefault(loop, asyncio.Semaphore(1))
    async with gate:
        return await asyncio.to_thread(draw, shape, locale)


def _about(shape: Timeline) -> PngInfo:
    """What the picture shows, in its text chunks (numbers only): for tools and tests."""
    info = PngInfo()
    info.add_text("Sections", str(len(shape.blocks)))
    info.add_text("Warnings", str(len(shape.warnings)))
    current = next((b.number for b in shape.blocks if b.progress is Progress.NOW), None)
    if current is not None:
        info.add_text("Now", str(current))
    return info


def _warning_said(number: int, warning: TimelineWarning, locale: str) -> str:
    said = msg(
        "{number}. At {time}: {words}",
        number=number,
        time=clock(warning.at_seconds),
        words=warning.words,
    )
    return render(locale, said)


def _legend(canvas: _Canvas, shape: Timeline, locale: str, conditional: bool) -> None:
    x, y = MARGIN, 78
    entries: list[tuple[Family, str, str]] = [
        (family, "plain", render(locale, words)) for family, words in FAMILY_WORDS.items()
    ]
    if conditional:
        entries.append((Family.WORDS, "if", render(locale, msg("only sometimes"))))
    for family, mode, words in entries:
        canvas.swatch((x, y, x + 26, y + 16), family, mode)
        box = canvas.text((x + 32, y), words, 14, "legend")
        x = box[2] + 18
    if shape.warnings:
        canvas.warning_mark(x + 9, y - 1, "!", size=17)
        canvas.placed.pop()  # the legend's mark is not a warning
        canvas.text((x + 24, y), render(locale, msg("a warning")), 14, "legend")


def _band(
    canvas: _Canvas, shape: Timeline, band: Band, top: int, conditional: bool, locale: str
) -> None:
    span = band.end_seconds - band.start_seconds
    scale = (WIDTH - 2 * MARGIN) / span

    def x_of(seconds: int) -> int:
        return round(MARGIN + (seconds - band.start_seconds) * scale)

    lane_top = top + AXIS_H
    bottom = lane_top + MAIN_H + (IF_H if conditional else 0)
    canvas.pen.rectangle((MARGIN, lane_top, WIDTH - MARGIN, bottom), fill=(246, 246, 246))
    tick = 300 if span <= 3600 else 600 if span <= 7200 else 1800
    for seconds in range(band.start_seconds, band.end_seconds + 1, tick):
        x = x_of(seconds)
        canvas.pen.line([(x, lane_top - 3), (x, bottom)], fill=(215, 215, 215))
        label = clock(seconds)
        width = canvas.pen.textlength(label, font=font(12))
        left = min(max(MARGIN, x - width / 2), WIDTH - MARGIN - width)
        canvas.pen.text((left, top + 1), label, font=font(12), fill=GREY_INK)
    for block in shape.blocks:
        _block(canvas, block, band, x_of, lane_top, conditional)
    if band.start_seconds < shape.length_seconds <= band.end_seconds:
        x = x_of(shape.length_seconds)
        for y in range(lane_top - 4, bottom + 4, 6):
            canvas.pen.line([(x, y), (x, y + 3)], fill=INK, width=3)
        words = render(locale, msg("planned end"))
        width = canvas.pen.textlength(words, font=font(12, bold=True))
        left = x - width - 4 if x + width + 4 > WIDTH - MARGIN else x + 4
        canvas.pen.rectangle((left - 2, top, left + width + 2, top + 15), fill=PAPER)
        canvas.text((left, top + 1), words, 12, "end", bold=True)
    now = shape.now_seconds
    if now is not None and _band_of(shape, now) == shape.bands.index(band):
        x = x_of(now)
        canvas.pen.line([(x, lane_top - 4), (x, bottom + 4)], fill=INK, width=4)
        words = render(locale, msg("now"))
        width = canvas.pen.textlength(words, font=font(13, bold=True))
        left = min(max(MARGIN, x - width / 2), WIDTH - MARGIN - width)
        canvas.pen.rectangle((left - 3, top - 1, left + width + 3, top + 16), fill=INK)
        canvas.text((left, top), words, 13, "now", bold=True, fill=PAPER)


def _block(
    canvas: _Canvas,
    block: Block,
    band: Band,
    x_of: Callable[[int], int],
    lane_top: int,
    conditional: bool,
) -> None:
    start = max(block.start_seconds, band.start_seconds)
    end = min(block.end_seconds, band.end_seconds)
    empty = block.start_seconds == block.end_seconds
    if (end < start or (end == start and not empty)) or not (
        band.start_seconds <= block.start_seconds < band.end_seconds or end > start
    ):
        return
    x0, x1 = int(x_of(start)), int(x_of(end))
    x1 = max(x1, x0 + 4)
    y0 = lane_top + MAIN_H if block.conditional else lane_top
    y1 = y0 + (IF_H if block.conditional else MAIN_H) - 4
    y0 += 4
    mode = "if" if block.conditional else "done" if block.progress is Progress.DONE else "plain"
    canvas.swatch((x0, y0, x1, y1), block.family, mode)
    if block.progress is Progress.NOW:
        canvas.pen.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), outline=INK, width=4)
    size = 13
    room = x1 - x0 - 8
    label = _fit(f"{block.number} {block.title}", size, room, bold=True) if room > 60 else ""
    if len(label) < len(str(block.number)) + 5:  # too little of the title to read: the number
        number = str(block.number)
        label = number if font(size, True).getlength(number) < x1 - x0 - 6 else ""
    if not label:
        return
    width = canvas.pen.textlength(label, font=font(size, bold=True))
    top = y0 + (y1 - y0 - 16) // 2
    fill = GREY if mode == "done" else PAPER if mode == "if" else COLOURS[block.family]
    canvas.pen.rectangle((x0 + 3, top, x0 + 5 + width + 2, top + 17), fill=fill)
    white = mode == "plain" and _dark(COLOURS[block.family])
    canvas.text((x0 + 5, top), label, size, "block", bold=True, fill=PAPER if white else INK)


def _warning_marks(canvas: _Canvas, shape: Timeline, band_h: int) -> None:
    for number, warning in enumerate(shape.warnings, 1):
        index = _band_of(shape, warning.at_seconds)
        band = shape.bands[index]
        scale = (WIDTH - 2 * MARGIN) / (band.end_seconds - band.start_seconds)
        x = MARGIN + (min(warning.at_seconds, band.end_seconds) - band.start_seconds) * scale
        x = min(max(x, MARGIN + 10), WIDTH - MARGIN - 10)
        canvas.warning_mark(x, TOP + index * band_h + AXIS_H + MAIN_H - 22, number)


def _key(canvas: _Canvas, shape: Timeline, top: int, locale: str) -> None:
    """Every section, in two columns: number, planned time, title as written, condition."""
    column = (WIDTH - 2 * MARGIN) // 2
    rows = (len(shape.blocks) + 1) // 2
    heads = [f"{b.number}.  {clock(b.start_seconds)}" for b in shape.blocks]
    head_w = max((font(14, True).getlength(head) for head in heads), default=0) + 12
    room = column - 40 - head_w
    for place, block in enumerate(shape.blocks):
        x = MARGIN + (place // rows) * column if rows else MARGIN
        y = top + (place % rows if rows else 0) * ROW_H
        mode = "if" if block.conditional else "done" if block.progress is Progress.DONE else "plain"
        canvas.swatch((x, y + 2, x + 22, y + 16), block.family, mode)
        bold = block.progress is Progress.NOW
        canvas.pen.text((x + 28, y), heads[place], font=font(14, bold), fill=INK)
        left = x + 28 + head_w
        size = 14 if font(14, bold).getlength(block.title) <= room else 12
        title = _fit(block.title, size, room, bold)
        box = canvas.text((left, y + (14 - size)), title, size, "title", bold=bold)
        if block.condition is not None:
            said = _fit(f"  ({render(locale, block.condition)})", 13, x + column - box[2] - 8)
            if said:
                canvas.pen.text((box[2], y + 1), said, font=font(13), fill=GREY_INK)
