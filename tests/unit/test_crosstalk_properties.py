"""Hypothesis properties of the crosstalk guard, and the house rules of its module."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.crosstalk import (
    CrosstalkGuard,
    Floor,
    Hold,
    Remind,
    ReminderRules,
    Situation,
)
from bot.core.formats.plan import CrosstalkMode, CrosstalkPolicy
from bot.core.pseudonyms import Pseudonym

T0 = datetime(2025, 3, 4, 19, 0, tzinfo=UTC)
MEMBERS = [Pseudonym(f"member-{i}") for i in range(5)]

# An event: the floor passes to someone (or nobody), somebody posts, or somebody asks for a
# reminder about someone; each after a few seconds.
events = st.lists(
    st.one_of(
        st.tuples(st.just("floor"), st.sampled_from([*MEMBERS, None])),
        st.tuples(st.just("post"), st.sampled_from(MEMBERS)),
        st.tuples(st.just("request"), st.sampled_from(MEMBERS), st.sampled_from(MEMBERS)),
    ).flatmap(lambda e: st.tuples(st.just(e), st.integers(min_value=0, max_value=40))),
    max_size=80,
)
rules = st.builds(
    ReminderRules,
    channel_cooldown_seconds=st.integers(min_value=0, max_value=60),
    requester_cooldown_seconds=st.integers(min_value=0, max_value=300),
    to_poster=st.booleans(),
)
modes = st.sampled_from(list(CrosstalkMode))


@settings(max_examples=300, deadline=None)
@given(events=events, rules=rules, mode=modes, holding=st.booleans(), intent=st.booleans())
def test_never_two_automatic_reminders_to_one_member_in_one_share_and_never_the_sharer(
    events: list[tuple[tuple[object, ...], int]],
    rules: ReminderRules,
    mode: CrosstalkMode,
    holding: bool,
    intent: bool,
) -> None:
    guard = CrosstalkGuard(rules, hold_mode=holding, message_content=intent)
    policy = CrosstalkPolicy(mode, (), "")
    now = T0
    situation = Situation(policy, None)
    reminded: set[Pseudonym] = set()
    last_public: datetime | None = None
    for event, wait in events:
        now += timedelta(seconds=wait)
        if event[0] == "floor":
            sharer = event[1]
            floor = None if sharer is None else Floor(sharer, now)  # type: ignore[arg-type]
            situation = Situation(policy, floor)
            reminded, last_public = set(), None
            continue
        if event[0] == "request":
            _, requester, about = event
            answer = guard.on_request(situation, requester, now, about)  # type: ignore[arg-type]
            if isinstance(answer, Remind):
                assert situation.floor is None or about != situation.floor.sharer
                assert about not in reminded
                if situation.floor is not None:
                    reminded.add(about)  # type: ignore[arg-type]
                last_public = now
            continue
        author: Pseudonym = event[1]  # type: ignore[assignment]
        decision = guard.on_post(situation, author, now)
        if isinstance(decision, Hold):
            decision = guard.hold_failed(situation, author, now)  # every DM fails
        if situation.floor is None or mode in {CrosstalkMode.ALLOWED, CrosstalkMode.ENCOURAGED}:
            assert not isinstance(decision, Remind)
        if isinstance(decision, Remind):
            assert situation.floor is not None
            assert author != situation.floor.sharer
            assert author not in reminded
            reminded.add(author)
            if not decision.to_poster:
                cooldown = timedelta(seconds=rules.channel_cooldown_seconds)
                assert last_public is None or now >= last_public + cooldown
                last_public = now


@settings(max_examples=100, deadline=None)
@given(posts=st.lists(st.sampled_from(MEMBERS), max_size=40), sharer=st.sampled_from(MEMBERS))
def test_hold_mode_holds_every_crosstalk_message_and_no_message_of_the_sharer(
    posts: list[Pseudonym], sharer: Pseudonym
) -> None:
    guard = CrosstalkGuard(hold_mode=True, message_content=True)
    situation = Situation(CrosstalkPolicy(CrosstalkMode.NOT_ALLOWED, (), ""), Floor(sharer, T0))
    for second, author in enumerate(posts):
        decision = guard.on_post(situation, author, T0 + timedelta(seconds=second))
        assert isinstance(decision, Hold) == (author != sharer)
