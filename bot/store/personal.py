"""What Peer Circle keeps, declared once per table: the registry behind ``/privacy``.

Every table that holds anything belonging to a group — and above all anything keyed by a
member's pseudonym — is declared here once, by the repository module that owns it. From these
declarations, and nothing else:

* ``/privacy what-i-keep`` counts what the bot holds for a group or a server, and for the member
  asking (every count is a ``SELECT count(*)`` generated from the declaration);
* ``/privacy forget-me`` deletes every row keyed by the member's pseudonym in that server, except
  rows the declaration says must stay until they end on their own;
* leaving a server deletes every row of its groups (each scope link is a foreign key with
  ``ON DELETE CASCADE``, so deleting the ``groups`` rows reaches everything; the start-up purge
  also deletes table by table, children first);
* the retention sweep deletes rows whose ``expires_at`` column has passed;
* the schema guard (``tests/store/test_schema_guard.py``, and a check logged at start-up) fails
  for a table nobody declared, for a person column nobody declared, and for any column whose
  name or type suggests a raw id, a name or free text, unless it is in :data:`SAFE_COLUMNS`.

How to register your table
--------------------------
In the repository module that owns the table (the one with its SQL), at module level. Worked
examples: bot/store/rotation.py, and the declarations at the bottom of this file (meetings,
concerns, proposals, voters, ballots, exclusions …)::

    from bot.store.personal import KeptTable, in_group, keep, register

    register(
        KeptTable(
            table="reading_offers",
            people=("reader",),  # column(s) that ARE a pseudonym (TEXT, 64 hex)
            scope=in_group("group_id"),  # group_id REFERENCES groups (id) ON DELETE CASCADE
            one="reading a member offered to do (as a coded key)",
            many="readings members offered to do (as coded keys)",
            until="deleted when the meeting ends",
            # forget=DELETE is the default: forget-me deletes the member's rows.
        )
    )

The fields, and the rules the registry and the guard enforce:

* ``table``: every table except ``groups`` (the root) and :data:`UNSCOPED_TABLES` must be
  registered. A table with neither ``people`` nor ``mentions`` is group data (an uploaded
  format, a secret ballot): counted by ``/privacy``, deleted with its group.
* ``scope``: the join path from your table to ``groups``. Each :class:`Link` is a column of the
  table before it, declared ``REFERENCES <table> (<key>) ON DELETE CASCADE``:
  ``in_group("group_id")`` is one step; ``through(Link("proposal_id", "proposals"),
  Link("group_id", "groups"))`` is two.
* ``people``: the columns that *are* a pseudonym (``TEXT``). ``mentions``: TEXT/JSON columns
  that *contain* pseudonyms among other things (a meeting's state); forget-me finds the member
  there by substring, and cannot take them out of the JSON, so such a table usually declares
  ``forget=keep(...)`` and its feature drops the member itself (``member_forgotten`` below).
  A pseudonym anywhere else (another column, a deadline's key or payload) is a bug: the privacy
  audit in ``tests/privacy`` fails on it.
* ``one`` / ``many``: plain words completing "I keep 1 …" / "I keep 5 …" in ``/privacy``. No
  jargon; say "coded key", never "hash" or "pseudonym". ``until``: when the rows go on their own
  ("deleted when the vote closes").
* ``forget``: :data:`DELETE` (the default) deletes the member's rows. :func:`keep` keeps the
  rows matching an SQL predicate over the table's own columns (``:member`` is the member's
  pseudonym, ``:now`` the clock time; NULL counts as false) until they end on their own, with
  the reason in plain words for the member: an exclusion in force, a roll entry after voting.
  ``clear=("proposer",)`` (on :func:`keep` or :func:`clear`) sets those nullable ``people``
  columns to NULL instead of deleting a row that belongs to the group.
* ``expires_at``: optionally a REAL column of clock time after which a row has no purpose; the
  hourly retention sweep deletes such rows even if the feature's own deadline was lost. Only for
  rows whose deletion needs no Discord action (never an exclusion: lifting it must run).
* Any other column that is TEXT, named like a person (``…_by``, ``author``, ``member``,
  ``name``, ``note`` …), or an ``…_id`` that is not a foreign key, ``guild_id``, ``channel_id``
  or ``…_role_id``, fails the guard. If it is safe, add it to :data:`SAFE_COLUMNS` with one line
  saying why; that line is what reviewers read.

When you register a table, three tests will ask for the rest of the checklist:
``tests/privacy/population.py`` (a few realistic rows, so forget-me and leaving a server are
tested on your table), the README's "What Peer Circle keeps" (a line ``- <many> — <until>``),
and, once your commands exist, a step in ``tests/privacy/test_audit.py``.

Deleting "this row at time T" is a durable deadline, named by the row's own opaque columns:
``await bot.privacy.retention.delete_at("group_formats", {"id": 7}, at)``
(bot/runtime/privacy.py).
A feature that keeps something about a member in memory (a raised hand) subscribes to
``bot.privacy.member_forgotten`` to drop it when the member uses forget-me.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from bot.store.db import Database, Params, Transaction

#: Every group-owned table leads here; deleting a ``groups`` row deletes the group.
ROOT_TABLE = "groups"

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")

#: Tables that belong to no group, and why they are safe. Their columns are still guarded.
UNSCOPED_TABLES: Mapping[str, str] = {
    "meta": "installation facts (the clock's anchor); nothing about a group or a person",
    "deadlines": "due times of pending work; keys and payloads hold only opaque row ids",
}

#: The reviewed allow-list: columns the guard would flag, each with why it is safe.
SAFE_COLUMNS: Mapping[tuple[str, str], str] = {
    ("meta", "key"): "a fixed setting name chosen by the code, e.g. 'clock_anchor'",
    ("meta", "value"): "the value of such a setting (a number); never about a person",
    ("deadlines", "kind"): "a fixed job name chosen by the code, e.g. 'privacy.delete'",
    ("deadlines", "key"): "built by the code from opaque row ids; never a pseudonym or user id",
    ("deadlines", "payload"): "JSON of opaque row ids and table names; never about a person",
    ("groups", "format_id"): "a format reference like 'open-discussion' or 'group:3'",
    ("group_formats", "label"): "the uploaded file's name: the group's script, not a person",
    ("group_formats", "source"): "the group's own meeting script (YAML); no uploader is kept",
    ("group_formats", "status"): "'candidate' or 'adopted' (a CHECK constraint says so)",
    ("group_settings", "name"): "the name of a setting the group changed by its own decision",
    ("group_settings", "value"): "that setting's new value (a number, a word, a format ref)",
    ("meetings", "format_ref"): "a format reference like 'open-discussion' or 'group:3'",
    ("meetings", "panel_message_id"): "the bot's own panel message, not a member's",
    ("concerns", "guideline"): "the id of one of the format's guidelines, never free text",
    ("proposals", "id"): "a random opaque id, made for the proposal",
    ("proposals", "kind"): "'exclude', 'change' or 'welcome_back' (CHECK)",
    ("proposals", "state"): "the proposal's step, one of a few words (CHECK)",
    ("proposals", "guidelines"): "JSON list of the format's guideline ids, never free text",
    ("proposals", "subject"): "which setting a change proposal is about",
    ("proposals", "value"): "the proposed new value of that setting (or a format ref)",
    ("proposals", "statement"): (
        "the member's own side, which they chose to write for the voters; it lives in the row "
        "keyed to them and is deleted with it when the vote closes"
    ),
    ("proposals", "message_id"): "the bot's own announcement message, not a member's",
    ("proposals", "ballot_message_id"): "the bot's own ballot message, not a member's",
    ("ballots", "key"): "a random key, so a ballot cannot be matched to the voter roll",
    ("ballots", "choice"): "'yes', 'no' or 'abstain'; nothing in the row says who chose it",
    ("exclusions", "ends_by"): "a time (the calendar backstop), not someone 'by' whom",
    ("rotation_roles", "role"): "the format's id for a service role, like 'chair' or 'reader'",
}

#: Name parts that suggest a column is about a person.
PERSONISH = frozenset(
    {
        "user",
        "users",
        "member",
        "members",
        "author",
        "owner",
        "voter",
        "volunteer",
        "person",
        "people",
        "who",
        "nick",
        "nickname",
        "name",
        "username",
        "sender",
        "recipient",
        "target",
        "by",
        "content",
        "text",
        "message",
        "note",
        "notes",
        "reason",
        "comment",
        "email",
        "ip",
        "avatar",
    }
)
#: Discord ids of places, not people.
PLACE_COLUMNS = frozenset({"guild_id", "channel_id"})


class RegistryError(ValueError):
    """A registration that cannot be right (a bad identifier, a scope that misses ``groups``)."""


def _identifier(name: str, what: str) -> str:
    if not _IDENTIFIER.match(name):
        raise RegistryError(f"{what} {name!r} must be a lower-case SQL identifier")
    return name


@dataclass(frozen=True, slots=True)
class Link:
    """One step of a scope: ``column`` of the previous table refers to ``table`` (``key``)."""

    column: str
    table: str
    key: str = "id"

    def __post_init__(self) -> None:
        _identifier(self.column, "link column")
        _identifier(self.table, "link table")
        _identifier(self.key, "link key")


@dataclass(frozen=True, slots=True)
class Scope:
    """The join path from a table to ``groups``."""

    links: tuple[Link, ...]

    def __post_init__(self) -> None:
        if not self.links or self.links[-1].table != ROOT_TABLE:
            raise RegistryError(f"a scope must end at the {ROOT_TABLE!r} table")

    def condition(self, table: str, root: str) -> str:
        """SQL selecting ``table``'s rows whose group satisfies ``root`` (on ``groups``)."""
        tables = [table, *(link.table for link in self.links)]
        condition = root
        for index in reversed(range(len(self.links))):
            link = self.links[index]
            owner = tables[index]
            condition = (
                f"{owner}.{link.column} IN "  # noqa: S608 - registered identifiers only
                f"(SELECT {link.table}.{link.key} FROM {link.table} WHERE {condition})"
            )
        return condition


