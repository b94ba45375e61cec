"""Building and editing message objects the way Discord does.

Mentions follow ``allowed_mentions``: with no ``allowed_mentions`` every mention in the
content pings (``@everyone`` only if the author may mention everyone, a role only if it is
mentionable or the author may mention everyone); ``{"parse": []}`` pings nobody. The stored
message's ``mentions``, ``mention_roles`` and ``mention_everyone`` list who was really pinged,
so a test can assert that a member's ``@everyone`` pinged nobody.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from .permissions import PERMISSION_BITS
from .state import Attachment, Channel, State, StoredMessage, User

JSON = dict[str, Any]

_USER_MENTION = re.compile(r"<@!?(\d{15,21})>")
_ROLE_MENTION = re.compile(r"<@&(\d{15,21})>")
_EVERYONE = re.compile(r"@(everyone|here)\b")

DEFAULT, REPLY, CHAT_INPUT_COMMAND, CONTEXT_MENU_COMMAND = 0, 19, 20, 23
LOADING = 1 << 7
EPHEMERAL = 1 << 6
EDITABLE_FLAGS = (1 << 2) | (1 << 15)  # SUPPRESS_EMBEDS, IS_COMPONENTS_V2


@dataclass
class Author:
    """Who a new message is from: a user, or the application through an interaction."""

    user: User
    via_application: bool = False
    """True for interaction responses and followups (webhook messages of the application)."""


@dataclass
class MessageOptions:
    msg_type: int = DEFAULT
    interaction_metadata: JSON | None = None
    ephemeral_for: int | None = None
    flags_extra: int = 0
    attachments: list[Attachment] = field(default_factory=list)


def new_message(
    state: State,
    channel: Channel,
    author: Author,
    body: JSON,
    options: MessageOptions | None = None,
) -> StoredMessage:
    """Create (but do not store) a message from a create-message body."""
    opts = options or MessageOptions()
    message_id = state.snowflakes.next()
    flags = (int(body.get("flags") or 0) & ~EPHEMERAL) | opts.flags_extra
    if opts.ephemeral_for is not None:
        flags |= EPHEMERAL
    data: JSON = {
        "id": str(message_id),
        "channel_id": str(channel.id),
        "author": author.user.payload(),
        "content": body.get("content") or "",
        "timestamp": state.now(),
        "edited_timestamp": None,
        "tts": bool(body.get("tts")),
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [a.payload() for a in opts.attachments],
        "embeds": _normalise_embeds(body.get("embeds") or []),
        "pinned": False,
        "type": opts.msg_type,
        "flags": flags,
        "components": _number_components(copy.deepcopy(body.get("components") or [])),
    }
    if body.get("nonce") is not None:
        data["nonce"] = body["nonce"]
    if body.get("poll") is not None:
        data["poll"] = body["poll"]
    if author.via_application:
        data["webhook_id"] = str(state.application_id)
        data["application_id"] = str(state.application_id)
    if opts.interaction_metadata is not None:
        data["interaction_metadata"] = opts.interaction_metadata
    reference = body.get("message_reference")
    if reference:
        data["message_reference"] = {
            "type": 0,
            "message_id": str(reference.get("message_id")),
            "channel_id": str(reference.get("channel_id") or channel.id),
        }
        if channel.guild_id is not None:
            data["message_reference"]["guild_id"] = str(channel.guild_id)
        data["type"] = REPLY if opts.msg_type == DEFAULT else opts.msg_type
    stored = StoredMessage(
        data=data,
        channel_id=channel.id,
        guild_id=channel.guild_id,
        author_id=author.user.id,
        ephemeral_for=opts.ephemeral_for,
    )
    _apply_mentions(state, stored, body.get("allowed_mentions"), author)
    return stored


def apply_edit(
    state: State,
    stored: StoredMessage,
    body: JSON,
    *,
    author: Author,
    new_attachments: list[Attachment] | None = None,
) -> None:
    """Apply an edit-message body (fields absent from the body are kept)."""
    data = stored.data
    if "content" in body:
        data["content"] = body["content"] or ""
    if "embeds" in body:
        data["embeds"] = _normalise_embeds(body["embeds"] or [])
    if "components" in body:
        data["components"] = _number_components(copy.deepcopy(body["components"] or []))
    if "flags" in body and body["flags"] is not None:
        kept = data["flags"] & ~EDITABLE_FLAGS
        data["flags"] = kept | (int(body["flags"]) & EDITABLE_FLAGS)
    if "attachments" in body:
        keep_ids = {str(a.get("id")) for a in body["attachments"] or []}
        data["attachments"] = [a for a in data["attachments"] if a["id"] in keep_ids]
    for attachment in new_attachments or []:
        data["attachments"].append(attachment.payload())
    if "poll" in body:
        data["poll"] = body["poll"]
    data["flags"] &= ~LOADING
    data["edited_timestamp"] = state.now()
    _apply_mentions(state, stored, body.get("allowed_mentions"), author)


def gateway_message(state: State, stored: StoredMessage, *, content_visible: bool) -> JSON:
    """The MESSAGE_CREATE / MESSAGE_UPDATE payload: the message plus ``guild_id`` and the
    author's partial ``member``; content fields emptied when the bot may not see them."""
    data = copy.deepcopy(stored.data)
    if stored.guild_id is not None:
        data["guild_id"] = str(stored.guild_id)
        guild = state.guilds.get(stored.guild_id)
        member = guild.members.get(stored.author_id) if guild else None
        if member is not None and "webhook_id" not in data:
            data["member"] = member.payload(with_user=False)
    if not content_visible:
        blank_content(data)
    return data


