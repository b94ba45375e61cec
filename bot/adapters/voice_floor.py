"""Voice and stage floor control on Discord: the :class:`~bot.runtime.voice_floor.VoiceFloorPort`
with discord.py.

A voice channel's floor is a server mute (``PATCH /guilds/{g}/members/{u}`` with ``mute``); a
stage's is the speaker/audience place (``PATCH /guilds/{g}/voice-states/{u}`` with
``suppress``). Both need **Mute Members**. Members are read from the gateway's voice states, in
memory; bots (the bot itself included) are never managed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import discord

from bot.core.voice_floor import Room, missing_permissions
from bot.errors import DiscordGone
from bot.guild import post_quietly_in, refusals
from bot.i18n import SOURCE, Msg, msg, render
from bot.runtime.languages import GroupLanguages
from bot.runtime.voice_floor import FloorChannel, VoiceMove
from bot.ui.replies import permission_label

AUDIT_REASON = "Meeting floor"

VoiceChannels = discord.VoiceChannel | discord.StageChannel


def _needed(missing: Sequence[str]) -> Msg | str:
    """``**Mute Members**`` (and ``**…**``): Discord's names for the permissions."""
    names = [f"**{permission_label(name)}**" for name in missing]
    needed: Msg | str = names[0] if names else ""
    for name in names[1:]:
        needed = msg("{first} and {then}", first=needed, then=name)
    return needed


def missing_words(room: Room, missing: Sequence[str], locale: str = SOURCE) -> str:
    """What floor control lacks, told in the channel (in the group's language)."""
    if room is Room.STAGE:
        words = msg(
            "I can't manage the stage here: I need the {needed} permission in this channel. "
            "Someone who manages the server can give it to me. Until then, everyone can speak "
            "as usual — please keep the floor for the person sharing.",
            needed=_needed(missing),
        )
    else:
        words = msg(
            "I can't manage the floor in voice here: I need the {needed} permission in this "
            "channel. Someone who manages the server can give it to me. Until then, everyone "
            "can speak as usual — please keep the floor for the person sharing.",
            needed=_needed(missing),
        )
    return render(locale, words)


def voice_move(
    member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
) -> VoiceMove:
    """A gateway voice state update, as floor control sees it."""
    return VoiceMove(
        guild_id=member.guild.id,
        is_bot=member.bot,
        before=None if before.channel is None else before.channel.id,
        after=None if after.channel is None else after.channel.id,
    )


class DiscordVoiceFloor:
    """The voice floor service's port on Discord."""

    def __init__(self, client: discord.Client, languages: GroupLanguages | None = None) -> None:
        self._client = client
        self._languages = languages  # the group's language, for what floor control says

    def _voice_channel(self, channel_id: int) -> VoiceChannels | None:
        channel = self._client.get_channel(channel_id)
        return channel if isinstance(channel, VoiceChannels) else None

    def channel(self, channel_id: int) -> FloorChannel | None:
        channel = self._voice_channel(channel_id)
        if channel is None:
            return None
        kind = Room.STAGE if isinstance(channel, discord.StageChannel) else Room.VOICE
        return FloorChannel(channel.id, channel.guild.id, kind, channel.guild.me is not None)

    def present(self, channel: FloorChannel) -> dict[int, bool]:
        found = self._voice_channel(channel.channel_id)
        if found is None:
            return {}
        return self._silenced(found.guild, found.voice_states, channel.kind)

    def in_voice(self, guild_id: int) -> dict[int, bool]:
        guild = self._client.get_guild(guild_id)
        if guild is None:
            return {}
        states: dict[int, discord.VoiceState] = {}
        for channel in [*guild.voice_channels, *guild.stage_channels]:
            states.update(channel.voice_states)
        return self._silenced(guild, states, Room.VOICE)

    def _silenced(
        self, guild: discord.Guild, states: Mapping[int, discord.VoiceState], kind: Room
    ) -> dict[int, bool]:
        me = self._client.user.id if self._client.user else None
        seen: dict[int, bool] = {}
        for user_id, voice in states.items():
            member = guild.get_member(user_id)
            if user_id == me or (member is not None and member.bot):
                continue
            seen[user_id] = voice.suppress if kind is Room.STAGE else voice.mute
        return seen

    def missing_permissions(self, channel: FloorChannel) -> tuple[str, ...]:
        found = self._voice_channel(channel.channel_id)
        me = None if found is None else found.guild.me
        if found is None or me is None:
            return ()  # not seen: nothing to say yet (the service looks again on a later event)
        granted = {name for name, value in found.permissions_for(me) if value}
        return missing_permissions(granted)

    async def set_silenced(self, channel: FloorChannel, member: int, silenced: bool) -> bool:
        http = self._client.http
        try:
            with refusals("change who may speak"):
                if channel.kind is Room.STAGE:
                    await http.edit_voice_state(
                        channel.guild_id,
                        member,
                        {"channel_id": channel.channel_id, "suppress": silenced},
                    )
                else:
                    await http.edit_member(
                        channel.guild_id, member, mute=silenced, reason=AUDIT_REASON
                    )
        except DiscordGone:
            return False
        except discord.HTTPException:
            return False  # e.g. the member just left voice
        return True

    async def tell_missing(self, channel: FloorChannel, missing: Sequence[str]) -> None:
        languages = self._languages
        locale = SOURCE if languages is None else await languages.of_channel(channel.channel_id)
        words = missing_words(channel.kind, missing, locale)
        await post_quietly_in(self._client, channel.channel_id, channel.guild_id, words)

    def closing(self) -> bool:
        return self._client.is_closed()
