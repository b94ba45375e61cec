"""What the channel rules ask of Discord (:class:`RoomRulesPort`, implemented by
:class:`bot.adapters.room_rules.DiscordRoomRules`), and the facts they are told."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Protocol

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.room_rules import Bits, Holder
from bot.i18n import Msg


@lazy_dataclass(frozen=True)
class RoomPlace:
    """A server channel the bot can see, as its cache shows it (ids in memory only)."""

    channel_id: int
    guild_id: int
    voice: bool  # a voice or stage channel
    bot_id: int


@lazy_dataclass(frozen=True)
class RoomSnapshot:
    """The channel's overwrites and slow mode, as Discord says they are now."""

    overwrites: Mapping[Holder, Bits] = field(default_factory=dict)
    slow_mode: int = 0


class RoomRulesPort(Protocol):
    """What the channel rules ask of Discord. Members are Discord user ids, in memory only."""

    def place(self, channel_id: int) -> RoomPlace | None:
        """The channel, if it is a server channel the bot sees and its own member is known."""

    def members(self, guild_id: int) -> Sequence[int]:
        """The server's members the bot knows of (to find someone behind a coded key)."""

    def newcomers(self, guild_id: int, joined_after: float) -> Sequence[int]:
        """The server's members (not bots) who joined after ``joined_after`` (real Unix time),
        from the member list in memory; to keep them from posting during a raid lock."""

    def missing(self, place: RoomPlace, needed: Sequence[str]) -> tuple[str, ...]:
        """The permissions among ``needed`` (``manage_roles``, ``manage_channels``) the bot lacks
        in the channel."""

    async def read(self, place: RoomPlace) -> RoomSnapshot | None:
        """The channel as Discord has it now (not a cache); None when it is gone."""

    async def set_overwrite(self, place: RoomPlace, holder: Holder, bits: Bits | None) -> None:
        """Set (or, for None, delete) one overwrite. Raises :class:`~bot.errors.DiscordRefused`
        (403) or :class:`~bot.errors.DiscordGone` (the channel, role or member is gone)."""

    async def set_slow_mode(self, place: RoomPlace, seconds: int) -> None:
        """Set the channel's slow mode. Raises as :meth:`set_overwrite` does."""

    async def post(self, place: RoomPlace, text: Msg) -> None:
        """Post in the channel, in the group's language, pinging nobody (nothing happens if
        Discord refuses)."""

    async def announce(
        self, place: RoomPlace, text: Msg, buttons: Sequence[tuple[str, Msg]]
    ) -> None:
        """Post in the channel with buttons, in the group's language, pinging nobody: each
        button is (its action, as :mod:`bot.ui.raid_lock` routes it, e.g. ``lift`` or
        ``hand:<n>:lift``; its label)."""

    async def tell(self, place: RoomPlace, user_id: int, text: Msg) -> bool:
        """A private word (a DM, in the group's language: there is no member locale to go by);
        False if it could not be delivered."""

    def closing(self) -> bool:
        """The bot is shutting down (failures now are expected)."""
