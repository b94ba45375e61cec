"""The rotation service on a real database with a fake Discord side (a fake
:class:`~bot.runtime.rotation.port.RotationPort`): joining and leaving, who chairs when a meeting
starts, who served when it counts, "can't make it", swaps and forget-me. No Discord, no network.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.meeting import MeetingRunner, MeetingSetup
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import NotAllowed
from bot.runtime.clock import Clock
from bot.runtime.events import MeetingCounted, MeetingStepped, MemberForgotten
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import CHAIR, LiveMeeting, LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.rotation import (
    MissingManageRoles,
    Person,
    RotationService,
    role_rules,
)
from bot.runtime.rotation.texts import NO_MANAGE_ROLES
from bot.store import Store
from bot.store.groups import GroupRecord, GroupRepository
from bot.store.privacy import PersonalData
from tests.support.clock import FakeTime

GUILD, CHANNEL = 7001, 7002
START = 1_800_000_000.0
LONG_AGO = datetime.fromtimestamp(START, tz=UTC) - timedelta(days=400)


@dataclass(frozen=True)
class User:
    """A member as a slash command or a button hands them over (opaque to the service)."""

    id: int


@dataclass
class Someone:
    name: str
    joined_at: datetime | None = LONG_AGO
    in_group: bool = True


@dataclass
class FakeDiscord:
    """The port: a server's members and roles in memory, and a record of what was said."""

    pseudonyms: Pseudonymizer
    people: dict[int, Someone] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)  # role id -> name
    holding: dict[int, set[int]] = field(default_factory=dict)  # role id -> user ids
    posts: list[tuple[str, tuple[int, ...], int | None]] = field(default_factory=list)
    dms: list[tuple[int, str, int | None]] = field(default_factory=list)
    reminded: list[tuple[int, str, int]] = field(default_factory=list)
    in_voice: set[int] = field(default_factory=set)
    manage_roles: bool = True
    dms_closed: set[int] = field(default_factory=set)
    #: The next announcements fail (as a 5xx would) this many times.
    announce_failures: int = 0
    #: Discord's enforced nonces seen: a second post with one creates no new message.
    nonces: set[tuple[str, str]] = field(default_factory=set)

    def add(self, user_id: int, name: str, **kwargs: object) -> User:
        self.people[user_id] = Someone(name, **kwargs)  # type: ignore[arg-type]
        return User(user_id)

    def who(self, user: User) -> Pseudonym:
        return self.pseudonyms.of(GUILD, user.id)

    def role_named(self, prefix: str) -> int:
        (role_id,) = [rid for rid, name in self.roles.items() if name.startswith(prefix)]
        return role_id

    def holders_of(self, role_id: int) -> set[int]:
        return set(self.holding.get(role_id, set()))

    def _person(self, user_id: int) -> Person:
        someone = self.people[user_id]
        return Person(
            user_id=user_id,
            who=self.pseudonyms.of(GUILD, user_id),
            name=someone.name,
            mention=f"<@{user_id}>",
            in_group=someone.in_group,
            joined_at=someone.joined_at,
        )

    # --- the port ---------------------------------------------------------------------------

    def person(self, group: GroupRecord, user: User) -> Person:
        return self._person(user.id)

    async def holders(
        self, group: GroupRecord, role_ids: Mapping[str, int | None]
    ) -> dict[str, list[Person]]:
        return {
            name: [self._person(uid) for uid in sorted(self.holding.get(rid or -1, set()))]
            for name, rid in role_ids.items()
        }

    async def find(
        self, group: GroupRecord, wanted: Iterable[Pseudonym], hint: Mapping[Pseudonym, int]
    ) -> dict[Pseudonym, Person]:
        wanted = set(wanted)
        return {
            person.who: person for person in map(self._person, self.people) if person.who in wanted
        }

    def channel_name(self, group: GroupRecord) -> str | None:
        return "circle-room"

    async def ensure_roles(
        self, group: GroupRecord, wanted: Sequence[tuple[int | None, str]]
    ) -> list[int]:
        if not self.manage_roles:
            raise MissingManageRoles
        ids = []
        for role_id, name in wanted:
            if role_id is None or role_id not in self.roles:
                role_id = 900 + len(self.roles)
                self.roles[role_id] = name
            ids.append(role_id)
        return ids

    async def set_role(self, group: GroupRecord, user_id: int, role_id: int, give: bool) -> bool:
        held = self.holding.setdefault(role_id, set())
        if give:
            held.add(user_id)
        else:
            held.discard(user_id)
        return True

    async def hand_role(
        self,
        group: GroupRecord,
        role_id: int,
        holders: frozenset[Pseudonym],
        hint: Mapping[Pseudonym, int],
    ) -> None:
        self.holding[role_id] = {
            uid for uid in self.people if self.pseudonyms.of(GUILD, uid) in holders
        }

    async def post(
        self,
        group: GroupRecord,
        text: str,
        *,
        ping: Sequence[Person] = (),
        ask_for_meeting: int | None = None,
    ) -> None:
        self.posts.append((text, tuple(p.user_id for p in ping), ask_for_meeting))

    async def announce(
        self,
        group: GroupRecord,
        text: str,
        *,
        key: str,
        ping: Sequence[Person],
        ask_for_meeting: int | None,
    ) -> bool:
        if self.announce_failures:
            self.announce_failures -= 1
            raise RuntimeError("503 Service Unavailable")
        if (key, text) not in self.nonces:
            self.nonces.add((key, text))
            self.posts.append((text, tuple(p.user_id for p in ping), ask_for_meeting))
        return True

    async def ready(self) -> None:
        return None

    async def dm(
        self,
        group: GroupRecord,
        user_id: int,
        text: str,
        *,
        swap: int | None = None,
        ask_for_meeting: int | None = None,
    ) -> bool:
        if user_id in self.dms_closed:
            return False
        if ask_for_meeting is not None:
            self.reminded.append((user_id, text, ask_for_meeting))
            return True
        self.dms.append((user_id, text, swap))
        return True

    def present(self, group: GroupRecord, user_id: int) -> bool:
        return user_id in self.in_voice


