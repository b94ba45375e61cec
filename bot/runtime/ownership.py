"""Which work is this process's: the one place that turns "this process holds these shards"
(:class:`bot.core.shards.Shards`) into "this deadline, this meeting, this outbox row is mine".

Every start-up path that loads, re-arms or sweeps durable work asks here (the composition root
hands the same :class:`Ownership` to each):

- the scheduler re-arms only its own deadlines (:meth:`owns_deadline`);
- meetings, voice-floor and room plans are loaded only for its own guilds (:meth:`owns_guild`);
- the event outbox, the decision outbox, rotation announcements and the denial check carry
  out only their own groups' rows (:meth:`owns_group`); their drain deadlines are shared (one row
  for every process) and run in every process (:data:`SHARED_DRAINS`);
- work of no guild (the privacy sweep and retention deletions, whose rows name tables, not
  groups) is done by the *home* process only: the one holding shard 0.

Unsharded (no ``SHARD_COUNT``), everything is this process's and nothing is looked up.
"""

from __future__ import annotations

from bot.core.shards import EVERY_GUILD, Shards
from bot.store import Store
from bot.store.deadlines import DeadlineRecord

#: Deadlines that drain a table of many groups' rows: each process fires them and carries out
#: only its own groups' rows (events.outbox, decisions.outbox, rotation.announce, the hourly
#: denial check).
SHARED_DRAINS: dict[str, str] = {
    "events.outbox": "retry",
    "decisions.outbox": "drain",
    "rotation.announce": "post",
    "denials.reconcile": "hourly",
}


class Ownership:
    """This process's share of the work, decided by its shards."""

    def __init__(self, shards: Shards = EVERY_GUILD, store: Store | None = None) -> None:
        if shards.sharded and store is None:
            raise ValueError("a sharded process needs the store to tell whose work is whose")
        self.shards = shards
        self._store = store
        #: A group's guild never changes: looked up once.
        self._guild_of_group: dict[int, int] = {}

    @property
    def everything(self) -> bool:
        """Unsharded: all work is this process's."""
        return not self.shards.sharded

    def drains_at_start(self) -> list[tuple[str, str]]:
        """The shared drains a sharded process runs once at start, for its own rows (another
        process may have completed their one deadline row while this one was away)."""
        return [] if self.everything else list(SHARED_DRAINS.items())

    @property
    def home(self) -> bool:
        """Whether this process does the work of no guild (the privacy sweep)."""
        return self.shards.home

    def owns_guild(self, guild_id: int | None) -> bool:
        return self.shards.owns(guild_id)

    async def owns_group(self, group_id: int) -> bool:
        """A group gone (its server removed the bot) belongs to the home process."""
        if self.everything:
            return True
        return self.owns_guild(await self._group_guild(group_id))

    async def _group_guild(self, group_id: int) -> int | None:
        known = self._guild_of_group.get(group_id)
        if known is not None or self._store is None:
            return known
        group = await self._store.groups.by_id(group_id)
        if group is None:
            return None
        self._guild_of_group[group_id] = group.guild_id
        return group.guild_id

    async def owns_deadline(self, deadline: DeadlineRecord) -> bool:
        """Whether this process re-arms and fires ``deadline``."""
        if self.everything or deadline.kind in SHARED_DRAINS:
            return True
        return self.owns_guild(await self._deadline_guild(deadline))

    async def _deadline_guild(self, deadline: DeadlineRecord) -> int | None:
        """The guild a deadline acts in, from what its payload names; None: no guild (home)."""
        store, payload = self._store, deadline.payload
        if store is None:
            return None
        if isinstance(payload.get("group_id"), int):
            return await self._group_guild(int(payload["group_id"]))
        if isinstance(payload.get("meeting"), int):
            meeting = await store.meetings.get(int(payload["meeting"]))
            return None if meeting is None else await self._group_guild(meeting.group_id)
        if isinstance(payload.get("matter"), str):
            matter = await store.business.get(str(payload["matter"]))
            return None if matter is None else await self._group_guild(matter.group_id)
        if isinstance(payload.get("rotation"), int):
            role = await store.rotation.role_by_id(int(payload["rotation"]))
            return None if role is None else await self._group_guild(role.group_id)
        if isinstance(payload.get("channel"), int):
            return await self._channel_guild(int(payload["channel"]))
        return None

    async def _channel_guild(self, channel_id: int) -> int | None:
        if self._store is None:
            return None
        group = await self._store.groups.by_channel(channel_id)
        if group is not None:
            return group.guild_id
        for plans in (self._store.floor_plans, self._store.room_plans):
            for plan in await plans.all():
                if plan.channel_id == channel_id:
                    return plan.guild_id
        return None
