"""The SQL generated from the registry: ``/privacy``'s counts, forget-me, leaving a server,
retention deletes and the expiry sweep. The only SQL ``/privacy`` runs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, cast

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.store.db import Database, Params, Transaction
from bot.store.privacy.registry import (
    REGISTRY,
    ROOT_TABLE,
    KeptTable,
    Registry,
    RegistryError,
    identifier,
)


@lazy_dataclass(frozen=True)
class Count:
    entry: KeptTable
    rows: int


@lazy_dataclass(frozen=True)
class MemberRows:
    """A member's rows in one table: how many forget-me removes (or removed), how many stay."""

    entry: KeptTable
    removable: int
    kept: int


@lazy_dataclass(frozen=True)
class GroupTotals:
    groups: int
    meetings_held: int


async def column_names(db: Database, table: str) -> set[str]:
    """The names of ``table``'s columns, on either backend."""
    if db.backend == "postgresql":
        rows = await db.fetchall(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        )
        return {str(row[0]) for row in rows}
    quoted = table.replace('"', '""')
    return {str(row["name"]) for row in await db.fetchall(f'PRAGMA table_info("{quoted}")')}


def named(params: Mapping[str, Any]) -> Params:
    """Named parameters: sqlite3 takes a mapping where ``Params`` says sequence."""
    return cast(Params, dict(params))


#: A coded key inside JSON: 64 hex characters (HMAC-SHA256), standing alone.
_CODED_KEY = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")

_BY_GROUP = f"{ROOT_TABLE}.id = :group"
_BY_GUILD = f"{ROOT_TABLE}.guild_id = :guild"


def _matches(entry: KeptTable, people: Iterable[str], mentions: Iterable[str]) -> str:
    """SQL: the row names the member in one of these columns (``FALSE`` if there are none)."""
    tests = [f"{entry.table}.{column} = :member" for column in people]
    # A pseudonym is 64 hex characters: a substring match inside JSON cannot be a false hit.
    tests += [f"instr({entry.table}.{column}, :member) > 0" for column in mentions]
    return "(" + (" OR ".join(tests) or "FALSE") + ")"


def _who(entry: KeptTable) -> str:
    return _matches(entry, entry.people, entry.mentions)


def _kept(entry: KeptTable) -> str:
    """Whether a row stays until it ends on its own, as a truth value (FALSE is 0 in SQLite)."""
    if entry.forget.keep_where is None:
        return "FALSE"
    return f"coalesce(({entry.forget.keep_where}), FALSE)"


