"""The registry: what Peer Circle keeps, one :class:`KeptTable` per table, and the reviewed
lists the schema guard checks against. How to declare a table: :mod:`bot.store.privacy`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field

from bot.core.lazy_dataclasses import lazy_dataclass

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
    ("group_settings", "value"): (
        "that setting's new value (a number, a word, a format ref, or the group's list of "
        "support resources: titles, lines and links the group chose, never about a person)"
    ),
    ("meetings", "format_ref"): "a format reference like 'open-discussion' or 'group:3'",
    ("meetings", "panel_message_id"): "the bot's own panel message, not a member's",
    ("concerns", "guideline"): "the id of one of the format's guidelines, never free text",
    ("proposals", "id"): "a random opaque id, made for the proposal",
    ("proposals", "kind"): "'exclude', 'change' or 'welcome_back' (CHECK)",
    ("proposals", "state"): "the proposal's step, one of a few words (CHECK)",
    ("proposals", "guidelines"): "JSON list of the format's guideline ids, never free text",
    ("proposals", "subject"): "which setting a change proposal is about",
    ("proposals", "value"): (
        "the proposed new value of that setting (or a format ref, or a list of support "
        "resources for /resources)"
    ),
    ("proposals", "statement"): (
        "the member's own side, which they chose to write for the voters; it lives in the row "
        "keyed to them and is deleted with it when the vote closes"
    ),
    ("proposals", "message_id"): "the bot's own announcement message, not a member's",
    ("proposals", "ballot_message_id"): "the bot's own ballot message, not a member's",
    ("ballots", "key"): "a random key, so a ballot cannot be matched to the voter roll",
    ("ballots", "choice"): "'yes', 'no' or 'abstain'; nothing in the row says who chose it",
    ("business_matters", "id"): "a random opaque id, made for the motion or election",
    ("business_matters", "kind"): "'motion', 'table' or 'election' (CHECK)",
    ("business_matters", "stage"): "the matter's step, one of a few words (CHECK)",
    ("business_matters", "role"): "the format's id for the service role an election is for",
    ("business_matters", "message_id"): "the bot's own motion or election message",
    ("business_matters", "ballot_message_id"): "the bot's own ballot message, not a member's",
    ("business_matters", "result"): "JSON of a decided matter's counts; never who voted how",
    ("business_ballots", "key"): "a random key, so a ballot cannot be matched to the roll",
    ("business_ballots", "choice"): "'yes', 'no', 'abstain' or a candidate's place ('c0' …)",
    ("exclusions", "ends_by"): "a time (the calendar backstop), not someone 'by' whom",
    ("rotation_roles", "role"): "the format's id for a service role, like 'chair' or 'reader'",
    ("event_outbox", "subscriber"): "the name of the code that carries it out, e.g. a method's",
    ("event_outbox", "event"): "the name of the event, like 'MeetingCounted'",
    ("group_schedules", "spec"): "JSON of when the group meets: weekdays, times, zone, dates",
    ("group_schedules", "event_id"): "the bot's own Discord scheduled event, not a member's",
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


def identifier(name: str, what: str) -> str:
    if not _IDENTIFIER.match(name):
        raise RegistryError(f"{what} {name!r} must be a lower-case SQL identifier")
    return name


@lazy_dataclass(frozen=True)
class Link:
    """One step of a scope: ``column`` of the previous table refers to ``table`` (``key``)."""

    column: str
    table: str
    key: str = "id"

    def __post_init__(self) -> None:
        identifier(self.column, "link column")
        identifier(self.table, "link table")
        identifier(self.key, "link key")


@lazy_dataclass(frozen=True)
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


@lazy_dataclass(frozen=True)
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


def keep(because: str, where: str = "TRUE", *, clear: tuple[str, ...] = ()) -> Forget:
    """Rows matching ``where`` stay until they end on their own; ``because`` tells the member.
    Other rows are deleted, or only have the member's ``clear`` columns set to NULL."""
    if not because.strip():
        raise RegistryError("say in plain words why the rows stay")
    return Forget(keep_where=where, because=because, clear=clear)


def clear(*columns: str) -> Forget:
    """Forget-me sets these ``people`` columns to NULL (keeping the row); deletes other rows."""
    return Forget(clear=columns)


@lazy_dataclass(frozen=True)
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
        identifier(self.table, "table")
        if self.table == ROOT_TABLE or self.table in UNSCOPED_TABLES:
            raise RegistryError(f"{self.table!r} is not a group's table")
        for column in (*self.people, *self.mentions):
            identifier(column, "people column")
        if not set(self.forget.clear) <= set(self.people):
            raise RegistryError(f"{self.table}: forget can only clear columns listed in people")
        if self.expires_at is not None:
            identifier(self.expires_at, "expires_at column")
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
