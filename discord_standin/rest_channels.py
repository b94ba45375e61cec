"""REST routes: channels, permission overwrites, messages and DMs.

Sending needs View Channel (else 403 50001) and Send Messages (else 50013); files need
Attach Files. Editing another user's message gives 50005; deleting one needs Manage Messages.
A DM to a user who shares no server with the bot, or who has DMs from server members turned
off, gives 403 50007. Overwrites need Manage Roles in the channel, and (without
Administrator or a Manage Roles overwrite) may only allow or deny permissions the bot has.
Reading message content through REST follows whether the Message Content intent is enabled
for the application, not what the gateway asked for.
"""

from __future__ import annotations

import copy
import mimetypes
import time
from typing import Any

from . import errors
from .errors import DiscordError
from .messages import (
    Author,
    MessageOptions,
    apply_edit,
    blank_content,
    content_visible_to_bot,
    new_message,
)
from .permissions import (
    ADMINISTRATOR,
    MANAGE_ROLES,
    PERMISSION_BITS,
    Overwrite,
)
from .rest_core import (
    Reply,
    Req,
    RestApi,
    UploadedFile,
    require_channel_permissions,
    require_guild_permissions,
)
from .state import (
    CATEGORY,
    DM,
    GUILD_CHANNEL_TYPES,
    Attachment,
    Channel,
    State,
    StoredMessage,
    User,
)
from .validation import validate_message_body

JSON = dict[str, Any]

SEND = PERMISSION_BITS["send_messages"]
HISTORY = PERMISSION_BITS["read_message_history"]
MANAGE_MESSAGES = PERMISSION_BITS["manage_messages"]
MANAGE_CHANNELS = PERMISSION_BITS["manage_channels"]
ATTACH_FILES = PERMISSION_BITS["attach_files"]

#: How long Discord remembers an enforced nonce ("the past few minutes").
NONCE_WINDOW_SECONDS = 300.0


def make_attachments(
    state: State, base_url: str, channel_id: int, body: JSON, files: list[UploadedFile]
) -> list[Attachment]:
    """Turn ``files[n]`` parts (described by ``attachments`` in the body) into attachments
    served by the fake at ``/attachments/...``."""
    described = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)}
    result = []
    for index, upload in enumerate(files):
        key = upload.field.removeprefix("files[").removesuffix("]") if upload.field else str(index)
        meta = described.get(key, {})
        filename = str(meta.get("filename") or upload.filename)
        attachment_id = state.snowflakes.next()
        path = f"/attachments/{channel_id}/{attachment_id}/{filename}"
        # Discord works out the media type itself when the sender's is missing or generic.
        content_type = upload.content_type
        if content_type in (None, "", "application/octet-stream"):
            content_type = mimetypes.guess_type(filename)[0] or content_type
        description = meta.get("description")
        attachment = Attachment(
            attachment_id,
            filename,
            upload.data,
            content_type,
            base_url + path,
            str(description)[:1024] if description else None,
        )
        state.attachments[path] = attachment
        result.append(attachment)
    return result


def dm_channel_for(state: State, user: User) -> Channel:
    """The (single) DM channel between the bot and ``user``."""
    channel = state.dm_channels.get(user.id)
    if channel is None:
        channel = Channel(
            id=state.snowflakes.next(), type=DM, name=None, guild_id=None, recipient=user
        )
        state.dm_channels[user.id] = channel
        state.channels[channel.id] = channel
    return channel