@dataclass
class Bench:
    store: Store
    clock: Clock
    discord: FakeDiscord
    service: RotationService
    live: LiveMeetings
    group_id: int

    async def group(self) -> GroupRecord:
        group = await self.store.groups.by_id(self.group_id)
        assert group is not None
        return group

    async def last_served(self) -> dict[Pseudonym, int | None]:
        group = await self.group()
        plan = await FormatLibrary(self.store).current(group)
        rotation = await self.store.rotation.load(group.id, role_rules(plan))
        return {who: v.last_served for who, v in rotation.role(CHAIR).volunteers.items()}

    async def volunteer_rows(self) -> int:
        return int(await self.store.db.fetchval("SELECT count(*) FROM rotation_volunteers"))

    async def hold_meeting(self, starter: User, *, meeting_id: int = 1) -> tuple[LiveMeeting, int]:
        """A meeting started by ``starter``, run and ended, then counted, as the meeting
        service would drive it; the meeting and its number."""
        group = await self.group()
        starting = await self.service.roles_for_meeting(group, self.discord.who(starter))
        runner = MeetingRunner(await FormatLibrary(self.store).current(group))
        now = self.clock.now()
        state, _ = runner.start(
            now, MeetingSetup(number=group.meetings_held + 1, roles=starting.holders)
        )
        live = LiveMeeting(meeting_id, group, group.format_id, runner, state, None)
        self.live.add(live)
        await self.service.meeting_stepped(MeetingStepped(live, ()))
        (chair,) = [r for r in await self.store.rotation.roles(group.id) if r.role == CHAIR]
        today = chair.serving_role_id  # "Chair today · #room", in the group's language
        assert today is not None
        assert self.discord.holders_of(today) == {
            uid for uid in self.discord.people if self.discord.who(User(uid)) in live.chairs
        }
        served = live.state.roles  # who served: the meeting service puts it in the event
        live.state, _ = runner.end(live.state, now + timedelta(minutes=20))
        self.live.remove(live)
        await self.service.meeting_stepped(MeetingStepped(live, ()))
        assert self.discord.holders_of(today) == set()
        async with self.store.db.transaction() as tx:
            number = await GroupRepository.count_meeting(tx, group.id)
        await self.service.meeting_counted(
            MeetingCounted(group.id, GUILD, CHANNEL, number, self.clock.timestamp(), served)
        )
        return live, number


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    async with rotation_bench(tmp_path) as made:
        yield made


