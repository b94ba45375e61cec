"""What voice floor control asks of Discord (:class:`VoiceFloorPort`, implemented by
:class:`bot.adapters.voice_floor.DiscordVoiceFloor`), and the facts it is told."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.voice_floor import Room


@lazy_dataclass(frozen=True)
class FloorChannel:
    """A voice or stage channel as Discord shows it now."""

    channel_id: int
    guild_id: int
    kind: Room
    bot_known: bool  # the bot's own member in the server is known (else: look again later)


@lazy_dataclass(frozen=True)
class VoiceMove:
    """A member connected, moved or disconnected (a gateway voice state update)."""

    guild_id: int
    is_bot: bool
    before: int | None  # the voice channel they were in
    after: int | None  # the voice channel they are in now


class VoiceFloorPort(Protocol):
    """What floor control asks of Discord. Members are Discord user ids, in memory only."""

    def channel(self, channel_id: int) -> FloorChannel | None:
        """The voice or stage channel with this id; None for a text channel or one not seen."""

    def present(self, channel: FloorChannel) -> dict[int, bool]:
        """The members in the channel (never bots, never the bot) and whether each is silenced
        now: server-muted in voice, in the audience on a stage."""

    def in_voice(self, guild_id: int) -> dict[int, bool]:
        """Every member connected to any voice or stage channel of the server (never bots), and
        whether each is server-muted: where a server mute can be given back."""

    def missing_permissions(self, channel: FloorChannel) -> tuple[str, ...]:
        """The permissions floor control needs that the bot lacks in the channel."""

    async def set_silenced(self, channel: FloorChannel, member: int, silenced: bool) -> bool:
        """Mute or unmute a member (voice), or move them to the audience or the stage (stage).
        False if it didn't happen (e.g. they just left voice); raises
        :class:`~bot.errors.DiscordRefused` when Discord refuses (a missing permission)."""

    async def tell_missing(self, channel: FloorChannel, missing: Sequence[str]) -> None:
        """Tell the group, in the channel, which permissions floor control lacks."""

    def closing(self) -> bool:
        """The bot is shutting down (failures now are expected)."""
