"""The fake's world: users, guilds, roles, channels, members, voice states, messages,
interactions and registered commands, with Discord-shaped JSON payloads for each.

Everything here is plain data plus lookups that raise the ``DiscordError`` Discord would
return (10003 Unknown Channel, 10007 Unknown Member...). No I/O.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from . import errors
from .permissions import (
    ADMINISTRATOR,
    Overwrite,
    base_permissions,
    channel_permissions,
)
from .snowflake import SnowflakeGenerator, iso_now

JSON = dict[str, Any]

TEXT, DM, VOICE, CATEGORY, ANNOUNCEMENT, STAGE = 0, 1, 2, 4, 5, 13
GUILD_CHANNEL_TYPES = frozenset({TEXT, VOICE, CATEGORY, ANNOUNCEMENT, STAGE})
VOICE_TYPES = frozenset({VOICE, STAGE})


@dataclass
class User:
    """A Discord user (a simulated person or the bot itself)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    accepts_dms: bool = True
    """False simulates "Allow direct messages from server members" turned off: DMs get 50007."""
    locale: str = "en-US"
    """The language the person chose in Discord: sent as ``locale`` with each interaction."""

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
            "collectibles": None,
            "primary_guild": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class Role:
    """A guild role; the @everyone role has the guild's id."""

    id: int
    guild_id: int
    name: str
    permissions: int
    position: int
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class Channel:
    """A guild channel (text 0, voice 2, category 4, announcement 5, stage 13) or a DM (1)."""

    id: int
    type: int
    name: str | None
    guild_id: int | None
    position: int = 0
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    topic: str | None = None
    parent_id: int | None = None
    user_limit: int = 0
    bitrate: int = 64000
    nsfw: bool = False
    rate_limit_per_user: int = 0
    last_message_id: int | None = None
    recipient: User | None = None

    @property
    def is_voice(self) -> bool:
        return self.type in VOICE_TYPES

    def payload(self) -> JSON:
        if self.type == DM:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": _opt_id(self.last_message_id),
                "flags": 0,
                "recipients": [self.recipient.payload()],
            }
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [o.payload() for o in self.overwrites.values()],
            "parent_id": _opt_id(self.parent_id),
            "nsfw": self.nsfw,
            "flags": 0,
        }
        if self.type != CATEGORY:
            data["last_message_id"] = _opt_id(self.last_message_id)
            data["rate_limit_per_user"] = self.rate_limit_per_user
        if self.type in (TEXT, ANNOUNCEMENT, STAGE):
            data["topic"] = self.topic
        if self.is_voice:
            data.update(
                bitrate=self.bitrate,
                user_limit=self.user_limit,
                rtc_region=None,
                video_quality_mode=1,
            )
        return data


