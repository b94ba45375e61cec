"""Each section kind and option compiles into the plan the meeting runner expects."""

from __future__ import annotations

import textwrap
from fractions import Fraction

from bot.core.formats import CompiledFormat, load_format
from bot.core.formats import conditions as cond
from bot.core.formats.plan import (
    AnchorBase,
    AtLimit,
    ChoiceRule,
    CompiledSection,
    CrosstalkMode,
    FallbackKind,
    LockChannel,
    Order,
    RotationKind,
    SectionKind,
    Sharers,
    Term,
    TermUnit,
    VoteMethod,
    WhoKind,
    WhoMay,
)

ROLES = """
roles:
  reader: on-the-day
  speaker: {rotation: on-the-day, fallback: skip}
  meditation-guide: {}
  treasurer: {rotation: term, term: 6 months}
"""
TEXTS = """
texts:
  welcome: Welcome to ${group}.
  closing-words: Thank you all.
  poem:
    keep-lines: true
    text: |
      one line
      another line
"""


def plan_of(sections: str, top: str = "") -> CompiledFormat:
    source = (
        "format: 1\nname: Test\n"
        + textwrap.dedent(top)
        + ROLES
        + TEXTS
        + "sections:\n"
        + textwrap.indent(textwrap.dedent(sections).strip("\n"), "  ")
        + "\n"
    )
    return load_format(source)


def section_of(sections: str, top: str = "") -> CompiledSection:
    return plan_of(sections, top).sections[0]


def test_say() -> None:
    section = section_of("- say: Hello, everyone.\n  title: Hello")
    assert section.kind is SectionKind.SAY
    assert section.title == "Hello"
    assert section.who.role == "chair"
    assert section.text is not None
    assert section.text.options[0].chunks == ("Hello, everyone.",)


def test_read_by_name_with_readers_and_offer() -> None:
    section = section_of("- read: welcome\n  readers: 2")
    assert section.kind is SectionKind.READ
    assert section.who.kind is WhoKind.VOLUNTEER
    assert section.reading is not None
    assert section.reading.readers == 2
    assert section.reading.offer
    assert section.title == "Welcome"
    chair_reads = section_of("- read: welcome\n  by: reader\n  offer: false")
    assert chair_reads.who.role == "reader"
    assert chair_reads.reading is not None
    assert not chair_reads.reading.offer


def test_recite_is_everyone_together() -> None:
    section = section_of("- recite: poem")
    assert section.kind is SectionKind.RECITE
    assert section.who.kind is WhoKind.EVERYONE
    assert section.text is not None
    assert section.text.options[0].chunks == ("one line\nanother line",)


def test_silence_and_meditation() -> None:
    untimed = section_of("- silence: untimed")
    assert untimed.quiet is not None
    assert untimed.quiet.length_seconds is None
    assert not untimed.quiet.bell_at_start
    meditation = section_of("- meditation: 10m\n  by: meditation-guide\n  text: Let's settle.")
    assert meditation.quiet is not None
    assert meditation.quiet.length_seconds == 600
    assert meditation.quiet.bell_at_start
    assert meditation.quiet.bell_at_end
    assert meditation.who.role == "meditation-guide"
    assert meditation.planned_seconds == 600
    quiet_end = section_of("- silence: 1m\n  bells: end")
    assert quiet_end.quiet is not None
    assert quiet_end.quiet.bell_at_end
    assert not quiet_end.quiet.bell_at_start


def test_sharing_kinds_and_their_defaults() -> None:
    plan = plan_of(
        """
        - introductions: Names, please.
        - check-in: How are you?
        - share: The floor is open.
        - check-out: One word.
        """
    )
    kinds = [s.kind for s in plan.sections]
    assert kinds == [
        SectionKind.INTRODUCTIONS,
        SectionKind.CHECK_IN,
        SectionKind.SHARE,
        SectionKind.CHECK_OUT,
    ]
    orders = [s.sharing.phases[0].order for s in plan.sections if s.sharing]
    assert orders == [Order.ROUND, Order.ROUND, Order.HANDS, Order.ROUND]
    assert plan.sections[0].private_requests
    assert not plan.sections[1].private_requests
    assert all(s.elastic for s in plan.sections)