def in_group(column: str = "group_id") -> Scope:
    """The table has a ``column`` referring to ``groups (id)``."""
    return Scope((Link(column, ROOT_TABLE),))


def through(*links: Link) -> Scope:
    """A longer path, e.g. ``through(Link("proposal_id", "proposals"), Link("group_id",
    "groups"))``."""
    return Scope(tuple(links))


@dataclass(frozen=True, slots=True)
class Forget:
    """What ``/privacy forget-me`` does with a member's rows in one table."""

    #: SQL predicate over the table's columns (``:member``, ``:now`` bound) for rows that stay.
    keep_where: str | None = None
    #: Plain words: why those rows stay and when they go.
    because: str = ""
    #: ``people`` columns that forget-me sets to NULL instead of deleting the row (the row is
    #: the group's, the member only had a part in it, like who proposed a vote).
    clear: tuple[str, ...] = ()


#: Forget-me deletes the member's rows (the default).
DELETE = Forget()


def keep(because: str, where: str = "1", *, clear: tuple[str, ...] = ()) -> Forget:
    """Rows matching ``where`` stay until they end on their own; ``because`` tells the member.
    Other rows are deleted, or only have the member's ``clear`` columns set to NULL."""
    if not because.strip():
        raise RegistryError("say in plain words why the rows stay")
    return Forget(keep_where=where, because=because, clear=clear)


