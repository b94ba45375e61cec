"""REST routes: login, the application and its commands, guilds, roles, members, voice.

Permission and hierarchy checks follow Discord: managing roles needs Manage Roles and a
role below the bot's highest role; a member's nickname or timeout needs a member below the
bot (never the owner); mute/deafen/move need the matching permission and a member connected
to voice (else 400 40032); listing members needs the Server Members intent to be enabled
for the application (else 403 50001).
"""

from __future__ import annotations

import copy
from typing import Any

from . import errors
from .errors import DiscordError
from .permissions import ADMINISTRATOR, PERMISSION_BITS
from .rest_core import Reply, Req, RestApi, require_guild_permissions
from .state import VOICE_TYPES, Guild, Member, Role
from .validation import validate_command, validate_commands

JSON = dict[str, Any]

# Application flags for an unverified app with the privileged intents switched on.
FLAG_BY_INTENT = {"presences": 1 << 13, "members": 1 << 15, "message_content": 1 << 19}
APPLICATION_COMMAND_BADGE = 1 << 23


def application_flags(granted: frozenset[str]) -> int:
    flags = APPLICATION_COMMAND_BADGE
    for name in granted:
        flags |= FLAG_BY_INTENT[name]
    return flags


def register(api: RestApi) -> None:
    state = api.state
    events = api.events
    bot_id = state.bot_user.id

    def guild_of(req: Req) -> Guild:
        return state.guild(req.params["guild_id"])

    def need(guild: Guild, name: str) -> None:
        require_guild_permissions(state, guild.id, PERMISSION_BITS[name])

    def check_role_below_bot(guild: Guild, role: Role) -> None:
        # Even Administrator does not lift the role hierarchy.
        if role.position >= state.top_role_position(guild, bot_id):
            raise errors.missing_permissions()

    def check_grantable(guild: Guild, permissions: int) -> None:
        have = state.base_permissions(guild, bot_id)
        if not have & ADMINISTRATOR and permissions & ~have:
            raise errors.missing_permissions()

    # ---- login and application --------------------------------------------------------------
    @api.route("GET", "/users/@me")
    async def get_me(req: Req) -> JSON:
        return state.bot_user_payload()

    @api.route("GET", "/oauth2/applications/@me")
    async def get_oauth_app(req: Req) -> JSON:
        return state.application_payload(application_flags(api.config.privileged_granted))

    @api.route("GET", "/applications/@me")
    async def get_app(req: Req) -> JSON:
        return state.application_payload(application_flags(api.config.privileged_granted))

    @api.route("GET", "/gateway", auth=False)
    async def get_gateway(req: Req) -> JSON:
        return {"url": api.config.base_url.replace("http", "ws", 1) + "/gateway"}

    @api.route("GET", "/gateway/bot")
    async def get_gateway_bot(req: Req) -> JSON:
        return {
            "url": api.config.base_url.replace("http", "ws", 1) + "/gateway",
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": max(1000 - api.gateway.identifies, 0),
                "reset_after": 86_400_000,
                "max_concurrency": 1,
            },
        }

    @api.route("GET", "/users/@me/guilds")
    async def my_guilds(req: Req) -> list[JSON]:
        return [
            {
                "id": str(g.id),
                "name": g.name,
                "icon": None,
                "banner": None,
                "owner": False,
                "permissions": str(state.base_permissions(g, bot_id)),
                "features": [],
            }
            for g in state.guilds.values()
        ]

    @api.route("DELETE", "/users/@me/guilds/{guild_id}")
    async def leave_guild(req: Req) -> None:
        guild = guild_of(req)
        del state.guilds[guild.id]
        for channel_id in guild.channels:
            state.channels.pop(channel_id, None)
        events.guild_delete(guild.id)

    @api.route("GET", "/users/{user_id}")
    async def get_user(req: Req) -> JSON:
        return state.user(req.params["user_id"]).payload()

    # ---- application commands ---------------------------------------------------------------
    def command_list(req: Req) -> tuple[list[JSON], int | None]:
        if req.params["application_id"] != str(state.application_id):
            raise errors.missing_access()
        if "guild_id" in req.params:
            guild = guild_of(req)
            return state.guild_commands.setdefault(guild.id, []), guild.id
        return state.global_commands, None

    def stored_command(body: JSON, guild_id: int | None, existing: JSON | None) -> JSON:
        command = copy.deepcopy(body)
        perms = command.get("default_member_permissions")
        command["default_member_permissions"] = None if perms is None else str(perms)
        command.setdefault("type", 1)
        command.setdefault("description", "" if command["type"] != 1 else None)
        command.setdefault("options", [])
        command.setdefault("nsfw", False)
        command.setdefault("name_localizations", None)
        command.setdefault("description_localizations", None)
        command.setdefault("contexts", None)
        command.setdefault("integration_types", [0])
        command["id"] = existing["id"] if existing else str(state.snowflakes.next())
        command["application_id"] = str(state.application_id)
        command["version"] = str(state.snowflakes.next())
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
            command.pop("dm_permission", None)
        else:
            command.setdefault("dm_permission", True)
        return command

    def find(commands: list[JSON], ctype: int, name: str) -> JSON | None:
        return next((c for c in commands if c["type"] == ctype and c["name"] == name), None)

    async def list_commands(req: Req) -> list[JSON]:
        return copy.deepcopy(command_list(req)[0])

    async def overwrite_commands(req: Req) -> list[JSON]:
        commands, guild_id = command_list(req)
        validate_commands(req.json)
        new = [
            stored_command(c, guild_id, find(commands, int(c.get("type") or 1), c.get("name", "")))
            for c in req.json
        ]
        commands[:] = new
        return copy.deepcopy(new)

    async def create_command(req: Req) -> Reply:
        commands, guild_id = command_list(req)
        body = req.body()
        validate_command(body)
        existing = find(commands, int(body.get("type") or 1), body.get("name", ""))
        command = stored_command(body, guild_id, existing)
        if existing is not None:
            commands[commands.index(existing)] = command
        else:
            commands.append(command)
        return Reply(copy.deepcopy(command), 200 if existing else 201)

    def one(req: Req) -> tuple[list[JSON], JSON, int | None]:
        commands, guild_id = command_list(req)
        for command in commands:
            if command["id"] == req.params["command_id"]:
                return commands, command, guild_id
        raise errors.not_found(errors.UNKNOWN_COMMAND)

    async def get_command(req: Req) -> JSON:
        return copy.deepcopy(one(req)[1])

    async def edit_command(req: Req) -> JSON:
        commands, command, guild_id = one(req)
        merged = {**command, **req.body()}
        validate_command(merged)
        updated = stored_command(merged, guild_id, command)
        commands[commands.index(command)] = updated
        return copy.deepcopy(updated)

    async def delete_command(req: Req) -> None:
        commands, command, _ = one(req)
        commands.remove(command)

    for prefix in (
        "/applications/{application_id}",
        "/applications/{application_id}/guilds/{guild_id}",
    ):
        api.route("GET", prefix + "/commands")(list_commands)
        api.route("PUT", prefix + "/commands")(overwrite_commands)
        api.route("POST", prefix + "/commands")(create_command)
        api.route("GET", prefix + "/commands/{command_id}")(get_command)
        api.route("PATCH", prefix + "/commands/{command_id}")(edit_command)
        api.route("DELETE", prefix + "/commands/{command_id}")(delete_command)

    @api.route("GET", "/applications/{application_id}/guilds/{guild_id}/commands/permissions")
    async def command_permissions(req: Req) -> list[JSON]:
        guild_of(req)
        return []

    # ---- guilds and roles -------------------------------------------------------------------
    @api.route("GET", "/guilds/{guild_id}")
    async def get_guild(req: Req) -> JSON:
        guild = guild_of(req)
        data = guild.payload()
        if req.query.get("with_counts") in ("true", "1", "True"):
            data["approximate_member_count"] = len(guild.members)
            data["approximate_presence_count"] = 0
        return data

    @api.route("GET", "/guilds/{guild_id}/channels")
    async def get_channels(req: Req) -> list[JSON]:
        return [c.payload() for c in guild_of(req).channels.values()]

    @api.route("GET", "/guilds/{guild_id}/roles")
    async def get_roles(req: Req) -> list[JSON]:
        return [r.payload() for r in guild_of(req).roles.values()]

    @api.route("GET", "/guilds/{guild_id}/roles/{role_id}")
    async def get_role(req: Req) -> JSON:
        return state.role(guild_of(req), req.params["role_id"]).payload()

    @api.route("POST", "/guilds/{guild_id}/roles")
    async def create_role(req: Req) -> JSON:
        guild = guild_of(req)
        need(guild, "manage_roles")
        body = req.body()
        permissions = int(body.get("permissions") or guild.everyone_role.permissions)
        check_grantable(guild, permissions)
        for other in guild.roles.values():
            if other.id != guild.id:
                other.position += 1
        role = Role(
            id=state.snowflakes.next(),
            guild_id=guild.id,
            name=str(body.get("name") or "new role"),
            permissions=permissions,
            position=1,
            color=int(body.get("color") or 0),
            hoist=bool(body.get("hoist")),
            mentionable=bool(body.get("mentionable")),
        )
        guild.roles[role.id] = role
        events.role("GUILD_ROLE_CREATE", role)
        return role.payload()

    @api.route("PATCH", "/guilds/{guild_id}/roles/{role_id}")
    async def edit_role(req: Req) -> JSON:
        guild = guild_of(req)
        role = state.role(guild, req.params["role_id"])
        need(guild, "manage_roles")
        check_role_below_bot(guild, role)
        body = req.body()
        if "permissions" in body and body["permissions"] is not None:
            permissions = int(body["permissions"])
            check_grantable(guild, permissions & ~role.permissions)
            role.permissions = permissions
        for key in ("name", "color", "hoist", "mentionable"):
            if key in body and body[key] is not None:
                setattr(role, key, body[key])
        events.role("GUILD_ROLE_UPDATE", role)
        return role.payload()

    @api.route("DELETE", "/guilds/{guild_id}/roles/{role_id}")
    async def delete_role(req: Req) -> None:
        guild = guild_of(req)
        role = state.role(guild, req.params["role_id"])
        need(guild, "manage_roles")
        check_role_below_bot(guild, role)
        if role.id == guild.id or role.managed:
            raise DiscordError(400, 50028, "Invalid role")
        del guild.roles[role.id]
        for member in guild.members.values():
            if role.id in member.roles:
                member.roles.remove(role.id)
        for channel in guild.channels.values():
            channel.overwrites.pop(role.id, None)
        events.role("GUILD_ROLE_DELETE", role)

    # ---- members ----------------------------------------------------------------------------
    @api.route("GET", "/guilds/{guild_id}/members")
    async def list_members(req: Req) -> list[JSON]:
        guild = guild_of(req)
        if "members" not in api.config.privileged_granted:
            raise errors.missing_access()
        limit = max(1, min(int(req.query.get("limit", "1")), 1000))
        after = int(req.query.get("after", "0"))
        members = sorted(
            (m for uid, m in guild.members.items() if uid > after), key=lambda m: m.user.id
        )
        return [m.payload() for m in members[:limit]]

    @api.route("GET", "/guilds/{guild_id}/members/search")
    async def search_members(req: Req) -> list[JSON]:
        guild = guild_of(req)
        query = req.query.get("query", "").lower()
        if not query:
            raise errors.form_error(
                errors.field_error(["query"], "BASE_TYPE_REQUIRED", "This field is required")
            )
        limit = max(1, min(int(req.query.get("limit", "1")), 1000))
        found = [
            m
            for m in guild.members.values()
            if m.user.username.lower().startswith(query)
            or (m.user.global_name or "").lower().startswith(query)
            or (m.nick or "").lower().startswith(query)
        ]
        return [m.payload() for m in found[:limit]]

    @api.route("GET", "/guilds/{guild_id}/members/{user_id}")
    async def get_member(req: Req) -> JSON:
        guild = guild_of(req)
        return state.member(guild, req.params["user_id"]).payload()

    @api.route("PATCH", "/guilds/{guild_id}/members/{user_id}")
    async def edit_member(req: Req) -> JSON:
        guild = guild_of(req)
        member = state.member(guild, req.params["user_id"])
        body = req.body()
        member_changed = voice_changed = False
        if "nick" in body:
            need(guild, "manage_nicknames")
            if not state.bot_outranks_member(guild, member.user.id):
                raise errors.missing_permissions()
            member.nick = body["nick"] or None
            member_changed = True
        if "roles" in body and body["roles"] is not None:
            need(guild, "manage_roles")
            wanted = [int(r) for r in body["roles"]]
            for role_id in set(wanted) ^ set(member.roles):
                check_role_below_bot(guild, state.role(guild, role_id))
            member.roles = wanted
            member_changed = True
        if "communication_disabled_until" in body:
            need(guild, "moderate_members")
            if (
                not state.bot_outranks_member(guild, member.user.id)
                or state.base_permissions(guild, member.user.id) & ADMINISTRATOR
            ):
                raise errors.missing_permissions()
            member.communication_disabled_until = body["communication_disabled_until"]
            member_changed = True
        voice = guild.voice_states.get(member.user.id)
        for key, permission in (("mute", "mute_members"), ("deaf", "deafen_members")):
            if key in body and body[key] is not None:
                need(guild, permission)
                if voice is None or voice.channel_id is None:
                    raise errors.not_in_voice()
                setattr(member, key, bool(body[key]))
                voice_changed = True
        if "channel_id" in body:
            need(guild, "move_members")
            if voice is None or voice.channel_id is None:
                raise errors.not_in_voice()
            target = body["channel_id"]
            if target is not None:
                channel = state.channel(target)
                if channel.guild_id != guild.id or channel.type not in VOICE_TYPES:
                    raise errors.form_error(
                        errors.field_error(
                            ["channel_id"], "CHANNEL_TYPE_INVALID", "Invalid channel type"
                        )
                    )
                voice.channel_id = channel.id
            else:
                voice.channel_id = None
                del guild.voice_states[member.user.id]
            voice_changed = True
        if member_changed:
            events.member_update(member)
        if voice_changed and voice is not None:
            events.voice_state(guild, voice)
        return member.payload()

    async def change_role(req: Req, add: bool) -> None:
        guild = guild_of(req)
        member = state.member(guild, req.params["user_id"])
        role = state.role(guild, req.params["role_id"])
        need(guild, "manage_roles")
        check_role_below_bot(guild, role)
        if role.managed or role.id == guild.id:
            raise DiscordError(400, 50028, "Invalid role")
        if add and role.id not in member.roles:
            member.roles.append(role.id)
        elif not add and role.id in member.roles:
            member.roles.remove(role.id)
        else:
            return
        events.member_update(member)

    @api.route("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    async def add_role(req: Req) -> None:
        await change_role(req, add=True)

    @api.route("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    async def remove_role(req: Req) -> None:
        await change_role(req, add=False)

    @api.route("PATCH", "/guilds/{guild_id}/voice-states/{user_id}")
    async def edit_voice_state(req: Req) -> None:
        guild = guild_of(req)
        member: Member = state.member(guild, req.params["user_id"])
        voice = guild.voice_states.get(member.user.id)
        body = req.body()
        if voice is None or voice.channel_id is None:
            raise errors.not_in_voice()
        if str(body.get("channel_id")) != str(voice.channel_id):
            raise errors.form_error(
                errors.field_error(["channel_id"], "CHANNEL_INVALID", "Invalid channel")
            )
        if "suppress" in body:
            need(guild, "mute_members")
            voice.suppress = bool(body["suppress"])
            if not voice.suppress:
                voice.request_to_speak_timestamp = None
        events.voice_state(guild, voice)
