"""The crosstalk service without Discord: a live meeting in memory, a fake clock and a fake
port that records what would be posted, sent by DM or deleted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from bot.core.crosstalk import HOLD_NOTE, Remind, ReminderRules
from bot.core.formats import load_format
from bot.core.meeting import MeetingRunner, MeetingSetup
from bot.core.meeting.effects import ChannelEffect, MeetingEnded
from bot.core.pseudonyms import Pseudonymizer
from bot.errors import NotAllowed
from bot.runtime.clock import Clock
from bot.runtime.crosstalk import (
    HOLD_NEEDS_INTENT,
    HOLD_NEEDS_PERMISSION,
    MIN_FADE_SECONDS,
    CrosstalkService,
    Post,
    Poster,
    not_in_group_text,
)
from bot.runtime.live import CHAIR, LiveMeeting, LiveMeetings
from bot.store.groups import GroupRecord
from tests.support.clock import FakeTime

GUILD, CHANNEL, ELSEWHERE = 7001, 7002, 7003


def MEMBER(group: GroupRecord) -> bool:
    return True


CHAIR_ID, SHARER_ID, TALKER_ID, OTHER_ID, BOT_ID = 11, 12, 13, 14, 99
START = 1_800_000_000.0
REMINDER = "A gentle reminder from ${group} — let's give the person sharing the floor."


def circle(*, hold: bool = False) -> bytes:
    lines = [
        "format: 1",
        "name: Quiet Circle",
        "about: A sharing circle where we listen without replying, then talk freely.",
        "length: 60m",
        "share:",
        "  limit: 20m",
        "crosstalk:",
        "  policy: not-allowed",
        f"  reminder: {REMINDER}",
    ]
    if hold:
        lines += [
            "switches:",
            "  hold-mode:",
            "    on: true",
            "    about: Hold crosstalk and hand it back to its author privately.",
        ]
    lines += [
        "sections:",
        "  - share: The floor is open. Raise your hand when you'd like to share.",
        "    title: Sharing",
        "  - share: Responses are welcome now.",
        "    title: Open talk",
        "    crosstalk: allowed",
        "  - closing: Thank you all for coming.",
    ]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class FakePort:
    """Crosstalk's Discord side: what was posted (and how long it stays), DMs, deletions."""

    manage_messages: bool = True
    dms_open: bool = True
    posted: list[tuple[str, float | None]] = field(default_factory=list)
    dms: list[tuple[int, str]] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    post_fails: bool = False

    async def post_reminder(
        self, group: GroupRecord, text: str, *, fades_after: float | None
    ) -> bool:
        assert group.channel_id == CHANNEL
        if self.post_fails:
            return False
        self.posted.append((text, fades_after))
        return True

    async def remind_privately(self, post: Post, text: str) -> None:
        if self.dms_open:
            self.dms.append((post.author.user_id, text))

    async def hand_back(self, post: Post, note: str) -> bool:
        if not self.dms_open:
            return False
        self.dms.append((post.author.user_id, f"{note}\n\n{post.message}"))
        self.deleted.append(post.message_id)
        return True

    def can_manage_messages(self, group: GroupRecord) -> bool:
        return self.manage_messages


@dataclass
class Bench:
    service: CrosstalkService
    port: FakePort
    live: LiveMeeting
    meetings: LiveMeetings
    time: FakeTime
    clock: Clock
    pseudonyms: Pseudonymizer
    message_ids: int = 500

    def who(self, user_id: int) -> str:
        return self.pseudonyms.of(GUILD, user_id)

    def say(
        self, user_id: int, words: str = "me too", *, is_bot: bool = False, channel: int = CHANNEL
    ) -> Post:
        self.message_ids += 1
        return Post(
            channel_id=channel,
            guild_id=GUILD,
            author=Poster(user_id, is_bot),
            by_a_member=True,
            message_id=self.message_ids,
            message=words,  # the fake port's stand-in for the Discord message
        )

    async def post(self, user_id: int, words: str = "me too", **kwargs: object) -> None:
        """As the cog does it: ask first, then hand over the facts."""
        post = self.say(user_id, words, **kwargs)  # type: ignore[arg-type]
        if self.service.watching(post.channel_id):
            await self.service.on_post(post)

    async def step(self, effects: tuple[ChannelEffect, ...] = ()) -> None:
        await self.service.on_step(self.live, effects)

    def give_floor(self, user_id: int) -> None:
        now = self.clock.now()
        self.live.state, _ = self.live.runner.raise_hand(self.live.state, self.who(user_id), now)

    def later(self, seconds: float) -> None:
        self.time.now += seconds