def test_share_options() -> None:
    section = section_of(
        """
        - share:
          order: chair-picks
          who-shares: not-yet-shared
          pass: false
          first-timers-first: true
          not-yet-shared-first: true
          once-each: false
          limit: 2m
          grace: 15s
          warn: [30s, time, {at: 1m over, say: Thank you — time to let someone else in.}]
          at-limit: hand-back
          self-timed: true
          role-limits: {chair: 4m}
          when-busy: [{waiting: 10, limit: 1m}, {waiting: 5, limit: 90s}]
          private-requests: false
          then:
            - after: 10m
              order: hands
              who-shares: everyone
              pass: true
            - at: end - 5m
              first-timers-first: false
              not-yet-shared-first: false
          time: 30m
        """
    )
    assert section.sharing is not None
    first, second, third = section.sharing.phases
    assert first.order is Order.CHAIR_PICKS
    assert first.sharers is Sharers.NOT_YET_SHARED
    assert not first.pass_allowed
    assert first.first_timers_first
    assert first.not_yet_shared_first
    assert not first.once_each_first
    assert second.order is Order.HANDS
    assert second.sharers is Sharers.EVERYONE
    assert second.begins is not None
    assert second.begins.base is AnchorBase.SECTION
    assert second.begins.offset_seconds == 600
    assert second.pass_allowed
    assert third.begins is not None
    assert third.begins.base is AnchorBase.END
    assert third.order is Order.HANDS
    assert not third.first_timers_first
    timer = section.sharing.timer
    assert timer.limit_seconds == 120
    assert timer.grace_seconds == 15
    assert [w.offset_seconds for w in timer.warnings] == [-30, 0, 60]
    assert timer.warnings[2].text == "Thank you — time to let someone else in."
    assert timer.at_limit is AtLimit.HAND_BACK
    assert timer.self_timed
    assert timer.limit_for("chair") == 240
    assert timer.limit_for(None, waiting=6) == 90
    assert timer.limit_for(None, waiting=12) == 60
    assert not section.private_requests
    assert section.time_box_seconds == 1800
    assert not section.elastic


def test_rounds_and_defaults_from_the_top() -> None:
    plan = plan_of(
        "- share: Round we go.\n  order: round\n  rounds: 2\n  time: 20m",
        top="share:\n  limit: 4m\n  warn: [2m, time]\n  at-limit: next\n",
    )
    sharing = plan.sections[0].sharing
    assert sharing is not None
    assert sharing.phases[0].rounds == 2
    assert sharing.timer.limit_seconds == 240
    assert [w.offset_seconds for w in sharing.timer.warnings] == [-120, 0]
    assert sharing.timer.at_limit is AtLimit.NEXT


def test_speaker() -> None:
    section = section_of("- speaker: The time is yours.\n  warn: [5m, time]")
    assert section.kind is SectionKind.SPEAKER
    assert section.sharing is not None
    assert section.sharing.sharer is not None
    assert section.sharing.sharer.role == "speaker"
    assert section.sharing.timer.limit_seconds == 20 * 60
    assert [w.offset_seconds for w in section.sharing.timer.warnings] == [-300, 0]
    longer = section_of("- speaker:\n  limit: 30m")
    assert longer.sharing is not None
    assert longer.sharing.timer.limit_seconds == 1800
    assert longer.planned_seconds == 1800


def test_topic_milestones_announcements_collection() -> None:
    plan = plan_of(
        """
        - topic: Any topics today?
          chosen-by: everyone
        - milestones: Anyone celebrating?
        - announcements:
          calls:
            - Group announcements?
            - Any others?
        - announcements: Anything to share with the group?
        - collection: We have no fees.
        """
    )
    topic, milestones, two_calls, one_call, collection = plan.sections
    assert topic.topic_chosen_by is not None
    assert topic.topic_chosen_by.kind is WhoKind.EVERYONE
    assert milestones.private_requests
    assert two_calls.announcement_calls == (("Group announcements?",), ("Any others?",))
    assert one_call.announcement_calls == ()
    assert one_call.text is not None
    assert collection.kind is SectionKind.COLLECTION


