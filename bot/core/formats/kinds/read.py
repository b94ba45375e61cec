"""The ``read`` kind: a reading, by the chair, a role, a volunteer, or several readers."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from bot.core.formats.fields import TextValue
from bot.core.formats.kinds.base import Draft, Family, KindSpec, SectionParts, SectionSpec
from bot.core.formats.kinds.spoken import titled_by_text
from bot.core.formats.plan import ReadingRules, SectionKind, Who, WhoKind


class ReadSection(SectionSpec):
    read: TextValue
    readers: Annotated[int, Field(ge=1, le=10)] = 1
    offer: bool | None = None


def _compile(spec: ReadSection, draft: Draft) -> None:
    offer = spec.offer if spec.offer is not None else draft.who.kind is WhoKind.VOLUNTEER
    draft.extras["reading"] = ReadingRules(readers=spec.readers, offer=offer)
    titled_by_text(spec, draft)


def _volunteer(parts: SectionParts) -> Who:
    return Who(WhoKind.VOLUNTEER)


READ = KindSpec(
    SectionKind.READ, ReadSection, "Reading", Family.TEXT, compile=_compile, leader=_volunteer
)
