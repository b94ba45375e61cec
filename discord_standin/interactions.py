"""Building interaction payloads the way Discord does, and the test-side handle on one.

A slash command is resolved against the commands the bot registered (guild commands first,
then global); options are checked and converted like the Discord client would (required
options, choices, min/max, channel types), user/role/channel/attachment options come with
their ``resolved`` objects, and ``default_member_permissions`` is enforced: a member without
the permission cannot run the command at all.
"""

# The public waiting helpers take ``timeout=`` (the e2e tests' API); ruff's ASYNC109 would
# rather have callers wrap them in ``asyncio.timeout``.
# ruff: noqa: ASYNC109

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .errors import SimulationError
from .permissions import ADMINISTRATOR
from .state import Attachment, Channel, InteractionCallback, InteractionRecord, Role, StoredMessage

if TYPE_CHECKING:
    from .server import FakeDiscord

JSON = dict[str, Any]

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class SimulatedInteraction:
    """The test's view of one interaction: what the bot answered, and the messages it made.

    ``response`` is the callback (``type``, ``data``) once it arrived; ``original`` the
    current original-response message (after edits); ``followups`` the followup messages.
    """

    def __init__(self, fake: FakeDiscord, record: InteractionRecord) -> None:
        self._fake = fake
        self.record = record

    @property
    def id(self) -> int:
        return self.record.id

    def deliver_again(self) -> None:
        """Send the same INTERACTION_CREATE (same id and token) once more, as the gateway may
        after a resume: Discord's delivery is at least once."""
        self._fake.events.interaction_create(self.record.payload)

    @property
    def token(self) -> str:
        return self.record.token

    @property
    def payload(self) -> JSON:
        """The INTERACTION_CREATE payload that was sent to the bot."""
        return self.record.payload

    @property
    def response(self) -> InteractionCallback | None:
        return self.record.callback

    @property
    def modal(self) -> JSON | None:
        """The modal the bot opened (callback type 9), if any."""
        callback = self.record.callback
        return callback.data if callback is not None and callback.type == 9 else None

    @property
    def original(self) -> JSON | None:
        """The original response message as it is now (None if none, or deleted)."""
        if self.record.original_message_id is None:
            return None
        stored = self._fake.state.messages.get(self.record.original_message_id)
        return None if stored is None or stored.deleted else stored.data

    @property
    def followups(self) -> list[JSON]:
        """Followup messages in the order sent (deleted ones left out)."""
        found = (self._fake.state.messages.get(i) for i in self.record.followup_ids)
        return [m.data for m in found if m is not None and not m.deleted]

    @property
    def ephemeral(self) -> bool:
        """Whether the original response is visible only to the member."""
        if self.record.original_message_id is None:
            return False
        stored = self._fake.state.messages[self.record.original_message_id]
        return stored.ephemeral_for is not None

    async def wait_response(self, timeout: float = 5.0) -> InteractionCallback:
        """Wait for the bot's interaction callback; raises TimeoutError if none came."""
        await self._fake.wait_until(
            lambda: self.record.callback is not None, timeout, what=f"a response to {self}"
        )
        assert self.record.callback is not None
        return self.record.callback

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[JSON]:
        """Wait until the bot has sent ``count`` followups; returns them."""
        await self._fake.wait_until(
            lambda: len(self.followups) >= count, timeout, what=f"{count} followup(s) to {self}"
        )
        return self.followups

    async def wait_original(
        self, predicate: Callable[[JSON], bool] | None = None, timeout: float = 5.0
    ) -> JSON:
        """Wait until the original response exists (and satisfies ``predicate``); the
        loading message of a deferral counts only once edited."""

        def done() -> bool:
            original = self.original
            if original is None or original["flags"] & (1 << 7):
                return False
            return predicate is None or predicate(original)

        await self._fake.wait_until(done, timeout, what=f"the original response of {self}")
        assert self.original is not None
        return self.original

    def __repr__(self) -> str:
        name = (self.record.payload.get("data") or {}).get("name") or (
            self.record.payload.get("data") or {}
        ).get("custom_id")
        return f"<SimulatedInteraction id={self.id} type={self.record.type} {name!r}>"


