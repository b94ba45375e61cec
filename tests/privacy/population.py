"""Realistic rows in every registered table, for the privacy tests at store level.

When you add a table (and register it, see bot/store/privacy), add a maker here: a function
that inserts a few rows for one group, about the members it is given. ``test_every_registered
table_is_populated`` fails until you do, so forget-me and guild removal are always tested
against every table the bot has.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.core.pseudonyms import Pseudonymizer
from bot.store.db import Transaction


@dataclass(frozen=True)
class Place:
    """One group in one server, and the pseudonyms of its members there."""

    guild_id: int
    group_id: int
    who: Mapping[str, str]  # member name -> pseudonym in this server

    def tag(self, text: str) -> str:
        """A per-group opaque id (proposal ids are text)."""
        return f"{text}-{self.group_id}"


Maker = Callable[[Transaction, Place, float], Awaitable[None]]


async def _group_formats(tx: Transaction, place: Place, now: float) -> None:
    await tx.execute(
        "INSERT INTO group_formats (group_id, label, source, status, uploaded_at) "
        "VALUES (?, 'our-circle', 'format: 1', 'candidate', ?)",
        (place.group_id, now),
    )


async def _group_settings(tx: Transaction, place: Place, now: float) -> None:
    await tx.execute(
        "INSERT INTO group_settings (group_id, name, value) VALUES (?, 'share_minutes', '4')",
        (place.group_id,),
    )


async def _meetings(tx: Transaction, place: Place, now: float) -> None:
    state = {"floor": place.who["alice"], "queue": [place.who["alice"], place.who["bea"]]}
    await tx.execute(
        "INSERT INTO meetings (group_id, format_ref, state, panel_message_id, started_at) "
        "VALUES (?, 'open-discussion', ?, 1, ?)",
        (place.group_id, json.dumps(state), now),
    )


async def _concerns(tx: Transaction, place: Place, now: float) -> None:
    who = place.who
    for target, requester, meeting in (
        (who["cyd"], who["alice"], 1),  # alice asked for a note to cyd
        (who["cyd"], who["bea"], 2),
        (who["alice"], who["bea"], 3),  # a note to alice
    ):
        await tx.execute(
            "INSERT INTO concerns (group_id, target, requester, meeting, guideline) "
            "VALUES (?, ?, ?, ?, 'no-crosstalk')",
            (place.group_id, target, requester, meeting),
        )


async def _proposal(
    tx: Transaction,
    place: Place,
    now: float,
    *,
    pid: str,
    kind: str,
    state: str,
    target: str | None,
    proposer: str | None,
) -> None:
    change = kind == "change"
    await tx.execute(
        "INSERT INTO proposals (id, group_id, kind, target, meetings, subject, value, state, "
        "created_at, deadline, threshold_num, threshold_den, threshold_strict, quorum, proposer, "
        "statement) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 2, 3, 0, 3, ?, ?)",
        (
            place.tag(pid),
            place.group_id,
            kind,
            target,
            None if change else 1,
            "share_minutes" if change else None,
            "5" if change else None,
            state,
            now,
            now + 86400,
            proposer,
            None if change else "I hear you, and I will try.",
        ),
    )


async def _proposals(tx: Transaction, place: Place, now: float) -> None:
    who = place.who
    # Open, about cyd, proposed by alice.
    await _proposal(
        tx, place, now, pid="open", kind="exclude", state="voting", target=who["cyd"],
        proposer=who["alice"],
    )  # fmt: skip
    # Decided (deleted at close anyway), about alice.
    await _proposal(
        tx, place, now, pid="decided", kind="exclude", state="carried", target=who["alice"],
        proposer=who["bea"],
    )  # fmt: skip
    # A change of settings alice proposed, waiting for a second.
    await _proposal(
        tx, place, now, pid="change", kind="change", state="awaiting_second", target=None,
        proposer=who["alice"],
    )  # fmt: skip


async def _voters(tx: Transaction, place: Place, now: float) -> None:
    for voter, voted in (("alice", 1), ("bea", 0), ("dot", 0)):
        await tx.execute(
            "INSERT INTO voters (proposal_id, voter, voted) VALUES (?, ?, ?)",
            (place.tag("open"), place.who[voter], voted),
        )


async def _ballots(tx: Transaction, place: Place, now: float) -> None:
    await tx.execute(
        "INSERT INTO ballots (proposal_id, key, choice) VALUES (?, 'k3Yq0', 'yes')",
        (place.tag("open"),),
    )


async def _exclusions(tx: Transaction, place: Place, now: float) -> None:
    await tx.execute(
        "INSERT INTO exclusions (group_id, target, meetings, first_meeting, began_at, ends_by) "
        "VALUES (?, ?, 1, 4, ?, ?)",
        (place.group_id, place.who["dot"], now, now + 86400 * 30),
    )


async def _decision_outbox(tx: Transaction, place: Place, now: float) -> None:
    await tx.execute(
        "INSERT INTO decision_outbox (group_id, payload) VALUES (?, ?)",
        (place.group_id, json.dumps({"note_to": place.who["alice"], "proposal": "x"})),
    )


async def _channel_denials(tx: Transaction, place: Place, now: float) -> None:
    # dot is sitting out (the exclusion above); alice's time away ended, not yet let back in.
    for name in ("dot", "alice"):
        await tx.execute(
            "INSERT INTO channel_denials (group_id, target) VALUES (?, ?)",
            (place.group_id, place.who[name]),
        )


async def _rotation_roles(tx: Transaction, place: Place, now: float) -> None:
    await tx.execute(
        "INSERT INTO rotation_roles (id, group_id, role) VALUES (?, ?, 'chair')",
        (place.group_id * 10, place.group_id),
    )


async def _rotation_volunteers(tx: Transaction, place: Place, now: float) -> None:
    for name, served in (("alice", 2), ("bea", None), ("cyd", 1)):
        await tx.execute(
            "INSERT INTO rotation_volunteers (rotation_id, volunteer, last_served) "
            "VALUES (?, ?, ?)",
            (place.group_id * 10, place.who[name], served),
        )


async def _rotation_turns(tx: Transaction, place: Place, now: float) -> None:
    await tx.execute(
        "INSERT INTO rotation_turns (rotation_id, meeting, who) VALUES (?, 3, ?)",
        (place.group_id * 10, place.who["alice"]),
    )


async def _rotation_passes(tx: Transaction, place: Place, now: float) -> None:
    await tx.execute(
        "INSERT INTO rotation_passes (rotation_id, volunteer) VALUES (?, ?)",
        (place.group_id * 10, place.who["cyd"]),
    )


async def _rotation_seats(tx: Transaction, place: Place, now: float) -> None:
    # The chair turn at meeting 3 has a second seat, bea's.
    await tx.execute(
        "INSERT INTO rotation_seats (rotation_id, seat, who) VALUES (?, 1, ?)",
        (place.group_id * 10, place.who["bea"]),
    )


async def _rotation_elected(tx: Transaction, place: Place, now: float) -> None:
    # cyd was elected secretary for a year.
    await tx.execute(
        "INSERT INTO rotation_roles (id, group_id, role) VALUES (?, ?, 'secretary')",
        (place.group_id * 10 + 1, place.group_id),
    )
    await tx.execute(
        "INSERT INTO rotation_elected (rotation_id, who, expires_at) VALUES (?, ?, ?)",
        (place.group_id * 10 + 1, place.who["cyd"], now + 365 * 86400),
    )


async def _rotation_swaps(tx: Transaction, place: Place, now: float) -> None:
    await tx.execute(
        "INSERT INTO rotation_swaps (rotation_id, asker, partner, expires_at) VALUES (?, ?, ?, ?)",
        (place.group_id * 10, place.who["alice"], place.who["bea"], now + 86400),
    )


async def _rotation_announcements(tx: Transaction, place: Place, now: float) -> None:
    # bea was just asked to chair meeting 3; the post hasn't gone out yet.
    payload = {
        "key": "0123456789abcdef",
        "passed_on": False,
        "lines": [{"role": "chair", "meeting": 3, "who": place.who["bea"], "continuing": False}],
    }
    await tx.execute(
        "INSERT INTO rotation_announcements (group_id, payload) VALUES (?, ?)",
        (place.group_id, json.dumps(payload)),
    )


async def _event_outbox(tx: Transaction, place: Place, now: float) -> None:
    payload = {"group_id": place.group_id, "number": 3, "served": [["chair", place.who["bea"]]]}
    await tx.execute(
        "INSERT INTO event_outbox (group_id, subscriber, event, payload, due_at) "
        "VALUES (?, 'RotationService.meeting_counted', 'MeetingCounted', ?, ?)",
        (place.group_id, json.dumps(payload), now),
    )


async def _floor_restore(tx: Transaction, place: Place, now: float) -> None:
    # A voice meeting under floor control: the bot muted alice and bea while others shared.
    for name in ("alice", "bea"):
        await tx.execute(
            "INSERT INTO floor_restore (group_id, channel_id, stage, member, silenced_before, "
            "expires_at) VALUES (?, ?, 0, ?, 0, ?)",
            (place.group_id, place.group_id * 100, place.who[name], now + 86400),
        )


async def _room_restore(tx: Transaction, place: Place, now: float) -> None:
    # A meeting with `post: sharer`: @everyone denied posting, alice (sharing) and bea (the
    # chair) allowed it, the bot's own overwrite, and the slow mode before.
    channel = place.group_id * 100 + 1
    rows: list[tuple[int, int | None, str | None, int, int, int | None]] = [
        (1, place.guild_id, None, 0, 0, None),
        (2, None, place.who["alice"], 0, 0, None),
        (2, None, place.who["bea"], 1, 0, None),
        (3, None, None, 0, 0, None),
        (4, None, None, 1, 0, 0),
    ]
    for holder, role_id, member, existed, deny, slow in rows:
        await tx.execute(
            "INSERT INTO room_restore (group_id, channel_id, holder, overwrite_role_id, member, "
            "existed, allow_before, deny_before, slow_mode_before, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (place.group_id, channel, holder, role_id, member, existed, deny, slow, now + 86400),
        )


async def _business_matters(tx: Transaction, place: Place, now: float) -> None:
    # A business meeting: bea moved a motion and cyd seconded it; an election is open. (Alice
    # is left out, so the forget-me tests' counts for her stay as they are: the business
    # tables' own forget-me is in tests/privacy/test_business_at_rest.py.)
    who = place.who
    await tx.execute(
        "INSERT INTO business_matters (id, group_id, meeting, kind, stage, section, item, "
        "mover, seconder, until, message_id) VALUES (?, ?, 1, 'motion', 'voting', 2, 3, ?, ?, "
        "?, 7)",
        (place.tag("motion-one"), place.group_id, who["bea"], who["cyd"], now + 120),
    )
    await tx.execute(
        "INSERT INTO business_matters (id, group_id, meeting, kind, stage, section, item) "
        "VALUES (?, ?, 1, 'election', 'candidates', 2, 4)",
        (place.tag("election-one"), place.group_id),
    )


async def _business_candidates(tx: Transaction, place: Place, now: float) -> None:
    for n, name in enumerate(("cyd", "dot")):
        await tx.execute(
            "INSERT INTO business_candidates (matter_id, place, candidate) VALUES (?, ?, ?)",
            (place.tag("election-one"), n, place.who[name]),
        )


async def _business_roll(tx: Transaction, place: Place, now: float) -> None:
    for name, voted in (("bea", 0), ("cyd", 1), ("dot", 1)):
        await tx.execute(
            "INSERT INTO business_roll (matter_id, voter, voted) VALUES (?, ?, ?)",
            (place.tag("motion-one"), place.who[name], voted),
        )


async def _business_ballots(tx: Transaction, place: Place, now: float) -> None:
    for key, choice in (("k1", "yes"), ("k2", "abstain")):
        await tx.execute(
            "INSERT INTO business_ballots (matter_id, key, choice) VALUES (?, ?, ?)",
            (place.tag("motion-one"), place.tag(key), choice),
        )


async def _newcomer_welcomes(tx: Transaction, place: Place, now: float) -> None:
    # cyd and dot were welcomed privately the first time they posted in the meeting channel.
    # (Alice is left out, so the forget-me tests' counts for her stay as they are: this table's
    # own forget-me is in tests/privacy/test_newcomer_welcomes.py.)
    for name in ("cyd", "dot"):
        await tx.execute(
            "INSERT INTO newcomer_welcomes (group_id, member, expires_at) VALUES (?, ?, ?)",
            (place.group_id, place.who[name], now + 90 * 86400),
        )


async def _group_schedules(tx: Transaction, place: Place, now: float) -> None:
    spec = {"meetings": "Tuesdays at 19:00", "zone": "America/New_York", "skips": ["2026-12-22"]}
    await tx.execute(
        "INSERT INTO group_schedules (group_id, spec, event_id, event_at) VALUES (?, ?, ?, ?)",
        (place.group_id, json.dumps(spec), 900_000_000_000_000_000 + place.group_id, now + 3600),
    )


#: table -> maker, in an order that satisfies the foreign keys.
MAKERS: dict[str, Maker] = {
    "group_formats": _group_formats,
    "group_settings": _group_settings,
    "meetings": _meetings,
    "concerns": _concerns,
    "proposals": _proposals,
    "voters": _voters,
    "ballots": _ballots,
    "exclusions": _exclusions,
    "decision_outbox": _decision_outbox,
    "channel_denials": _channel_denials,
    "rotation_roles": _rotation_roles,
    "rotation_volunteers": _rotation_volunteers,
    "rotation_turns": _rotation_turns,
    "rotation_passes": _rotation_passes,
    "rotation_seats": _rotation_seats,
    "rotation_elected": _rotation_elected,
    "rotation_swaps": _rotation_swaps,
    "rotation_announcements": _rotation_announcements,
    "event_outbox": _event_outbox,
    "floor_restore": _floor_restore,
    "room_restore": _room_restore,
    "business_matters": _business_matters,
    "business_candidates": _business_candidates,
    "business_roll": _business_roll,
    "business_ballots": _business_ballots,
    "newcomer_welcomes": _newcomer_welcomes,
    "group_schedules": _group_schedules,
}

MEMBERS = {"alice": 310_000_000_000_000_001, "bea": 310_000_000_000_000_002,
           "cyd": 310_000_000_000_000_003, "dot": 310_000_000_000_000_004}  # fmt: skip


async def populate(
    tx: Transaction, pseudonyms: Pseudonymizer, *, guild_id: int, channel_id: int, now: float
) -> Place:
    """A group in ``guild_id`` with rows in every table :data:`MAKERS` knows."""
    group_id = await tx.insert(
        "INSERT INTO groups (guild_id, channel_id, format_id, created_at) "
        "VALUES (?, ?, 'open-discussion', ?)",
        (guild_id, channel_id, now),
    )
    who = {name: pseudonyms.of(guild_id, user_id) for name, user_id in MEMBERS.items()}
    place = Place(guild_id, group_id, who)
    for maker in MAKERS.values():
        await maker(tx, place, now)
    return place
