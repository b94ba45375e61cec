"""The ``announcements`` kind: the chair calls for announcements (``calls:``, one by one)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from bot.core.formats.fields import TextValue
from bot.core.formats.kinds.base import Draft, KindSpec, WithIntro
from bot.core.formats.plan import CompiledFormat, CompiledSection, SectionKind
from bot.core.formats.render import render
from bot.i18n.message import Msg, msg


class AnnouncementsSection(WithIntro):
    announcements: TextValue | None = None
    calls: list[TextValue] | None = Field(None, max_length=5)


def _compile(spec: AnnouncementsSection, draft: Draft) -> None:
    calls = spec.calls or ([] if draft.text else ["Are there any announcements?"])
    draft.extras["announcement_calls"] = tuple(
        draft.parts.chunks(call, (*draft.path, "calls", i)) for i, call in enumerate(calls)
    )
    draft.planned = draft.time_box or 90 * max(1, len(calls)) + draft.planned


def _describe(
    plan: CompiledFormat, section: CompiledSection, values: Mapping[str, str]
) -> list[Msg | str]:
    return [
        msg("The chair asks: {call}", call=render(" ".join(call), values))
        for call in section.announcement_calls
    ]


ANNOUNCEMENTS = KindSpec(
    SectionKind.ANNOUNCEMENTS,
    AnnouncementsSection,
    "Announcements",
    compile=_compile,
    describe=_describe,
)
