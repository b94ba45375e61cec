"""The ``breakout`` kind: members meet in smaller groups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import Field

from bot.core.formats.fields import TextValue
from bot.core.formats.kinds.base import Draft, KindSpec, WithIntro
from bot.core.formats.plan import CompiledFormat, CompiledSection, SectionKind
from bot.i18n.message import Msg, msg


class BreakoutSection(WithIntro):
    breakout: TextValue | None = None
    group_size: Annotated[int, Field(ge=2, le=25)] = 4


def _compile(spec: BreakoutSection, draft: Draft) -> None:
    draft.extras["breakout_group_size"] = spec.group_size
    draft.elastic = draft.time_box is None


def _describe(
    plan: CompiledFormat, section: CompiledSection, values: Mapping[str, str]
) -> list[Msg | str]:
    if section.breakout_group_size is None:
        return []
    return [msg("Members meet in small groups of about {size}.", size=section.breakout_group_size)]


BREAKOUT = KindSpec(
    SectionKind.BREAKOUT,
    BreakoutSection,
    "Small groups",
    compile=_compile,
    describe=_describe,
    estimated=False,
)