@asynccontextmanager
async def rotation_bench(tmp_path: Path) -> AsyncIterator[Bench]:
    """The rotation service over a fresh database with one group (other test files use it)."""
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    made = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert made is not None
    clock = Clock(rate=1.0, anchor=START, real_time=FakeTime())
    discord = FakeDiscord(Pseudonymizer(b"r" * 32))
    live = LiveMeetings()
    service = RotationService(
        store=store,
        clock=clock,
        formats=FormatLibrary(store),
        meetings=live,
        locks=GroupLocks(),
        port=discord,
    )
    try:
        yield Bench(store, clock, discord, service, live, made.id)
    finally:
        await service.close()
        await store.close()


async def everyone_joins(bench: Bench, count: int = 4) -> list[User]:
    names = ("Hazel Rowan", "Tide Whistle", "Ember Fold", "Quill Marsh", "Bracken Lea")
    people = [bench.discord.add(100 + i, names[i]) for i in range(count)]
    for person in people:
        assert "You're in the chair rotation" in str(
            await bench.service.join(CHANNEL, person, None)
        )
    return people


def last_announcement(
    bench: Bench, heading: str = "**Next time, from the rotation"
) -> tuple[str, int, int | None]:
    """The latest "up next" post: its text, the one person pinged, the meeting it asks for."""
    text, pinged, meeting = bench.discord.posts[-1]
    assert text.startswith(heading)
    (who,) = pinged
    return text, who, meeting


# --- joining and leaving --------------------------------------------------------------------


async def test_joining_gives_the_rotation_role_and_leaving_takes_it_and_the_row(
    bench: Bench,
) -> None:
    ann, bea, cy = await everyone_joins(bench, 3)
    d = bench.discord
    volunteers = d.role_named("Chair rotation · #circle-room")
    assert d.roles[d.role_named("Chair today")] == "Chair today · #circle-room"
    assert d.holders_of(volunteers) == {ann.id, bea.id, cy.id}
    assert await bench.volunteer_rows() == 3
    assert "already in the chair rotation" in str(await bench.service.join(CHANNEL, ann, "chair"))

    shown = await bench.service.show(CHANNEL)
    (order,) = shown.roles
    assert order.title == "Chair"
    assert sorted(order.names) == ["Ember Fold", "Hazel Rowan", "Tide Whistle"]
    assert order.asked is None

    left = str(await bench.service.leave(CHANNEL, bea, None))
    assert left.startswith("You've left the chair rotation")
    assert "asked the next person" not in left  # nobody was announced yet
    assert d.holders_of(volunteers) == {ann.id, cy.id}
    assert await bench.volunteer_rows() == 2
    again = str(await bench.service.leave(CHANNEL, bea, None))
    assert again == "You're not in the rotation here, so there was nothing to remove."


async def test_only_members_of_the_group_join_and_a_newcomer_waits_a_day(bench: Bench) -> None:
    outsider = bench.discord.add(50, "Out Sider", in_group=False)
    with pytest.raises(NotAllowed, match="for members of this group") as refused:
        await bench.service.join(CHANNEL, outsider, None)
    assert "Nothing changed" in str(refused.value)
    assert await bench.volunteer_rows() == 0
    newcomer = bench.discord.add(51, "New Comer", joined_at=bench.clock.now())
    joined = str(await bench.service.join(CHANNEL, newcomer, None))
    assert "Your first turn comes after your first day here" in joined
    (order,) = (await bench.service.show(CHANNEL)).roles
    assert order.names == ()
    assert order.waiting == 1