class PersonalData:
    """Counts and deletions over every registered table; the only SQL ``/privacy`` runs."""

    def __init__(self, db: Database, registry: Registry = REGISTRY) -> None:
        self._db = db
        self.registry = registry

    # -- reading ----------------------------------------------------------------------------

    async def group_totals(self, *, guild_id: int, group_id: int | None = None) -> GroupTotals:
        root, params = self._root(guild_id, group_id)
        row = await self._db.fetchone(
            f"SELECT count(*) AS groups, coalesce(sum(meetings_held), 0) AS held "  # noqa: S608
            f"FROM {ROOT_TABLE} WHERE {root}",
            params,
        )
        assert row is not None  # noqa: S101 - an aggregate always returns a row
        return GroupTotals(int(row["groups"]), int(row["held"]))

    async def counts(self, *, guild_id: int, group_id: int | None = None) -> list[Count]:
        """Rows of every registered table in a group (or in a whole server)."""
        root, params = self._root(guild_id, group_id)
        counts = []
        for entry in self.registry:
            sql = (
                f"SELECT count(*) FROM {entry.table} "  # noqa: S608 - registered identifiers
                f"WHERE {entry.scope.condition(entry.table, root)}"
            )
            counts.append(Count(entry, int(await self._db.fetchval(sql, params))))
        return counts

    async def member_rows(self, *, guild_id: int, member: str, now: float) -> list[MemberRows]:
        """What forget-me would remove and keep for one pseudonym in one server."""
        params = named({"guild": guild_id, "member": member, "now": now})
        found = []
        for entry in self.registry.personal():
            where = self._member_where(entry)
            flag = f"CASE WHEN {_kept(entry)} THEN 1 ELSE 0 END"
            sql = (
                f"SELECT count(*) AS total, coalesce(sum({flag}), 0) AS kept "  # noqa: S608
                f"FROM {entry.table} WHERE {where}"
            )
            row = await self._db.fetchone(sql, params)
            assert row is not None  # noqa: S101 - an aggregate always returns a row
            total, kept = int(row["total"]), int(row["kept"])
            found.append(MemberRows(entry, total - kept, kept))
        return found

    async def members_kept(self, guild_id: int) -> set[str]:
        """Every coded key that rows in this server's groups hold (in a ``people`` column, or
        named inside a ``mentions`` one): whom forget-me could concern here."""
        params = named({"guild": guild_id})
        found: set[str] = set()
        for entry in self.registry.personal():
            scope = entry.scope.condition(entry.table, _BY_GUILD)
            for column in entry.person_columns:
                rows = await self._db.fetchall(
                    f"SELECT DISTINCT {entry.table}.{column} FROM {entry.table} "  # noqa: S608
                    f"WHERE {entry.table}.{column} IS NOT NULL AND {scope}",
                    params,
                )
                for row in rows:
                    text = str(row[0])
                    found |= {text} if column in entry.people else set(_CODED_KEY.findall(text))
        return found

    async def guild_ids(self) -> list[int]:
        rows = await self._db.fetchall(f"SELECT DISTINCT guild_id FROM {ROOT_TABLE}")  # noqa: S608
        return [int(row[0]) for row in rows]

    # -- deleting ---------------------------------------------------------------------------

    async def forget_member(self, *, guild_id: int, member: str, now: float) -> list[MemberRows]:
        """Delete (or clear) the pseudonym's rows in the server, in one transaction, except the
        rows that stay until they end on their own; report both."""
        params = named({"guild": guild_id, "member": member, "now": now})
        done = []
        async with self._db.transaction() as tx:
            for entry in self.registry.children_first():
                if not entry.personal:
                    continue
                scope = entry.scope.condition(entry.table, _BY_GUILD)
                unless_kept = f"{scope} AND NOT {_kept(entry)}"
                deleting = [column for column in entry.people if column not in entry.forget.clear]
                removed = await tx.execute(
                    f"DELETE FROM {entry.table} "  # noqa: S608 - registered identifiers
                    f"WHERE {_matches(entry, deleting, entry.mentions)} AND {unless_kept}",
                    params,
                )
                for column in entry.forget.clear:
                    removed += await tx.execute(
                        f"UPDATE {entry.table} SET {column} = NULL "  # noqa: S608
                        f"WHERE {entry.table}.{column} = :member AND {unless_kept}",
                        params,
                    )
                row = await tx.fetchone(
                    f"SELECT count(*) FROM {entry.table} WHERE {_who(entry)} AND {scope}",  # noqa: S608
                    params,
                )
                done.append(MemberRows(entry, max(removed, 0), int(row[0]) if row else 0))
        order = {entry.table: index for index, entry in enumerate(self.registry)}
        return sorted(done, key=lambda rows: order[rows.entry.table])

    async def forget_guild(self, guild_id: int) -> int:
        """Delete every row of every group of a server, children first; returns groups removed."""
        params = named({"guild": guild_id})
        async with self._db.transaction() as tx:
            return await self._delete_guild(tx, params)

    async def _delete_guild(self, tx: Transaction, params: Params) -> int:
        for entry in self.registry.children_first():
            await tx.execute(
                f"DELETE FROM {entry.table} "  # noqa: S608 - registered identifiers
                f"WHERE {entry.scope.condition(entry.table, _BY_GUILD)}",
                params,
            )
        return await tx.execute(f"DELETE FROM {ROOT_TABLE} WHERE {_BY_GUILD}", params)  # noqa: S608

    async def delete_rows(self, table: str, match: Mapping[str, int | float | str]) -> int:
        """Delete the rows of a registered table whose columns equal ``match`` (a retention
        deadline's "delete this row"). Refuses unregistered tables and pseudonym columns."""
        entry = self.registry.get(table)
        if entry is None:
            raise RegistryError(f"{table!r} is not a registered table")
        if not match:
            raise RegistryError("say which row(s) to delete")
        for column in match:
            identifier(column, "column")
            if column in entry.person_columns:
                raise RegistryError("a deadline must not name a coded key; use the row's id")
        known = await column_names(self._db, table)
        if unknown := set(match) - known:
            raise RegistryError(f"{table} has no column(s) {sorted(unknown)}")
        where = " AND ".join(f"{column} = :{column}" for column in match)
        return await self._db.execute(
            f"DELETE FROM {table} WHERE {where}",  # noqa: S608 - checked identifiers
            named(match),
        )

    async def sweep_expired(self, now: float) -> list[Count]:
        """Delete every row whose declared ``expires_at`` has passed."""
        swept = []
        async with self._db.transaction() as tx:
            for entry in self.registry.children_first():
                if entry.expires_at is None:
                    continue
                removed = await tx.execute(
                    f"DELETE FROM {entry.table} WHERE {entry.expires_at} <= :now",  # noqa: S608
                    named({"now": now}),
                )
                if removed > 0:
                    swept.append(Count(entry, removed))
        return swept

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _root(guild_id: int, group_id: int | None) -> tuple[str, Params]:
        if group_id is None:
            return _BY_GUILD, named({"guild": guild_id})
        # The guild is checked too: a group id from another server counts nothing here.
        return f"{_BY_GROUP} AND {_BY_GUILD}", named({"guild": guild_id, "group": group_id})

    @staticmethod
    def _member_where(entry: KeptTable) -> str:
        return f"{_who(entry)} AND {entry.scope.condition(entry.table, _BY_GUILD)}"