def test_break_breakout_closing() -> None:
    plan = plan_of(
        """
        - break: 5m
        - breakout: Small groups now.
          group-size: 3
          time: 15m
        - closing: closing-words
        """
    )
    pause, breakout, closing = plan.sections
    assert pause.quiet is not None
    assert pause.quiet.length_seconds == 300
    assert pause.planned_seconds == 300
    assert breakout.breakout_group_size == 3
    assert breakout.planned_seconds == 900
    assert closing.kind is SectionKind.CLOSING
    assert closing.title == "Closing"


def test_business() -> None:
    section = section_of(
        """
        - business: Today's agenda.
          agenda:
            - Last meeting's decisions
            - item: Treasurer's report
              time: 5m
              by: treasurer
          motions:
            second: false
            discussion: 10m
            vote: open
            threshold: two-thirds
            quorum: 7
        """
    )
    rules = section.business
    assert rules is not None
    assert [item.title for item in rules.agenda] == [
        "Last meeting's decisions",
        "Treasurer's report",
    ]
    assert rules.agenda[1].who is not None
    assert rules.agenda[1].who.role == "treasurer"
    assert not rules.second_required
    assert rules.discussion_seconds == 600
    assert rules.vote is VoteMethod.OPEN
    assert rules.threshold.fraction == Fraction(2, 3)
    assert rules.quorum == 7
    assert section.elastic  # one agenda item has no time


def test_ask_branches_are_flattened_with_conditions() -> None:
    plan = plan_of(
        """
        - ask: Is anyone new today?
          id: newcomers
          yes:
            - read: welcome
          no:
            - say: Welcome back.
        - say: For newcomers again.
          if: {answered-yes: newcomers}
        """
    )
    question, yes, no, later = plan.sections
    assert question.question is not None
    assert question.question.id == "newcomers"
    assert yes.condition == cond.Answer("newcomers", True)
    assert yes.depth == 1
    assert no.condition == cond.Answer("newcomers", False)
    assert later.condition == cond.Answer("newcomers", True)
    assert later.depth == 0
    assert [s.index for s in plan.sections] == [0, 1, 2, 3]


def test_conditions() -> None:
    section = section_of(
        """
        - say: Sometimes.
          if:
            switch: extra
            switch-off: other
            someone-is: speaker
            nobody-is: reader
            weekday: [mon, friday]
            week-of-month: [first, last]
            month: december
            time-left: 10m
            any: [{weekday: sat}, {time-allows: true}]
            not: {month: june}
        """,
        top="switches:\n  extra: true\n  other: {on: false, about: Something.}\n",
    )
    parts = cond.conjuncts(section.condition)
    assert cond.SwitchOn("extra") in parts
    assert cond.Not(cond.SwitchOn("other")) in parts
    assert cond.RoleFilled("speaker") in parts
    assert cond.Not(cond.RoleFilled("reader")) in parts
    assert cond.OnWeekdays(frozenset({0, 4})) in parts
    assert cond.InWeeksOfMonth(frozenset({1, -1})) in parts
    assert cond.InMonths(frozenset({12})) in parts
    assert cond.TimeLeft(600) in parts
    assert cond.AnyOf((cond.OnWeekdays(frozenset({5})), cond.TimeAllows())) in parts
    assert cond.Not(cond.InMonths(frozenset({6}))) in parts
    time_allows = section_of("- say: If time allows.\n  if: time-allows")
    assert time_allows.if_time_allows


