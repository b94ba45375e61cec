"""The crosstalk policy: when a gentle reminder, a hold, or nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.crosstalk import (
    DEFAULT_REMINDER,
    NO_POLICY,
    NOTHING,
    CrosstalkGuard,
    Floor,
    Hold,
    HoldMode,
    Refused,
    Remind,
    ReminderRefusal,
    ReminderRules,
    Situation,
    reminder_text,
)
from bot.core.formats import load_builtin_format
from bot.core.formats.plan import CrosstalkMode, CrosstalkPolicy
from bot.core.pseudonyms import Pseudonym

T0 = datetime(2025, 3, 4, 19, 0, tzinfo=UTC)
SAM, ALEX, CHAIR, KIM = (Pseudonym(name) for name in ("sam", "alex", "chair", "kim"))
OUR_WORDS = "Let's listen to ${speaker} until the end of the share."


def policy(mode: CrosstalkMode = CrosstalkMode.NOT_ALLOWED, reminder: str = "") -> CrosstalkPolicy:
    return CrosstalkPolicy(mode, (), reminder)


def sharing(who: Pseudonym = SAM, since: datetime = T0, **kwargs: object) -> Situation:
    return Situation(policy(**kwargs), Floor(who, since))  # type: ignore[arg-type]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_member_posting_during_anothers_share_gets_one_reminder_not_two() -> None:
    guard = CrosstalkGuard()
    now = sharing()
    first = guard.on_post(now, ALEX, at(1))
    assert first == Remind(DEFAULT_REMINDER, to_poster=False, fades_after_seconds=20)
    assert guard.on_post(now, ALEX, at(2)) is NOTHING
    assert guard.on_post(now, ALEX, at(200)) is NOTHING  # long after the cool-down, same share


def test_the_sharer_is_never_reminded_during_their_own_share() -> None:
    guard = CrosstalkGuard()
    for second in range(5):
        assert guard.on_post(sharing(), SAM, at(second)) is NOTHING


def test_the_chair_is_not_exempt() -> None:
    assert isinstance(CrosstalkGuard().on_post(sharing(), CHAIR, at(1)), Remind)


def test_nothing_when_nobody_holds_the_floor_or_no_policy() -> None:
    guard = CrosstalkGuard()
    assert guard.on_post(Situation(policy(), None), ALEX, at(1)) is NOTHING
    assert guard.on_post(NO_POLICY, ALEX, at(1)) is NOTHING


@pytest.mark.parametrize("mode", [CrosstalkMode.ALLOWED, CrosstalkMode.ENCOURAGED])
def test_sections_with_crosstalk_welcome_give_no_reminder(mode: CrosstalkMode) -> None:
    assert CrosstalkGuard().on_post(sharing(mode=mode), ALEX, at(1)) is NOTHING


def test_feedback_only_sections_remind_during_a_share() -> None:
    assert isinstance(
        CrosstalkGuard().on_post(sharing(mode=CrosstalkMode.FEEDBACK_ONLY), ALEX, at(1)), Remind
    )


def test_channel_cool_down_then_another_member_is_reminded() -> None:
    guard = CrosstalkGuard(ReminderRules(channel_cooldown_seconds=30))
    assert isinstance(guard.on_post(sharing(), ALEX, at(0)), Remind)
    assert guard.on_post(sharing(), KIM, at(10)) is NOTHING  # the note on screen covers Kim
    assert isinstance(guard.on_post(sharing(), KIM, at(31)), Remind)  # still Kim's first


def test_a_new_share_forgets_who_was_reminded() -> None:
    guard = CrosstalkGuard()
    assert isinstance(guard.on_post(sharing(SAM, T0), ALEX, at(1)), Remind)
    # Kim shares next: the slate is clean, the channel cool-down included.
    assert isinstance(guard.on_post(sharing(KIM, at(5)), ALEX, at(6)), Remind)
    # Sam shares a second time: a new share, told apart by when it started.
    assert isinstance(guard.on_post(sharing(SAM, at(60)), ALEX, at(61)), Remind)


def test_private_reminders_go_to_the_poster_once_per_share() -> None:
    guard = CrosstalkGuard(ReminderRules(to_poster=True))
    assert guard.on_post(sharing(), ALEX, at(0)) == Remind(DEFAULT_REMINDER, to_poster=True)
    assert isinstance(guard.on_post(sharing(), KIM, at(1)), Remind)  # no channel cool-down
    assert guard.on_post(sharing(), ALEX, at(2)) is NOTHING


def test_the_formats_own_words_override_the_default() -> None:
    assert reminder_text(policy(reminder=OUR_WORDS)) == OUR_WORDS
    assert reminder_text(policy(reminder="  ")) == DEFAULT_REMINDER
    reminder = CrosstalkGuard().on_post(sharing(reminder=OUR_WORDS), ALEX, at(1))
    assert isinstance(reminder, Remind)
    assert reminder.text == OUR_WORDS


def test_situation_from_a_compiled_section() -> None:
    plan = load_builtin_format("check-in-check-out")
    by_mode = {s.crosstalk.mode: s for s in plan.sections if s.sharing}
    guard = CrosstalkGuard()
    floor = Floor(SAM, T0)
    quiet = Situation.of(by_mode[CrosstalkMode.NOT_ALLOWED], floor)
    reminder = guard.on_post(quiet, ALEX, at(1))
    assert reminder == Remind(
        by_mode[CrosstalkMode.NOT_ALLOWED].crosstalk.reminder, fades_after_seconds=20
    )
    lively = Situation.of(by_mode[CrosstalkMode.ENCOURAGED], Floor(SAM, at(2)))
    assert guard.on_post(lively, KIM, at(3)) is NOTHING


# --- hold mode --------------------------------------------------------------------------------


def test_hold_mode_needs_the_intent() -> None:
    assert CrosstalkGuard().hold is HoldMode.OFF
    assert CrosstalkGuard(hold_mode=True, message_content=True).hold is HoldMode.ON
    refused = CrosstalkGuard(hold_mode=True, message_content=False)
    assert refused.hold is HoldMode.NEEDS_INTENT
    assert isinstance(refused.on_post(sharing(), ALEX, at(1)), Remind)  # reminder mode instead


def test_hold_mode_holds_every_crosstalk_message_and_never_the_sharers() -> None:
    guard = CrosstalkGuard(hold_mode=True, message_content=True)
    assert guard.on_post(sharing(), ALEX, at(1)) == Hold()
    assert guard.on_post(sharing(), ALEX, at(2)) == Hold()
    assert guard.on_post(sharing(), SAM, at(3)) is NOTHING
    assert guard.on_post(sharing(mode=CrosstalkMode.ALLOWED), ALEX, at(4)) is NOTHING


def test_a_failed_hold_falls_back_to_one_reminder() -> None:
    guard = CrosstalkGuard(hold_mode=True, message_content=True)
    assert isinstance(guard.hold_failed(sharing(), ALEX, at(1)), Remind)
    assert guard.hold_failed(sharing(), ALEX, at(100)) is NOTHING
    assert guard.hold_failed(sharing(), SAM, at(100)) is NOTHING
    assert guard.hold_failed(NO_POLICY, KIM, at(100)) is NOTHING


# --- reminders members ask for ----------------------------------------------------------------


def test_a_requested_reminder_is_generic_and_goes_to_the_channel() -> None:
    reminder = CrosstalkGuard().on_request(sharing(), KIM, at(1), about=ALEX)
    assert reminder == Remind(DEFAULT_REMINDER, to_poster=False, fades_after_seconds=20)
    assert isinstance(reminder, Remind)
    assert "kim" not in reminder.text
    assert "alex" not in reminder.text


def test_requests_are_refused_kindly_for_the_sharer_and_the_already_reminded() -> None:
    guard = CrosstalkGuard(ReminderRules(channel_cooldown_seconds=0))
    assert guard.on_request(sharing(), KIM, at(1), about=SAM) == Refused(ReminderRefusal.SHARER)
    assert isinstance(guard.on_post(sharing(), ALEX, at(2)), Remind)
    assert guard.on_request(sharing(), KIM, at(3), about=ALEX) == Refused(
        ReminderRefusal.ALREADY_REMINDED
    )
    # Once reminded on request, no automatic reminder follows in the same share.
    assert isinstance(guard.on_request(sharing(), KIM, at(4), about=CHAIR), Remind)
    assert guard.on_post(sharing(), CHAIR, at(5)) is NOTHING


def test_requester_cool_down_outlives_a_share_change_and_then_expires() -> None:
    guard = CrosstalkGuard(
        ReminderRules(channel_cooldown_seconds=10, requester_cooldown_seconds=120)
    )
    assert isinstance(guard.on_request(sharing(), KIM, at(0)), Remind)
    assert guard.on_request(sharing(), ALEX, at(5)) == Refused(ReminderRefusal.JUST_REMINDED, 5)
    assert guard.on_request(sharing(), KIM, at(11)) == Refused(ReminderRefusal.PLEASE_WAIT, 109)
    next_share = sharing(ALEX, at(30))
    assert guard.on_request(next_share, KIM, at(31)) == Refused(ReminderRefusal.PLEASE_WAIT, 89)
    assert isinstance(guard.on_request(next_share, KIM, at(120)), Remind)


def test_requests_work_in_any_section_with_a_policy_but_not_in_fellowship() -> None:
    guard = CrosstalkGuard()
    allowed = Situation(policy(CrosstalkMode.ALLOWED, "Kindly, one at a time."), None)
    assert guard.on_request(allowed, KIM, at(0)) == Remind(
        "Kindly, one at a time.", fades_after_seconds=20
    )
    assert guard.on_request(NO_POLICY, ALEX, at(100)) == Refused(ReminderRefusal.NO_MEETING)


def test_rules_are_checked() -> None:
    with pytest.raises(ValueError, match="negative"):
        ReminderRules(channel_cooldown_seconds=-1)
    with pytest.raises(ValueError, match="read"):
        ReminderRules(fades_after_seconds=0)