def blank_content(data: JSON) -> None:
    """What an app without the Message Content intent receives: empty content, embeds,
    attachments and components, and no poll."""
    data["content"] = ""
    data["embeds"] = []
    data["attachments"] = []
    data["components"] = []
    data.pop("poll", None)


def content_visible_to_bot(
    state: State, stored: StoredMessage, *, has_message_content: bool
) -> bool:
    """Discord's exemptions from the Message Content intent: the bot's own messages, DMs,
    and messages that mention the bot."""
    if has_message_content or stored.author_id == state.bot_user.id or stored.guild_id is None:
        return True
    bot_id = str(state.bot_user.id)
    if any(u["id"] == bot_id for u in stored.data.get("mentions", [])):
        return True
    return bool(re.search(rf"<@!?{bot_id}>", stored.data.get("content") or ""))


def find_component(components: list[JSON], custom_id: str) -> JSON | None:
    """Find an interactive component by custom_id anywhere in a message's component tree."""
    for component in components:
        if component.get("custom_id") == custom_id:
            return component
        for key in ("components",):
            found = find_component(component.get(key) or [], custom_id)
            if found is not None:
                return found
        for key in ("accessory", "component"):
            child = component.get(key)
            if isinstance(child, dict):
                found = find_component([child], custom_id)
                if found is not None:
                    return found
    return None


def _apply_mentions(
    state: State, stored: StoredMessage, allowed: JSON | None, author: Author
) -> None:
    data = stored.data
    content = data.get("content") or ""
    guild = state.guilds.get(stored.guild_id) if stored.guild_id is not None else None
    can_everyone = author.via_application or (
        guild is not None
        and bool(
            state.base_permissions(guild, author.user.id) & PERMISSION_BITS["mention_everyone"]
        )
    )
    parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
    allowed_users = {str(u) for u in (allowed or {}).get("users") or []}
    allowed_roles = {str(r) for r in (allowed or {}).get("roles") or []}

    users: list[JSON] = []
    for user_id in dict.fromkeys(_USER_MENTION.findall(content)):
        user = state.users.get(int(user_id))
        if user is not None and ("users" in parse or user_id in allowed_users):
            users.append(user.payload())
    roles: list[str] = []
    if guild is not None:
        for role_id in dict.fromkeys(_ROLE_MENTION.findall(content)):
            role = guild.roles.get(int(role_id))
            if role is None or not ("roles" in parse or role_id in allowed_roles):
                continue
            if role.mentionable or can_everyone:
                roles.append(role_id)
    data["mentions"] = users
    data["mention_roles"] = roles
    data["mention_everyone"] = bool(
        _EVERYONE.search(content) and "everyone" in parse and can_everyone and guild is not None
    )


def _normalise_embeds(embeds: list[JSON]) -> list[JSON]:
    result = []
    for embed in embeds:
        item = copy.deepcopy(embed)
        item.setdefault("type", "rich")
        item.setdefault("content_scan_version", 0)
        result.append(item)
    return result


def _number_components(components: list[JSON], counter: list[int] | None = None) -> list[JSON]:
    """Discord gives every component a numeric ``id`` (1, 2, ...) when the sender did not."""
    counter = counter if counter is not None else [0]
    for component in components:
        counter[0] += 1
        component.setdefault("id", counter[0])
        _number_components(component.get("components") or [], counter)
        for key in ("accessory", "component"):
            child = component.get(key)
            if isinstance(child, dict):
                _number_components([child], counter)
    return components
