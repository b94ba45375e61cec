"""The compiled meeting plan: what the meeting runner executes.

A group writes its format in YAML (see ``formats/README.md``); :func:`bot.core.formats.load_format`
validates it and compiles it into a :class:`CompiledFormat`. Everything here is frozen and already
checked, so the runner never has to second-guess a format: every text exists and is split into
Discord-sized chunks, every role a section names is declared, every duration is whole seconds,
every timer setting is resolved from the format's defaults and the section's own overrides.

For the runner's author — how to execute a plan
-----------------------------------------------
* ``plan.sections`` is a flat, ordered tuple. Keep the position (``section.index``) as the
  meeting's durable step. Branches of an ``ask`` section are already flattened into it: a
  section inside ``yes:`` follows its question and carries ``Answer(question_id, True)`` in its
  condition. ``section.depth`` says how deeply it is nested, for display only.
* Before starting a section, evaluate ``section.condition`` with
  :func:`bot.core.formats.conditions.evaluate` (``None`` means "always"). If it is false, skip the
  section. ``MeetingFacts.section_seconds`` should be ``section.planned_seconds``.
* ``section.kind`` says what to do; the matching part is set and the others are ``None`` (each
  kind's module in :mod:`bot.core.formats.kinds` compiles its parts):

  ============================================  ============================================
  kind                                          parts to use
  ============================================  ============================================
  SAY, READ, RECITE, COLLECTION, CLOSING        ``text`` (and ``reading`` for READ)
  SILENCE, MEDITATION, BREAK                    ``quiet`` (``text`` optional: said first)
  INTRODUCTIONS, CHECK_IN, CHECK_OUT,
  SHARE, SPEAKER                                ``sharing`` (``text`` optional: said first)
  MILESTONES                                    ``text`` optional; ``private_requests``
  ANNOUNCEMENTS                                 ``announcement_calls`` (each a chunk tuple)
  TOPIC                                         ``topic_chosen_by``; ``text`` optional
  BREAKOUT                                      ``breakout_group_size``; ``text`` optional
  BUSINESS                                      ``business``; ``text`` optional
  ASK                                           ``question`` (ask the chair; record the answer
                                                under ``question.id`` for later conditions)
  ============================================  ============================================

* Texts are template chunks: render each with :func:`bot.core.formats.render.render` just before
  posting, with the values named in :data:`~bot.core.formats.render.PLACEHOLDERS` (group, chair,
  weekday, date, time, meeting_number, share_limit …; a missing value leaves the placeholder as
  written, and ``render`` never raises). A rendered chunk is at most
  :data:`~bot.core.formats.render.TEXT_CHUNK_LIMIT` characters (100 under Discord's 2,000, for a
  heading). Post a text's chunks as consecutive messages.
* ``section.text`` is a :class:`SectionText`: ``select(meeting_number, weekday, week, month)``
  gives the text of the day when a text rotates; ``None`` means the chair picks one of
  ``options``. For READ with ``reading.readers > 1``, ``CompiledText.for_readers(n)`` divides
  the chosen text into consecutive parts, one per reader. ``placeholder`` marks words the group
  has not replaced with its own reading yet.
* ``section.who`` says who leads it: a role (resolve the holder; if nobody holds it, follow
  ``plan.role(id).fallback``: another role, ask for ``ANY_MEMBER``, or ``SKIP`` the section), a
  volunteer (offer it: "Would someone like to read …?" — ``reading.offer``), or everyone
  together. The role "chair" always exists.
* Timing: ``time_box_seconds`` is the section's own limit; ``starts``/``until`` are anchors
  resolved with :meth:`Anchor.seconds_from_start` (``END`` counts back from
  ``plan.length_seconds``; ``CLOCK`` needs the minute of the hour the meeting started).
  :meth:`CompiledFormat.schedule` lays the always-running sections out on the planned clock
  (``also=`` adds conditional ones): elastic sections (sharing with no time box, or with
  ``until``) share the time left between anchors. ``planned_seconds`` is a fixed section's
  expected length (0 for elastic ones). ``plan.meeting_warnings`` are notes at so many seconds
  before the planned end.
* Sharing: ``sharing.timer.limit_for(role, waiting)`` gives the limit for this sharer (a role's
  own limit, shortened when many hands are up; ``None`` is no limit). Post each
  ``timer.warnings`` item's text at ``limit + offset_seconds`` (negative: before the limit),
  unless ``timer.self_timed`` (then show the countdown privately only). At ``limit + grace``
  carry out ``timer.at_limit``: NOTE (nothing more), HAND_BACK (floor to the chair) or NEXT.
  ``sharing.phases`` lists the turn-taking modes: the first applies from the start, a later one
  from its ``begins`` anchor (``AnchorBase.SECTION`` counts from the section's start). A phase
  says the ``order`` (round, hands, chair-picks, tag, free), who may share
  (``sharers``), whether passing is offered, who goes first, and ``rounds`` for round robin.
  ``sharing.sharer`` is set only for SPEAKER: the one person who shares. ``sharing.counts``
  says whether a share there counts as having shared (open sharing and a speaker do).
* ``section.private_requests``: members may privately ask to be recognised (new, a milestone);
  pass it to the chair for this meeting only, and keep nothing.
* ``section.crosstalk`` is the policy in force (the format default unless the section set its
  own); post ``explanation`` when the policy differs from the previous section's, and use
  ``reminder`` as the gentle note when someone posts over a share.
* ``section.channel`` is who may post / speak, and the slow mode, while the section runs;
  ``plan.lock_channel`` says when the channel may be closed to newcomers.
* BUSINESS: ``business.agenda`` in order; motions need a second if ``second_required``, are
  discussed for up to ``discussion_seconds``, then voted (``vote``); ``threshold.passes(yes,
  no)`` decides (abstentions are not counted), provided ``quorum`` votes were cast.
* ``plan.before_start`` / ``plan.after_close`` are the optional countdown (with
  ``recruit_readers``: ask for volunteers for the READ sections then) and fellowship time.
* ``plan.guidelines`` are the group's guidelines by key, for concerns; ``plan.switches`` are
  the switches and their defaults (the group's decisions override them in ``MeetingFacts``).
* For showing a format to people, :mod:`bot.core.formats.describe` has
  ``section_heading``, ``section_details`` and ``preview_lines``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from bot.core.formats.conditions import Condition, TimeAllows, conjuncts
from bot.core.formats.roles import (
    CHAIR,
    CompiledRole,
    Eligibility,
    Fallback,
    FallbackKind,
    RotationKind,
    Term,
    TermUnit,
    Who,
    WhoKind,
)
from bot.core.formats.sharing import (
    AtLimit,
    BusyLimit,
    ChannelRules,
    CrosstalkMode,
    CrosstalkPolicy,
    FairShare,
    LockChannel,
    Order,
    Sharers,
    ShareTimer,
    ShareWarning,
    Sharing,
    TurnTaking,
    WhoMay,
)
from bot.core.formats.texts import ChoiceRule, CompiledText, ReadingRules, SectionText
from bot.core.formats.timing import Anchor, AnchorBase, MeetingWarning
from bot.core.formats.variants import Variants
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.resources import Resource

# The plan's parts live in small modules by theme; they are all importable from here.
__all__ = [
    "CHAIR",
    "FORMAT_VERSION",
    "AfterClose",
    "AgendaItem",
    "Anchor",
    "AnchorBase",
    "AtLimit",
    "BeforeStart",
    "BusinessRules",
    "BusyLimit",
    "ChannelRules",
    "ChoiceRule",
    "CompiledFormat",
    "CompiledRole",
    "CompiledSection",
    "CompiledText",
    "CrosstalkMode",
    "CrosstalkPolicy",
    "Defaults",
    "Eligibility",
    "FairShare",
    "Fallback",
    "FallbackKind",
    "Guideline",
    "LockChannel",
    "MeetingWarning",
    "Order",
    "Overrun",
    "Question",
    "Quiet",
    "ReadingRules",
    "RotationKind",
    "ScheduledSection",
    "SectionKind",
    "SectionText",
    "ShareTimer",
    "ShareWarning",
    "Sharers",
    "Sharing",
    "Switch",
    "Term",
    "TermUnit",
    "Threshold",
    "TurnTaking",
    "VoteMethod",
    "Who",
    "WhoKind",
    "WhoMay",
]

FORMAT_VERSION = 1


class SectionKind(StrEnum):
    SAY = "say"  # free text, said by the chair (or `by` someone)
    READ = "read"  # a reading, by the chair, a role or a volunteer
    RECITE = "recite"  # everyone says it together
    SILENCE = "silence"
    MEDITATION = "meditation"
    INTRODUCTIONS = "introductions"
    CHECK_IN = "check-in"
    CHECK_OUT = "check-out"
    SHARE = "share"  # open sharing
    SPEAKER = "speaker"  # one speaker shares their story
    TOPIC = "topic"  # choosing a topic
    MILESTONES = "milestones"  # celebrating milestones / anniversaries
    ANNOUNCEMENTS = "announcements"
    COLLECTION = "collection"  # donations
    BREAK = "break"
    BREAKOUT = "breakout"  # smaller groups
    BUSINESS = "business"  # group conscience: agenda, motions, votes
    CLOSING = "closing"
    ASK = "ask"  # a question the chair answers; later sections may depend on the answer


# --- business meetings -----------------------------------------------------------------------


class VoteMethod(StrEnum):
    SECRET = "secret"  # noqa: S105 — a secret ballot with buttons, not a password
    OPEN = "open"  # a show of hands


@lazy_dataclass(frozen=True)
class Threshold:
    """The share of votes cast (abstentions not counted) that carries a motion."""

    fraction: Fraction
    strictly_more: bool  # "majority" is strictly more than half; "two-thirds" is at least

    def passes(self, yes: int, no: int) -> bool:
        cast = yes + no
        if cast == 0:
            return False
        share = Fraction(yes, cast)
        return share > self.fraction if self.strictly_more else share >= self.fraction

    def describe(self) -> str:
        if self.fraction == Fraction(1, 2) and self.strictly_more:
            return "a majority"
        if self.fraction == Fraction(2, 3):
            return "two-thirds"
        return f"{round(float(self.fraction) * 100)}%"


@lazy_dataclass(frozen=True)
class AgendaItem:
    title: str
    time_box_seconds: int | None = None
    who: Who | None = None  # who presents it (a treasurer's report, say)
    elect: str | None = None  # an election for this role is held during the item
    term: Term | None = None  # the elected member's term (the role's own term if None)


@lazy_dataclass(frozen=True)
class BusinessRules:
    agenda: tuple[AgendaItem, ...]
    second_required: bool = True
    discussion_seconds: int | None = None  # per motion
    vote: VoteMethod = VoteMethod.SECRET
    threshold: Threshold = Threshold(Fraction(1, 2), strictly_more=True)
    quorum: int | None = None  # fewest votes cast for a result to count
    voting_seconds: int = 120  # how long a secret ballot stays open (the chair may close it)


# --- sections --------------------------------------------------------------------------------


@lazy_dataclass(frozen=True)
class Quiet:
    length_seconds: int | None  # None: untimed, the chair ends it
    bell_at_start: bool = False
    bell_at_end: bool = False


@lazy_dataclass(frozen=True)
class Question:
    id: str  # conditions refer to the answer by this id
    text: str  # what the chair is asked (a template, like texts)


@lazy_dataclass(frozen=True)
class CompiledSection:
    index: int  # position in CompiledFormat.sections
    kind: SectionKind
    title: str
    who: Who
    condition: Condition | None
    crosstalk: CrosstalkPolicy
    channel: ChannelRules
    planned_seconds: int  # its own expected length (0 for elastic sections)
    elastic: bool  # takes whatever time is left (open sharing with no time box)
    time_box_seconds: int | None = None
    starts: Anchor | None = None
    until: Anchor | None = None
    depth: int = 0  # nesting inside `ask` branches, for display
    text: SectionText | None = None
    reading: ReadingRules | None = None
    quiet: Quiet | None = None
    sharing: Sharing | None = None
    question: Question | None = None
    announcement_calls: tuple[tuple[str, ...], ...] = ()
    topic_chosen_by: Who | None = None
    breakout_group_size: int | None = None
    business: BusinessRules | None = None
    private_requests: bool = False  # members may privately ask the chair to be recognised

    @property
    def if_time_allows(self) -> bool:
        return any(isinstance(part, TimeAllows) for part in conjuncts(self.condition))


@lazy_dataclass(frozen=True)
class BeforeStart:
    countdown_seconds: int
    text: SectionText | None
    recruit_readers: bool  # during the countdown, ask for volunteers for the readings


@lazy_dataclass(frozen=True)
class CountRule:
    """A meeting counts toward the group's meetings held when it ran at least ``seconds`` of
    clock time from start to close and at least ``members`` different members took part."""

    seconds: int = 15 * 60
    members: int = 3


@lazy_dataclass(frozen=True)
class AfterClose:
    fellowship_seconds: int
    text: SectionText | None
    crosstalk: CrosstalkPolicy


@lazy_dataclass(frozen=True)
class Guideline:
    key: str  # e.g. "crosstalk"; concerns name the guideline by this key
    title: str
    text: str


@lazy_dataclass(frozen=True)
class Switch:
    name: str
    default: bool
    about: str


@lazy_dataclass(frozen=True)
class Defaults:
    share: ShareTimer
    crosstalk: CrosstalkPolicy
    channel: ChannelRules


@lazy_dataclass(frozen=True)
class ScheduledSection:
    section: CompiledSection
    start_seconds: int
    length_seconds: int

    @property
    def end_seconds(self) -> int:
        return self.start_seconds + self.length_seconds


@lazy_dataclass(frozen=True)
class CompiledFormat:
    version: int
    name: str
    about: str
    language: str
    length_seconds: int  # the planned meeting length
    roles: tuple[CompiledRole, ...]
    defaults: Defaults
    sections: tuple[CompiledSection, ...]
    texts: tuple[CompiledText, ...]
    guidelines: tuple[Guideline, ...]
    switches: tuple[Switch, ...]
    meeting_warnings: tuple[MeetingWarning, ...]
    before_start: BeforeStart | None
    after_close: AfterClose | None
    lock_channel: LockChannel
    counts: CountRule = CountRule()
    lock_after_seconds: int = 0  # ``lock-channel: {after: …}``: closed this long after the start
    starts_at_minute: int | None = None  # the usual start (``starts-at:``), minutes after 0:00
    resources: tuple[Resource, ...] = ()  # support resources and crisis lines (``/resources``)
    variants: Variants = field(default_factory=Variants)  # declarations, cycle, modes

    @property
    def planned_start_minute(self) -> int:
        """The wall-clock start previews and checks assume: ``starts-at:``, else midnight (so a
        clock anchor like ":50" counts from the top of the hour)."""
        return self.starts_at_minute or 0

    def role(self, role_id: str) -> CompiledRole | None:
        return next((role for role in self.roles if role.id == role_id), None)

    def text(self, name: str) -> CompiledText | None:
        return next((text for text in self.texts if text.name == name), None)

    def guideline(self, key: str) -> Guideline | None:
        return next((g for g in self.guidelines if g.key == key), None)

    def schedule(self, also: Iterable[int] = ()) -> tuple[ScheduledSection, ...]:
        """Lay out on the planned clock the sections that always run, plus those in ``also``.

        Anchors pin start and end times; between two anchors, elastic sections share equally
        what the fixed-length ones leave. Clock anchors assume a start on the hour.
        """
        extra = set(also)
        chosen = [s for s in self.sections if s.condition is None or s.index in extra]
        return _schedule(chosen, self.length_seconds, self.planned_start_minute)

    def planned_length_seconds(self) -> int:
        """How long the meeting is planned to take when only the unconditional sections run."""
        scheduled = self.schedule()
        return max((item.end_seconds for item in scheduled), default=0)

    def overruns(self) -> tuple[Overrun, ...]:
        """Where the always-running sections cannot keep to their anchors or the length.

        A section that must start at an anchor but whose predecessors end later, one that must
        end at an anchor but cannot, and a last section ending after the planned length.
        """
        return self._overruns(self.schedule())

    def overruns_with(self, also: Iterable[int]) -> tuple[Overrun, ...]:
        """:meth:`overruns` when the conditional sections ``also`` run too."""
        return self._overruns(self.schedule(also))

    def _overruns(self, scheduled: tuple[ScheduledSection, ...]) -> tuple[Overrun, ...]:
        found: list[Overrun] = []
        length, start = self.length_seconds, self.planned_start_minute
        for item in scheduled:
            section = item.section
            if section.starts is not None:
                late = item.start_seconds - section.starts.seconds_from_start(length, start)
                if late > 0:
                    found.append(Overrun(section, late, "starts"))
            if section.until is not None:
                late = item.end_seconds - section.until.seconds_from_start(length, start)
                if late > 0:
                    found.append(Overrun(section, late, "until"))
        if scheduled and scheduled[-1].end_seconds > self.length_seconds:
            late = scheduled[-1].end_seconds - self.length_seconds
            found.append(Overrun(scheduled[-1].section, late, "end"))
        return tuple(found)


@lazy_dataclass(frozen=True)
class Overrun:
    section: CompiledSection
    seconds: int
    moment: Literal["starts", "until", "end"]  # which moment is missed: its start, its end, or
    # the meeting's planned end


def _schedule(
    sections: list[CompiledSection], length: int, start_minute: int = 0
) -> tuple[ScheduledSection, ...]:
    # Split into segments: a `starts` anchor opens a segment, an `until` anchor closes one, and
    # the meeting's planned end closes the last one if it has elastic sections to fill.
    segments: list[tuple[int, int | None, list[CompiledSection]]] = []
    start: int = 0
    current: list[CompiledSection] = []
    for section in sections:
        if section.starts is not None:
            starts = section.starts.seconds_from_start(length, start_minute)
            if current:
                segments.append((start, starts, current))
            start, current = starts, []
        current.append(section)
        if section.until is not None:
            until = section.until.seconds_from_start(length, start_minute)
            segments.append((start, until, current))
            start, current = until, []
    if current:
        segments.append((start, length, current))

    scheduled: list[ScheduledSection] = []
    clock = 0
    for seg_start, seg_end, members in segments:
        clock = max(clock, seg_start)
        fixed = sum(s.planned_seconds for s in members if not s.elastic)
        elastic = [s for s in members if s.elastic]
        room = max(0, (seg_end or clock) - clock - fixed)
        share, spare = divmod(room, len(elastic)) if elastic else (0, 0)
        for section in members:
            if section.elastic:
                length_here = share + (1 if spare > 0 else 0)
                spare -= 1
            else:
                length_here = section.planned_seconds
            scheduled.append(ScheduledSection(section, clock, length_here))
            clock += length_here
    return tuple(scheduled)
