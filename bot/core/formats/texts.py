"""Compiled texts: a format's readings and words, split for Discord, and choosing among them."""

from __future__ import annotations

from enum import StrEnum

from bot.core.formats.render import split_for_discord, split_paragraphs
from bot.core.lazy_dataclasses import lazy_dataclass


@lazy_dataclass(frozen=True)
class CompiledText:
    """One text from the format's library (or written in place), ready to render and post."""

    name: str  # library name, or "" for words written directly in a section
    title: str
    chunks: tuple[str, ...]  # template chunks, each safe to post after rendering
    placeholder: bool = False  # the group should replace it with its own reading
    reading_seconds: int = 0

    @property
    def template(self) -> str:
        return "\n\n".join(self.chunks)

    def for_readers(self, readers: int) -> tuple[tuple[str, ...], ...]:
        """The text divided into ``readers`` consecutive parts of whole paragraphs.

        Each part is a tuple of chunks. There may be fewer parts than readers when the text has
        fewer paragraphs.
        """
        paragraphs = split_paragraphs(self.template)
        readers = max(1, min(readers, len(paragraphs) or 1))
        total = sum(len(p) for p in paragraphs) or 1
        parts: list[list[str]] = [[] for _ in range(readers)]
        done = 0
        for paragraph in paragraphs:
            # The reader whose share of the characters holds this paragraph's middle.
            middle = done + len(paragraph) / 2
            parts[min(readers - 1, int(middle * readers / total))].append(paragraph)
            done += len(paragraph)
        return tuple(split_for_discord("\n\n".join(part)) for part in parts if part)


class ChoiceRule(StrEnum):
    FIXED = "fixed"  # only one option
    CHAIR = "chair"  # the chair picks one of the options at the meeting
    ROTATE = "rotate"  # by meeting number: option (meeting_number - 1) % len
    WEEKDAY = "weekday"  # option by day of the week (Monday = first)
    WEEK_OF_MONTH = "week-of-month"  # first week -> first option …
    MONTH = "month"  # January -> first option …


@lazy_dataclass(frozen=True)
class SectionText:
    """What a section says: one text, or one chosen from several."""

    options: tuple[CompiledText, ...]
    choose: ChoiceRule = ChoiceRule.FIXED
    title: str = ""  # the text's (or the choice's) title, "" for words written in place

    def select(
        self, meeting_number: int, weekday: int, week: int, month: int
    ) -> CompiledText | None:
        """The text for today, or ``None`` when the chair picks (offer them ``options``).

        ``weekday`` is 0–6 (Monday first), ``week`` the week of the month 1–5, ``month`` 1–12.
        """
        count = len(self.options)
        match self.choose:
            case ChoiceRule.FIXED:
                return self.options[0]
            case ChoiceRule.CHAIR:
                return None
            case ChoiceRule.ROTATE:
                return self.options[(meeting_number - 1) % count]
            case ChoiceRule.WEEKDAY:
                return self.options[weekday % count]
            case ChoiceRule.WEEK_OF_MONTH:
                return self.options[(week - 1) % count]
            case ChoiceRule.MONTH:
                return self.options[(month - 1) % count]
        return self.options[0]  # pragma: no cover

    @property
    def reading_seconds(self) -> int:
        return max((option.reading_seconds for option in self.options), default=0)


@lazy_dataclass(frozen=True)
class ReadingRules:
    """How a READ section finds its reader(s)."""

    readers: int = 1  # split the text among this many readers, by paragraphs
    offer: bool = True  # ask the room "Would someone like to read …?"