def test_common_options_anchors_crosstalk_channel() -> None:
    plan = plan_of(
        """
        - share: Open.
          until: ":50"
          crosstalk:
            policy: encouraged
            reply-limit: 1m
          channel: {post: sharer, speak: chair, slow-mode: 5s}
        - closing: closing-words
          starts: end - 5m
          crosstalk: not-allowed
        """,
        top="crosstalk: {policy: not-allowed, reminder: Please let them finish.}\n",
    )
    share, closing = plan.sections
    assert share.until is not None
    assert share.until.minute == 50
    assert share.crosstalk.mode is CrosstalkMode.ENCOURAGED
    assert share.crosstalk.reply_limit_seconds == 60
    assert "short" in share.crosstalk.reminder
    assert share.channel.post is WhoMay.SHARER
    assert share.channel.speak is WhoMay.CHAIR
    assert share.channel.slow_mode_seconds == 5
    assert closing.starts is not None
    assert closing.starts.offset_seconds == -300
    assert closing.crosstalk.reminder == "Please let them finish."


def test_top_level_parts() -> None:
    plan = plan_of(
        "- say: Hello there.",
        top="""
        about: A test meeting.
        language: de
        length: 90m
        lock-channel: during-meeting
        channel: {slow-mode: 10s}
        time-left-notes: [10m, {left: 5m, say: Five minutes to go.}]
        before: {countdown: 10m, say: Starting soon., recruit-readers: false}
        after: {fellowship: 20m, crosstalk: allowed}
        guidelines:
          crosstalk: We listen without replying.
          kind-words: {title: Kind words, text: We speak kindly.}
        """,
    )
    assert (plan.about, plan.language, plan.length_seconds) == ("A test meeting.", "de", 5400)
    assert plan.lock_channel is LockChannel.DURING_MEETING
    assert plan.defaults.channel.slow_mode_seconds == 10
    assert [(w.seconds_left, w.text) for w in plan.meeting_warnings] == [
        (600, "About 10 minutes left in our meeting."),
        (300, "Five minutes to go."),
    ]
    assert plan.before_start is not None
    assert plan.before_start.countdown_seconds == 600
    assert not plan.before_start.recruit_readers
    assert plan.after_close is not None
    assert plan.after_close.fellowship_seconds == 1200
    assert plan.after_close.crosstalk.mode is CrosstalkMode.ALLOWED
    guideline = plan.guideline("kind-words")
    assert guideline is not None
    assert guideline.title == "Kind words"
    assert plan.guideline("crosstalk") is not None


def test_roles() -> None:
    assert plan_of("- say: Hello there.").role("chair") is not None  # always there
    source = """
format: 1
name: Roles
roles:
  chair: {not-last-time: true, wait-for-everyone: true, member-for: 30 days}
  secretary:
    title: Group secretary
    duties: Keeps the list.
    rotation: term
    term: 3 months
    fallback: chair
    seats: 2
    swaps: false
  greeter: by-weekday
sections:
  - say: Hello there.
"""
    plan = load_format(source)
    chair, secretary, greeter = plan.roles
    assert chair.eligibility.not_last_time
    assert chair.eligibility.wait_for_everyone
    assert chair.eligibility.member_for_days == 30
    assert chair.fallback.kind is FallbackKind.ANY_MEMBER
    assert secretary.title == "Group secretary"
    assert secretary.duties == "Keeps the list."
    assert secretary.rotation is RotationKind.TERM
    assert secretary.term == Term(3, TermUnit.MONTHS)
    assert secretary.fallback.kind is FallbackKind.ROLE
    assert secretary.fallback.role == "chair"
    assert secretary.seats == 2
    assert not secretary.swaps_allowed
    assert greeter.rotation is RotationKind.BY_WEEKDAY
    assert greeter.title == "Greeter"


def test_texts_choices_and_placeholders() -> None:
    source = """
format: 1
name: Texts
texts:
  a: First reading.
  b: Second reading.
  reading-of-the-day: {title: Today's reading, one-of: [a, b], choose: weekday}
  ours: {placeholder: true, text: "[Your reading here.]"}
sections:
  - read: reading-of-the-day
  - read: ours
"""
    choice, ours = load_format(source).sections
    assert choice.text is not None
    assert choice.text.choose is ChoiceRule.WEEKDAY
    assert choice.title == "Today's reading"
    assert (
        choice.text.select(meeting_number=1, weekday=1, week=1, month=1) == choice.text.options[1]
    )
    assert ours.text is not None
    assert ours.text.options[0].placeholder
