"""The table of section kinds is complete and each kind's module is consistent with it."""

from __future__ import annotations

from bot.core.formats import load_format
from bot.core.formats.kinds import KINDS, QUIET_KINDS, SHARING_KINDS, TEXT_KINDS, kind_of
from bot.core.formats.plan import SectionKind
from bot.core.formats.sections import SECTION_MODELS


def test_every_kind_is_in_the_table_once() -> None:
    assert list(KINDS) == list(SectionKind)
    assert all(kind is spec.kind for kind, spec in KINDS.items())
    assert len({spec.model for spec in KINDS.values()}) == len(KINDS)
    assert list(SECTION_MODELS) == [kind.value for kind in SectionKind]


def test_each_model_has_a_key_named_after_its_kind() -> None:
    for kind, spec in KINDS.items():
        keys = {field.alias or name for name, field in spec.model.model_fields.items()}
        assert kind.value in keys, kind


def test_each_kind_sets_the_part_its_family_promises() -> None:
    plan = load_format(
        """
format: 1
name: Families
length: 2h
sections:
  - say: Welcome.
  - read: A reading.
  - recite: Together.
  - silence: 1m
  - meditation: 2m
  - break: 5m
  - introductions:
  - check-in:
  - share:
    time: 10m
  - speaker:
    time: 25m
  - check-out:
  - collection: The basket.
  - closing: Goodbye.
"""
    )
    assert {s.kind for s in plan.sections} == TEXT_KINDS | QUIET_KINDS | SHARING_KINDS
    for section in plan.sections:
        assert (section.text is not None) or section.kind not in TEXT_KINDS
        assert (section.quiet is not None) == (section.kind in QUIET_KINDS)
        assert (section.sharing is not None) == (section.kind in SHARING_KINDS)
        counts = section.kind in {SectionKind.SHARE, SectionKind.SPEAKER}
        assert section.sharing is None or section.sharing.counts is counts


def test_kind_of_a_validated_section() -> None:
    for spec in KINDS.values():
        assert kind_of(spec.model.model_construct()) is spec
