"""A business meeting's secret ballot is secret at rest, as the group votes are
(tests/privacy/test_at_rest.py, bot/store/db.py): a copy of the data directory taken after any
cast, read byte by byte with the key in hand, pairs no voter with a choice and holds one version
only; and once the motion is decided, nothing of its roll, its ballots, its mover or its seconder
is left on disk."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store
from tests.privacy.at_rest import Copy, Version, links
from tests.runtime.test_business_service import BO, CY, MEMBERS, Bench
from tests.support.clock import FakeTime

CHOICES = ("yes", "no", "yes", "abstain", "yes", "no")


def business_versions(copy: Copy) -> list[Version]:
    """Every version of the business ballot tables the copy holds (the attacker's decoding)."""
    found = []
    with tempfile.TemporaryDirectory() as scratch:
        for n, (where, image) in enumerate(copy.images()):
            path = Path(scratch) / f"v{n}.sqlite3"
            patched = bytearray(image)
            patched[18:20] = b"\x01\x01"
            path.write_bytes(patched)
            conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
            try:
                voted: dict[str, set[str]] = {}
                ballots: dict[str, set[tuple[str, str]]] = {}
                for matter, voter in conn.execute(
                    "SELECT matter_id, voter FROM business_roll WHERE voted = 1"
                ):
                    voted.setdefault(matter, set()).add(voter)
                for matter, key, choice in conn.execute(
                    "SELECT matter_id, key, choice FROM business_ballots"
                ):
                    ballots.setdefault(matter, set()).add((key, choice))
            except sqlite3.DatabaseError:
                continue
            finally:
                conn.close()
            found.append(
                Version(
                    where,
                    {m: frozenset(v) for m, v in voted.items()},
                    {m: frozenset(b) for m, b in ballots.items()},
                )
            )
    return found


async def copy_of(store: Store) -> Copy:
    async with store.db.transaction():
        return Copy.take(store.db.path.parent, store.db.path)


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    data = tmp_path / "data"
    data.mkdir()
    store = Store(data / "peercircle.sqlite3")
    await store.open()
    yield Bench(store, FakeTime())
    await store.close()


async def test_no_copy_links_a_voter_to_a_choice_and_nothing_is_left_once_decided(
    bench: Bench,
) -> None:
    live = await bench.to_business()
    matter = await bench.motion(live)
    await bench.business.act(matter, CY, 23, "second")
    await bench.business.act(matter, MEMBERS[0], 21, "call")
    opened = await copy_of(bench.store)
    assert links(business_versions(opened)) == set()

    for voter, choice in zip(MEMBERS, CHOICES, strict=True):
        await bench.business.act(matter, voter, 0, choice)
        copy = await copy_of(bench.store)
        versions = business_versions(copy)
        assert links(versions) == set(), f"after the ballot of {voter[:8]}"
        assert [v.where for v in versions] == ["the database file"]  # one version, no history
        assert voter in versions[0].voted[matter]  # the roll as it is now, never how
        assert copy.side("-journal") == b""

    keys = [r["key"] for r in await bench.store.db.fetchall("SELECT key FROM business_ballots")]
    assert len(keys) == len(MEMBERS)
    assert (await copy_of(bench.store)).holds(BO)  # the check can fail: the mover is on disk
    await bench.business.act(matter, MEMBERS[0], 21, "close")
    assert bench.port.said()[-1].startswith("**The motion carried** (Yes 3, No 2, Abstain 1)")
    closed = await copy_of(bench.store)
    for key in keys:
        assert closed.holds(key) == [], "a ballot is still on disk"
    for member in MEMBERS[1:]:  # the chair's key stays in the meeting's own state, as always
        assert closed.holds(member) == [], f"the key of {member[:8]} is still on disk"
    assert closed.holds(matter) == [], "the decided motion is still on disk"