# ---- payload building -------------------------------------------------------------------------
def new_record(
    fake: FakeDiscord,
    *,
    itype: int,
    user_id: int,
    channel: Channel,
    data: JSON,
    message: StoredMessage | None = None,
) -> InteractionRecord:
    """Create the interaction (id, token, full payload) and register it with the fake."""
    state = fake.state
    interaction_id = state.snowflakes.next()
    token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96)
    user = state.users[user_id]
    channel_data = channel.payload()
    payload: JSON = {
        "id": str(interaction_id),
        "application_id": str(state.application_id),
        "type": itype,
        "data": data,
        "channel_id": str(channel.id),
        "channel": channel_data,
        "token": token,
        "version": 1,
        "locale": user.locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if channel.guild_id is not None:
        guild = state.guilds[channel.guild_id]
        permissions = state.permissions_in(channel, user_id)
        member = guild.members[user_id].payload()
        member["permissions"] = str(permissions)
        channel_data["permissions"] = str(permissions)
        payload.update(
            guild_id=str(guild.id),
            guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
            guild_locale=guild.preferred_locale,
            member=member,
            app_permissions=str(state.permissions_in(channel, state.bot_user.id)),
            authorizing_integration_owners={"0": str(guild.id)},
            context=0,
        )
    else:
        payload.update(
            user=user.payload(),
            app_permissions=str(0),
            authorizing_integration_owners={"0": str(user_id)},
            context=1,
        )
    if message is not None:
        payload["message"] = message.data
    record = InteractionRecord(
        id=interaction_id,
        token=token,
        type=itype,
        guild_id=channel.guild_id,
        channel_id=channel.id,
        user_id=user_id,
        payload=payload,
        source_message_id=message.id if message is not None else None,
    )
    state.interactions[record.id] = record
    state.interactions_by_token[record.token] = record
    return record


def find_command(fake: FakeDiscord, guild_id: int | None, name: str, ctype: int) -> JSON:
    state = fake.state
    candidates = list(state.guild_commands.get(guild_id, [])) if guild_id is not None else []
    candidates += state.global_commands
    for command in candidates:
        if command["name"] == name and int(command.get("type") or 1) == ctype:
            return command
    registered = sorted({c["name"] for c in candidates if int(c.get("type") or 1) == ctype})
    raise SimulationError(
        f"command {name!r} (type {ctype}) is not registered; the bot registered {registered}"
    )


def check_command_usable(fake: FakeDiscord, command: JSON, user_id: int, channel: Channel) -> None:
    """What the Discord client enforces before a member can even invoke a command."""
    state = fake.state
    contexts = command.get("contexts")
    if channel.guild_id is None:
        if (
            command.get("guild_id")
            or command.get("dm_permission") is False
            or (contexts is not None and 1 not in contexts)
        ):
            raise SimulationError(f"/{command['name']} cannot be used in DMs")
        return
    if contexts is not None and 0 not in contexts:
        raise SimulationError(f"/{command['name']} cannot be used in servers")
    permissions = state.permissions_in(channel, user_id)
    if not permissions & (1 << 31):
        raise SimulationError("the member may not use application commands in this channel")
    required = command.get("default_member_permissions")
    if required is not None and not permissions & ADMINISTRATOR:
        needed = int(required)
        if needed == 0 or permissions & needed != needed:
            raise SimulationError(
                f"the member lacks the permissions /{command['name']} requires ({needed})"
            )


def command_data(
    fake: FakeDiscord,
    command: JSON,
    path: list[str],
    options: Mapping[str, Any],
    *,
    channel: Channel,
    user_id: int,
    focused: str | None = None,
    forged: bool = False,
) -> JSON:
    """The ``data`` of an APPLICATION_COMMAND / AUTOCOMPLETE interaction for a chat command."""
    resolved: JSON = {}
    definitions = command.get("options") or []
    nested: list[JSON] = []
    cursor = nested
    for part in path:
        option = next(
            (
                o
                for o in definitions
                if o["name"] == part and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)
            ),
            None,
        )
        if option is None:
            names = [
                o["name"] for o in definitions if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)
            ]
            raise SimulationError(
                f"/{command['name']} has no subcommand {part!r} here (it has {names})"
            )
        entry: JSON = {"name": part, "type": option["type"], "options": []}
        cursor.append(entry)
        cursor = entry["options"]
        definitions = option.get("options") or []
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in definitions):
        raise SimulationError(f"/{command['name']} {' '.join(path)} needs a subcommand")
    known = {o["name"]: o for o in definitions}
    for key in options:
        if key not in known:
            raise SimulationError(f"unknown option {key!r}; the command has {sorted(known)}")
    for definition in definitions:
        name = definition["name"]
        if name not in options:
            if definition.get("required") and name != focused:
                raise SimulationError(f"required option {name!r} is missing")
            continue
        value = _convert_option(
            fake,
            definition,
            options[name],
            resolved,
            channel,
            user_id,
            partial=name == focused or forged,
        )
        item: JSON = {"name": name, "type": definition["type"], "value": value}
        if name == focused:
            item["focused"] = True
        cursor.append(item)
    data: JSON = {"id": command["id"], "name": command["name"], "type": 1}
    if nested:
        data["options"] = nested
    elif cursor:
        data["options"] = cursor
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    if resolved:
        data["resolved"] = resolved
    return data


