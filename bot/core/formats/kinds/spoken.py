"""Kinds whose words are the whole section: ``say``, ``recite``, ``collection``, ``closing``.

They differ only by key, default title and who leads them: ``recite`` is said by everyone
together, and titled by its text when that has a title. (``read`` has options of its own: see
:mod:`.read`.)
"""

from __future__ import annotations

from bot.core.formats.fields import TextValue
from bot.core.formats.headings import role_heading
from bot.core.formats.kinds.base import Draft, Family, KindSpec, SectionParts, SectionSpec
from bot.core.formats.plan import CHAIR, SectionKind, Who, WhoKind


class SaySection(SectionSpec):
    say: TextValue


class ReciteSection(SectionSpec):
    recite: TextValue


class CollectionSection(SectionSpec):
    collection: TextValue


class ClosingSection(SectionSpec):
    closing: TextValue


def titled_by_text(spec: SectionSpec, draft: Draft) -> None:
    """A section that says a text of the library is headed by that text's title."""
    if draft.text and draft.text.title:
        draft.title = draft.text.title


def _everyone(parts: SectionParts) -> Who:
    return Who(WhoKind.EVERYONE)


def said_by(spec: SectionSpec, draft: Draft) -> None:
    """A ``say`` is headed by its text's title when it has one; otherwise by who says it:
    "From the chair", "From the secretary" (a ``by:`` role), "From a member" (a volunteer)."""
    titled_by_text(spec, draft)
    who = draft.who
    if draft.title:
        return
    if who.kind is WhoKind.ROLE and who.role is not None and who != CHAIR:
        draft.title = str(role_heading(draft.parts.role_title(who.role).lower()))
    elif who.kind is WhoKind.VOLUNTEER:
        draft.title = "From a member"


SAY = KindSpec(SectionKind.SAY, SaySection, "From the chair", Family.TEXT, compile=said_by)
RECITE = KindSpec(
    SectionKind.RECITE,
    ReciteSection,
    "Together",
    Family.TEXT,
    compile=titled_by_text,
    leader=_everyone,
)
COLLECTION = KindSpec(SectionKind.COLLECTION, CollectionSection, "Collection", Family.TEXT)
CLOSING = KindSpec(SectionKind.CLOSING, ClosingSection, "Closing", Family.TEXT)
