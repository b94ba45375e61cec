"""A format's shape as data: the blocks a timeline picture draws, and where its warnings fall.

:func:`timeline` lays a :class:`~bot.core.formats.plan.CompiledFormat` out on the planned clock
the way the text preview does (:func:`~bot.core.formats.describe.preview_said`): the sections
that always run, and those switched on by default, in the main lane; every other conditional
section where it would fall if it ran too, marked ``conditional`` with its condition in words.
Bands cut the meeting into equal minute ranges, for a picture read like lines of text.

Warnings sit where they happen: a section whose ``starts:`` the sections before it run into (an
overlap), the meeting or a section running past its planned end (an overrun), a section with no
time of its own (sharing that takes all the time left, or squeezed to nothing).

:func:`with_progress` marks a meeting under way: "now", the section under way, those done.
Pure: the drawing is in :mod:`bot.pictures`; words are :class:`~bot.i18n.message.Msg` values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from enum import StrEnum

from bot.core.formats.advice import default_sections
from bot.core.formats.conditions import (
    Answer,
    Condition,
    Declared,
    InMode,
    Not,
    OnWeekdays,
    RoleFilled,
    SwitchOn,
    TimeAllows,
    TimeLeft,
    conjuncts,
)
from bot.core.formats.plan import CompiledFormat, CompiledSection, Overrun, SectionKind
from bot.core.formats.timing import minutes_said
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n.message import Msg, msg


class Family(StrEnum):
    """What kind of time a section is, as the picture colours it."""

    WORDS = "words"
    READINGS = "readings"
    SILENCE = "silence"
    SHARING = "sharing"
    BUSINESS = "business"
    CLOSING = "closing"


FAMILY: dict[SectionKind, Family] = {
    SectionKind.SAY: Family.WORDS,
    SectionKind.TOPIC: Family.WORDS,
    SectionKind.ASK: Family.WORDS,
    SectionKind.MILESTONES: Family.WORDS,
    SectionKind.READ: Family.READINGS,
    SectionKind.RECITE: Family.READINGS,
    SectionKind.SILENCE: Family.SILENCE,
    SectionKind.MEDITATION: Family.SILENCE,
    SectionKind.BREAK: Family.SILENCE,
    SectionKind.INTRODUCTIONS: Family.SHARING,
    SectionKind.CHECK_IN: Family.SHARING,
    SectionKind.CHECK_OUT: Family.SHARING,
    SectionKind.SHARE: Family.SHARING,
    SectionKind.SPEAKER: Family.SHARING,
    SectionKind.BREAKOUT: Family.SHARING,
    SectionKind.ANNOUNCEMENTS: Family.BUSINESS,
    SectionKind.COLLECTION: Family.BUSINESS,
    SectionKind.BUSINESS: Family.BUSINESS,
    SectionKind.CLOSING: Family.CLOSING,
}

FAMILY_WORDS: dict[Family, Msg] = {
    Family.WORDS: msg("Words"),
    Family.READINGS: msg("Readings"),
    Family.SILENCE: msg("Silence"),
    Family.SHARING: msg("Sharing"),
    Family.BUSINESS: msg("Business"),
    Family.CLOSING: msg("Closing"),
}

#: Minutes per band, the shortest that keeps the picture to :data:`MAX_BANDS` bands.
BAND_MINUTES = (10, 15, 20, 30, 40, 60, 90, 120, 180, 240, 360, 480, 720, 1440)
MAX_BANDS = 3


class WarningKind(StrEnum):
    OVERRUN = "overrun"  # past the planned end, or past a section's own `until:`
    OVERLAP = "overlap"  # the sections before run into a section's `starts:`
    NO_TIME = "no-time"  # takes all the time that is left, or has none left


class Progress(StrEnum):
    AHEAD = "ahead"
    NOW = "now"
    DONE = "done"


@lazy_dataclass(frozen=True)
class Block:
    index: int  # the section's position in the format
    title: str  # as the format wrote it
    kind: SectionKind
    family: Family
    start_seconds: int
    end_seconds: int
    conditional: bool  # runs only sometimes (drawn hatched, in its own lane)
    condition: Msg | None  # when it runs, in words
    elastic: bool  # takes the time left between its anchors
    progress: Progress = Progress.AHEAD

    @property
    def number(self) -> int:
        return self.index + 1


@lazy_dataclass(frozen=True)
class TimelineWarning:
    kind: WarningKind
    section: int  # the section it is about
    at_seconds: int  # where on the planned clock it happens
    words: Msg


@lazy_dataclass(frozen=True)
class Band:
    start_seconds: int
    end_seconds: int


@lazy_dataclass(frozen=True)
class Timeline:
    name: str
    language: str
    length_seconds: int  # the planned end
    blocks: tuple[Block, ...]
    bands: tuple[Band, ...]
    warnings: tuple[TimelineWarning, ...]
    now_seconds: int | None = None  # a meeting under way: how far into it

    @property
    def end_seconds(self) -> int:
        """Where the drawing ends: the planned end, or the last block if later."""
        return max([self.length_seconds, *(b.end_seconds for b in self.blocks)])

    def block(self, index: int) -> Block | None:
        return next((b for b in self.blocks if b.index == index), None)


def timeline(plan: CompiledFormat, also: Iterable[int] = ()) -> Timeline:
    """The format's shape: every section as a block on the planned clock, and its warnings.
    The conditional sections that run by default, and those in ``also`` (a meeting under way:
    the ones it ran), are in the main lane."""
    defaults = sorted({*default_sections(plan), *also})
    main = {item.section.index: item for item in plan.schedule(defaults)}
    blocks: list[Block] = []
    for section in plan.sections:
        item = main.get(section.index)
        if item is None:  # a conditional section: where it falls when it runs too
            alone = plan.schedule([*defaults, section.index])
            item = next(i for i in alone if i.section.index == section.index)
        blocks.append(
            Block(
                index=section.index,
                title=section.title,
                kind=section.kind,
                family=FAMILY.get(section.kind, Family.WORDS),
                start_seconds=item.start_seconds,
                end_seconds=item.end_seconds,
                conditional=section.index not in main,
                condition=condition_words(plan, section.condition)
                if section.condition is not None
                else None,
                elastic=section.elastic,
            )
        )
    made = Timeline(
        name=plan.name,
        language=plan.language,
        length_seconds=plan.length_seconds,
        blocks=tuple(blocks),
        bands=(),
        warnings=tuple(_warnings(plan, defaults, main.keys())),
    )
    return replace(made, bands=bands(made.end_seconds))


def bands(end_seconds: int) -> tuple[Band, ...]:
    """Equal minute ranges covering ``0 .. end_seconds``, at most :data:`MAX_BANDS` of them."""
    end = max(end_seconds, 60)
    size = next(
        (m * 60 for m in BAND_MINUTES if math.ceil(end / (m * 60)) <= MAX_BANDS),
        math.ceil(end / MAX_BANDS / 60) * 60,
    )
    count = math.ceil(end / size)
    return tuple(Band(i * size, (i + 1) * size) for i in range(count))


def with_progress(
    shape: Timeline, now_seconds: int, current: int | None, done: Iterable[int]
) -> Timeline:
    """The timeline of a meeting under way: ``now_seconds`` into it, ``current`` the section
    under way, ``done`` the sections run (or passed) before it."""
    finished = set(done)
    blocks = tuple(
        replace(
            b,
            progress=Progress.NOW
            if b.index == current
            else Progress.DONE
            if b.index in finished
            else Progress.AHEAD,
        )
        for b in shape.blocks
    )
    now = max(0, now_seconds)
    return replace(
        shape, blocks=blocks, now_seconds=now, bands=bands(max(shape.end_seconds, now + 1))
    )


def condition_words(plan: CompiledFormat, condition: Condition | None) -> Msg:
    """When a conditional section runs, in a few words (the first part of its condition)."""
    parts = conjuncts(condition)
    said = [_part_words(plan, part) for part in parts]
    if len(said) == 1:
        return said[0]
    return msg("{first}, and more", first=said[0])


def _part_words(plan: CompiledFormat, part: Condition) -> Msg:
    match part:
        case TimeAllows():
            return msg("if time allows")
        case TimeLeft(seconds):
            return msg("if {minutes} are left", minutes=minutes_said(seconds))
        case Answer(expected=expected):
            return msg("if the chair answers yes") if expected else msg("if the chair answers no")
        case SwitchOn(name):
            return msg("when “{switch}” is on", switch=name)
        case Not(SwitchOn(name)):
            return msg("when “{switch}” is off", switch=name)
        case Declared(declaration):
            found = plan.variants.declaration(declaration)
            words = found.words if found is not None else declaration
            return msg("when someone says “{words}”", words=words)
        case Not(Declared(declaration)):
            found = plan.variants.declaration(declaration)
            words = found.words if found is not None else declaration
            return msg("when nobody says “{words}”", words=words)
        case RoleFilled(role):
            return msg("when someone is {role}", role=role)
        case OnWeekdays():
            return msg("on some days of the week")
        case InMode(mode):
            return msg("in some of the group's choices of “{mode}”", mode=mode)
    return msg("only sometimes")


def _warnings(
    plan: CompiledFormat, defaults: list[int], main: Iterable[int]
) -> list[TimelineWarning]:
    found: list[TimelineWarning] = []
    seen: set[tuple[WarningKind, int, int]] = set()

    def add(warning: TimelineWarning) -> None:
        key = (warning.kind, warning.section, warning.at_seconds)
        if key not in seen:
            seen.add(key)
            found.append(warning)

    for overrun in plan.overruns_with(defaults):
        add(_overrun(plan, overrun, overrun.section.index, None))
    running = set(main)
    for section in plan.sections:
        if section.index in running:
            continue
        for overrun in plan.overruns_with([*defaults, section.index]):
            add(_overrun(plan, overrun, section.index, section))
    scheduled = {item.section.index: item for item in plan.schedule(defaults)}
    for section in plan.sections:
        if not section.elastic:
            continue
        item = scheduled.get(section.index)
        later = plan.sections[section.index + 1 :]
        if (
            section.sharing is not None
            and section.until is None
            and not any(s.starts is not None for s in later)
        ):
            at = item.start_seconds if item is not None else 0
            add(
                TimelineWarning(
                    WarningKind.NO_TIME,
                    section.index,
                    at,
                    msg(
                        "“{title}” has no time of its own: it takes all the time that is left",
                        title=section.title,
                    ),
                )
            )
        elif item is not None and item.length_seconds == 0:
            add(
                TimelineWarning(
                    WarningKind.NO_TIME,
                    section.index,
                    item.start_seconds,
                    msg(
                        "no time is left for “{title}”: the sections around it take it all",
                        title=section.title,
                    ),
                )
            )
    return sorted(found, key=lambda w: (w.at_seconds, w.section))


def _overrun(
    plan: CompiledFormat, overrun: Overrun, section: int, because: CompiledSection | None
) -> TimelineWarning:
    late = minutes_said(overrun.seconds)
    length, start = plan.length_seconds, plan.planned_start_minute
    if overrun.moment == "starts" and overrun.section.starts is not None:
        at = overrun.section.starts.seconds_from_start(length, start)
        words = msg(
            "the sections before “{title}” run about {minutes} into its start",
            title=overrun.section.title,
            minutes=late,
        )
        kind = WarningKind.OVERLAP
    elif overrun.moment == "until" and overrun.section.until is not None:
        at = overrun.section.until.seconds_from_start(length, start)
        words = msg(
            "“{title}” runs about {minutes} past its planned end",
            title=overrun.section.title,
            minutes=late,
        )
        kind = WarningKind.OVERRUN
    else:
        at, kind = length, WarningKind.OVERRUN
        words = msg("the meeting runs about {minutes} past its planned end", minutes=late)
    if because is not None:
        words = msg("when “{title}” runs: {words}", title=because.title, words=words)
    return TimelineWarning(kind, section, at, words)
