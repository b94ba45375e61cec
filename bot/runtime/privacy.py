"""Privacy a member can see and check: what the bot keeps, forget-me, purges and retention.

Everything here is generated from the registry in :mod:`bot.store.privacy`, so a feature that
registers its table is counted by ``/privacy``, erased by forget-me, purged when the bot leaves a
server and swept when its rows expire, without touching this module.

Retention as durable deadlines
------------------------------
``await bot.privacy.retention.delete_at(table, {"id": row_id}, at)`` commits a deadline that
deletes that row at clock time ``at`` (again after a restart; at once if already past).
Scheduling the same row again replaces the pending deadline; ``cancel`` drops it. The row is
named by its own opaque columns, never by a pseudonym. As a safety net, every table registered
with ``expires_at`` is swept once an hour (clock time) and at every connection, so a row whose
deadline was lost (a crash between the insert and the scheduling) still goes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import field
from typing import Any

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.runtime.clock import Clock
from bot.runtime.events import EventBus, GuildLeft, MemberForgotten
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.groups import GroupRecord
from bot.store.privacy import (
    REGISTRY,
    Count,
    GroupTotals,
    MemberRows,
    PersonalData,
    Registry,
    RegistryError,
    predicate_problems,
    read_schema,
    schema_problems,
)

log = logging.getLogger(__name__)

DELETE_KIND = "privacy.delete"
SWEEP_KIND = "privacy.sweep"
#: Clock seconds between two sweeps of expired rows.
SWEEP_EVERY = 3600.0

RowMatch = Mapping[str, int | float | str]


@lazy_dataclass(frozen=True)
class WhatIKeep:
    """The live facts behind ``/privacy what-i-keep``."""

    group: GroupRecord | None  # the group of the channel asked in, if any
    totals: GroupTotals  # of that group, or of the whole server
    kept: list[Count]  # registered tables with rows in that scope
    yours: list[MemberRows]  # the asker's rows in this server

    @property
    def nothing_yours(self) -> bool:
        return not any(rows.removable or rows.kept for rows in self.yours)


@lazy_dataclass(frozen=True)
class ForgetOutcome:
    """What forget-me removed, and what stays until it ends on its own."""

    rows: list[MemberRows] = field(default_factory=list)

    @property
    def removed(self) -> list[MemberRows]:
        return [row for row in self.rows if row.removable]

    @property
    def kept(self) -> list[MemberRows]:
        return [row for row in self.rows if row.kept]

    @property
    def removed_total(self) -> int:
        return sum(row.removable for row in self.rows)


def departed_guilds(
    stored: Iterable[int],
    connected: Iterable[int],
    owns: Callable[[int], bool] = lambda guild_id: True,
) -> set[int]:
    """Servers with stored groups that the gateway says the bot is no longer in.

    ``connected`` must include unavailable servers (an outage is not a departure); ``owns``
    says whether this process's shard(s) would have been told about a server at all.
    """
    present = set(connected)
    return {guild_id for guild_id in stored if guild_id not in present and owns(guild_id)}


def shard_owner(shard_id: int | None, shard_count: int | None) -> Callable[[int], bool]:
    """Whether a server belongs to this shard (Discord: ``(guild_id >> 22) % shard_count``)."""
    if shard_id is None or not shard_count or shard_count <= 1:
        return lambda guild_id: True
    return lambda guild_id: (guild_id >> 22) % shard_count == shard_id


class Retention:
    """ "Delete this row at T" for any registered table, as durable deadlines."""

    def __init__(self, data: PersonalData, scheduler: Scheduler, clock: Clock) -> None:
        self._data = data
        self._scheduler = scheduler
        self._clock = clock
        scheduler.register(DELETE_KIND, self._delete_due)
        scheduler.register(SWEEP_KIND, self._sweep_due)

    @staticmethod
    def _key(table: str, match: RowMatch) -> str:
        return table + ":" + ",".join(f"{column}={match[column]}" for column in sorted(match))

    def _check(self, table: str, match: RowMatch) -> None:
        entry = self._data.registry.get(table)
        if entry is None:
            raise RegistryError(f"{table!r} is not registered in bot.store.privacy")
        if not match or any(column in entry.people for column in match):
            raise RegistryError("name the row by its id, never by a coded key")

    async def delete_at(self, table: str, match: RowMatch, at: float) -> None:
        """Delete the matching row(s) of ``table`` at clock time ``at`` (replaces a pending one)."""
        self._check(table, match)
        await self._scheduler.schedule(
            DELETE_KIND, self._key(table, match), at, {"table": table, "match": dict(match)}
        )

    async def cancel(self, table: str, match: RowMatch) -> None:
        await self._scheduler.cancel(DELETE_KIND, self._key(table, match))

    async def _delete_due(self, payload: Mapping[str, Any]) -> None:
        removed = await self._data.delete_rows(str(payload["table"]), payload["match"])
        log.info("Retention: deleted %d row(s) of %s", removed, payload["table"])

    async def sweep(self) -> int:
        """Delete every row whose declared ``expires_at`` has passed; returns how many."""
        swept = await self._data.sweep_expired(self._clock.timestamp())
        for count in swept:
            log.info("Retention: swept %d expired row(s) of %s", count.rows, count.entry.table)
        return sum(count.rows for count in swept)

    async def arm_sweep(self) -> None:
        """Sweep now, then every :data:`SWEEP_EVERY` clock seconds (idempotent)."""
        await self._scheduler.schedule(SWEEP_KIND, "expired", self._clock.timestamp(), {})

    async def _sweep_due(self, payload: Mapping[str, Any]) -> None:
        await self.sweep()
        await self._scheduler.schedule(
            SWEEP_KIND, "expired", self._clock.timestamp() + SWEEP_EVERY, {}
        )


class PrivacyService:
    """``/privacy``: live counts, forget-me, server purges, retention."""

    def __init__(
        self,
        store: Store,
        pseudonyms: Pseudonymizer,
        clock: Clock,
        scheduler: Scheduler,
        bus: EventBus,
        registry: Registry = REGISTRY,
        *,
        home: bool = True,
    ) -> None:
        #: Sharded: only the process holding shard 0 sweeps (the sweep is not per guild).
        self._home = home
        self._store = store
        self._pseudonyms = pseudonyms
        self._clock = clock
        self.data = PersonalData(store.db, registry)
        self.retention = Retention(self.data, scheduler, clock)
        self._bus = bus
        self._schema_checked = False

    async def what_i_keep(
        self, *, guild_id: int, channel_id: int | None, user_id: int
    ) -> WhatIKeep:
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        if group is not None and group.guild_id != guild_id:
            group = None
        group_id = None if group is None else group.id
        totals = await self.data.group_totals(guild_id=guild_id, group_id=group_id)
        counts = await self.data.counts(guild_id=guild_id, group_id=group_id)
        yours = await self.data.member_rows(
            guild_id=guild_id,
            member=self._pseudonyms.of(guild_id, user_id),
            now=self._clock.timestamp(),
        )
        return WhatIKeep(
            group=group,
            totals=totals,
            kept=[count for count in counts if count.rows],
            yours=[rows for rows in yours if rows.removable or rows.kept],
        )

    async def forget_preview(self, *, guild_id: int, user_id: int) -> ForgetOutcome:
        """What forget-me would remove and keep, without changing anything."""
        rows = await self.data.member_rows(
            guild_id=guild_id,
            member=self._pseudonyms.of(guild_id, user_id),
            now=self._clock.timestamp(),
        )
        return ForgetOutcome(rows)

    async def forget_member(
        self, *, guild_id: int, user_id: int, left: bool = False
    ) -> ForgetOutcome:
        """Delete every row keyed by the member's pseudonym in this server (one transaction),
        except what is in force, then tell the features (``MemberForgotten``: out of meetings
        under way and of the rotation). ``left``: the member left the server (nobody asked),
        which only changes the log line; neither names the member."""
        if left and not await self._store.groups.count_in_guild(guild_id):
            return ForgetOutcome()  # no group meets in that server: nothing can be kept there
        return await self._forget(guild_id, self._pseudonyms.of(guild_id, user_id), left=left)

    async def forget_departed(self, guild_id: int, present: Iterable[int]) -> int:
        """On connecting, with the server's whole member list (``present``: every member's id,
        in memory only): forget, as :meth:`forget_member` does for one who leaves, everyone with
        rows kept here who is no longer in the server (they left while the bot was away).
        Returns how many. The caller must be sure the list is complete: an incomplete one would
        forget members who are still there."""
        if not await self._store.groups.count_in_guild(guild_id):
            return 0
        here = set(self._pseudonyms.index(guild_id, present))
        gone = sorted(await self.data.members_kept(guild_id) - here)
        for member in gone:
            await self._forget(guild_id, Pseudonym(member), left=True)
        if gone:
            log.info("Caught up with %d member(s) who left a server while I was away", len(gone))
        return len(gone)

    async def _forget(self, guild_id: int, member: Pseudonym, *, left: bool) -> ForgetOutcome:
        outcome = ForgetOutcome(
            await self.data.forget_member(
                guild_id=guild_id, member=member, now=self._clock.timestamp()
            )
        )
        kept = sum(row.kept for row in outcome.rows)
        if left and not (outcome.removed_total or kept):
            return outcome  # nothing was keyed to them here: nothing to tell anyone
        await self._bus.publish(MemberForgotten(guild_id, member))
        log.info(
            "%s: %d row(s) removed, %d kept while in force",
            "A member left a server" if left else "A member asked to be forgotten",
            outcome.removed_total,
            kept,
        )
        return outcome

    async def forget_guild(self, guild_id: int) -> int:
        """Delete every row of every group in a server; returns how many groups."""
        return await self.data.forget_guild(guild_id)

    async def reconcile(
        self, connected: Iterable[int], owns: Callable[[int], bool] = lambda guild_id: True
    ) -> int:
        """On connecting: forget servers the bot was removed from while away, sweep expired
        rows, and say (once) if the schema has a table or column nobody declared."""
        if not self._schema_checked:
            self._schema_checked = True
            for problem in await self.schema_problems():
                log.error("Privacy schema check: %s", problem)
        gone = departed_guilds(await self.data.guild_ids(), connected, owns)
        forgotten = 0
        for guild_id in gone:
            forgotten += await self.data.forget_guild(guild_id)
            await self._bus.publish(GuildLeft(guild_id))
        if gone:
            log.info(
                "Forgot %d group(s) in %d server(s) the bot is no longer in", forgotten, len(gone)
            )
        if self._home:
            await self.retention.arm_sweep()
        return len(gone)

    async def schema_problems(self) -> list[str]:
        schema = await read_schema(self._store.db)
        problems = schema_problems(schema, self.data.registry)
        return problems + await predicate_problems(self._store.db, self.data.registry)