def bench(
    *,
    hold: bool = False,
    message_content: bool = False,
    rules: ReminderRules | None = None,
    port: FakePort | None = None,
    rate: float = 1.0,
) -> Bench:
    time = FakeTime()
    clock = Clock(rate=rate, anchor=START, real_time=time)
    pseudonyms = Pseudonymizer(b"k" * 32)
    plan = load_format(circle(hold=hold))
    runner = MeetingRunner(plan)
    chair = pseudonyms.of(GUILD, CHAIR_ID)
    state, _ = runner.start(clock.now(), MeetingSetup(number=1, roles={CHAIR: [chair]}))
    group = GroupRecord(1, GUILD, CHANNEL, "quiet-circle", None, 0)
    live = LiveMeeting(1, group, "quiet-circle", runner, state, None)
    meetings = LiveMeetings()
    meetings.add(live)
    fake = port or FakePort()
    service = CrosstalkService(
        fake,
        meetings,
        pseudonyms,
        clock,
        message_content=message_content,
        values=lambda live: {"group": "heron room"},
        rules=rules,
    )
    return Bench(service, fake, live, meetings, time, clock, pseudonyms)


WORDS = "A gentle reminder from heron room — let's give the person sharing the floor."


async def test_a_channel_without_a_meeting_is_not_watched() -> None:
    b = bench()
    b.give_floor(SHARER_ID)
    assert not b.service.watching(ELSEWHERE)
    await b.service.on_post(b.say(TALKER_ID, channel=ELSEWHERE))
    assert b.port.posted == []


async def test_posting_while_someone_else_shares_brings_one_fading_reminder() -> None:
    b = bench(rate=10.0)
    b.give_floor(SHARER_ID)
    await b.post(TALKER_ID)
    # The format's words, rendered; it fades after 20 clock seconds, here 2 real ones, but
    # stays at least a few real seconds.
    assert b.port.posted == [(WORDS, MIN_FADE_SECONDS)]
    # Once per member per share; a second member during the channel cool-down: nothing more.
    await b.post(TALKER_ID)
    await b.post(OTHER_ID)
    assert len(b.port.posted) == 1
    # After the cool-down another member may be reminded, the first still not.
    b.later(31 / 10)
    await b.post(TALKER_ID)
    assert len(b.port.posted) == 1
    await b.post(OTHER_ID)
    assert len(b.port.posted) == 2
    assert b.port.dms == []
    assert b.port.deleted == []


async def test_a_reminder_fades_after_its_clock_seconds_in_real_time() -> None:
    b = bench()
    b.give_floor(SHARER_ID)
    await b.post(TALKER_ID)
    assert b.port.posted == [(WORDS, 20.0)]


async def test_the_sharer_is_never_reminded_and_the_chair_is_not_exempt() -> None:
    b = bench()
    b.give_floor(SHARER_ID)
    await b.post(SHARER_ID)
    assert b.port.posted == []
    await b.post(CHAIR_ID)
    assert b.port.posted == [(WORDS, 20.0)]


async def test_no_reminder_without_a_share_or_for_bots_and_system_messages() -> None:
    b = bench()
    await b.post(TALKER_ID)  # the floor is open, nobody shares yet
    assert b.port.posted == []
    b.give_floor(SHARER_ID)
    await b.post(BOT_ID, is_bot=True)
    join = b.say(TALKER_ID)
    await b.service.on_post(
        Post(join.channel_id, join.guild_id, join.author, False, join.message_id)
    )
    assert b.port.posted == []


