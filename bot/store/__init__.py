"""Persistence: one database behind small repositories: SQLite in ``DATA_DIR`` (the default), or
PostgreSQL when ``DATABASE_URL`` is set (:mod:`bot.store.postgres`, the same repositories and
migrations; :func:`store_for` chooses, called from the composition root).

All SQL lives in the repository modules, one per aggregate (``?`` parameters only): meta,
groups, group_formats, deadlines, meetings, decisions (with decision_rows), rotation,
event_outbox; the privacy registry and the SQL generated from it are in
:mod:`bot.store.privacy`. A later feature adds its
own repository module and a migration; cogs never see SQL.

Each repository module declares its tables to the privacy registry when it is imported, and this
package imports them all, so the registry is complete whenever the store is imported. ``/privacy``
lists the tables in the order they were declared, i.e. in the order of the imports below.
"""

from __future__ import annotations

from pathlib import Path

from bot.store.db import Database, StoreError
from bot.store.deadlines import DeadlineRepository
from bot.store.meta import MetaRepository

# The order in which the tables are declared, and so listed by /privacy:
# isort: off
from bot.store.group_formats import GroupFormatRepository
from bot.store.groups import GroupRepository
from bot.store.meetings import MeetingRepository
from bot.store.decisions import DecisionRepository
from bot.store.rotation import RotationRepository
from bot.store.event_outbox import EventOutboxRepository
from bot.store.voice_floor import FloorPlanRepository
from bot.store.room_rules import RoomPlanRepository
from bot.store.business import BusinessRepository
from bot.store.welcomes import WelcomeRepository
from bot.store.schedules import ScheduleRepository

# isort: on

__all__ = ["Database", "Store", "StoreError", "store_for"]


class Store:
    """The database and its repositories, opened and closed together."""

    def __init__(self, where: Path | Database) -> None:
        """``where``: the SQLite file, or a database already made (PostgreSQL: DATABASE_URL)."""
        self.db = where if isinstance(where, Database) else Database(where)
        self.meta = MetaRepository(self.db)
        self.groups = GroupRepository(self.db)
        self.group_formats = GroupFormatRepository(self.db)
        self.deadlines = DeadlineRepository(self.db)
        self.meetings = MeetingRepository(self.db)
        self.decisions = DecisionRepository(self.db)
        self.rotation = RotationRepository(self.db)
        self.event_outbox = EventOutboxRepository(self.db)
        self.floor_plans = FloorPlanRepository(self.db)
        self.room_plans = RoomPlanRepository(self.db)
        self.business = BusinessRepository(self.db)
        self.welcomes = WelcomeRepository(self.db)
        self.schedules = ScheduleRepository(self.db)

    async def open(self) -> int:
        """Open the database and bring its schema up to date; return the schema version."""
        await self.db.open()
        return await self.db.migrate()

    async def close(self) -> None:
        await self.db.close()


def store_for(database_url: str | None, sqlite_path: Path) -> Store:
    """The store the settings ask for: PostgreSQL when ``DATABASE_URL`` is set, else SQLite."""
    if database_url:
        from bot.store.postgres import PostgresDatabase

        return Store(PostgresDatabase(database_url))
    return Store(sqlite_path)
