"""The sections of a format: one model per kind, put together into :data:`Section`.

A section is a mapping with exactly one key among :data:`SECTION_KINDS` (``say``, ``read``,
``share`` …): that key says what kind of section it is, and its value is the section's main
argument (the words, the text's name, the length of a silence). The other keys are options.
Each kind's model is in its module under :mod:`bot.core.formats.kinds`; this module only picks
the right one for each list item, and explains an item that is no kind.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Discriminator, Tag, model_validator

from bot.core.formats.kinds import KINDS
from bot.core.formats.kinds.base import SectionSpec, WithIntro
from bot.core.formats.parsing import invalid
from bot.i18n.message import msg

__all__ = [
    "SECTION_KINDS",
    "SECTION_MODELS",
    "TAG_PREFIX",
    "Section",
    "SectionSpec",
    "UnknownSection",
    "WithIntro",
]

SECTION_MODELS: dict[str, type[SectionSpec]] = {
    kind.value: spec.model for kind, spec in KINDS.items()
}
SECTION_KINDS = frozenset(SECTION_MODELS)
#: Tags are prefixed so they never look like a key of the file when errors are mapped to lines.
TAG_PREFIX = "§"


def _section_tag(value: Any) -> str:
    if isinstance(value, dict):
        kinds = [key for key in value if key in SECTION_KINDS]
        if len(kinds) == 1:
            return TAG_PREFIX + str(kinds[0])
    return TAG_PREFIX + "unknown"


class UnknownSection(SectionSpec):
    """Stands in for a list item that is not one section, to explain what is wrong with it."""

    @model_validator(mode="before")
    @classmethod
    def _explain(cls, value: Any) -> Any:
        kinds_list = ", ".join(sorted(SECTION_KINDS))
        if not isinstance(value, dict):
            raise invalid(
                msg("each section is a list item that starts with its kind"),
                "write it like  - say: Welcome, everyone.  (kinds: " + kinds_list + ")",
            )
        kinds = [key for key in value if key in SECTION_KINDS]
        if len(kinds) > 1:
            raise invalid(
                "a section can be only one kind, but this one has " + " and ".join(kinds),
                msg("split it into separate sections, each starting with its own -"),
            )
        guesses = [difflib.get_close_matches(str(k), SECTION_KINDS, n=1, cutoff=0.6) for k in value]
        guess = next((g[0] for g in guesses if g), None)
        raise invalid(
            msg("this section does not say what kind it is"),
            msg("did you mean '{guess}'?", guess=guess)
            if guess
            else msg("start it with one of: {kinds_list}", kinds_list=kinds_list),
        )


if TYPE_CHECKING:
    Section = SectionSpec
else:
    # One tagged choice per kind, in the table's order; an item that is no kind is explained.
    Section = Annotated[
        Union[  # built from the table, so it cannot be written with |
            (
                Annotated[UnknownSection, Tag(TAG_PREFIX + "unknown")],
                *(Annotated[model, Tag(TAG_PREFIX + key)] for key, model in SECTION_MODELS.items()),
            )
        ],
        Discriminator(_section_tag),
    ]

# Kinds that hold sections (ask's yes: and no:) name `Section`, which exists only now: rebuilding
# here resolves it from this module's names.
for _model in SECTION_MODELS.values():
    _model.model_rebuild()