def clear(*columns: str) -> Forget:
    """Forget-me sets these ``people`` columns to NULL (keeping the row); deletes other rows."""
    return Forget(clear=columns)


@dataclass(frozen=True, slots=True)
class KeptTable:
    """One table's declaration. See the module docstring for each field."""

    table: str
    one: str
    many: str
    until: str
    scope: Scope
    people: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    forget: Forget = field(default=DELETE)
    expires_at: str | None = None

    def __post_init__(self) -> None:
        _identifier(self.table, "table")
        if self.table == ROOT_TABLE or self.table in UNSCOPED_TABLES:
            raise RegistryError(f"{self.table!r} is not a group's table")
        for column in (*self.people, *self.mentions):
            _identifier(column, "people column")
        if not set(self.forget.clear) <= set(self.people):
            raise RegistryError(f"{self.table}: forget can only clear columns listed in people")
        if self.expires_at is not None:
            _identifier(self.expires_at, "expires_at column")
        if not (self.one.strip() and self.many.strip() and self.until.strip()):
            raise RegistryError(f"{self.table}: describe it in plain words (one, many, until)")
        if (self.forget.keep_where is not None or self.forget.clear) and not self.personal:
            raise RegistryError(f"{self.table}: forget-me rules need people or mentions")

    @property
    def personal(self) -> bool:
        return bool(self.people or self.mentions)

    @property
    def person_columns(self) -> tuple[str, ...]:
        return (*self.people, *self.mentions)

    @property
    def depth(self) -> int:
        return len(self.scope.links)

    def describe(self, count: int) -> str:
        return f"{count} {self.one if count == 1 else self.many}"


