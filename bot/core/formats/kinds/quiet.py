"""Kinds that keep the meeting quiet for a while: ``silence``, ``meditation`` and ``break``.

Silence and meditation differ only in their bells (meditation rings at both ends unless told
otherwise) and title; a break has no bells, and its length is required.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import model_validator

from bot.core.formats.fields import Duration, QuietLength, Spec
from bot.core.formats.kinds.base import Draft, Family, KindSpec, WithIntro
from bot.core.formats.parsing import invalid
from bot.core.formats.plan import CompiledFormat, CompiledSection, Quiet, SectionKind
from bot.i18n.message import Msg, msg


class Bells(Spec):
    start: bool = False
    end: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_words(cls, value: Any) -> Any:
        words = {"none": [], "start": ["start"], "end": ["end"], "both": ["start", "end"]}
        if isinstance(value, bool):
            value = "both" if value else "none"
        if isinstance(value, str):
            if value.strip().lower() not in words:
                raise invalid(
                    msg("'{value}' is not a choice of bells", value=value),
                    msg("write start, end, both or none"),
                )
            value = words[value.strip().lower()]
        if isinstance(value, list):
            return {str(item): True for item in value}
        return value


class SilenceSection(WithIntro):
    silence: QuietLength
    bells: Bells | None = None


class MeditationSection(WithIntro):
    meditation: QuietLength
    bells: Bells | None = None


class BreakSection(WithIntro):
    break_: Duration


def _quiet(
    length: Callable[[Any], int | None], bells_by_default: bool
) -> Callable[[SilenceSection | MeditationSection, Draft], None]:
    def compile_quiet(spec: SilenceSection | MeditationSection, draft: Draft) -> None:
        seconds = length(spec)
        bells = spec.bells or Bells(start=bells_by_default, end=bells_by_default)
        draft.extras["quiet"] = Quiet(seconds, bells.start, bells.end)
        draft.planned = draft.time_box or seconds or 60

    return compile_quiet


def _compile_break(spec: BreakSection, draft: Draft) -> None:
    draft.extras["quiet"] = Quiet(spec.break_)
    draft.planned = draft.time_box or spec.break_


def describe_bells(
    plan: CompiledFormat, section: CompiledSection, values: Mapping[str, str]
) -> list[Msg | str]:
    quiet = section.quiet
    if quiet is None:
        return []
    if quiet.bell_at_start and quiet.bell_at_end:
        return [msg("A bell at the start and the end.")]
    if quiet.bell_at_start:
        return [msg("A bell at the start.")]
    if quiet.bell_at_end:
        return [msg("A bell at the end.")]
    return []


SILENCE = KindSpec(
    SectionKind.SILENCE,
    SilenceSection,
    "A moment of silence",
    Family.QUIET,
    compile=_quiet(lambda spec: spec.silence, bells_by_default=False),
    describe=describe_bells,
    estimated=False,
)
MEDITATION = KindSpec(
    SectionKind.MEDITATION,
    MeditationSection,
    "Meditation",
    Family.QUIET,
    compile=_quiet(lambda spec: spec.meditation, bells_by_default=True),
    describe=describe_bells,
    estimated=False,
)
BREAK = KindSpec(
    SectionKind.BREAK,
    BreakSection,
    "Break",
    Family.QUIET,
    compile=_compile_break,
    describe=describe_bells,
    estimated=False,
)
