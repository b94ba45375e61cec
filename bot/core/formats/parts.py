"""Compiling the parts of a format that sections share: roles, texts, defaults, and the rest.

:class:`Parts` is what a kind's compilation sees as
:class:`~bot.core.formats.kinds.base.SectionParts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.core.formats import schema
from bot.core.formats.parsing import LimitRange
from bot.core.formats.plan import (
    CHAIR,
    AfterClose,
    AtLimit,
    BeforeStart,
    BusyLimit,
    ChannelRules,
    ChoiceRule,
    CompiledRole,
    CompiledText,
    CrosstalkMode,
    CrosstalkPolicy,
    Defaults,
    Eligibility,
    FairShare,
    Fallback,
    FallbackKind,
    Guideline,
    MeetingWarning,
    RotationKind,
    SectionText,
    ShareTimer,
    ShareWarning,
    Switch,
    Who,
    WhoKind,
)
from bot.core.formats.render import reading_seconds, reflow, split_for_discord
from bot.core.formats.share_notes import default_warnings, warning_text, with_range_note
from bot.core.formats.timing import minutes, minutes_said
from bot.core.formats.variants import Cycle, Declaration, Mode, Variants
from bot.core.formats.yamlsource import Path
from bot.core.resources import Resource
from bot.i18n.message import Msg, msg

Report = Callable[[Path, Msg | str, Msg | str], None]


def _explained(mode: CrosstalkMode, reply_limit: int | None) -> str:
    """The bot's own words for a crosstalk policy; with a ``reply-limit``, they name it."""
    if reply_limit is None or mode is CrosstalkMode.NOT_ALLOWED:
        return DEFAULT_EXPLANATIONS[mode]
    each = f"about {minutes(reply_limit)}"
    if mode is CrosstalkMode.ENCOURAGED:
        return (
            f"From here on, responses are welcome. Please keep each to {each} so everyone has room."
        )
    return f"{DEFAULT_EXPLANATIONS[mode]} Please keep each response to {each}."


DEFAULT_EXPLANATIONS = {
    CrosstalkMode.NOT_ALLOWED: (
        "While someone shares, we listen without replying or commenting, so everyone can "
        "speak freely. You're welcome to share when it's your turn."
    ),
    CrosstalkMode.ALLOWED: (
        "From here on, you're welcome to respond to each other — kindly, and one at a time."
    ),
    CrosstalkMode.ENCOURAGED: (
        "From here on, responses are welcome. Please keep them short so everyone has room."
    ),
    CrosstalkMode.FEEDBACK_ONLY: (
        "From here on, you may offer feedback when the person sharing asks for it."
    ),
}
DEFAULT_REMINDERS = {
    CrosstalkMode.NOT_ALLOWED: (
        "A gentle reminder: let's give the person sharing the floor. "
        "You're welcome to share when it's your turn."
    ),
    CrosstalkMode.ALLOWED: "A gentle reminder: let's keep replies kind and one at a time.",
    CrosstalkMode.ENCOURAGED: "A gentle reminder: let's keep responses short so everyone has room.",
    CrosstalkMode.FEEDBACK_ONLY: (
        "A gentle reminder: let's offer feedback only when the person sharing asks for it."
    ),
}
FELLOWSHIP_WORDS = (
    "The meeting has closed. Stay a while if you like: this is fellowship time, and "
    "conversation is welcome."
)


def _title_from_name(name: str) -> str:
    return name.replace("-", " ").capitalize()


