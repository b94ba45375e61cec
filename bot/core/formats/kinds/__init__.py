"""The section kinds of the format language, one module each (or one per family of kinds that
differ only by their defaults), and :data:`KINDS`, the table the rest of the format code reads.

A kind's module holds its schema (the pydantic model of the YAML section), its compilation (the
parts of :class:`~bot.core.formats.plan.CompiledSection` only it sets) and its description (the
preview lines for those parts), gathered in a :class:`~.base.KindSpec`. The schema
(:mod:`bot.core.formats.sections`), the compiler (:mod:`bot.core.formats.compiler`) and the
preview (:mod:`bot.core.formats.describe`) consult :data:`KINDS`; the meeting runner reads the
compiled parts (``section.quiet``, ``section.sharing`` …), not the kind (one exception: reaching
the ``closing`` makes a meeting count).

How to add a section kind
-------------------------
1. Add it to :class:`~bot.core.formats.plan.SectionKind` (``plan.py``); if it needs a part of
   the compiled section that no kind has yet, add that field to ``CompiledSection`` there too.
2. Write its module here: the model (a :class:`~.base.SectionSpec`, or :class:`~.base.WithIntro`
   when it may say some words first) with a field named after the kind for its main value, a
   ``compile(spec, draft)`` that puts its parts in ``draft.extras``, a ``describe`` for the
   preview, and its :class:`~.base.KindSpec` (title, family, who leads it by default …).
3. Add that ``KindSpec`` to :data:`KINDS` below, in the same place as in ``SectionKind``
   (tests/unit/test_format_kinds.py checks that the table and the enum agree).
4. Describe it in the guide for groups, ``formats/README.md`` (every key it has must appear
   there; tests/unit/test_format_guide.py checks), with an example.
5. If the meeting must run it differently from every existing kind, that is in
   :mod:`bot.core.meeting.flow`, keyed on the compiled part it sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.formats.kinds import (
    announcements,
    ask,
    breakout,
    business,
    milestones,
    quiet,
    read,
    sharing,
    speaker,
    spoken,
    topic,
)
from bot.core.formats.kinds.base import Family, KindSpec, SectionSpec
from bot.core.formats.plan import SectionKind

__all__ = ["KINDS", "QUIET_KINDS", "SHARING_KINDS", "TEXT_KINDS", "KindSpec", "kind_of"]

#: Every section kind, in the order of ``SectionKind`` (the schema's order too).
KINDS: Mapping[SectionKind, KindSpec[Any]] = {
    spec.kind: spec
    for spec in (
        spoken.SAY,
        read.READ,
        spoken.RECITE,
        quiet.SILENCE,
        quiet.MEDITATION,
        sharing.INTRODUCTIONS,
        sharing.CHECK_IN,
        sharing.CHECK_OUT,
        sharing.SHARE,
        speaker.SPEAKER,
        topic.TOPIC,
        milestones.MILESTONES,
        announcements.ANNOUNCEMENTS,
        spoken.COLLECTION,
        quiet.BREAK,
        breakout.BREAKOUT,
        business.BUSINESS,
        spoken.CLOSING,
        ask.ASK,
    )
}

_BY_MODEL: Mapping[type[SectionSpec], KindSpec[Any]] = {spec.model: spec for spec in KINDS.values()}


def kind_of(spec: SectionSpec) -> KindSpec[Any]:
    """The kind of a validated section."""
    return _BY_MODEL[type(spec)]


def _family(family: Family) -> frozenset[SectionKind]:
    return frozenset(kind for kind, spec in KINDS.items() if spec.family is family)


#: Kinds whose words are the section (said, read or recited): ``section.text`` is always set.
TEXT_KINDS = _family(Family.TEXT)
#: Kinds that hold the meeting quiet: ``section.quiet`` is set.
QUIET_KINDS = _family(Family.QUIET)
#: Kinds where members or a speaker share: ``section.sharing`` is set.
SHARING_KINDS = _family(Family.SHARING)
