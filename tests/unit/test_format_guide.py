"""Every example in the format guide (formats/README.md) is loaded, so the guide cannot drift.

The convention, also explained to readers of the guide by its wording:

* a block opened with ```` ```yaml ```` is a complete format and must load as it is;
* ```` ```yaml snippet ```` is a part of a format. It is merged into :data:`BASE` (a minimal
  format that declares the texts, roles and switch the snippets mention): keys at the top
  replace the base's, except ``roles``, ``texts``, ``guidelines`` and ``switches``, which are
  added to the base's; a snippet's ``sections`` replace the base's;
* ```` ```yaml error ```` shows a mistake: merged the same way, it must fail with a FormatError;
* ```` ```yaml warning ```` shows advice: merged the same way, it loads, with warnings.

A further test checks that the guide mentions every key the language has.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from bot.core.formats import FormatError, check_format, load_format, schema
from bot.core.formats.fields import BusySpec, FairShareSpec, PhaseSpec
from bot.core.formats.kinds.business import AgendaItemSpec, MotionRules
from bot.core.formats.kinds.quiet import Bells
from bot.core.formats.schema import MeetingNoteSpec
from bot.core.formats.yamlsource import read_yaml

GUIDE = Path(__file__).resolve().parents[2] / "formats" / "README.md"
BLOCK = re.compile(r"^```yaml( snippet| error| warning)?\n(.*?)^```$", re.MULTILINE | re.DOTALL)
MERGED_PARTS = ("roles", "texts", "guidelines", "switches")

BASE: dict[str, Any] = yaml.safe_load(
    """
format: 1
name: Guide example
length: 60m
roles:
  meditation-guide: {}
  speaker: on-the-day
  treasurer: {rotation: term, term: 6 months}
switches:
  long-reading: {about: Read the long version.}
texts:
  our-reading: Our reading.
  closing-words: Thank you for coming.
  a-short-poem: A few quiet lines.
  newcomer-welcome: A warm welcome to anyone new.
sections:
  - say: Welcome.
"""
)


def _examples() -> list[tuple[str, str, int]]:
    text = GUIDE.read_text(encoding="utf-8")
    return [
        (
            (match.group(1) or " complete").strip(),
            match.group(2),
            text.count("\n", 0, match.start()) + 1,
        )
        for match in BLOCK.finditer(text)
    ]


def _merged(snippet: str) -> str:
    part = read_yaml(snippet).data  # keeps keys such as yes: and no: as written
    document = {
        key: (dict(value) if isinstance(value, dict) else value) for key, value in BASE.items()
    }
    if isinstance(part, list):
        part = {"sections": part}
    for key, value in part.items():
        if key in MERGED_PARTS:
            document[key] = {**document.get(key, {}), **value}
        else:
            document[key] = value
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


EXAMPLES = _examples()


def test_the_guide_has_examples_of_each_sort() -> None:
    sorts = {sort for sort, _, _ in EXAMPLES}
    assert sorts == {"complete", "snippet", "error", "warning"}
    assert len(EXAMPLES) > 30


@pytest.mark.parametrize(
    ("sort", "example", "line"), EXAMPLES, ids=[f"line-{e[2]}" for e in EXAMPLES]
)
def test_guide_example(sort: str, example: str, line: int) -> None:
    name = f"README.md example at line {line}"
    if sort == "complete":
        load_format(example, filename=name)
    elif sort == "snippet":
        load_format(_merged(example), filename=name)
    elif sort == "warning":
        _plan, warnings = check_format(_merged(example), filename=name)
        assert warnings, "a warning example must give at least one warning"
    else:
        with pytest.raises(FormatError):
            load_format(_merged(example), filename=name)


def _keys(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def schema_keys() -> set[str]:
    """Every key of the language: the keys of each model a format is made of."""
    models: list[type[BaseModel]] = [
        schema.FormatSpec,
        schema.RoleSpec,
        schema.TextSpec,
        schema.TimerSpec,
        schema.CrosstalkSpec,
        schema.ChannelSpec,
        schema.WarningSpec,
        schema.ConditionSpec,
        schema.BeforeSpec,
        schema.AfterSpec,
        schema.CountsSpec,
        schema.GuidelineSpec,
        schema.SwitchSpec,
        schema.ModeSpec,
        schema.DeclarationSpec,
        schema.CycleSpec,
        FairShareSpec,
        schema.ResourceSpec,
        MeetingNoteSpec,
        PhaseSpec,
        BusySpec,
        AgendaItemSpec,
        MotionRules,
        Bells,
        *schema.SECTION_MODELS.values(),
    ]
    return set().union(*(_keys(model) for model in models))


def test_the_guide_mentions_every_key() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    keys = schema_keys()
    missing = sorted(key for key in keys if f"`{key}" not in guide and f"{key}:" not in guide)
    assert missing == []
