"""Who had the floor in each sharing section, read from the channel as the room saw it.

A section begins with its heading (a message beginning ``**Title**``); until the next heading
(of a section or a reading), every "<member>, the floor is yours" — by a raised hand or the
round, by the chair's call, or by the sharer before — names who had the floor there. The words
are read through bot/i18n in the group's language, so a French or Spanish group is counted the
same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.adapters.meeting_time_words import shown_title
from bot.core.formats.plan import CompiledFormat, SectionKind
from bot.i18n import t

#: What the room is told as the floor is given: by a hand or the round, by the chair, by a tag.
GIVEN = (
    "{name}, the floor is yours.",
    "{name}, the chair has invited you to share — the floor is yours.",
    "{name}, you've been invited to share next — the floor is yours.",
)


def sharing_sections(plan: CompiledFormat) -> list[int]:
    """The sections where members share (a speaker's part gives the floor to the speaker)."""
    return [s.index for s in plan.sections if s.sharing and s.kind is not SectionKind.SPEAKER]


def floor_by_section(
    messages: Iterable[dict[str, Any]], plan: CompiledFormat, member_ids: Iterable[int]
) -> dict[int, list[int]]:
    """For every sharing section whose heading the room saw, the members given the floor there
    before the next heading, in the channel's order (a member once per time)."""
    lang = plan.language
    titles = {i: f"**{shown_title(lang, plan.sections[i].title)}**" for i in sharing_sections(plan)}
    given = {m: [t(lang, words, name=f"<@{m}>") for words in GIVEN] for m in member_ids}
    found: dict[int, list[int]] = {}
    here: int | None = None
    for message in messages:
        content = message.get("content", "")
        if content.startswith("**"):  # a heading: a section (or a reading) begins
            here = next((i for i, title in titles.items() if content.startswith(title)), None)
            if here is not None:
                found.setdefault(here, [])
            continue
        if here is None:
            continue
        found[here].extend(m for m, words in given.items() if any(map(content.startswith, words)))
    return found


def assert_two_each(
    messages: list[dict[str, Any]], plan: CompiledFormat, member_ids: Iterable[int]
) -> dict[int, list[int]]:
    """Every sharing section the format always runs began, and every one that began gave the
    floor to at least two members. Returns who had it, by section."""
    heard = floor_by_section(messages, plan, member_ids)
    transcript = "\n".join(m.get("content", "")[:70] for m in messages)
    for index in sharing_sections(plan):
        if plan.sections[index].condition is None:
            assert index in heard, f"{plan.sections[index].title!r} never began\n{transcript}"
    for index, members in heard.items():
        title = plan.sections[index].title
        assert len(set(members)) >= 2, f"{title!r} gave the floor to {members}\n{transcript}"
    return heard
