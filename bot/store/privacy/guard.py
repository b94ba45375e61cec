"""The schema guard: the live database's tables and columns, read back and checked against the
registry, so no column can hold a person unless it is declared or reviewed as safe."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Mapping, Sequence

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.store.db import Database
from bot.store.privacy.queries import named
from bot.store.privacy.registry import (
    PERSONISH,
    PLACE_COLUMNS,
    REGISTRY,
    ROOT_TABLE,
    SAFE_COLUMNS,
    UNSCOPED_TABLES,
    KeptTable,
    Registry,
)


@lazy_dataclass(frozen=True)
class Column:
    name: str
    type: str  # upper case, as declared ('' when untyped)
    primary_key: bool
    not_null: bool = False


@lazy_dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    key: str
    on_delete: str  # upper case, e.g. 'CASCADE'


@lazy_dataclass(frozen=True)
class Table:
    name: str
    columns: Mapping[str, Column]
    foreign_keys: tuple[ForeignKey, ...]


Schema = Mapping[str, Table]


#: PostgreSQL's names for the column types, as SQLite's (the rules below read those).
_PG_TYPES = {"bigint": "INTEGER", "integer": "INTEGER", "double precision": "REAL", "text": "TEXT"}
_PG_ON_DELETE = {"c": "CASCADE", "a": "NO ACTION", "r": "RESTRICT", "n": "SET NULL"}


async def _read_postgres_schema(db: Database) -> dict[str, Table]:
    schema: dict[str, Table] = {}
    names = await db.fetchall(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' AND table_name != 'schema_version' ORDER BY table_name"
    )
    for (name,) in names:
        keyed = {
            str(row[0])
            for row in await db.fetchall(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = to_regclass(?) AND i.indisprimary",
                (name,),
            )
        }
        columns = {
            str(row[0]): Column(
                str(row[0]), _PG_TYPES.get(str(row[1]), str(row[1]).upper()), row[0] in keyed,
                row[2] == "NO",
            )
            for row in await db.fetchall(
                "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = ? "
                "ORDER BY ordinal_position",
                (name,),
            )
        }  # fmt: skip
        keys = tuple(
            ForeignKey(str(row[0]), str(row[1]), str(row[2]), _PG_ON_DELETE.get(str(row[3]), ""))
            for row in await db.fetchall(
                "SELECT a.attname, p.relname, af.attname, c.confdeltype::text FROM pg_constraint c "
                "JOIN pg_class p ON p.oid = c.confrelid "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                "JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1] "
                "WHERE c.contype = 'f' AND c.conrelid = to_regclass(?)",
                (name,),
            )
        )
        schema[str(name)] = Table(str(name), columns, keys)
    return schema


async def read_schema(db: Database) -> dict[str, Table]:
    """Every table of the live database, with its columns and foreign keys."""
    if db.backend == "postgresql":
        return await _read_postgres_schema(db)
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
                f"table {name} is not registered (see bot/store/privacy/__init__.py): /privacy, "
                "forget-me and leaving a server cannot see it"
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


def _postgres_errors() -> tuple[type[Exception], ...]:
    """PostgreSQL's errors, if its driver is loaded: asyncpg is imported only with a
    PostgreSQL ``DATABASE_URL`` (issue 18), and without it none of its errors can happen."""
    driver = sys.modules.get("asyncpg")
    return () if driver is None else (driver.PostgresError,)


async def predicate_problems(db: Database, registry: Registry = REGISTRY) -> list[str]:
    """Each ``keep`` predicate must be valid SQL over its table (checked with EXPLAIN)."""
    problems = []
    errors: tuple[type[Exception], ...] = (sqlite3.Error, *_postgres_errors())
    for entry in registry:
        if entry.forget.keep_where is None:
            continue
        sql = f"EXPLAIN SELECT 1 FROM {entry.table} WHERE ({entry.forget.keep_where})"  # noqa: S608 - registered identifiers
        try:
            await db.fetchall(sql, named({"member": "", "now": 0.0}))
        except errors as exc:
            problems.append(f"{entry.table}: the keep predicate is not valid ({exc})")
    return problems
