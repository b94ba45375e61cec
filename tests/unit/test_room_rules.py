"""The channel rules planner: whatever the channel had and whatever the meeting asked, in
whatever order, putting it back gives the channel exactly as it was; nothing but Send Messages
and Connect is ever changed; and opening changes come before closing ones."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.formats.plan import WhoMay
from bot.core.room_rules import (
    CONNECT,
    MANAGED,
    SEND,
    Ask,
    Bits,
    Holder,
    Setting,
    base,
    reconcile,
    restore,
    slow_mode,
    wanted,
)

GUILD, BOT, ROLE_A, ROLE_B = 1, 2, 3, 4
MEMBERS = (10, 11, 12)
EVERYONE = Holder(True, GUILD)

bits = st.builds(
    Bits,
    st.sampled_from([0, SEND, CONNECT, SEND | CONNECT, 1 << 15, SEND | (1 << 15)]),
    st.sampled_from([0, SEND, CONNECT, 1 << 6]),
)
holders = st.sampled_from(
    [EVERYONE, Holder(True, ROLE_A), Holder(True, ROLE_B), Holder(False, BOT)]
    + [Holder(False, m) for m in MEMBERS]
)
channels = st.dictionaries(holders, bits, max_size=5)
asks = st.builds(
    Ask,
    post=st.sampled_from(list(WhoMay)),
    lock=st.booleans(),
    voice=st.booleans(),
    everyone=st.just(EVERYONE),
    bot=st.just(Holder(False, BOT)),
    member_role=st.sampled_from([None, Holder(True, ROLE_A)]),
    sharer=st.sampled_from([None, *(Holder(False, m) for m in MEMBERS)]),
    chair=st.sampled_from([None, Holder(False, MEMBERS[0])]),
    newcomers=st.frozensets(st.sampled_from([Holder(False, m) for m in MEMBERS]), max_size=2),
)


def apply(channel: dict[Holder, Bits], changes: object) -> dict[Holder, Bits]:
    out = dict(channel)
    for change in changes:  # type: ignore[attr-defined]
        if change.bits is None:
            out.pop(change.holder, None)
        else:
            out[change.holder] = change.bits
    return out


@settings(max_examples=150, deadline=None)
@given(channels, st.lists(asks, min_size=1, max_size=4))
def test_put_back_exactly_whatever_was_asked(before: dict[Holder, Bits], steps: list[Ask]) -> None:
    channel, originals = dict(before), {}
    for ask in steps:
        plan = reconcile(channel, originals, wanted(base(channel, originals), ask))
        channel = apply(channel, plan.changes)
        originals = plan.originals
        for holder, now in channel.items():
            was = before.get(holder, Bits())
            assert now.allow & ~MANAGED == was.allow & ~MANAGED  # other bits never touched
            assert now.deny & ~MANAGED == was.deny & ~MANAGED
        closing = [change.closes for change in plan.changes]
        assert closing == sorted(closing)  # opening first
    back = restore(channel, originals)
    assert apply(channel, back.changes) == before
    assert back.originals == {}


def test_post_sharer_closes_everyone_but_the_sharer_the_chair_and_the_bot() -> None:
    ask = Ask(WhoMay.SHARER, False, False, EVERYONE, Holder(False, BOT),
              sharer=Holder(False, 10), chair=Holder(False, 11))  # fmt: skip
    want = wanted({Holder(True, ROLE_A): Bits(SEND, 0)}, ask)
    assert want[EVERYONE].deny == SEND
    assert want[Holder(True, ROLE_A)].allow == 0
    assert want[Holder(True, ROLE_A)].mask == SEND
    assert {h for h, s in want.items() if s.allow == SEND} == {
        Holder(False, 10),
        Holder(False, 11),
        Holder(False, BOT),
    }


def test_everyone_asks_nothing() -> None:
    ask = Ask(WhoMay.EVERYONE, False, True, EVERYONE, Holder(False, BOT))
    assert wanted({}, ask) == {}


def test_slow_mode_remembers_the_channels_own_and_gives_it_back() -> None:
    first = slow_mode(current=5, before=None, wanted_seconds=30)
    assert (first.set_to, first.before) == (30, 5)
    again = slow_mode(current=30, before=5, wanted_seconds=30)
    assert (again.set_to, again.before) == (None, 5)
    back = slow_mode(current=30, before=5, wanted_seconds=0)
    assert (back.set_to, back.before) == (5, None)
    assert slow_mode(current=7, before=None, wanted_seconds=0) == slow_mode(7, None, 0)
    assert slow_mode(7, None, 0).set_to is None


def test_a_raid_lock_without_a_member_role_keeps_only_newcomers_out() -> None:
    newcomer, helped, chair = Holder(False, 10), Holder(False, 11), Holder(False, 12)
    ask = Ask(WhoMay.EVERYONE, False, True, EVERYONE, Holder(False, BOT), chair=chair,
              newcomers=frozenset({newcomer, helped, chair, Holder(False, BOT)}))  # fmt: skip
    # Someone who manages the server let one of them post: that stands.
    want = wanted({helped: Bits(SEND, 0)}, ask)
    assert set(want) == {newcomer}  # never the chair or the bot; @everyone untouched
    assert want[newcomer] == Setting(SEND | CONNECT, deny=SEND | CONNECT)
    channel = {
        Holder(True, ROLE_A): Bits(SEND, 0),
        newcomer: Bits(1 << 15, 0),
        helped: Bits(SEND, 0),
    }
    plan = reconcile(channel, {}, wanted(channel, ask))
    assert [c.bits for c in plan.changes] == [Bits(1 << 15, SEND | CONNECT)]
    assert plan.originals == {newcomer: Bits(0, 0)}
    assert apply(apply(channel, plan.changes), restore(apply(channel, plan.changes),
                 plan.originals).changes) == channel  # fmt: skip


def test_a_raid_lock_with_a_member_role_and_a_closed_section_together() -> None:
    role, sharer = Holder(True, ROLE_A), Holder(False, 10)
    ask = Ask(WhoMay.SHARER, True, False, EVERYONE, Holder(False, BOT), member_role=role,
              sharer=sharer)  # fmt: skip
    want = wanted({}, ask)
    assert want[EVERYONE] == Setting(SEND, deny=SEND)
    assert role not in want  # posting is closed: the role gets nothing more
    assert want[sharer] == Setting(SEND, allow=SEND)
