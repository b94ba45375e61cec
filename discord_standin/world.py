"""Building the fake's world: servers, channels, roles and members, and the changes a human
admin would make to them. Mixed into ``FakeDiscord``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .events import Events
from .members import SimulatedMember
from .permissions import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    Overwrite,
    permission_value,
)
from .snowflake import on_shard
from .state import GUILD_CHANNEL_TYPES, Attachment, Channel, Guild, Member, Role, State, User

Permissions = int | str | Iterable[str]


@dataclass
class GuildHandle:
    """What ``add_guild`` returns: the guild's id and its notable parts."""

    record: Guild
    owner: SimulatedMember
    everyone_role: Role
    bot_role: Role

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def name(self) -> str:
        return self.record.name


class WorldBuilder:
    """World-building methods of ``FakeDiscord``; each sends the gateway events Discord would
    send if the bot is connected."""

    state: State
    events: Events

    @property
    def base_url(self) -> str:
        raise NotImplementedError

    def add_guild(
        self,
        name: str,
        *,
        owner_username: str | None = None,
        bot_permissions: Permissions = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: Permissions = DEFAULT_EVERYONE_PERMISSIONS,
        locale: str = "en-US",
        shard: tuple[int, int] | None = None,
    ) -> GuildHandle:
        """A server with an owner (a simulated member), @everyone, and the bot as a member
        holding its managed role with ``bot_permissions``. GUILD_CREATE if already connected.
        ``shard=(shard_id, num_shards)``: an id Discord puts on that shard."""
        state = self.state
        guild_id = state.snowflakes.next() if shard is None else on_shard(state.snowflakes, shard)
        owner = self._user(owner_username or f"owner-{guild_id % 100000}", None)
        bot_role = Role(
            state.snowflakes.next(),
            guild_id,
            state.bot_user.username,
            permission_value(bot_permissions),
            1,
            managed=True,
            bot_id=state.bot_user.id,
        )
        guild = Guild(guild_id, name, owner.id, bot_role.id, state.now(), preferred_locale=locale)
        guild.roles[guild_id] = Role(
            guild_id, guild_id, "@everyone", permission_value(everyone_permissions), 0
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[owner.id] = Member(guild_id, owner, [], state.now())
        guild.members[state.bot_user.id] = Member(
            guild_id, state.bot_user, [bot_role.id], state.now()
        )
        state.guilds[guild_id] = guild
        self.events.guild_create(guild)
        return GuildHandle(guild, self.member(guild_id, owner.id), guild.roles[guild_id], bot_role)

    def add_channel(
        self,
        guild_id: int,
        name: str,
        type: int = 0,
        *,
        permission_overwrites: Iterable[Overwrite | Mapping[str, Any]] = (),
        topic: str | None = None,
        parent_id: int | None = None,
        user_limit: int = 0,
    ) -> Channel:
        """A channel (0 text, 2 voice, 4 category, 13 stage). Overwrites are ``Overwrite``s or
        dicts ``{"id", "type" (0 role / 1 member), "allow", "deny"}`` where allow/deny may be
        permission names. CHANNEL_CREATE if already connected."""
        if type not in GUILD_CHANNEL_TYPES:
            raise ValueError(f"unsupported channel type {type}")
        guild = self.state.guilds[guild_id]
        channel = Channel(
            self.state.snowflakes.next(),
            type,
            name,
            guild_id,
            len(guild.channels),
            topic=topic,
            parent_id=parent_id,
            user_limit=user_limit,
        )
        for raw in permission_overwrites:
            overwrite = raw if isinstance(raw, Overwrite) else _overwrite(raw)
            channel.overwrites[overwrite.id] = overwrite
        guild.channels[channel.id] = channel
        self.state.channels[channel.id] = channel
        self.events.channel("CHANNEL_CREATE", channel)
        return channel

    def add_role(
        self,
        guild_id: int,
        name: str,
        *,
        permissions: Permissions = 0,
        mentionable: bool = False,
        hoist: bool = False,
        color: int = 0,
        above_bot: bool = False,
    ) -> Role:
        """A role, placed just below the bot's role (or above it with ``above_bot``)."""
        guild = self.state.guilds[guild_id]
        bot_role = guild.roles[guild.bot_role_id]
        if above_bot:
            position = max(r.position for r in guild.roles.values()) + 1
        else:
            position = bot_role.position
            for role in guild.roles.values():
                if role.position >= position and role.id != guild.id:
                    role.position += 1
        role = Role(
            self.state.snowflakes.next(),
            guild_id,
            name,
            permission_value(permissions),
            position,
            color,
            hoist,
            mentionable,
        )
        guild.roles[role.id] = role
        self.events.role("GUILD_ROLE_CREATE", role)
        return role

    def add_member(
        self,
        guild_id: int,
        username: str,
        *,
        global_name: str | None = None,
        nick: str | None = None,
        roles: Iterable[int] = (),
        accepts_dms: bool = True,
        locale: str = "en-US",
    ) -> SimulatedMember:
        """A member (reusing the user if ``username`` already exists elsewhere), whose Discord
        is in ``locale`` (``es-ES``, ``fr`` …). GUILD_MEMBER_ADD if already connected."""
        user = self._user(username, global_name)
        user.accepts_dms = accepts_dms
        user.locale = locale
        guild = self.state.guilds[guild_id]
        member = Member(guild_id, user, list(roles), self.state.now(), nick=nick)
        guild.members[user.id] = member
        self.events.member_add(member)
        return self.member(guild_id, user.id)

    def member(self, guild_id: int, user_id: int) -> SimulatedMember:
        """The simulated member for a user in a guild (defined by ``FakeDiscord``)."""
        raise NotImplementedError

    def remove_member(self, guild_id: int, user_id: int) -> None:
        """The member leaves (GUILD_MEMBER_REMOVE; their voice state ends)."""
        guild = self.state.guilds[guild_id]
        member = guild.members.pop(user_id)
        voice = guild.voice_states.pop(user_id, None)
        if voice is not None:
            voice.channel_id = None
            self.events.voice_state(guild, voice)
        self.events.member_remove(guild_id, member.user)

    def remove_guild(self, guild_id: int) -> None:
        """The bot is removed from the server (GUILD_DELETE without ``unavailable``)."""
        guild = self.state.guilds.pop(guild_id)
        for channel_id in guild.channels:
            self.state.channels.pop(channel_id, None)
        self.events.guild_delete(guild_id)

    def update_member(
        self,
        guild_id: int,
        user_id: int,
        *,
        nick: str | None = None,
        roles: Iterable[int] | None = None,
    ) -> None:
        """A human admin changes a member (GUILD_MEMBER_UPDATE)."""
        member = self.state.guilds[guild_id].members[user_id]
        if nick is not None:
            member.nick = nick or None
        if roles is not None:
            member.roles = list(roles)
        self.events.member_update(member)

    def set_overwrite(
        self,
        channel_id: int,
        target_id: int,
        *,
        allow: Permissions = 0,
        deny: Permissions = 0,
        kind: int | None = None,
    ) -> None:
        """A human admin sets a permission overwrite (CHANNEL_UPDATE). ``kind`` 0 role,
        1 member; guessed from the id when omitted."""
        channel = self.state.channels[channel_id]
        guild = self.state.guilds[channel.guild_id or 0]
        otype = kind if kind is not None else (0 if target_id in guild.roles else 1)
        channel.overwrites[target_id] = Overwrite(
            target_id, otype, permission_value(allow), permission_value(deny)
        )
        self.events.channel("CHANNEL_UPDATE", channel)

    def set_role_permissions(self, guild_id: int, role_id: int, permissions: Permissions) -> None:
        """A human admin edits a role's permissions (GUILD_ROLE_UPDATE)."""
        role = self.state.guilds[guild_id].roles[role_id]
        role.permissions = permission_value(permissions)
        self.events.role("GUILD_ROLE_UPDATE", role)

    def make_attachment(
        self, filename: str, data: bytes, content_type: str | None = None
    ) -> Attachment:
        """An uploaded file a member can pass as an attachment option; served by the fake
        (so call it after ``start()``)."""
        if not self.base_url:
            raise RuntimeError("make_attachment needs the fake to be started")
        attachment_id = self.state.snowflakes.next()
        path = f"/attachments/0/{attachment_id}/{filename}"
        attachment = Attachment(attachment_id, filename, data, content_type, self.base_url + path)
        self.state.attachments[path] = attachment
        return attachment

    def _user(self, username: str, global_name: str | None) -> User:
        for user in self.state.users.values():
            if user.username == username:
                return user
        user = User(self.state.snowflakes.next(), username, global_name)
        self.state.users[user.id] = user
        return user


def _overwrite(raw: Mapping[str, Any]) -> Overwrite:
    return Overwrite(
        int(raw["id"]),
        int(raw.get("type", 0)),
        permission_value(raw.get("allow", 0)),
        permission_value(raw.get("deny", 0)),
    )
