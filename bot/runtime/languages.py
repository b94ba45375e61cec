"""A group's language: what the bot says in its channel is in it.

It is the group's own decision if it made one (the ``language`` row of ``group_settings``,
written by a passed ``/propose change``), else its format's ``language:`` key; English when the
bot has no catalogue for it (bot/i18n). A member's private replies may differ: see
``bot.ui.locale``.
"""

from __future__ import annotations

from bot.errors import PeerCircleError
from bot.i18n import SOURCE, group_locale
from bot.runtime.formats import FormatLibrary
from bot.store import Store
from bot.store.groups import GroupRecord

#: The group decision's name for its language (``group_settings.name``).
SETTING_NAME = "language"


#: How many groups' languages are remembered (a bot serves few groups; this only bounds it).
REMEMBERED = 1024


class GroupLanguages:
    """Each press and each post asks for a language, so the answer is remembered per group,
    keyed on what decides it — the group, its format and its own ``language`` setting — so a new
    format or a passed decision is seen at once (an uploaded format is never edited in place:
    a new upload gets a new reference)."""

    def __init__(self, *, store: Store, formats: FormatLibrary) -> None:
        self._store = store
        self._formats = formats
        self._known: dict[tuple[int, str, str], str] = {}

    async def of_group(self, group: GroupRecord) -> str:
        """The language of everything the bot posts in this group's channel."""
        decided = (await self._store.decisions.settings(group.id)).get(SETTING_NAME) or ""
        key = (group.id, group.format_id, decided)
        known = self._known.get(key)
        if known is not None:
            return known
        if decided:
            found = group_locale(decided)
        else:
            try:
                plan = await self._formats.current(group)
            except PeerCircleError:  # current() says a FormatError as InvalidInput
                return SOURCE  # its format can't be read: the reason is said elsewhere
            found = group_locale(plan.language)
        if len(self._known) >= REMEMBERED:
            self._known.clear()
        self._known[key] = found
        return found

    async def of_channel(self, channel_id: int | None) -> str:
        """The language of the group meeting in this channel (English where none meets)."""
        if channel_id is None:
            return SOURCE
        group = await self._store.groups.by_channel(channel_id)
        return SOURCE if group is None else await self.of_group(group)