class Registry:
    """The declarations, in registration order."""

    def __init__(self, entries: Iterable[KeptTable] = ()) -> None:
        self._entries: dict[str, KeptTable] = {}
        for entry in entries:
            self.register(entry)

    def register(self, entry: KeptTable) -> KeptTable:
        existing = self._entries.get(entry.table)
        if existing is not None and existing != entry:
            raise RegistryError(f"{entry.table!r} is already registered differently")
        self._entries[entry.table] = entry
        return entry

    def __iter__(self) -> Iterator[KeptTable]:
        return iter(tuple(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, table: object) -> bool:
        return table in self._entries

    def get(self, table: str) -> KeptTable | None:
        return self._entries.get(table)

    def personal(self) -> list[KeptTable]:
        return [entry for entry in self._entries.values() if entry.personal]

    def children_first(self) -> list[KeptTable]:
        """Deepest scopes first, so deleting never trips a foreign key."""
        return sorted(self._entries.values(), key=lambda entry: -entry.depth)


#: The registry every repository module registers into.
REGISTRY = Registry()


def register(entry: KeptTable) -> KeptTable:
    """Declare a table in :data:`REGISTRY` (call once, at module level)."""
    return REGISTRY.register(entry)


# --- the schema guard ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # upper case, as declared ('' when untyped)
    primary_key: bool
    not_null: bool = False


@dataclass(frozen=True, slots=True)
class ForeignKey:
    column: str
    table: str
    key: str
    on_delete: str  # upper case, e.g. 'CASCADE'


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: Mapping[str, Column]
    foreign_keys: tuple[ForeignKey, ...]


Schema = Mapping[str, Table]


async def read_schema(db: Database) -> dict[str, Table]:
    """Every table of the live database, with its columns and foreign keys."""
    names = [
        str(row[0])
        for row in await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    schema: dict[str, Table] = {}
    for name in names:
        quoted = name.replace('"', '""')
        columns = {
            str(row["name"]): Column(
                str(row["name"]), str(row["type"]).upper(), bool(row["pk"]), bool(row["notnull"])
            )
            for row in await db.fetchall(f'PRAGMA table_info("{quoted}")')
        }
        keys = tuple(
            ForeignKey(
                str(row["from"]),
                str(row["table"]),
                str(row["to"]) if row["to"] is not None else "id",
                str(row["on_delete"]).upper(),
            )
            for row in await db.fetchall(f'PRAGMA foreign_key_list("{quoted}")')
        )
        schema[name] = Table(name, columns, keys)
    return schema


_TEXTISH = ("TEXT", "BLOB", "ANY", "CHAR", "CLOB", "")


def _is_textish(column_type: str) -> bool:
    return column_type == "" or any(word and word in column_type for word in _TEXTISH)


def _is_number(column_type: str) -> bool:
    return any(word in column_type for word in ("INT", "REAL", "FLOA", "DOUB", "NUM"))


def column_problem(
    table: Table,
    column: Column,
    *,
    people: Sequence[str],
    schema: Schema,
    safe: Mapping[tuple[str, str], str],
) -> str | None:
    """Why ``column`` could hold a person, or ``None`` when it cannot (or is declared)."""
    where = f"{table.name}.{column.name}"
    if column.name in people:
        return None if "TEXT" in column.type else f"{where} holds a coded key but is not TEXT"
    if (table.name, column.name) in safe:
        return None
    if column.name == "id" and column.primary_key and "INT" in column.type:
        return None
    if any(key.column == column.name and key.table in schema for key in table.foreign_keys):
        return None
    if _is_textish(column.type):
        return (
            f"{where} ({column.type or 'untyped'}) could hold free text, a name or an "
            "undeclared coded key: declare it in people=…, or add it to SAFE_COLUMNS saying why"
        )
    if column.name in PLACE_COLUMNS or column.name.endswith("_role_id"):
        return None
    if personish := sorted(set(column.name.split("_")) & PERSONISH):
        return (
            f"{where} is named like something about a person ({', '.join(personish)}): "
            "rename it, or add it to SAFE_COLUMNS saying why it is safe"
        )
    if column.name.endswith("_id"):
        return (
            f"{where} could hold a Discord id of a person or of their message: make it a "
            "foreign key, or add it to SAFE_COLUMNS saying why it is safe"
        )
    if not _is_number(column.type):
        return f"{where} has an unexpected type {column.type!r}"
    return None


def schema_problems(
    schema: Schema,
    registry: Registry = REGISTRY,
    *,
    safe: Mapping[tuple[str, str], str] = SAFE_COLUMNS,
    unscoped: Mapping[str, str] = UNSCOPED_TABLES,
) -> list[str]:
    """Everything wrong with the schema from the privacy point of view (empty: all is well)."""
    problems: list[str] = []
    if ROOT_TABLE not in schema:
        problems.append(f"there is no {ROOT_TABLE!r} table")
    for name, table in schema.items():
        entry = registry.get(name)
        if entry is None and name != ROOT_TABLE and name not in unscoped:
            problems.append(
                f"table {name} is not registered in bot/store/personal.py: /privacy, forget-me "
                "and leaving a server cannot see it"
            )
        people = entry.person_columns if entry else ()
        for column in table.columns.values():
            if problem := column_problem(table, column, people=people, schema=schema, safe=safe):
                problems.append(problem)
    for entry in registry:
        problems.extend(_entry_problems(entry, schema))
    for table_name, column_name in safe:
        known = schema.get(table_name)
        if known is None or column_name not in known.columns:
            problems.append(f"SAFE_COLUMNS lists {table_name}.{column_name}, which doesn't exist")
    return problems


def _entry_problems(entry: KeptTable, schema: Schema) -> list[str]:
    table = schema.get(entry.table)
    if table is None:
        return [f"{entry.table} is registered but there is no such table"]
    problems = [
        f"{entry.table}.{column} is declared as holding coded keys but doesn't exist"
        for column in entry.person_columns
        if column not in table.columns
    ]
    problems += [
        f"{entry.table}.{column}: forget-me sets it to NULL, so it must allow NULL"
        for column in entry.forget.clear
        if column in table.columns and table.columns[column].not_null
    ]
    if entry.expires_at is not None:
        expires = table.columns.get(entry.expires_at)
        if expires is None or not _is_number(expires.type):
            problems.append(f"{entry.table}.{entry.expires_at} must be a REAL column of time")
    owner = table
    for link in entry.scope.links:
        target = schema.get(link.table)
        cascades = [
            key
            for key in owner.foreign_keys
            if key.column == link.column and key.table == link.table and key.key == link.key
        ]
        if target is None or link.key not in target.columns:
            problems.append(f"{entry.table}: scope refers to {link.table}.{link.key}, not found")
            break
        if not cascades or cascades[0].on_delete != "CASCADE":
            problems.append(
                f"{owner.name}.{link.column} must be declared REFERENCES {link.table} "
                f"({link.key}) ON DELETE CASCADE, so leaving a server deletes {entry.table}"
            )
        owner = target
    return problems


async def predicate_problems(db: Database, registry: Registry = REGISTRY) -> list[str]:
    """Each ``keep`` predicate must be valid SQL over its table (checked with EXPLAIN)."""
    problems = []
    for entry in registry:
        if entry.forget.keep_where is None:
            continue
        sql = f"EXPLAIN SELECT 1 FROM {entry.table} WHERE ({entry.forget.keep_where})"  # noqa: S608 - registered identifiers
        try:
            await db.fetchall(sql, _named({"member": "", "now": 0.0}))
        except sqlite3.Error as exc:
            problems.append(f"{entry.table}: the keep predicate is not valid ({exc})")
    return problems


# --- the SQL generated from the registry -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Count:
    entry: KeptTable
    rows: int


@dataclass(frozen=True, slots=True)
class MemberRows:
    """A member's rows in one table: how many forget-me removes (or removed), how many stay."""

    entry: KeptTable
    removable: int
    kept: int


@dataclass(frozen=True, slots=True)
class GroupTotals:
    groups: int
    meetings_held: int


def _named(params: Mapping[str, Any]) -> Params:
    """Named parameters: sqlite3 takes a mapping where ``Params`` says sequence."""
    return cast(Params, dict(params))


_BY_GROUP = f"{ROOT_TABLE}.id = :group"
_BY_GUILD = f"{ROOT_TABLE}.guild_id = :guild"


def _matches(entry: KeptTable, people: Iterable[str], mentions: Iterable[str]) -> str:
    """SQL: the row names the member in one of these columns (``0`` if there are none)."""
    tests = [f"{entry.table}.{column} = :member" for column in people]
    # A pseudonym is 64 hex characters: a substring match inside JSON cannot be a false hit.
    tests += [f"instr({entry.table}.{column}, :member) > 0" for column in mentions]
    return "(" + (" OR ".join(tests) or "0") + ")"


def _who(entry: KeptTable) -> str:
    return _matches(entry, entry.people, entry.mentions)


def _kept(entry: KeptTable) -> str:
    if entry.forget.keep_where is None:
        return "0"
    return f"coalesce(({entry.forget.keep_where}), 0)"


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
        params = _named({"guild": guild_id, "member": member, "now": now})
        found = []
        for entry in self.registry.personal():
            where = self._member_where(entry)
            sql = (
                f"SELECT count(*) AS total, coalesce(sum({_kept(entry)}), 0) AS kept "  # noqa: S608
                f"FROM {entry.table} WHERE {where}"
            )
            row = await self._db.fetchone(sql, params)
            assert row is not None  # noqa: S101 - an aggregate always returns a row
            total, kept = int(row["total"]), int(row["kept"])
            found.append(MemberRows(entry, total - kept, kept))
        return found

    async def guild_ids(self) -> list[int]:
        rows = await self._db.fetchall(f"SELECT DISTINCT guild_id FROM {ROOT_TABLE}")  # noqa: S608
        return [int(row[0]) for row in rows]

    # -- deleting ---------------------------------------------------------------------------

    async def forget_member(self, *, guild_id: int, member: str, now: float) -> list[MemberRows]:
        """Delete (or clear) the pseudonym's rows in the server, in one transaction, except the
        rows that stay until they end on their own; report both."""
        params = _named({"guild": guild_id, "member": member, "now": now})
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
        params = _named({"guild": guild_id})
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
            _identifier(column, "column")
            if column in entry.person_columns:
                raise RegistryError("a deadline must not name a coded key; use the row's id")
        known = {str(row["name"]) for row in await self._db.fetchall(f"PRAGMA table_info({table})")}
        if unknown := set(match) - known:
            raise RegistryError(f"{table} has no column(s) {sorted(unknown)}")
        where = " AND ".join(f"{column} = :{column}" for column in match)
        return await self._db.execute(
            f"DELETE FROM {table} WHERE {where}",  # noqa: S608 - checked identifiers
            _named(match),
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
                    _named({"now": now}),
                )
                if removed > 0:
                    swept.append(Count(entry, removed))
        return swept

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _root(guild_id: int, group_id: int | None) -> tuple[str, Params]:
        if group_id is None:
            return _BY_GUILD, _named({"guild": guild_id})
        # The guild is checked too: a group id from another server counts nothing here.
        return f"{_BY_GROUP} AND {_BY_GUILD}", _named({"guild": guild_id, "group": group_id})

    @staticmethod
    def _member_where(entry: KeptTable) -> str:
        return f"{_who(entry)} AND {entry.scope.condition(entry.table, _BY_GUILD)}"


# --- the tables that exist today -------------------------------------------------------------
# ``groups`` itself is the root: /privacy describes it from its own columns. The meetings and
# due-process tables are declared here on their owners' behalf; an owner may move a declaration
# into their repository module (keep exactly one: a second, different declaration of the same
# table is refused at import). The rotation declares its own, in bot/store/rotation.py.

register(
    KeptTable(
        table="group_formats",
        one="uploaded format (the group's own meeting script; who uploaded it isn't kept)",
        many="uploaded formats (the group's own meeting scripts; who uploaded them isn't kept)",
        until="kept while the group exists",
        scope=in_group("group_id"),
    )
)

register(
    KeptTable(
        table="group_settings",
        one="setting the group changed by its own decision",
        many="settings the group changed by its own decisions",
        until="kept while the group exists",
        scope=in_group("group_id"),
    )
)

register(
    KeptTable(
        table="meetings",
        mentions=("state",),
        one="meeting under way (where it is, who has the floor and who raised a hand, "
        "as coded keys)",
        many="meetings under way (where each is, who has the floor and who raised a hand, "
        "as coded keys)",
        until="deleted the moment the meeting ends",
        scope=in_group("group_id"),
        forget=keep(
            "the meeting under way holds your place in it, like a raised hand, as a coded key; "
            "all of it is deleted the moment the meeting ends"
        ),
    )
)

register(
    KeptTable(
        table="concerns",
        people=("target", "requester"),
        one="kind note sent at a member's request (which guideline, and coded keys for who "
        "asked and who received it)",
        many="kind notes sent at members' requests (which guideline, and coded keys for who "
        "asked and who received them)",
        until="deleted when they expire",
        scope=in_group("group_id"),
    )
)

register(
    KeptTable(
        table="proposals",
        people=("target", "proposer"),
        one="open proposal (what it asks, and coded keys for who it is about and, until it is "
        "seconded, who proposed it)",
        many="open proposals (what each asks, and coded keys for who it is about and, until it "
        "is seconded, who proposed it)",
        until="deleted when the vote closes",
        scope=in_group("group_id"),
        forget=keep(
            "a proposal about you is still open: it, and anything you wrote for the voters, is "
            "deleted when its vote closes",
            where="target = :member AND state IN ('awaiting_second', 'seconded', 'voting')",
            clear=("proposer",),
        ),
    )
)

register(
    KeptTable(
        table="voters",
        people=("voter",),
        one="place on an open vote's roll (a coded key and whether it has voted, never how)",
        many="places on open votes' rolls (coded keys and whether each has voted, never how)",
        until="deleted when the vote closes",
        scope=through(Link("proposal_id", "proposals"), Link("group_id", ROOT_TABLE)),
        forget=keep(
            "you already voted: your ballot is anonymous, and your place on the roll is deleted "
            "when the vote closes",
            where="voted = 1",
        ),
    )
)

register(
    KeptTable(
        table="ballots",
        one="secret ballot in an open vote (a random key and a choice; nothing says whose)",
        many="secret ballots in open votes (a random key and a choice; nothing says whose)",
        until="deleted when the vote closes",
        scope=through(Link("proposal_id", "proposals"), Link("group_id", ROOT_TABLE)),
    )
)

register(
    KeptTable(
        table="exclusions",
        people=("target",),
        one="member sitting out the next meeting or two, by the group's decision (a coded key)",
        many="members sitting out the next meeting or two, by the group's decision (coded keys)",
        until="deleted when they are welcomed back, after one or two meetings",
        scope=in_group("group_id"),
        forget=keep(
            "the group's decision that you sit out a meeting or two is in force: it ends on its "
            "own, and then every row about it is deleted"
        ),
    )
)

register(
    KeptTable(
        table="decision_outbox",
        mentions=("payload",),
        one="message or permission change still to be carried out (coded keys only)",
        many="messages or permission changes still to be carried out (coded keys only)",
        until="deleted as soon as each is done",
        scope=in_group("group_id"),
        forget=keep(
            "I still have to carry out a message or permission change for a group decision; it "
            "is deleted as soon as it is done"
        ),
    )
)