@dataclass
class Member:
    """A user's membership in one guild."""

    guild_id: int
    user: User
    roles: list[int]
    joined_at: str
    nick: str | None = None
    mute: bool = False
    deaf: bool = False
    pending: bool = False
    communication_disabled_until: str | None = None

    def payload(self, *, with_user: bool = True) -> JSON:
        data: JSON = {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": self.deaf,
            "mute": self.mute,
            "flags": 0,
            "pending": self.pending,
            "communication_disabled_until": self.communication_disabled_until,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass
class VoiceState:
    guild_id: int
    user_id: int
    channel_id: int | None
    session_id: str
    self_mute: bool = False
    self_deaf: bool = False
    suppress: bool = False
    request_to_speak_timestamp: str | None = None
    self_video: bool = False  # a camera on (needs Video, STREAM, in the channel)
    self_stream: bool = False  # a screen shared ("Go Live"; needs Video too)

    def payload(self, member: Member | None, *, with_guild: bool = True) -> JSON:
        data: JSON = {
            "channel_id": _opt_id(self.channel_id),
            "user_id": str(self.user_id),
            "session_id": self.session_id,
            "deaf": member.deaf if member else False,
            "mute": member.mute if member else False,
            "self_deaf": self.self_deaf,
            "self_mute": self.self_mute,
            "self_stream": self.self_stream,
            "self_video": self.self_video,
            "suppress": self.suppress,
            "request_to_speak_timestamp": self.request_to_speak_timestamp,
        }
        if member is not None:
            data["member"] = member.payload()
        if with_guild:
            data["guild_id"] = str(self.guild_id)
        return data


@dataclass
class Guild:
    """A server. ``roles[id]`` holds @everyone under the guild's own id."""

    id: int
    name: str
    owner_id: int
    bot_role_id: int
    joined_at: str
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    voice_states: dict[int, VoiceState] = field(default_factory=dict)
    #: Guild scheduled events by id, as Discord returns them (rest_guilds.py).
    scheduled_events: dict[int, JSON] = field(default_factory=dict)
    preferred_locale: str = "en-US"

    @property
    def everyone_role(self) -> Role:
        return self.roles[self.id]

    @property
    def owner(self) -> Member:
        return self.members[self.owner_id]

    def payload(self) -> JSON:
        """The guild object as GET /guilds/{id} returns it."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "widget_channel_id": None,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.preferred_locale,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw_level": 0,
            "nsfw": False,
            "incidents_data": None,
        }


@dataclass
class StoredMessage:
    """A message as the fake keeps it: the REST-shaped ``data`` plus bookkeeping."""

    data: JSON
    channel_id: int
    guild_id: int | None
    author_id: int
    ephemeral_for: int | None = None
    deleted: bool = False
    ready_at: float = 0.0
    """Monotonic time at which the bot has the HTTP response that created it (for clicks)."""

    @property
    def id(self) -> int:
        return int(self.data["id"])


@dataclass
class InteractionCallback:
    """What the bot answered to an interaction: the callback ``type`` and its ``data``."""

    type: int
    data: JSON | None


@dataclass
class InteractionRecord:
    id: int
    token: str
    type: int
    guild_id: int | None
    channel_id: int
    user_id: int
    payload: JSON
    created_at: float = field(default_factory=time.monotonic)
    source_message_id: int | None = None
    callback: InteractionCallback | None = None
    original_message_id: int | None = None
    loading: bool = False
    followup_ids: list[int] = field(default_factory=list)
    modal_submitted: bool = False
    responded: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Attachment:
    """An attachment object as Discord describes it: its media type, the alt text the sender
    gave (``description``), and for a PNG image its ``width`` and ``height``."""

    id: int
    filename: str
    data: bytes
    content_type: str | None
    url: str
    description: str | None = None

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
        }
        if self.content_type:
            data["content_type"] = self.content_type
        if self.description:
            data["description"] = self.description
        if self.data[:8] == b"\x89PNG\r\n\x1a\n" and len(self.data) >= 24:
            data["width"] = int.from_bytes(self.data[16:20], "big")  # from the PNG's header
            data["height"] = int.from_bytes(self.data[20:24], "big")
        return data


class State:
    """All the fake's data, and the lookups REST handlers use."""

    def __init__(self, *, bot_username: str = "Peer Circle") -> None:
        self.snowflakes = SnowflakeGenerator()
        self.application_id = self.snowflakes.next()
        # Distinct from the application id (as for older applications), so code that mixes
        # the two up is caught.
        self.bot_user = User(self.snowflakes.next(), bot_username, None, bot=True)
        self.app_owner = User(self.snowflakes.next(), "app-owner", "App Owner")
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.dm_channels: dict[int, Channel] = {}  # by recipient user id
        self.messages: dict[int, StoredMessage] = {}
        self.channel_order: dict[int, list[int]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.global_commands: list[JSON] = []
        #: (author id, nonce) -> (message id, monotonic time sent), for ``enforce_nonce``.
        self.sent_nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self.guild_commands: defaultdict[int, list[JSON]] = defaultdict(list)
        self.attachments: dict[str, Attachment] = {}
        #: (channel id, user id) -> monotonic time of the member's last post, for slow mode.
        self.slow_mode_posts: dict[tuple[int, int], float] = {}

    # ---- lookups raising Discord's errors -------------------------------------------------
    def guild(self, guild_id: int | str) -> Guild:
        guild = self.guilds.get(_as_int(guild_id))
        if guild is None:
            raise errors.not_found(errors.UNKNOWN_GUILD)
        return guild

    def channel(self, channel_id: int | str) -> Channel:
        channel = self.channels.get(_as_int(channel_id))
        if channel is None:
            raise errors.not_found(errors.UNKNOWN_CHANNEL)
        return channel

    def member(self, guild: Guild, user_id: int | str) -> Member:
        member = guild.members.get(_as_int(user_id))
        if member is None:
            raise errors.not_found(errors.UNKNOWN_MEMBER)
        return member

    def role(self, guild: Guild, role_id: int | str) -> Role:
        role = guild.roles.get(_as_int(role_id))
        if role is None:
            raise errors.not_found(errors.UNKNOWN_ROLE)
        return role

    def user(self, user_id: int | str) -> User:
        user = self.users.get(_as_int(user_id))
        if user is None:
            raise errors.not_found(errors.UNKNOWN_USER)
        return user

    def message(self, channel: Channel, message_id: int | str) -> StoredMessage:
        stored = self.messages.get(_as_int(message_id))
        if (
            stored is None
            or stored.deleted
            or stored.channel_id != channel.id
            or stored.ephemeral_for is not None
        ):
            raise errors.not_found(errors.UNKNOWN_MESSAGE)
        return stored

    # ---- messages ---------------------------------------------------------------------------
    def add_message(self, stored: StoredMessage) -> None:
        self.messages[stored.id] = stored
        if stored.ephemeral_for is None:
            self.channel_order.setdefault(stored.channel_id, []).append(stored.id)
            channel = self.channels.get(stored.channel_id)
            if channel is not None:
                channel.last_message_id = stored.id

    def visible_messages(self, channel_id: int) -> list[StoredMessage]:
        """Non-deleted, non-ephemeral messages of a channel, oldest first."""
        ids = self.channel_order.get(channel_id, [])
        return [self.messages[i] for i in ids if not self.messages[i].deleted]

    # ---- permissions ------------------------------------------------------------------------
    def base_permissions(self, guild: Guild, user_id: int) -> int:
        member = guild.members.get(user_id)
        if member is None:
            return 0
        return base_permissions(
            everyone_permissions=guild.everyone_role.permissions,
            role_permissions=(guild.roles[r].permissions for r in member.roles if r in guild.roles),
            is_owner=user_id == guild.owner_id,
        )

    def permissions_in(self, channel: Channel, user_id: int) -> int:
        """A member's effective permissions in a guild channel (0 if not a member)."""
        if channel.guild_id is None:
            return 0
        guild = self.guilds[channel.guild_id]
        member = guild.members.get(user_id)
        if member is None:
            return 0
        base = self.base_permissions(guild, user_id)
        if user_id == guild.owner_id:
            return base
        return channel_permissions(
            base,
            guild_id=guild.id,
            member_id=user_id,
            member_role_ids=member.roles,
            overwrites=channel.overwrites,
            voice_channel=channel.is_voice,
        )

    def top_role_position(self, guild: Guild, user_id: int) -> int:
        member = guild.members.get(user_id)
        if member is None:
            return 0
        positions = [guild.roles[r].position for r in member.roles if r in guild.roles]
        return max(positions, default=0)

    def bot_outranks_member(self, guild: Guild, user_id: int) -> bool:
        """Role hierarchy: the bot can manage a member only if its top role is higher and
        the member is not the owner."""
        if user_id == guild.owner_id:
            return False
        if user_id == self.bot_user.id:
            return True
        return self.top_role_position(guild, self.bot_user.id) > self.top_role_position(
            guild, user_id
        )

    def bot_is_admin(self, guild: Guild) -> bool:
        return bool(self.base_permissions(guild, self.bot_user.id) & ADMINISTRATOR)

    # ---- payloads ---------------------------------------------------------------------------
    def application_payload(self, flags: int) -> JSON:
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self.app_owner.payload(),
            "team": None,
            "flags": flags,
            "guild_id": None,
            "rpc_origins": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "tags": [],
            "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
            "integration_types_config": {"0": {}},
            "approximate_guild_count": len(self.guilds),
            "bot": self.bot_user.payload(),
        }

    def bot_user_payload(self) -> JSON:
        data = self.bot_user.payload()
        data.update(verified=True, mfa_enabled=False, email=None, locale="en-US")
        return data

    def guild_create_payload(self, guild: Guild, *, all_members: bool) -> JSON:
        """GUILD_CREATE. Without the presences intent Discord sends only the bot and the
        members in voice channels; discord.py then asks for the rest (op 8)."""
        data = guild.payload()
        if all_members:
            members = list(guild.members.values())
        else:
            wanted = {self.bot_user.id, *guild.voice_states}
            members = [m for uid, m in guild.members.items() if uid in wanted]
        data.update(
            joined_at=guild.joined_at,
            large=len(guild.members) > 250,
            unavailable=False,
            member_count=len(guild.members),
            members=[m.payload() for m in members],
            channels=[c.payload() for c in guild.channels.values()],
            threads=[],
            presences=[],
            voice_states=[
                _without_member(v.payload(guild.members.get(v.user_id), with_guild=False))
                for v in guild.voice_states.values()
                if v.channel_id is not None
            ],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
            embedded_activities=[],
            application_command_counts={},
            lazy=True,
        )
        return data

    def new_session_id(self) -> str:
        return f"{self.snowflakes.next():x}"

    def now(self) -> str:
        return iso_now()


def _as_int(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _opt_id(value: int | None) -> str | None:
    return None if value is None else str(value)


def _without_member(voice_state: JSON) -> JSON:
    """A voice state as GUILD_CREATE lists it: the server mute and deafen are the member's, but
    the member object itself is in ``members``, not repeated here."""
    voice_state.pop("member", None)
    return voice_state
