"""Live business meetings: the motion, ballot and election buttons (:mod:`bot.ui.business`)
and, once connected after a start, what a crash left unshown (:meth:`BusinessService.resume`).
No slash commands: everything happens on the meeting's own messages."""

from __future__ import annotations

import asyncio
import logging

from discord.ext import commands

from bot.app import PeerCircle
from bot.ui.business import DYNAMIC_ITEMS

log = logging.getLogger(__name__)


class Business(commands.Cog):
    def __init__(self, bot: PeerCircle) -> None:
        self.bot = bot
        self.service = bot.services.business
        self._resume: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        if self.bot.serve:
            self._resume = asyncio.create_task(self._resume_when_ready())

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        if self._resume is not None:
            self._resume.cancel()

    async def _resume_when_ready(self) -> None:
        await self.bot.wait_until_ready()
        try:
            await self.service.resume()
        except Exception:
            log.exception("Could not resume the business meetings' ballots")


async def setup(bot: PeerCircle) -> None:
    await bot.add_cog(Business(bot))
