"""REST routes: login, the application and its commands, guilds, roles, members, voice.

Permission and hierarchy checks follow Discord: managing roles needs Manage Roles and a
role below the bot's highest role; a member's nickname or timeout needs a member below the
bot (never the owner); mute/deafen/move need the matching permission and a member connected
to voice (else 400 40032); listing members needs the Server Members intent to be enabled
for the application (else 403 50001). Guild scheduled events (:func:`register_events`) follow
Discord's "Guild Scheduled Event" resource.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from . import errors
from .errors import DiscordError
from .permissions import ADMINISTRATOR, PERMISSION_BITS, VIEW_CHANNEL
from .rest_core import Reply, Req, RestApi, require_guild_permissions
from .state import STAGE, VOICE, VOICE_TYPES, Guild, Member, Role
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
            "shards": api.gateway.recommended_shards,
            "session_start_limit": api.gateway.session_start_limit(),
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


# ---- guild scheduled events -------------------------------------------------------------------
STAGE_INSTANCE, VOICE_EVENT, EXTERNAL = 1, 2, 3
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
#: Discord: SCHEDULED -> ACTIVE or CANCELED; ACTIVE -> COMPLETED; nothing after that.
EVENT_TRANSITIONS = {SCHEDULED: {ACTIVE, CANCELED}, ACTIVE: {COMPLETED}}
EVENT_FIELDS = (
    "channel_id", "entity_metadata", "name", "privacy_level", "scheduled_start_time",
    "scheduled_end_time", "description", "entity_type", "status",
)  # fmt: skip


def _invalid(field: str, code: str, message: str) -> DiscordError:
    return errors.form_error(errors.field_error([field], code, message))


def _when(body: JSON, field: str) -> dt.datetime | None:
    raw = body.get(field)
    if raw is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        raise _invalid(field, "DATE_TIME_TYPE_COERCE", "Could not parse date") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def validate_event(state: Any, guild: Guild, event: JSON, creating: bool) -> None:
    """Discord's checks, field requirements by entity type included (400 50035 on a miss)."""
    name = event.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        raise _invalid("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    description = event.get("description")
    if description is not None and not 1 <= len(str(description)) <= 1000:
        raise _invalid("description", "BASE_TYPE_BAD_LENGTH", "Must be 1 to 1000 in length.")
    if event.get("privacy_level") != 2:  # GUILD_ONLY, the only level Discord accepts now
        raise _invalid("privacy_level", "BASE_TYPE_CHOICES", "Value must be one of {2}.")
    start = _when(event, "scheduled_start_time")
    end = _when(event, "scheduled_end_time")
    if start is None:
        raise _invalid("scheduled_start_time", "BASE_TYPE_REQUIRED", "This field is required")
    if creating and start < dt.datetime.now(tz=dt.UTC):
        raise _invalid(
            "scheduled_start_time",
            "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
            "Cannot schedule event in the past.",
        )
    if end is not None and end <= start:
        raise _invalid(
            "scheduled_end_time", "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "End before start."
        )
    kind = event.get("entity_type")
    if kind == EXTERNAL:
        location = (event.get("entity_metadata") or {}).get("location")
        if event.get("channel_id") is not None:
            raise _invalid("channel_id", "CHANNEL_INVALID", "Must be null for external events.")
        if not isinstance(location, str) or not 1 <= len(location) <= 100:
            raise _invalid("entity_metadata", "BASE_TYPE_REQUIRED", "location is required")
        if end is None:
            raise _invalid("scheduled_end_time", "BASE_TYPE_REQUIRED", "This field is required")
    elif kind in (STAGE_INSTANCE, VOICE_EVENT):
        channel = guild.channels.get(int(event.get("channel_id") or 0))
        wanted = STAGE if kind == STAGE_INSTANCE else VOICE
        if channel is None or channel.type != wanted:
            raise _invalid("channel_id", "CHANNEL_INVALID", "Invalid channel")
        have = state.permissions_in(channel, state.bot_user.id)
        needed = VIEW_CHANNEL | PERMISSION_BITS["connect"]
        if have & needed != needed:
            raise errors.missing_permissions()
    else:
        raise _invalid("entity_type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")


def register_events(api: RestApi) -> None:
    """Create, modify, delete and list a guild's scheduled events. Creating needs Create Events
    (or Manage Events); changing or deleting needs Manage Events, or Create Events for an event
    the bot created itself (403 50013). Unknown event: 404 10070. (No gateway events: they need
    the Guild Scheduled Events intent, which the bot does not ask for.)"""
    state = api.state
    bot_id = state.bot_user.id
    manage, create = PERMISSION_BITS["manage_events"], PERMISSION_BITS["create_events"]

    def allowed(guild: Guild, event: JSON | None) -> None:
        have = state.base_permissions(guild, bot_id)
        if have & ADMINISTRATOR or have & manage:
            return
        if have & create and (event is None or event.get("creator_id") == str(bot_id)):
            return
        raise errors.missing_permissions()

    def found(guild: Guild, req: Req) -> JSON:
        event = guild.scheduled_events.get(int(req.params["event_id"]))
        if event is None:
            raise errors.not_found(errors.UNKNOWN_SCHEDULED_EVENT)
        return event

    @api.route("GET", "/guilds/{guild_id}/scheduled-events")
    async def list_events(req: Req) -> list[JSON]:
        guild = state.guild(req.params["guild_id"])
        return [copy.deepcopy(e) for e in guild.scheduled_events.values()]

    @api.route("GET", "/guilds/{guild_id}/scheduled-events/{event_id}")
    async def get_event(req: Req) -> JSON:
        return copy.deepcopy(found(state.guild(req.params["guild_id"]), req))

    @api.route("POST", "/guilds/{guild_id}/scheduled-events")
    async def create_event(req: Req) -> JSON:
        guild = state.guild(req.params["guild_id"])
        allowed(guild, None)
        body = {k: v for k, v in req.body().items() if k in EVENT_FIELDS and k != "status"}
        validate_event(state, guild, body, creating=True)
        event_id = state.snowflakes.next()
        kind = body["entity_type"]
        event = {
            "id": str(event_id),
            "guild_id": str(guild.id),
            "channel_id": None if kind == EXTERNAL else str(body["channel_id"]),
            "creator_id": str(bot_id),
            "name": body["name"],
            "description": body.get("description"),
            "scheduled_start_time": body["scheduled_start_time"],
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": 2,
            "status": SCHEDULED,
            "entity_type": kind,
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata") if kind == EXTERNAL else None,
            "creator": state.bot_user_payload(),
            "image": None,
            "recurrence_rule": None,
        }
        guild.scheduled_events[event_id] = event
        return copy.deepcopy(event)

    @api.route("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}")
    async def modify_event(req: Req) -> JSON:
        guild = state.guild(req.params["guild_id"])
        event = found(guild, req)
        allowed(guild, event)
        body = {k: v for k, v in req.body().items() if k in EVENT_FIELDS}
        if "status" in body and body["status"] != event["status"]:
            if body["status"] not in EVENT_TRANSITIONS.get(event["status"], set()):
                raise _invalid("status", "GUILD_SCHEDULED_EVENT_INVALID_STATUS", "Invalid status")
        elif event["status"] in (COMPLETED, CANCELED):
            raise _invalid("status", "GUILD_SCHEDULED_EVENT_INVALID_STATUS", "Event has ended")
        changed = {**event, **body}
        if changed.get("entity_type") == EXTERNAL:
            changed["channel_id"] = body.get("channel_id")
        moved = "scheduled_start_time" in body and body["scheduled_start_time"] != event.get(
            "scheduled_start_time"
        )
        validate_event(state, guild, changed, creating=moved)
        if changed.get("channel_id") is not None:
            changed["channel_id"] = str(changed["channel_id"])
        event.clear()
        event.update(changed)
        return copy.deepcopy(event)

    @api.route("DELETE", "/guilds/{guild_id}/scheduled-events/{event_id}")
    async def delete_event(req: Req) -> None:
        guild = state.guild(req.params["guild_id"])
        event = found(guild, req)
        allowed(guild, event)
        del guild.scheduled_events[int(event["id"])]