async def test_no_reminder_once_crosstalk_is_welcome() -> None:
    b = bench()
    b.give_floor(SHARER_ID)
    b.later(1)
    b.live.state, _ = b.live.runner.advance(b.live.state, b.clock.now())  # open talk
    b.give_floor(SHARER_ID)
    await b.post(TALKER_ID)
    assert b.port.posted == []


async def test_private_reminders_go_to_the_poster_only() -> None:
    b = bench(rules=ReminderRules(to_poster=True))
    b.give_floor(SHARER_ID)
    await b.post(TALKER_ID)
    await b.post(TALKER_ID)
    assert b.port.dms == [(TALKER_ID, WORDS)]
    assert b.port.posted == []


async def test_a_requested_reminder_is_posted_without_naming_who_asked() -> None:
    b = bench()
    b.give_floor(SHARER_ID)
    remind = await b.service.request(
        CHANNEL, GUILD, OTHER_ID, about=Poster(TALKER_ID, False), member=MEMBER
    )
    assert isinstance(remind, Remind)
    assert await b.service.post_requested(CHANNEL, remind)
    assert b.port.posted == [(WORDS, 20.0)]
    # The member it was about is not reminded again automatically during this share.
    b.later(60)
    await b.post(TALKER_ID)
    assert len(b.port.posted) == 1


async def test_requested_reminders_cool_down() -> None:
    b = bench()
    b.give_floor(SHARER_ID)
    remind = await b.service.request(CHANNEL, GUILD, OTHER_ID, member=MEMBER)
    assert await b.service.post_requested(CHANNEL, remind)
    with pytest.raises(NotAllowed, match="already on screen"):
        await b.service.request(CHANNEL, GUILD, CHAIR_ID, member=MEMBER)  # the channel cools down
    b.later(31)
    with pytest.raises(NotAllowed, match="ask again in about 2 minutes"):
        await b.service.request(
            CHANNEL, GUILD, OTHER_ID, member=MEMBER
        )  # so does the one who asked
    assert isinstance(await b.service.request(CHANNEL, GUILD, CHAIR_ID, member=MEMBER), Remind)
    b.later(120)
    assert isinstance(await b.service.request(CHANNEL, GUILD, OTHER_ID, member=MEMBER), Remind)


async def test_requests_that_are_refused() -> None:
    b = bench()
    b.give_floor(SHARER_ID)
    with pytest.raises(NotAllowed, match="no meeting under way"):
        await b.service.request(ELSEWHERE, GUILD, OTHER_ID, member=MEMBER)
    with pytest.raises(NotAllowed, match="from me or an app"):
        await b.service.request(CHANNEL, GUILD, OTHER_ID, about=Poster(BOT_ID, True), member=MEMBER)
    with pytest.raises(NotAllowed, match="person sharing"):
        await b.service.request(
            CHANNEL, GUILD, OTHER_ID, about=Poster(SHARER_ID, False), member=MEMBER
        )
    assert b.port.posted == []
    assert not await b.service.post_requested(ELSEWHERE, Remind("x"))


async def test_someone_outside_the_group_is_told_kindly_and_nothing_is_posted() -> None:
    b = bench()
    b.give_floor(SHARER_ID)
    asked: list[GroupRecord] = []

    def outsider(group: GroupRecord) -> bool:
        asked.append(group)
        return False

    with pytest.raises(NotAllowed) as refused:
        await b.service.request(CHANNEL, GUILD, OTHER_ID, member=outsider)
    assert [group.channel_id for group in asked] == [CHANNEL]  # judged for this group
    assert str(refused.value) == (
        "Reminders here are for members of this group, and Discord doesn't show you as one. "
        "Nothing was posted. If you'd like to join the group, ask its members how."
    )
    with pytest.raises(NotAllowed):
        await b.service.request(
            CHANNEL, GUILD, OTHER_ID, about=Poster(TALKER_ID, False), member=outsider
        )
    assert b.port.posted == []
    # A group with a member role: the words say which role is missing.
    with_role = GroupRecord(1, GUILD, CHANNEL, "quiet-circle", 555, 0)
    assert "Discord doesn't show you as one (the group's member role)." in str(
        not_in_group_text(with_role)
    )
    # A member may still ask: the refusal did not start the cool-down.
    assert isinstance(await b.service.request(CHANNEL, GUILD, OTHER_ID, member=MEMBER), Remind)


