"""The ``milestones`` kind: celebrating milestones; members may privately ask to be named."""

from __future__ import annotations

from bot.core.formats.fields import TextValue
from bot.core.formats.kinds.base import Draft, KindSpec, WithIntro
from bot.core.formats.plan import SectionKind


class MilestonesSection(WithIntro):
    milestones: TextValue | None = None
    private_requests: bool = True


def _compile(spec: MilestonesSection, draft: Draft) -> None:
    draft.extras["private_requests"] = spec.private_requests
    if draft.time_box is None:
        draft.planned += 180  # an estimate: the format does not say how long it takes


MILESTONES = KindSpec(SectionKind.MILESTONES, MilestonesSection, "Milestones", compile=_compile)