async def test_without_manage_roles_nothing_changes_and_the_words_say_why(bench: Bench) -> None:
    bench.discord.manage_roles = False
    ann = bench.discord.add(100, "Hazel Rowan")
    with pytest.raises(MissingManageRoles) as refused:
        await bench.service.join(CHANNEL, ann, None)
    assert refused.value.user_message == str(NO_MANAGE_ROLES)
    assert "**Manage Roles** permission" in refused.value.user_message
    assert await bench.volunteer_rows() == 0
    assert await bench.store.rotation.roles(bench.group_id) == []


# --- meetings -------------------------------------------------------------------------------


async def test_with_nobody_announced_the_starter_chairs_without_grace(bench: Bench) -> None:
    (ann,) = await everyone_joins(bench, 1)
    starting = await bench.service.roles_for_meeting(await bench.group(), bench.discord.who(ann))
    assert starting.holders == {CHAIR: [bench.discord.who(ann)]}
    assert starting.chair_arrives_within == 0.0


async def test_a_counted_meeting_records_who_served_and_announces_the_next(
    bench: Bench,
) -> None:
    people = await everyone_joins(bench, 4)
    first = people[0]
    live, number = await bench.hold_meeting(first)
    assert number == 1
    assert live.chairs == ()  # the ended meeting names nobody; the event said who served
    served = await bench.last_served()
    assert served[bench.discord.who(first)] == 1
    assert [v for who, v in served.items() if who != bench.discord.who(first)] == [None] * 3

    text, asked, meeting = last_announcement(bench)
    assert meeting == 2
    assert asked != first.id  # not twice in a row
    assert f"• Chair: <@{asked}>" in text
    assert "please press **I'll do it**" in text
    (order,) = (await bench.service.show(CHANNEL)).roles
    assert order.asked == bench.discord.people[asked].name
    assert order.names[0] == order.asked

    thanks = str(await bench.service.will_serve(bench.group_id, 2, User(asked)))
    assert thanks.startswith("Thank you! You're the chair next time.")
    with pytest.raises(NotAllowed, match="isn't yours"):
        await bench.service.will_serve(bench.group_id, 2, first)


async def test_a_counted_meeting_delivered_twice_is_recorded_and_announced_once(
    bench: Bench,
) -> None:
    """Durable delivery may repeat an event (a crash after the handler's commit): no double."""
    people = await everyone_joins(bench, 4)
    first = people[0]
    _, number = await bench.hold_meeting(first)
    posts = list(bench.discord.posts)
    served = await bench.last_served()
    group = await bench.group()
    chair = ((CHAIR, bench.discord.who(first)),)
    again = MeetingCounted(group.id, GUILD, CHANNEL, number, bench.clock.timestamp(), chair)
    await bench.service.meeting_counted(again)
    assert bench.discord.posts == posts  # nobody asked twice
    assert await bench.last_served() == served
    _, asked, meeting = last_announcement(bench)
    # "Can't make it" for the next meeting survives a late repeat of the last one.
    await bench.service.cant_make_it(group.id, meeting, User(asked))
    await bench.service.meeting_counted(again)
    _, now_asked, _ = last_announcement(bench)
    assert now_asked != asked


async def test_the_announced_chair_chairs_and_gets_grace_only_when_absent(bench: Bench) -> None:
    people = await everyone_joins(bench, 3)
    await bench.hold_meeting(people[0])
    _, asked, _ = last_announcement(bench)
    chair = User(asked)
    helper = next(p for p in people if p.id not in (asked, people[0].id))
    group = await bench.group()
    d = bench.discord

    # Somebody else starts; the announced chair isn't in the voice channel: five minutes' grace.
    starting = await bench.service.roles_for_meeting(group, d.who(helper))
    assert starting.holders[CHAIR] == [d.who(chair)]
    assert starting.chair_arrives_within == 300.0 - 120

    # The same, with the chair in the voice channel: no grace needed.
    d.in_voice.add(chair.id)
    starting = await bench.service.roles_for_meeting(group, d.who(helper))
    assert starting.holders[CHAIR] == [d.who(chair)]
    assert starting.chair_arrives_within == 0.0

    # The chair starts it themself.
    d.in_voice.clear()
    starting = await bench.service.roles_for_meeting(group, d.who(chair))
    assert starting.holders[CHAIR] == [d.who(chair)]
    assert starting.chair_arrives_within == 0.0


