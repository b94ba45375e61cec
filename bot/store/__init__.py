"""Persistence: one SQLite database behind small repositories."""

from __future__ import annotations

from pathlib import Path

from bot.store.db import Database, StoreError
from bot.store.decisions import DecisionRepository
from bot.store.meetings import MeetingRepository
from bot.store.repositories import (
    DeadlineRepository,
    GroupFormatRepository,
    GroupRepository,
    MetaRepository,
)
from bot.store.rotation import RotationRepository

__all__ = ["Database", "Store", "StoreError"]


class Store:
    """The database and its repositories, opened and closed together."""

    def __init__(self, path: Path) -> None:
        self.db = Database(path)
        self.meta = MetaRepository(self.db)
        self.groups = GroupRepository(self.db)
        self.group_formats = GroupFormatRepository(self.db)
        self.deadlines = DeadlineRepository(self.db)
        self.meetings = MeetingRepository(self.db)
        self.decisions = DecisionRepository(self.db)
        self.rotation = RotationRepository(self.db)

    async def open(self) -> int:
        """Open the database and bring its schema up to date; return the schema version."""
        await self.db.open()
        return await self.db.migrate()

    async def close(self) -> None:
        await self.db.close()