class Parts:
    """The format-wide parts, compiled once, with helpers the section builder uses."""

    def __init__(self, spec: schema.FormatSpec, report: Report) -> None:
        self.spec, self.report = spec, report
        self.plain_texts = tuple(
            CompiledText(
                name=name,
                title=text.title or _title_from_name(name),
                chunks=split_for_discord(text.text if text.keep_lines else reflow(text.text)),
                placeholder=text.placeholder,
                reading_seconds=reading_seconds(text.text),
            )
            for name, text in spec.texts.items()
            if text.text is not None
        )
        self._by_name = {text.name: text for text in self.plain_texts}
        self._check_choices()
        self.roles = self._roles()
        default_crosstalk = self._policy(spec.crosstalk, None, ("crosstalk",))
        self.defaults = Defaults(
            share=self._timer_from(spec.share, None, ("share",)),
            crosstalk=default_crosstalk,
            channel=ChannelRules(
                post=spec.channel.post or ChannelRules.post,
                speak=spec.channel.speak or ChannelRules.speak,
                slow_mode_seconds=spec.channel.slow_mode or 0,
                video=spec.channel.video or ChannelRules.video,
            ),
        )
        self.guidelines = tuple(
            Guideline(key, g.title or _title_from_name(key), g.text.strip())
            for key, g in spec.guidelines.items()
        )
        self.switches = tuple(Switch(n, s.on, s.about) for n, s in spec.switches.items())
        self.variants = Variants(
            declarations=tuple(Declaration(n, d.words) for n, d in spec.declarations.items()),
            cycle=Cycle(spec.cycle.weeks, spec.cycle.from_) if spec.cycle else None,
            modes=tuple(
                Mode(n, tuple(m.choices), m.default or m.choices[0], m.about)
                for n, m in spec.modes.items()
            ),
        )
        self.meeting_warnings = self._meeting_warnings()
        self.before_start = self._before()
        self.after_close = self._after()
        self.resources = tuple(
            Resource(" ".join(r.title.split()), " ".join(r.line.split()), r.link)
            for r in spec.resources
        )

    # --- texts ---------------------------------------------------------------------------

    def _check_choices(self) -> None:
        for name, text in self.spec.texts.items():
            for position, option in enumerate(text.one_of or []):
                if option not in self._by_name:
                    self.report(
                        ("texts", name, "one-of", position),
                        msg(
                            "'{option}' is itself a choice; a choice lists texts with words",
                            option=option,
                        ),
                        msg("list the texts with words directly"),
                    )

    def section_text(self, value: str, path: Path) -> SectionText | None:
        """Words written in place, or a text of the library (one, or a choice)."""
        spec = self.spec.texts.get(value)
        if spec is not None and spec.one_of is not None:
            options = tuple(self._by_name[o] for o in spec.one_of if o in self._by_name)
            title = spec.title or _title_from_name(value)
            return SectionText(options, spec.choose or ChoiceRule.CHAIR, title) if options else None
        if value in self._by_name:
            return SectionText((self._by_name[value],), title=self._by_name[value].title)
        chunks = split_for_discord(reflow(value))
        if not chunks:
            self.report(
                path, msg("these words are empty"), msg("write what should be said, or remove it")
            )
            return None
        return SectionText((CompiledText("", "", chunks, reading_seconds=reading_seconds(value)),))

    def chunks(self, value: str | None, path: Path) -> tuple[str, ...]:
        """One text's chunks; a choice of texts is not possible here."""
        if value is None:
            return ()
        text = self.section_text(value, path)
        if text is None:
            return ()
        if len(text.options) > 1:
            self.report(
                path, msg("a choice of texts cannot be used here"), msg("name a single text")
            )
        return text.options[0].chunks

    # --- people ---------------------------------------------------------------------------

    def _roles(self) -> tuple[CompiledRole, ...]:
        specs = dict(self.spec.roles)
        specs.setdefault("chair", schema.RoleSpec())
        roles = []
        for role_id, role in specs.items():
            path: Path = ("roles", role_id)
            if role_id in schema.RESERVED_ROLE_NAMES:
                self.report(
                    path,
                    msg("'{name}' already means something", name=role_id),
                    msg("choose another name"),
                )
            roles.append(
                CompiledRole(
                    id=role_id,
                    title=role.title or _title_from_name(role_id),
                    duties=role.duties,
                    rotation=role.rotation,
                    term=role.term,
                    eligibility=Eligibility(
                        member_for_days=-(-(role.member_for or 0) // 86400),
                        not_last_time=role.not_last_time,
                        wait_for_everyone=role.wait_for_everyone,
                        at_most_every=role.at_most_every or 0,
                        trained=role.trained,
                    ),
                    fallback=self._fallback(role_id, role.fallback, specs, (*path, "fallback")),
                    seats=role.seats,
                    swaps_allowed=role.swaps,
                    elected=role.elected,
                    substitute=self._substitute(role_id, role, specs, (*path, "substitute")),
                )
            )
        return tuple(roles)

    def _substitute(
        self, role_id: str, role: schema.RoleSpec, specs: dict[str, schema.RoleSpec], path: Path
    ) -> str | None:
        """The role whose holder covers this one; another role of the format."""
        value = role.substitute
        if value is None:
            return None
        if value == role_id:
            self.report(
                path, msg("a role can't stand in for itself"), msg("name another role, like chair")
            )
            return None
        if value not in specs:
            self.report(
                path,
                msg("there is no role called '{value}'", value=value),
                schema.suggestion(value, set(specs) - {role_id}),
            )
            return None
        if specs[value].rotation is RotationKind.ON_THE_DAY:
            self.report(
                path,
                msg(
                    "'{value}' is found on the day, so nobody holds it ahead to stand in",
                    value=value,
                ),
                msg("name a role the rotation fills, or one that is elected"),
            )
            return None
        return value

    def _fallback(
        self, role_id: str, value: str | None, specs: dict[str, schema.RoleSpec], path: Path
    ) -> Fallback:
        if value is None or value == "any-member":
            return Fallback(FallbackKind.ANY_MEMBER)
        if value == "skip":
            return Fallback(FallbackKind.SKIP)
        if value not in specs:
            choices = (set(specs) - {role_id}) | {"any-member", "skip"}
            self.report(
                path,
                msg("there is no role called '{value}'", value=value),
                schema.suggestion(value, choices),
            )
            return Fallback(FallbackKind.ANY_MEMBER)
        # Follow the chain: a role standing in for itself, directly or not, helps nobody.
        seen = {role_id}
        current: str | None = value
        while current is not None and current in specs:
            if current in seen:
                self.report(
                    path,
                    msg("these fallbacks go round in a circle"),
                    msg("end one with any-member"),
                )
                return Fallback(FallbackKind.ANY_MEMBER)
            seen.add(current)
            current = specs[current].fallback
        return Fallback(FallbackKind.ROLE, value)

    def declares_role(self, role_id: str) -> bool:
        """Whether the format declares this role itself (the chair is there in any case)."""
        return role_id in self.spec.roles

    def role_title(self, role_id: str) -> str:
        """The role's title ("Secretary"); its id in words for a role it does not declare."""
        role = next((r for r in self.roles if r.id == role_id), None)
        return role.title if role is not None else role_id.replace("-", " ")

    def who(self, value: str | None, default: Who = CHAIR) -> Who:
        """Who a ``by:`` (or ``chosen-by:``) names; ``default`` when it names nobody."""
        if value is None:
            return default
        if value == "volunteer":
            return Who(WhoKind.VOLUNTEER)
        if value == "everyone":
            return Who(WhoKind.EVERYONE)
        return Who(WhoKind.ROLE, value)

    # --- rules in force --------------------------------------------------------------------

    def _policy(
        self,
        spec: schema.CrosstalkSpec,
        inherited: CrosstalkPolicy | None,
        path: Path,
    ) -> CrosstalkPolicy:
        same_mode = inherited is not None and inherited.mode is spec.policy
        reply_limit = spec.reply_limit
        if reply_limit is None and same_mode and inherited:
            reply_limit = inherited.reply_limit_seconds
        explanation = (
            self.chunks(spec.explain, (*path, "explain"))
            if spec.explain
            else inherited.explanation
            if same_mode and inherited and reply_limit == inherited.reply_limit_seconds
            else split_for_discord(_explained(spec.policy, reply_limit))
        )
        reminder_chunks = self.chunks(spec.reminder, (*path, "reminder")) if spec.reminder else ()
        reminder = (
            "\n\n".join(reminder_chunks)
            if reminder_chunks
            else inherited.reminder
            if same_mode and inherited
            else DEFAULT_REMINDERS[spec.policy]
        )
        return CrosstalkPolicy(spec.policy, explanation, reminder, reply_limit)

    def crosstalk(self, spec: schema.CrosstalkSpec | None, path: Path) -> CrosstalkPolicy:
        if spec is None:
            return self.defaults.crosstalk
        return self._policy(spec, self.defaults.crosstalk, path)

    def channel(self, spec: schema.ChannelSpec | None) -> ChannelRules:
        base = self.defaults.channel
        if spec is None:
            return base
        return ChannelRules(
            post=spec.post or base.post,
            speak=spec.speak or base.speak,
            slow_mode_seconds=base.slow_mode_seconds if spec.slow_mode is None else spec.slow_mode,
            video=spec.video or base.video,
        )

    def timer(
        self, spec: schema.TimerSpec, path: Path, *, speaker: Who | None = None
    ) -> ShareTimer:
        """The share timer of a section; ``speaker`` is who speaks in a SPEAKER section."""
        base = self.defaults.share
        if speaker is not None and "limit" not in spec.model_fields_set:
            # A speaker is not held to the members' share limit: their own, or 20 minutes.
            limit = dict(base.role_limits).get(speaker.role or "", 20 * 60)
            base = replace(base, limit_seconds=limit, warnings=default_warnings(limit))
            base = replace(base, busy_limits=(), fair_share=None)
        return self._timer_from(spec, base, path)

    def _timer_from(
        self, spec: schema.TimerSpec, base: ShareTimer | None, path: Path
    ) -> ShareTimer:
        given = spec.model_fields_set
        written = spec.limit if "limit" in given else (base.limit_seconds if base else 180)
        limit, low = (
            (written.high, written.low) if isinstance(written, LimitRange) else (written, None)
        )
        if spec.warn is not None:
            warnings = self._warnings(spec.warn, limit, (*path, "warn"))
        elif low is not None:
            warnings = default_warnings(limit)[-1:]  # "that's time" at the top of the range
        elif base is not None and ("limit" not in given or base.limit_seconds == limit):
            warnings = base.warnings
        else:
            warnings = default_warnings(limit)
        if low is not None and limit is not None:
            warnings = with_range_note(warnings, low - limit)
        return ShareTimer(
            limit_seconds=limit,
            grace_seconds=spec.grace
            if spec.grace is not None
            else (base.grace_seconds if base else 0),
            warnings=warnings,
            at_limit=spec.at_limit or (base.at_limit if base else AtLimit.NOTE),
            self_timed=spec.self_timed
            if spec.self_timed is not None
            else bool(base and base.self_timed),
            role_limits=tuple(sorted(spec.role_limits.items()))
            if spec.role_limits is not None
            else (base.role_limits if base else ()),
            busy_limits=tuple(
                sorted(
                    (BusyLimit(b.waiting, b.limit) for b in spec.when_busy), key=lambda b: b.waiting
                )
            )
            if spec.when_busy is not None
            else (base.busy_limits if base else ()),
            low_seconds=low
            if "limit" in given
            else (base.low_seconds if base and base.limit_seconds == limit else None),
            fair_share=FairShare(spec.fair_share.min, spec.fair_share.by == "present")
            if spec.fair_share is not None
            else (base.fair_share if base else None),
        )

    def _warnings(
        self, specs: list[schema.WarningSpec], limit: int | None, path: Path
    ) -> tuple[ShareWarning, ...]:
        found: dict[int, ShareWarning] = {}
        for position, spec in enumerate(specs):
            here: Path = (*path, position)
            if limit is None:
                self.report(
                    here,
                    msg("there is no share limit for this note to count from"),
                    msg("set limit:"),
                )
                continue
            if spec.at < 0 and -spec.at >= limit:
                self.report(
                    here,
                    msg(
                        "a note {minutes} before a {minutes2} limit would come before the share "
                        "starts",
                        minutes=minutes_said(spec.at),
                        minutes2=minutes_said(limit),
                    ),
                    msg("use a shorter time"),
                )
            if spec.at in found:
                self.report(here, msg("this note is listed twice"), msg("remove one"))
            words = "\n\n".join(self.chunks(spec.say, (*here, "say"))) if spec.say else ""
            found[spec.at] = ShareWarning(spec.at, words or warning_text(spec.at))
        return tuple(sorted(found.values(), key=lambda w: w.offset_seconds))

    # --- before, after, meeting notes ------------------------------------------------------

    def _meeting_warnings(self) -> tuple[MeetingWarning, ...]:
        found = []
        for position, note in enumerate(self.spec.time_left_notes):
            path: Path = ("time-left-notes", position)
            if note.left >= self.spec.length:
                self.report(
                    path,
                    msg("this note would come before the meeting starts"),
                    msg("use less time"),
                )
            words = self.chunks(note.say, (*path, "say")) if note.say else ()
            text = "\n\n".join(words) or f"About {minutes(note.left)} left in our meeting."
            found.append(MeetingWarning(note.left, text))
        return tuple(sorted(found, key=lambda w: -w.seconds_left))

    def _before(self) -> BeforeStart | None:
        before = self.spec.before
        if before is None:
            return None
        text = self.section_text(before.say, ("before", "say")) if before.say else None
        return BeforeStart(before.countdown, text, before.recruit_readers)

    def _after(self) -> AfterClose | None:
        after = self.spec.after
        if after is None:
            return None
        text = self.section_text(after.say or FELLOWSHIP_WORDS, ("after", "say"))
        spec = after.crosstalk or schema.CrosstalkSpec(policy=CrosstalkMode.ALLOWED)
        policy = self._policy(spec, None, ("after", "crosstalk"))
        return AfterClose(after.fellowship, text, policy)