async def test_an_absent_chair_is_named_in_the_channel_at_the_first_step(bench: Bench) -> None:
    people = await everyone_joins(bench, 3)
    await bench.hold_meeting(people[0])
    _, asked, _ = last_announcement(bench)
    helper = next(p for p in people if p.id not in (asked, people[0].id))
    posts = len(bench.discord.posts)
    await bench.hold_meeting(helper, meeting_id=2)
    note = bench.discord.posts[posts][0]
    first = bench.discord.people[asked].name.split()[0]
    assert note.startswith(f"**{first}** is on the rotation to chair today")
    assert "<t:" in note  # a live countdown to when anyone may step in
    served = await bench.last_served()
    assert served[bench.discord.who(User(asked))] == 2  # the turn counted for who chaired


async def test_cant_make_it_passes_the_turn_and_keeps_the_place(bench: Bench) -> None:
    people = await everyone_joins(bench, 4)
    await bench.hold_meeting(people[0])
    _, asked, _ = last_announcement(bench)
    answer = str(await bench.service.cant_make_it(bench.group_id, 2, User(asked)))
    assert "I've asked the next person" in answer
    text, passed_to, meeting = last_announcement(bench)
    assert text.startswith("**Next time, from the rotation — the turn has passed on:**")
    assert passed_to not in (asked, people[0].id)
    assert meeting == 2
    assert bench.discord.who(User(asked)) in await bench.last_served()
    with pytest.raises(NotAllowed, match="isn't yours"):
        await bench.service.cant_make_it(bench.group_id, 2, User(asked))


# --- swaps ----------------------------------------------------------------------------------


async def test_a_swap_asked_privately_and_accepted_passes_the_turn(bench: Bench) -> None:
    people = await everyone_joins(bench, 4)
    await bench.hold_meeting(people[0])
    _, asked, _ = last_announcement(bench)
    asker = User(asked)
    partner = next(p for p in people if p.id not in (asked, people[0].id))
    d = bench.discord

    answer = str(await bench.service.ask_swap(CHANNEL, asker, partner, None))
    assert answer.startswith(f"I've asked {d.people[partner.id].name} privately.")
    (to, request, swap_id) = d.dms[-1]
    assert to == partner.id
    assert swap_id is not None
    assert request.startswith(f"**{d.people[asked].name}** from #circle-room would like to swap")

    with pytest.raises(NotAllowed, match="for someone else"):
        await bench.service.answer_swap(swap_id, asker, accept=True)
    done = str(await bench.service.answer_swap(swap_id, partner, accept=True))
    assert done == "Done — you've swapped places in the chair rotation. Thank you!"
    _, now_asked, meeting = last_announcement(bench)
    assert (now_asked, meeting) == (partner.id, 2)
    assert d.dms[-1][0] == asked
    assert "your swap in the chair rotation is done" in d.dms[-1][1]
    with pytest.raises(NotAllowed, match="expired or was already answered"):
        await bench.service.answer_swap(swap_id, partner, accept=True)


