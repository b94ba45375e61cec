"""What Peer Circle keeps, declared once per table: the registry behind ``/privacy``.

Every table that holds anything belonging to a group — and above all anything keyed by a
member's pseudonym — is declared once, by the repository module that owns it. From these
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
In the repository module that owns the table (the one with its SQL), at module level; a new
repository module is imported by bot/store/__init__.py, so the registry is complete whenever the
store is imported (``/privacy`` lists the tables in that import order). Worked examples:
bot/store/rotation.py, bot/store/decisions.py (concerns, proposals, voters, ballots,
exclusions …), bot/store/meetings.py::

    from bot.store.privacy import KeptTable, in_group, keep, register

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
  ``forget=keep(...)`` and its feature drops the member itself (``MemberForgotten``, below).
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
``await privacy.retention.delete_at("group_formats", {"id": 7}, at)``
(bot/runtime/privacy.py).
A feature that keeps something about a member in memory (a raised hand) subscribes a handler
to the ``MemberForgotten`` event in ``bot/wiring.py`` to drop it when the member uses forget-me.

The package: :mod:`~bot.store.privacy.registry` (the declarations and the reviewed lists),
:mod:`~bot.store.privacy.guard` (the schema read back and checked) and
:mod:`~bot.store.privacy.queries` (:class:`PersonalData`, the SQL generated from the registry).
"""

from __future__ import annotations

from bot.store.privacy.guard import (
    Column,
    ForeignKey,
    Schema,
    Table,
    column_problem,
    predicate_problems,
    read_schema,
    schema_problems,
)
from bot.store.privacy.queries import Count, GroupTotals, MemberRows, PersonalData
from bot.store.privacy.registry import (
    DELETE,
    PERSONISH,
    PLACE_COLUMNS,
    REGISTRY,
    ROOT_TABLE,
    SAFE_COLUMNS,
    UNSCOPED_TABLES,
    Forget,
    KeptTable,
    Link,
    Registry,
    RegistryError,
    Scope,
    clear,
    in_group,
    keep,
    register,
    through,
)

__all__ = [
    "DELETE",
    "PERSONISH",
    "PLACE_COLUMNS",
    "REGISTRY",
    "ROOT_TABLE",
    "SAFE_COLUMNS",
    "UNSCOPED_TABLES",
    "Column",
    "Count",
    "ForeignKey",
    "Forget",
    "GroupTotals",
    "KeptTable",
    "Link",
    "MemberRows",
    "PersonalData",
    "Registry",
    "RegistryError",
    "Schema",
    "Scope",
    "Table",
    "clear",
    "column_problem",
    "in_group",
    "keep",
    "predicate_problems",
    "read_schema",
    "register",
    "schema_problems",
    "through",
]