async def test_a_reminder_that_cannot_be_posted_says_so() -> None:
    b = bench(port=FakePort(post_fails=True))
    b.give_floor(SHARER_ID)
    remind = await b.service.request(CHANNEL, GUILD, OTHER_ID, member=MEMBER)
    assert not await b.service.post_requested(CHANNEL, remind)


async def test_hold_mode_is_refused_without_the_intent() -> None:
    b = bench(hold=True, message_content=False)
    await b.step()
    assert b.port.posted == [(str(HOLD_NEEDS_INTENT), None)]  # told once, and it stays
    await b.step()
    assert len(b.port.posted) == 1
    b.give_floor(SHARER_ID)
    await b.post(TALKER_ID, "I relate")
    assert b.port.posted[1] == (WORDS, 20.0)  # reminders instead
    assert b.port.dms == []
    assert b.port.deleted == []


async def test_hold_mode_is_refused_without_manage_messages() -> None:
    b = bench(hold=True, message_content=True, port=FakePort(manage_messages=False))
    await b.step()
    assert b.port.posted == [(str(HOLD_NEEDS_PERMISSION), None)]
    b.give_floor(SHARER_ID)
    await b.post(TALKER_ID)
    assert b.port.deleted == []
    assert b.port.posted[1] == (WORDS, 20.0)


async def test_a_group_decision_can_turn_hold_mode_on() -> None:
    b = bench(message_content=True)

    async def decided(group: GroupRecord) -> Mapping[str, bool]:
        return {"hold-mode": True}

    service = CrosstalkService(
        b.port,
        b.meetings,
        b.pseudonyms,
        b.clock,
        message_content=True,
        values=lambda live: {"group": "heron room"},
        switches=decided,
    )
    await service.on_step(b.live, ())
    b.give_floor(SHARER_ID)
    post = b.say(TALKER_ID, "I so relate")
    await service.on_post(post)
    assert b.port.deleted == [post.message_id]
    assert b.port.posted == []


async def test_hold_mode_hands_the_words_back_and_falls_back_to_a_reminder() -> None:
    b = bench(hold=True, message_content=True)
    await b.step()
    assert b.port.posted == []  # nothing to tell: hold mode is on
    b.give_floor(SHARER_ID)
    held = b.say(TALKER_ID, "I **so** relate")
    await b.service.on_post(held)
    assert b.port.deleted == [held.message_id]
    assert b.port.dms == [(TALKER_ID, f"{HOLD_NOTE}\n\nI **so** relate")]
    assert b.port.posted == []
    await b.post(SHARER_ID, "typing along")  # never the sharer
    assert len(b.port.deleted) == 1
    # DMs closed: the message stays and a reminder is given instead.
    b.port.dms_open = False
    await b.post(OTHER_ID, "me too")
    assert len(b.port.deleted) == 1
    assert b.port.posted == [(WORDS, 20.0)]


async def test_a_meeting_that_ends_is_forgotten() -> None:
    b = bench(hold=True, message_content=False)
    await b.step()
    await b.step()
    assert b.port.posted == [(str(HOLD_NEEDS_INTENT), None)]  # once per meeting
    b.later(1)
    b.live.state, effects = b.live.runner.end(b.live.state, b.clock.now())
    assert any(isinstance(e, MeetingEnded) for e in effects)
    b.meetings.remove(b.live)
    await b.step(tuple(effects))
    assert not b.service.watching(CHANNEL)
    # Nothing of it is kept: the group's next meeting is told afresh.
    b.live.state, _ = b.live.runner.start(b.clock.now(), MeetingSetup(number=2))
    b.meetings.add(b.live)
    await b.step()
    assert b.port.posted == [(str(HOLD_NEEDS_INTENT), None)] * 2