def _convert_option(
    fake: FakeDiscord,
    definition: JSON,
    raw: Any,
    resolved: JSON,
    channel: Channel,
    user_id: int,
    *,
    partial: bool,
) -> Any:
    state = fake.state
    otype = definition["type"]
    name = definition["name"]
    guild = state.guilds.get(channel.guild_id) if channel.guild_id is not None else None
    value: Any
    if otype == STRING:
        value = str(raw)
        low, high = definition.get("min_length"), definition.get("max_length")
        if not partial and (
            (low is not None and len(value) < low) or (high is not None and len(value) > high)
        ):
            raise SimulationError(f"option {name!r} must be {low}-{high} characters long")
    elif otype in (INTEGER, NUMBER):
        value = int(raw) if otype == INTEGER else float(raw)
        low, high = definition.get("min_value"), definition.get("max_value")
        if not partial and (
            (low is not None and value < low) or (high is not None and value > high)
        ):
            raise SimulationError(f"option {name!r} must be between {low} and {high}")
    elif otype == BOOLEAN:
        value = bool(raw)
    elif (
        otype in (USER, MENTIONABLE) and not isinstance(raw, Role) and _plain_id(raw) in state.users
    ):
        target_id = _plain_id(raw)
        value = str(target_id)
        resolved.setdefault("users", {})[value] = state.users[target_id].payload()
        if guild is not None and target_id in guild.members:
            member = guild.members[target_id].payload(with_user=False)
            member["permissions"] = str(state.permissions_in(channel, target_id))
            resolved.setdefault("members", {})[value] = member
    elif otype in (ROLE, MENTIONABLE) and guild is not None and _plain_id(raw) in guild.roles:
        value = str(_plain_id(raw))
        resolved.setdefault("roles", {})[value] = guild.roles[int(value)].payload()
    elif otype == CHANNEL and _plain_id(raw) in state.channels:
        target = state.channels[_plain_id(raw)]
        allowed = definition.get("channel_types")
        if allowed and target.type not in allowed:
            raise SimulationError(f"option {name!r} only accepts channel types {allowed}")
        value = str(target.id)
        payload = target.payload()
        payload["permissions"] = str(state.permissions_in(target, user_id))
        resolved.setdefault("channels", {})[value] = payload
    elif otype == ATTACHMENT:
        attachment = raw if isinstance(raw, Attachment) else fake.make_attachment(*raw)
        value = str(attachment.id)
        resolved.setdefault("attachments", {})[value] = attachment.payload()
    else:
        raise SimulationError(f"option {name!r} (type {otype}) cannot take {raw!r}")
    choices = definition.get("choices")
    if choices and not partial and value not in [c["value"] for c in choices]:
        raise SimulationError(f"option {name!r} must be one of {[c['value'] for c in choices]}")
    return value


def _plain_id(raw: Any) -> int:
    if hasattr(raw, "id"):
        return int(raw.id)
    try:
        return int(raw)
    except (TypeError, ValueError):
        return -1
