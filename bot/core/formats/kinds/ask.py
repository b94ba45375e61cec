"""The ``ask`` kind: a question for the chair; sections under ``yes:`` / ``no:`` run only on
that answer, and any later section may depend on it (``if: answered-yes: <id>``).

Its branches hold whole sections of any kind. The model names them ``Section``, which
:mod:`bot.core.formats.sections` defines (from every kind) and resolves when it rebuilds the
models; for type checking, a branch is a list of :class:`SectionSpec`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from bot.core.formats.fields import NAME_PATTERN, TextValue
from bot.core.formats.kinds.base import Branch, Draft, KindSpec, SectionSpec
from bot.core.formats.plan import CompiledFormat, CompiledSection, Question, SectionKind
from bot.core.formats.render import render
from bot.i18n.message import Msg, msg

if TYPE_CHECKING:
    from collections.abc import Mapping

    Section = SectionSpec


class AskSection(SectionSpec):
    ask: TextValue
    id: Annotated[str, Field(pattern=NAME_PATTERN.pattern, max_length=60)] | None = None
    yes: list[Section] = Field(default_factory=list, max_length=50)
    no: list[Section] = Field(default_factory=list, max_length=50)


def _compile(spec: AskSection, draft: Draft) -> None:
    draft.extras["question"] = Question(spec.id or f"question-{draft.index + 1}", spec.ask)
    draft.text = None  # the question is asked of the chair, not said
    if len(spec.ask) <= 100 and "${" not in spec.ask:
        draft.title = spec.ask  # titled by its question, when short enough for a heading
    if draft.time_box is None:
        draft.planned += 20  # an estimate: the format does not say how long it takes
    if not spec.yes and not spec.no and spec.id is None:
        draft.report(
            draft.path,
            msg("nothing depends on the answer to this question"),
            msg("add yes: or no: sections under it, or give it an id: to use in if:"),
        )


def _describe(
    plan: CompiledFormat, section: CompiledSection, values: Mapping[str, str]
) -> list[Msg | str]:
    if section.question is None:
        return []
    return [msg("The chair is asked: “{question}”", question=render(section.question.text, values))]


def _branches(spec: AskSection) -> tuple[Branch, ...]:
    return (("yes", True, spec.yes), ("no", False, spec.no))


ASK = KindSpec(
    SectionKind.ASK,
    AskSection,
    "A question for the chair",
    compile=_compile,
    describe=_describe,
    branches=_branches,
    question_id=lambda spec: spec.id,
)
