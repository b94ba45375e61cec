"""What every section kind is made of.

* :class:`SectionSpec` — the options every section may have (``title``, ``by``, ``if`` …), and
  :class:`WithIntro` for kinds that may say some words as they begin (``text:``);
* :class:`SectionParts` — what a kind's compilation may use of the format-wide parts (texts,
  roles, the share timer, problem reports); :class:`bot.core.formats.parts.Parts` is one;
* :class:`Draft` — a section being compiled: the section builder fills in what every section
  has, then the kind's ``compile`` adds its own parts and may adjust the rest;
* :class:`KindSpec` — one kind's entry in :data:`bot.core.formats.kinds.KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from enum import StrEnum
from typing import Annotated, Any, Generic, Protocol, TypeVar

from pydantic import Field

from bot.core.formats.fields import (
    AnchorValue,
    ChannelSpec,
    ConditionSpec,
    CrosstalkSpec,
    Duration,
    Spec,
    TextValue,
    TimerSpec,
    WhoValue,
)
from bot.core.formats.plan import (
    CHAIR,
    CompiledFormat,
    CompiledSection,
    SectionKind,
    SectionText,
    ShareTimer,
    Who,
)
from bot.core.formats.yamlsource import Path
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n.message import Msg

# --- the schema every kind builds on -------------------------------------------------------


class SectionSpec(Spec):
    """Options every section may have."""

    title: Annotated[str, Field(max_length=100)] | None = None
    by: WhoValue | None = None
    if_: ConditionSpec | None = None
    time: Duration | None = None
    starts: AnchorValue | None = None
    until: AnchorValue | None = None
    crosstalk: CrosstalkSpec | None = None
    channel: ChannelSpec | None = None


class WithIntro(SectionSpec):
    text: TextValue | None = None  # words said as the section begins


# --- compiling a section -------------------------------------------------------------------


class SectionParts(Protocol):
    """The format-wide parts, as a kind's compilation sees them."""

    @property
    def report(self) -> Callable[[Path, Msg | str, Msg | str], None]:
        """``report(path, message, hint)``: a problem with the YAML key at ``path``."""
        ...

    def section_text(self, value: str, path: Path) -> SectionText | None:
        """Words written in place, or a text of the library (one, or a choice)."""
        ...

    def chunks(self, value: str | None, path: Path) -> tuple[str, ...]:
        """One text's chunks; a choice of texts is not possible here."""
        ...

    def who(self, value: str | None, default: Who = CHAIR) -> Who:
        """Who a ``by:`` names; ``default`` when it names nobody."""
        ...

    def declares_role(self, role_id: str) -> bool:
        """Whether the format declares this role itself."""
        ...

    def role_title(self, role_id: str) -> str:
        """The role's title as the format gives it ("Secretary"), for headings."""
        ...

    def timer(self, spec: TimerSpec, path: Path, *, speaker: Who | None = None) -> ShareTimer:
        """The share timer of a section; ``speaker`` is who speaks in a SPEAKER section."""
        ...


@lazy_dataclass
class Draft:
    """A section under construction, before it becomes a :class:`CompiledSection`.

    ``text`` is the section's words (its main value when that is words, else its ``text:``),
    ``planned`` is their reading time, or the section's ``time:`` when it has one. A kind's
    ``compile`` puts its own parts of the compiled section in ``extras`` (by field name), and
    may change ``text``, ``planned``, ``elastic`` and ``title`` (its default title, used when the
    section has no ``title:``; empty: the kind's usual title).
    """

    kind: SectionKind
    index: int  # the section's position in the plan
    path: Path  # the section's YAML path, for reports
    parts: SectionParts
    who: Who
    text: SectionText | None
    time_box: int | None  # the section's time:
    planned: int
    elastic: bool = False
    title: str = ""
    extras: dict[str, object] = field(default_factory=dict)

    def report(self, path: Path, message: Msg | str, hint: Msg | str) -> None:
        self.parts.report(path, message, hint)


class Family(StrEnum):
    """Kinds that share how the meeting runs them (and the parts of the plan they use)."""

    TEXT = "text"  # its words are the section: said, read or recited
    QUIET = "quiet"  # a silence or a pause (``section.quiet``)
    SHARING = "sharing"  # members or a speaker share (``section.sharing``)
    OTHER = "other"


S = TypeVar("S", bound=SectionSpec)

#: Preview lines for a compiled section: ``(plan, section, values)``; texts rendered with values.
#: A kind's preview lines: messages (rendered in the reader's language) or the group's own words.
Describe = Callable[[CompiledFormat, CompiledSection, Mapping[str, str]], Sequence[Msg | str]]
#: Sections that run only on one answer to the section's question: ``(key, answer, sections)``.
Branch = tuple[str, bool, Sequence[SectionSpec]]


def compile_nothing(spec: SectionSpec, draft: Draft) -> None:
    """For kinds with nothing of their own to compile."""


def no_lines(
    plan: CompiledFormat, section: CompiledSection, values: Mapping[str, str]
) -> list[str]:
    """For kinds with nothing of their own to describe."""
    return []


def chair_leads(parts: SectionParts) -> Who:
    return CHAIR


def no_branches(spec: Any) -> tuple[Branch, ...]:
    return ()


def no_question(spec: Any) -> str | None:
    return None


@lazy_dataclass(frozen=True)
class KindSpec(Generic[S]):
    """One section kind: its key, its schema, and what is particular to it."""

    kind: SectionKind  # the key that starts the section in YAML
    model: type[S]  # its schema; the field named after the kind holds the main value
    title: str  # its heading when the section has no title:
    family: Family = Family.OTHER
    #: Add the kind's parts to the draft (checks go to ``draft.report``).
    compile: Callable[[S, Draft], None] = compile_nothing
    #: The lines a preview shows for the kind's own parts (after the section's words).
    describe: Describe = no_lines
    #: Who leads it when it has no ``by:``.
    leader: Callable[[SectionParts], Who] = chair_leads
    #: Whether a preview calls its planned length "about" (estimated from reading time).
    estimated: bool = True
    #: Sections nested under it, each run only on one answer to its question (``ask``).
    branches: Callable[[S], tuple[Branch, ...]] = no_branches
    #: The question id it declares in the file, which conditions may name (``ask``'s ``id:``).
    question_id: Callable[[S], str | None] = no_question
