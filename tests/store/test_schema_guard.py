"""The schema guard: no column can hold a person unless it is declared or reviewed as safe.

The real schema (every bundled migration, every repository module imported) must pass; each
kind of mistake a new migration could make must be caught, so the guard is shown to fail too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import bot.app  # noqa: F401 - imports every module that registers a table
from bot.store import Store
from bot.store.db import Database, parse_migrations
from bot.store.privacy import (
    REGISTRY,
    SAFE_COLUMNS,
    UNSCOPED_TABLES,
    KeptTable,
    Link,
    Registry,
    RegistryError,
    clear,
    in_group,
    keep,
    predicate_problems,
    read_schema,
    schema_problems,
    through,
)

GROUPS = """
CREATE TABLE groups (
    id INTEGER PRIMARY KEY, guild_id INTEGER NOT NULL, channel_id INTEGER NOT NULL,
    member_role_id INTEGER, meetings_held INTEGER NOT NULL DEFAULT 0
) STRICT;
"""


async def test_the_real_schema_passes(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    try:
        schema = await read_schema(store.db)
        assert schema_problems(schema) == []
        assert await predicate_problems(store.db) == []
        # Every table is accounted for: the root, the unscoped few, or registered.
        assert set(schema) == {"groups", *UNSCOPED_TABLES, *(entry.table for entry in REGISTRY)}
    finally:
        await store.close()


def test_the_allow_list_is_short_and_every_entry_says_why() -> None:
    assert len(SAFE_COLUMNS) <= 40, "the allow-list is for exceptions; rethink the schema"
    for where, why in SAFE_COLUMNS.items():
        assert len(why.split()) >= 4, where


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "guard.sqlite3")
    await database.open()
    yield database
    await database.close()


async def problems_with(
    db: Database, sql: str, *entries: KeptTable, safe: dict[tuple[str, str], str] | None = None
) -> list[str]:
    await db.migrate(parse_migrations([("0001_groups.sql", GROUPS), ("0002_new.sql", sql)]))
    registry = Registry(entries)
    found = schema_problems(await read_schema(db), registry, safe=safe or {}, unscoped={})
    return found + await predicate_problems(db, registry)


def notes(**fields: object) -> KeptTable:
    arguments: dict[str, object] = {
        "table": "notes",
        "one": "note",
        "many": "notes",
        "until": "deleted soon",
        "scope": in_group("group_id"),
    }
    arguments.update(fields)
    return KeptTable(**arguments)  # type: ignore[arg-type]


NOTES = "CREATE TABLE notes (id INTEGER PRIMARY KEY, "
FK = "group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE"


async def test_a_well_declared_table_passes(db: Database) -> None:
    sql = (
        NOTES + FK + ", holder TEXT NOT NULL, helper TEXT, channel_id INTEGER, "
        "chair_role_id INTEGER, due REAL, label TEXT)"
    )
    safe = {("notes", "label"): "a word chosen by the code"}
    entry = notes(
        people=("holder", "helper"),
        forget=keep("it ends soon", where="due > :now AND holder = :member", clear=("helper",)),
        expires_at="due",
    )
    assert await problems_with(db, sql + ";", entry, safe=safe) == []


@pytest.mark.parametrize(
    ("column", "hint"),
    [
        ("user_id INTEGER", "notes.user_id"),  # a raw Discord id of a person
        ("author_id INTEGER", "notes.author_id"),
        ("created_by INTEGER", "about a person (by)"),
        ("message_id INTEGER", "notes.message_id"),  # a member's message leads to them
        ("reply_to_id INTEGER", "could hold a Discord id"),
        ("nickname TEXT", "could hold free text"),
        ("volunteer TEXT", "undeclared coded key"),  # a pseudonym nobody registered
        ("body BLOB", "notes.body (BLOB)"),
        ("whatever ANY", "notes.whatever"),
        ("untyped", "untyped"),
    ],
)
async def test_a_column_that_could_hold_a_person_fails(
    db: Database, column: str, hint: str
) -> None:
    found = await problems_with(db, NOTES + FK + f", {column}) ;", notes())
    assert any(hint in problem for problem in found), found


async def test_an_unregistered_table_fails(db: Database) -> None:
    found = await problems_with(db, NOTES + FK + ");")
    assert any("table notes is not registered" in problem for problem in found), found


@pytest.mark.parametrize(
    ("sql", "entry", "hint"),
    [
        (  # the link exists but doesn't cascade: leaving a server would leave these rows
            NOTES + "group_id INTEGER REFERENCES groups (id));",
            notes(),
            "ON DELETE CASCADE",
        ),
        (NOTES + "group_id INTEGER);", notes(), "ON DELETE CASCADE"),  # no foreign key at all
        (NOTES + FK + ", holder INTEGER);", notes(people=("holder",)), "is not TEXT"),
        (NOTES + FK + ");", notes(people=("holder",)), "doesn't exist"),
        (
            NOTES + FK + ", holder TEXT NOT NULL);",
            notes(people=("holder",), forget=clear("holder")),
            "must allow NULL",
        ),
        (NOTES + FK + ", due TEXT);", notes(expires_at="due"), "REAL column of time"),
        (
            NOTES + FK + ", holder TEXT);",
            notes(people=("holder",), forget=keep("in force", where="no_such_column = 1")),
            "keep predicate is not valid",
        ),
        (
            "CREATE TABLE other (id INTEGER PRIMARY KEY);",
            notes(),
            "registered but there is no such table",
        ),
        (  # a two-step path whose middle table is missing
            NOTES + "parent_id INTEGER REFERENCES parents (id) ON DELETE CASCADE);",
            notes(scope=through(Link("parent_id", "parents"), Link("group_id", "groups"))),
            "not found",
        ),
    ],
)
async def test_a_wrong_declaration_fails(
    db: Database, sql: str, entry: KeptTable, hint: str
) -> None:
    found = await problems_with(db, sql, entry)
    assert any(hint in problem for problem in found), found


async def test_a_stale_allow_list_entry_fails(db: Database) -> None:
    found = await problems_with(db, NOTES + FK + ");", notes(), safe={("notes", "gone"): "why"})
    assert any("SAFE_COLUMNS lists notes.gone" in problem for problem in found), found


def test_registrations_that_cannot_be_right_are_refused() -> None:
    with pytest.raises(RegistryError, match="must end at"):
        through(Link("parent_id", "parents"))
    with pytest.raises(RegistryError, match="identifier"):
        notes(table="notes; DROP TABLE groups")
    with pytest.raises(RegistryError, match="only clear columns listed in people"):
        notes(people=("holder",), forget=clear("other"))
    with pytest.raises(RegistryError, match="need people or mentions"):
        notes(forget=keep("because"))
    with pytest.raises(RegistryError, match="plain words"):
        notes(one=" ")
    with pytest.raises(RegistryError, match="not a group's table"):
        notes(table="groups")
    registry = Registry([notes()])
    registry.register(notes())  # the same declaration twice is harmless
    with pytest.raises(RegistryError, match="already registered differently"):
        registry.register(notes(until="never"))
