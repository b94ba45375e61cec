"""The ``topic`` kind: choosing the meeting's topic (by the chair, unless ``chosen-by:``)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.formats.fields import TextValue, WhoValue
from bot.core.formats.kinds.base import Draft, KindSpec, WithIntro
from bot.core.formats.plan import CompiledFormat, CompiledSection, SectionKind
from bot.core.formats.roles import who_said
from bot.i18n.message import Msg, msg


class TopicSection(WithIntro):
    topic: TextValue | None = None
    chosen_by: WhoValue | None = None


def _compile(spec: TopicSection, draft: Draft) -> None:
    draft.extras["topic_chosen_by"] = draft.parts.who(spec.chosen_by)
    if draft.time_box is None:
        draft.planned += 120  # an estimate: the format does not say how long it takes


def _describe(
    plan: CompiledFormat, section: CompiledSection, values: Mapping[str, str]
) -> list[Msg | str]:
    if section.topic_chosen_by is None:
        return []
    return [msg("The topic is chosen by {who}.", who=who_said(section.topic_chosen_by, plan.roles))]


TOPIC = KindSpec(
    SectionKind.TOPIC, TopicSection, "Choosing a topic", compile=_compile, describe=_describe
)