def register(api: RestApi) -> None:
    state = api.state
    events = api.events
    bot = state.bot_user
    bot_author = Author(bot)

    def channel_of(req: Req) -> Channel:
        return state.channel(req.params["channel_id"])

    def guild_channel(req: Req) -> Channel:
        channel = channel_of(req)
        if channel.guild_id is None:
            raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
        return channel

    def can_send_dm(user: User) -> bool:
        if user.bot or not user.accepts_dms:
            return False
        return any(user.id in g.members for g in state.guilds.values())

    def read_view(stored: StoredMessage) -> JSON:
        data = copy.deepcopy(stored.data)
        granted = "message_content" in api.config.privileged_granted
        if not content_visible_to_bot(state, stored, has_message_content=granted):
            blank_content(data)
        return data

    def check_overwrite_allowed(channel: Channel, allow: int, deny: int) -> None:
        assert channel.guild_id is not None
        guild = state.guilds[channel.guild_id]
        require_channel_permissions(state, channel.id, MANAGE_ROLES)
        base = state.base_permissions(guild, bot.id)
        if base & ADMINISTRATOR:
            return
        member = guild.members[bot.id]
        has_override = any(
            o.allow & MANAGE_ROLES
            for o in channel.overwrites.values()
            if (o.type == 1 and o.id == bot.id) or (o.type == 0 and o.id in member.roles)
        )
        if not has_override and (allow | deny) & ~base:
            raise errors.missing_permissions()

    # ---- channels ---------------------------------------------------------------------------
    @api.route("GET", "/channels/{channel_id}")
    async def get_channel(req: Req) -> JSON:
        channel = channel_of(req)
        if channel.guild_id is not None:
            require_channel_permissions(state, channel.id, 0)
        return channel.payload()

    @api.route("PATCH", "/channels/{channel_id}")
    async def edit_channel(req: Req) -> JSON:
        channel = guild_channel(req)
        require_channel_permissions(state, channel.id, MANAGE_CHANNELS)
        body = req.body()
        if body.get("permission_overwrites") is not None:
            overwrites = {}
            for raw in body["permission_overwrites"]:
                overwrite = Overwrite(
                    int(raw["id"]),
                    int(raw["type"]),
                    int(raw.get("allow") or 0),
                    int(raw.get("deny") or 0),
                )
                check_overwrite_allowed(channel, overwrite.allow, overwrite.deny)
                overwrites[overwrite.id] = overwrite
            channel.overwrites = overwrites
        slow = body.get("rate_limit_per_user")
        if slow is not None and (not isinstance(slow, int) or not 0 <= slow <= 21600):
            raise errors.form_error(
                errors.field_error(
                    ["rate_limit_per_user"],
                    "NUMBER_TYPE_MAX",
                    "int value should be less than or equal to 21600.",
                )
            )
        for key in (
            "name",
            "topic",
            "user_limit",
            "bitrate",
            "nsfw",
            "rate_limit_per_user",
            "position",
            "parent_id",
        ):
            if key in body:
                setattr(channel, key, body[key])
        events.channel("CHANNEL_UPDATE", channel)
        return channel.payload()

    @api.route("DELETE", "/channels/{channel_id}")
    async def delete_channel(req: Req) -> JSON:
        channel = channel_of(req)
        if channel.guild_id is None:
            return channel.payload()
        require_channel_permissions(state, channel.id, MANAGE_CHANNELS)
        guild = state.guilds[channel.guild_id]
        del guild.channels[channel.id]
        del state.channels[channel.id]
        events.channel("CHANNEL_DELETE", channel)
        return channel.payload()

    @api.route("POST", "/guilds/{guild_id}/channels")
    async def create_channel(req: Req) -> Reply:
        guild = state.guild(req.params["guild_id"])
        require_guild_permissions(state, guild.id, MANAGE_CHANNELS)
        body = req.body()
        ctype = int(body.get("type") or 0)
        if ctype not in GUILD_CHANNEL_TYPES:
            raise errors.form_error(
                errors.field_error(
                    ["type"], "BASE_TYPE_CHOICES", "Value must be one of the channel types."
                )
            )
        channel = Channel(
            id=state.snowflakes.next(),
            type=ctype,
            name=str(body.get("name") or ""),
            guild_id=guild.id,
            position=int(body.get("position") or len(guild.channels)),
            topic=body.get("topic"),
            parent_id=int(body["parent_id"]) if body.get("parent_id") else None,
            user_limit=int(body.get("user_limit") or 0),
        )
        raw_overwrites = body.get("permission_overwrites")
        if raw_overwrites is None and channel.parent_id in guild.channels:
            channel.overwrites = copy.deepcopy(guild.channels[channel.parent_id].overwrites)
        for raw in raw_overwrites or []:
            overwrite = Overwrite(
                int(raw["id"]),
                int(raw["type"]),
                int(raw.get("allow") or 0),
                int(raw.get("deny") or 0),
            )
            channel.overwrites[overwrite.id] = overwrite
        guild.channels[channel.id] = channel
        state.channels[channel.id] = channel
        events.channel("CHANNEL_CREATE", channel)
        return Reply(channel.payload(), 201)

    @api.route("PUT", "/channels/{channel_id}/permissions/{overwrite_id}")
    async def put_overwrite(req: Req) -> None:
        channel = guild_channel(req)
        body = req.body()
        otype = int(body.get("type", 0))
        target = int(req.params["overwrite_id"])
        guild = state.guilds[channel.guild_id or 0]
        if (otype == 0 and target not in guild.roles) or (otype == 1 and target not in state.users):
            raise errors.not_found(errors.UNKNOWN_ROLE if otype == 0 else errors.UNKNOWN_USER)
        allow, deny = int(body.get("allow") or 0), int(body.get("deny") or 0)
        check_overwrite_allowed(channel, allow, deny)
        channel.overwrites[target] = Overwrite(target, otype, allow, deny)
        events.channel("CHANNEL_UPDATE", channel)

    @api.route("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}")
    async def delete_overwrite(req: Req) -> None:
        channel = guild_channel(req)
        require_channel_permissions(state, channel.id, MANAGE_ROLES)
        if channel.overwrites.pop(int(req.params["overwrite_id"]), None) is None:
            raise errors.not_found(errors.UNKNOWN_OVERWRITE)
        events.channel("CHANNEL_UPDATE", channel)

    @api.route("POST", "/channels/{channel_id}/typing")
    async def typing(req: Req) -> None:
        channel = channel_of(req)
        if channel.guild_id is not None:
            require_channel_permissions(state, channel.id, SEND)

    # ---- messages ---------------------------------------------------------------------------
    @api.route("GET", "/channels/{channel_id}/messages")
    async def list_messages(req: Req) -> list[JSON]:
        channel = channel_of(req)
        if channel.type == CATEGORY:
            raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
        if channel.guild_id is not None:
            require_channel_permissions(state, channel.id, 0)
            if not state.permissions_in(channel, bot.id) & HISTORY:
                return []
        limit = max(1, min(int(req.query.get("limit", "50")), 100))
        messages = state.visible_messages(channel.id)
        if "before" in req.query:
            messages = [m for m in messages if m.id < int(req.query["before"])]
        if "after" in req.query:
            messages = [m for m in messages if m.id > int(req.query["after"])][:limit]
        if "around" in req.query:
            around = int(req.query["around"])
            older = [m for m in messages if m.id <= around][-((limit + 1) // 2) :]
            newer = [m for m in messages if m.id > around][: limit // 2]
            messages = older + newer
        return [read_view(m) for m in reversed(messages[-limit:])]

    @api.route("GET", "/channels/{channel_id}/messages/{message_id}")
    async def get_message(req: Req) -> JSON:
        channel = channel_of(req)
        if channel.guild_id is not None:
            require_channel_permissions(state, channel.id, HISTORY)
        return read_view(state.message(channel, req.params["message_id"]))

    @api.route("POST", "/channels/{channel_id}/messages")
    async def create_message(req: Req) -> JSON:
        channel = channel_of(req)
        body = req.body()
        if channel.type == CATEGORY:
            raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
        if channel.guild_id is not None:
            require_channel_permissions(
                state, channel.id, SEND | (ATTACH_FILES if req.files else 0)
            )
        else:
            assert channel.recipient is not None
            if not can_send_dm(channel.recipient):
                raise errors.cannot_dm()
        validate_message_body(body | ({"attachments": [1]} if req.files else {}))
        reference = body.get("message_reference")
        if reference and reference.get("fail_if_not_exists", True):
            ref_channel = state.channel(reference.get("channel_id") or channel.id)
            try:
                state.message(ref_channel, reference.get("message_id", 0))
            except DiscordError:
                raise errors.form_error(
                    errors.field_error(
                        ["message_reference"], "REPLIES_UNKNOWN_MESSAGE", "Unknown message"
                    )
                ) from None
        nonce = body.get("nonce")
        if body.get("enforce_nonce") and nonce is not None:
            # "If true and nonce is present, it will be checked for uniqueness in the past few
            # minutes. If another message was created by the same author with the same nonce,
            # that message will be returned and no new message will be created."
            earlier = state.sent_nonces.get((bot.id, str(nonce)))
            if earlier is not None and time.monotonic() - earlier[1] < NONCE_WINDOW_SECONDS:
                return copy.deepcopy(state.messages[earlier[0]].data)
        attachments = make_attachments(state, api.config.base_url, channel.id, body, req.files)
        stored = new_message(
            state, channel, bot_author, body, MessageOptions(attachments=attachments)
        )
        stored.ready_at = time.monotonic()
        state.add_message(stored)
        if nonce is not None:
            state.sent_nonces[(bot.id, str(nonce))] = (stored.id, time.monotonic())
        events.message_create(stored)
        return copy.deepcopy(stored.data)

    @api.route("PATCH", "/channels/{channel_id}/messages/{message_id}")
    async def edit_message(req: Req) -> JSON:
        channel = channel_of(req)
        stored = state.message(channel, req.params["message_id"])
        body = req.body()
        if stored.author_id != bot.id:
            if set(body) - {"flags"}:
                raise errors.cannot_edit_others()
            require_channel_permissions(state, channel.id, MANAGE_MESSAGES)
        validate_message_body(body, editing=True)
        attachments = make_attachments(state, api.config.base_url, channel.id, body, req.files)
        apply_edit(state, stored, body, author=bot_author, new_attachments=attachments)
        events.message_update(stored)
        return copy.deepcopy(stored.data)

    @api.route("DELETE", "/channels/{channel_id}/messages/{message_id}")
    async def delete_message(req: Req) -> None:
        channel = channel_of(req)
        stored = state.message(channel, req.params["message_id"])
        if stored.author_id != bot.id:
            if channel.guild_id is None:
                raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
            require_channel_permissions(state, channel.id, MANAGE_MESSAGES)
        stored.deleted = True
        events.message_delete(stored)

    @api.route("POST", "/channels/{channel_id}/messages/bulk-delete")
    async def bulk_delete(req: Req) -> None:
        channel = guild_channel(req)
        require_channel_permissions(state, channel.id, MANAGE_MESSAGES)
        ids = req.body().get("messages") or []
        if not 2 <= len(ids) <= 100:
            raise errors.form_error(
                errors.field_error(
                    ["messages"], "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length."
                )
            )
        for message_id in ids:
            stored = state.message(channel, message_id)
            stored.deleted = True
            events.message_delete(stored)

    # ---- DMs --------------------------------------------------------------------------------
    @api.route("POST", "/users/@me/channels")
    async def open_dm(req: Req) -> JSON:
        user = state.user(req.body().get("recipient_id", 0))
        return dm_channel_for(state, user).payload()
