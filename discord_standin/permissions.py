"""Discord permission bits and the documented permission-computation algorithm.

Names follow discord.py's ``Permissions`` attribute names (``view_channel``, ``connect``...)
so tests can say ``bot_permissions={"view_channel", "send_messages"}``. The algorithm is the
one in Discord's "Permissions" topic: base permissions from @everyone and the member's roles
(administrator or ownership grants everything), then the channel's @everyone overwrite, the
role overwrites (all denies, then all allows), then the member's own overwrite, then implicit
permissions (no View Channel means nothing; no Send Messages drops the dependent text bits;
no Connect drops the dependent voice bits).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PERMISSION_BITS: dict[str, int] = {
    "create_instant_invite": 1 << 0,
    "kick_members": 1 << 1,
    "ban_members": 1 << 2,
    "administrator": 1 << 3,
    "manage_channels": 1 << 4,
    "manage_guild": 1 << 5,
    "add_reactions": 1 << 6,
    "view_audit_log": 1 << 7,
    "priority_speaker": 1 << 8,
    "stream": 1 << 9,
    "view_channel": 1 << 10,
    "send_messages": 1 << 11,
    "send_tts_messages": 1 << 12,
    "manage_messages": 1 << 13,
    "embed_links": 1 << 14,
    "attach_files": 1 << 15,
    "read_message_history": 1 << 16,
    "mention_everyone": 1 << 17,
    "use_external_emojis": 1 << 18,
    "view_guild_insights": 1 << 19,
    "connect": 1 << 20,
    "speak": 1 << 21,
    "mute_members": 1 << 22,
    "deafen_members": 1 << 23,
    "move_members": 1 << 24,
    "use_voice_activation": 1 << 25,
    "change_nickname": 1 << 26,
    "manage_nicknames": 1 << 27,
    "manage_roles": 1 << 28,
    "manage_webhooks": 1 << 29,
    "manage_expressions": 1 << 30,
    "use_application_commands": 1 << 31,
    "request_to_speak": 1 << 32,
    "manage_events": 1 << 33,
    "manage_threads": 1 << 34,
    "create_public_threads": 1 << 35,
    "create_private_threads": 1 << 36,
    "use_external_stickers": 1 << 37,
    "send_messages_in_threads": 1 << 38,
    "use_embedded_activities": 1 << 39,
    "moderate_members": 1 << 40,
    "view_creator_monetization_analytics": 1 << 41,
    "use_soundboard": 1 << 42,
    "create_expressions": 1 << 43,
    "create_events": 1 << 44,
    "use_external_sounds": 1 << 45,
    "send_voice_messages": 1 << 46,
    "send_polls": 1 << 49,
    "use_external_apps": 1 << 50,
}

ALL_PERMISSIONS = 0
for _bit in PERMISSION_BITS.values():
    ALL_PERMISSIONS |= _bit

ADMINISTRATOR = PERMISSION_BITS["administrator"]
VIEW_CHANNEL = PERMISSION_BITS["view_channel"]
SEND_MESSAGES = PERMISSION_BITS["send_messages"]
CONNECT = PERMISSION_BITS["connect"]
MANAGE_ROLES = PERMISSION_BITS["manage_roles"]

# Bits that only make sense when the member can send messages in the channel.
_TEXT_DEPENDENT = (
    PERMISSION_BITS["send_tts_messages"]
    | PERMISSION_BITS["mention_everyone"]
    | PERMISSION_BITS["embed_links"]
    | PERMISSION_BITS["attach_files"]
    | PERMISSION_BITS["send_polls"]
    | PERMISSION_BITS["send_voice_messages"]
)
# Bits that only make sense when the member can connect to the voice channel.
_VOICE_DEPENDENT = (
    PERMISSION_BITS["speak"]
    | PERMISSION_BITS["stream"]
    | PERMISSION_BITS["use_voice_activation"]
    | PERMISSION_BITS["priority_speaker"]
    | PERMISSION_BITS["mute_members"]
    | PERMISSION_BITS["deafen_members"]
    | PERMISSION_BITS["move_members"]
    | PERMISSION_BITS["request_to_speak"]
    | PERMISSION_BITS["use_soundboard"]
    | PERMISSION_BITS["use_embedded_activities"]
)

# What a new server's @everyone role gets (Discord's defaults for a fresh server).
DEFAULT_EVERYONE_PERMISSIONS = 0
for _name in (
    "create_instant_invite",
    "add_reactions",
    "stream",
    "view_channel",
    "send_messages",
    "send_tts_messages",
    "embed_links",
    "attach_files",
    "read_message_history",
    "mention_everyone",
    "use_external_emojis",
    "connect",
    "speak",
    "use_voice_activation",
    "change_nickname",
    "use_application_commands",
    "request_to_speak",
    "create_public_threads",
    "create_private_threads",
    "use_external_stickers",
    "send_messages_in_threads",
    "use_embedded_activities",
    "use_soundboard",
    "use_external_sounds",
    "send_voice_messages",
    "send_polls",
    "use_external_apps",
):
    DEFAULT_EVERYONE_PERMISSIONS |= PERMISSION_BITS[_name]

# What the fake's bot role gets unless a test says otherwise: what Peer Circle's invite asks
# for (no Administrator).
DEFAULT_BOT_PERMISSIONS = 0
for _name in (
    "view_channel",
    "send_messages",
    "send_messages_in_threads",
    "embed_links",
    "attach_files",
    "read_message_history",
    "add_reactions",
    "use_external_emojis",
    "manage_messages",
    "manage_roles",
    "manage_channels",
    "connect",
    "speak",
    "mute_members",
    "move_members",
):
    DEFAULT_BOT_PERMISSIONS |= PERMISSION_BITS[_name]


def permission_value(permissions: int | str | Iterable[str]) -> int:
    """Turn an int, a decimal string (Discord's wire form) or permission names into bits."""
    if isinstance(permissions, int):
        return permissions
    if isinstance(permissions, str):
        return int(permissions)
    value = 0
    for name in permissions:
        try:
            value |= PERMISSION_BITS[name]
        except KeyError:
            raise ValueError(f"unknown permission name {name!r}") from None
    return value


def permission_names(value: int) -> set[str]:
    """The names of the bits set in ``value``."""
    return {name for name, bit in PERMISSION_BITS.items() if value & bit}


@dataclass
class Overwrite:
    """A channel permission overwrite: ``type`` 0 is a role, 1 a member."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


def base_permissions(
    *,
    everyone_permissions: int,
    role_permissions: Iterable[int],
    is_owner: bool,
) -> int:
    """Guild-level permissions of a member (before channel overwrites)."""
    if is_owner:
        return ALL_PERMISSIONS
    value = everyone_permissions
    for role_value in role_permissions:
        value |= role_value
    if value & ADMINISTRATOR:
        return ALL_PERMISSIONS
    return value


def channel_permissions(
    base: int,
    *,
    guild_id: int,
    member_id: int,
    member_role_ids: Iterable[int],
    overwrites: Mapping[int, Overwrite],
    voice_channel: bool,
) -> int:
    """Apply a channel's overwrites and the implicit permissions to ``base``."""
    if base & ADMINISTRATOR:
        return ALL_PERMISSIONS
    value = base
    everyone = overwrites.get(guild_id)
    if everyone is not None:
        value = (value & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member_role_ids:
        overwrite = overwrites.get(role_id)
        if overwrite is not None and overwrite.type == 0:
            allow |= overwrite.allow
            deny |= overwrite.deny
    value = (value & ~deny) | allow
    own = overwrites.get(member_id)
    if own is not None and own.type == 1:
        value = (value & ~own.deny) | own.allow
    if not value & VIEW_CHANNEL:
        return 0
    if not value & SEND_MESSAGES:
        value &= ~_TEXT_DEPENDENT
    if voice_channel and not value & CONNECT:
        value &= ~_VOICE_DEPENDENT
    return value
