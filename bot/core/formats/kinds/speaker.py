"""The ``speaker`` kind: one person shares their story, with their own share limit."""

from __future__ import annotations

from bot.core.formats.fields import TextValue, TimerSpec
from bot.core.formats.kinds.base import Draft, Family, KindSpec, SectionParts, WithIntro
from bot.core.formats.kinds.sharing import describe_sharing, share_timer
from bot.core.formats.plan import Order, SectionKind, Sharing, TurnTaking, Who, WhoKind


class SpeakerSection(WithIntro, TimerSpec):
    speaker: TextValue | None = None


def _compile(spec: SpeakerSection, draft: Draft) -> None:
    timer = share_timer(spec, draft, speaker=draft.who)
    turns = (TurnTaking(Order.FREE, pass_allowed=False),)
    draft.extras["sharing"] = Sharing(turns, timer, sharer=draft.who, counts=True)
    draft.planned = draft.time_box or (timer.limit_seconds or 0) + draft.planned


def _speaker(parts: SectionParts) -> Who:
    """The speaker role when the format has one, else whoever volunteers."""
    return (
        Who(WhoKind.ROLE, "speaker") if parts.declares_role("speaker") else Who(WhoKind.VOLUNTEER)
    )


SPEAKER = KindSpec(
    SectionKind.SPEAKER,
    SpeakerSection,
    "Our speaker",
    Family.SHARING,
    compile=_compile,
    describe=describe_sharing,
    leader=_speaker,
    estimated=False,
)