async def test_a_swap_declined_changes_nothing_and_asking_back_agrees(bench: Bench) -> None:
    people = await everyone_joins(bench, 4)
    await bench.hold_meeting(people[0])
    _, asked, _ = last_announcement(bench)
    asker = User(asked)
    partner = next(p for p in people if p.id not in (asked, people[0].id))
    d = bench.discord

    await bench.service.ask_swap(CHANNEL, asker, partner, None)
    swap_id = d.dms[-1][2]
    assert swap_id is not None
    posts = len(d.posts)
    declined = str(await bench.service.answer_swap(swap_id, partner, accept=False))
    assert declined == "No problem — nothing changed. Thank you for answering."
    assert d.dms[-1][0] == asked
    assert "would rather not swap" in d.dms[-1][1]
    assert len(d.posts) == posts  # nobody else was asked

    # Asked again, the partner asks back: that is agreeing.
    await bench.service.ask_swap(CHANNEL, asker, partner, None)
    done = str(await bench.service.ask_swap(CHANNEL, partner, asker, None))
    assert done.startswith("Done — you've swapped places")
    _, now_asked, _ = last_announcement(bench)
    assert now_asked == partner.id

    with pytest.raises(NotAllowed, match="isn't in the chair rotation"):
        await bench.service.ask_swap(CHANNEL, partner, d.add(77, "Not In"), None)


async def test_one_membership_rule_for_serving_and_swapping_stepping_back_stays_open(
    bench: Bench,
) -> None:
    people = await everyone_joins(bench, 4)
    await bench.hold_meeting(people[0])
    _, asked, meeting = last_announcement(bench)
    assert meeting is not None
    d = bench.discord
    partner = next(p for p in people if p.id not in (asked, people[0].id))
    # The partner lost the group's member role: no swap with them, nothing sent.
    d.people[partner.id].in_group = False
    dms = len(d.dms)
    with pytest.raises(NotAllowed, match="isn't a member of this group just now"):
        await bench.service.ask_swap(CHANNEL, User(asked), partner, None)
    assert len(d.dms) == dms
    # A swap asked while both were members can't be accepted once one of them isn't.
    d.people[partner.id].in_group = True
    await bench.service.ask_swap(CHANNEL, User(asked), partner, None)
    swap_id = d.dms[-1][2]
    assert swap_id is not None
    d.people[asked].in_group = False
    with pytest.raises(NotAllowed, match="one of you isn't one now"):
        await bench.service.answer_swap(swap_id, partner, accept=True)
    # Offering to serve is for members; stepping back is open to anyone.
    with pytest.raises(NotAllowed, match="for members of this group"):
        await bench.service.will_serve(bench.group_id, meeting, User(asked))
    stepped_back = str(await bench.service.cant_make_it(bench.group_id, meeting, User(asked)))
    assert stepped_back.startswith("No problem — thank you for letting us know.")
    assert last_announcement(bench)[1] != asked  # the turn passed on to a member


# --- forget-me ------------------------------------------------------------------------------


async def test_a_forgotten_member_leaves_the_rotation_and_their_turn_passes_on(
    bench: Bench,
) -> None:
    people = await everyone_joins(bench, 4)
    await bench.hold_meeting(people[0])
    _, asked, _ = last_announcement(bench)
    d = bench.discord
    who = d.who(User(asked))
    volunteers = d.role_named("Chair rotation")
    # /privacy forget-me deletes the member's rows first, then tells the features.
    await PersonalData(bench.store.db).forget_member(
        guild_id=GUILD, member=who, now=bench.clock.timestamp()
    )
    await bench.service.member_forgotten(MemberForgotten(GUILD, who))
    await bench.service.close()  # the work runs in the background: let it finish

    assert asked not in d.holders_of(volunteers)
    assert who not in await bench.last_served()
    assert await bench.volunteer_rows() == 3
    _, instead, meeting = last_announcement(bench)
    assert instead not in (asked, people[0].id)
    assert meeting == 2


async def test_where_nobody_has_joined_whoever_starts_the_meeting_chairs(bench: Bench) -> None:
    """A group with no rotation yet (no row at all): the starter chairs, nothing raises."""
    starter = bench.discord.add(1, "Hazel Rowan")
    who = bench.discord.who(starter)
    starting = await bench.service.roles_for_meeting(await bench.group(), who)
    assert dict(starting.holders) == {CHAIR: [who]}
    assert starting.chair_arrives_within == 0.0
