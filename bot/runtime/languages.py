"""A group's language: what the bot says in its channel is in it.

It is the group's own decision if it made one (the ``language`` row of ``group_settings``,
written by a passed ``/propose change``), else its format's ``language:`` key; English when the
bot has no catalogue for it (bot/i18n). A member's private replies may differ: see
``bot.ui.locale``.
"""

from __future__ import annotations

from bot.core.formats import FormatError
from bot.errors import PeerCircleError
from bot.i18n import SOURCE, group_locale
from bot.runtime.formats import FormatLibrary
from bot.store import Store
from bot.store.groups import GroupRecord

#: The group decision's name for its language (``group_settings.name``).
SETTING_NAME = "language"


class GroupLanguages:
    def __init__(self, *, store: Store, formats: FormatLibrary) -> None:
        self._store = store
        self._formats = formats

    async def of_group(self, group: GroupRecord) -> str:
        """The language of everything the bot posts in this group's channel."""
        decided = (await self._store.decisions.settings(group.id)).get(SETTING_NAME)
        if decided:
            return group_locale(decided)
        try:
            plan = await self._formats.current(group)
        except (FormatError, PeerCircleError):
            return SOURCE  # its format can't be read: the reason is said elsewhere, in English
        return group_locale(plan.language)

    async def of_channel(self, channel_id: int | None) -> str:
        """The language of the group meeting in this channel (English where none meets)."""
        if channel_id is None:
            return SOURCE
        group = await self._store.groups.by_channel(channel_id)
        return SOURCE if group is None else await self.of_group(group)
