"""Simulated members: people who run commands, click buttons, fill in modals, talk and join
voice. Each action builds the payload Discord would send and delivers it over the gateway.

A member can only do what their Discord client would let them: they must be able to see the
channel, send messages to talk, connect to join voice, have the permissions a command's
``default_member_permissions`` asks for, and click a button that is really on the message and
enabled. Otherwise the action raises ``SimulationError`` in the test.
"""

# The public waiting helpers take ``timeout=`` (the e2e tests' API); ruff's ASYNC109 would
# rather have callers wrap them in ``asyncio.timeout``.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import SimulationError
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    SimulatedInteraction,
    check_command_usable,
    command_data,
    find_command,
    new_record,
)
from .messages import Author, find_component, new_message
from .permissions import CONNECT, PERMISSION_BITS, VIEW_CHANNEL, permission_value
from .rest_channels import dm_channel_for
from .state import STAGE, Channel, InteractionRecord, Member, StoredMessage, User, VoiceState

if TYPE_CHECKING:
    from .server import FakeDiscord

JSON = dict[str, Any]

STRING_SELECT = 3
SELECT_RESOLVE = {5: "users", 6: "roles", 7: "mentionable", 8: "channels"}


class SimulatedMember:
    """One user's membership in one guild, able to act like a person at a Discord client."""

    def __init__(self, fake: FakeDiscord, guild_id: int, user_id: int) -> None:
        self._fake = fake
        self.guild_id = guild_id
        self.id = user_id

    # ---- identity ---------------------------------------------------------------------------
    @property
    def user(self) -> User:
        return self._fake.state.users[self.id]

    @property
    def member(self) -> Member:
        return self._fake.state.guilds[self.guild_id].members[self.id]

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def global_name(self) -> str | None:
        return self.user.global_name

    @property
    def nick(self) -> str | None:
        return self.member.nick

    @property
    def display_name(self) -> str:
        return self.member.nick or self.user.global_name or self.user.username

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    @property
    def roles(self) -> list[int]:
        return list(self.member.roles)

    @property
    def dm_channel_id(self) -> int:
        """The DM channel between this user and the bot (opened if needed); pass it to
        ``slash`` to run a command in DMs."""
        return dm_channel_for(self._fake.state, self.user).id

    def permissions_in(self, channel_id: int) -> int:
        """The member's effective permission bits in a channel."""
        return self._fake.state.permissions_in(self._fake.state.channel(channel_id), self.id)

    def can(self, channel_id: int, *permissions: str) -> bool:
        """Whether the member has all the named permissions in the channel."""
        needed = permission_value(permissions)
        return self.permissions_in(channel_id) & needed == needed

    def __repr__(self) -> str:
        return f"<SimulatedMember {self.username} id={self.id} guild={self.guild_id}>"

    # ---- application commands ---------------------------------------------------------------
    async def slash(
        self,
        channel_id: int,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        forged: bool = False,
    ) -> SimulatedInteraction:
        """Run a chat-input command; ``command`` is the space-separated path
        ("group settings"). Options are checked against what the bot registered.

        ``forged``: sent by a modified client. Discord's own app only offers a command's
        choices and numbers within its range, so an out-of-range value (``meetings: 3``, a day
        7) reaches a bot only from a client that built the payload itself; Discord passes the
        value on as it came. The option's type and name are still those registered."""
        channel = self._usable_channel(channel_id)
        name, *path = command.split()
        definition = find_command(self._fake, channel.guild_id, name, 1)
        check_command_usable(self._fake, definition, self.id, channel)
        data = command_data(
            self._fake,
            definition,
            path,
            options or {},
            channel=channel,
            user_id=self.id,
            forged=forged,
        )
        return self._send(
            new_record(
                self._fake, itype=APPLICATION_COMMAND, user_id=self.id, channel=channel, data=data
            )
        )

    async def autocomplete(
        self, channel_id: int, command: str, options: Mapping[str, Any], focused: str
    ) -> SimulatedInteraction:
        """Type into option ``focused``; the bot should answer with choices (callback 8)."""
        channel = self._usable_channel(channel_id)
        name, *path = command.split()
        definition = find_command(self._fake, channel.guild_id, name, 1)
        check_command_usable(self._fake, definition, self.id, channel)
        data = command_data(
            self._fake, definition, path, options, channel=channel, user_id=self.id, focused=focused
        )
        return self._send(
            new_record(self._fake, itype=AUTOCOMPLETE, user_id=self.id, channel=channel, data=data)
        )

    async def message_command(self, message_id: int, name: str) -> SimulatedInteraction:
        """Use a message context-menu command (e.g. "Gentle reminder") on a message."""
        stored = await self._wait_message(message_id, 5.0)
        channel = self._usable_channel(stored.channel_id)
        definition = find_command(self._fake, channel.guild_id, name, 3)
        check_command_usable(self._fake, definition, self.id, channel)
        target = dict(stored.data)
        if stored.guild_id is not None:
            target["guild_id"] = str(stored.guild_id)
        data: JSON = {
            "id": definition["id"],
            "name": name,
            "type": 3,
            "target_id": str(stored.id),
            "resolved": {"messages": {str(stored.id): target}},
        }
        return self._send(
            new_record(
                self._fake, itype=APPLICATION_COMMAND, user_id=self.id, channel=channel, data=data
            )
        )

    async def user_command(
        self, channel_id: int, name: str, target: SimulatedMember | int
    ) -> SimulatedInteraction:
        """Use a user context-menu command on another member."""
        channel = self._usable_channel(channel_id)
        definition = find_command(self._fake, channel.guild_id, name, 2)
        check_command_usable(self._fake, definition, self.id, channel)
        target_id = target.id if isinstance(target, SimulatedMember) else int(target)
        state = self._fake.state
        resolved: JSON = {"users": {str(target_id): state.user(target_id).payload()}}
        guild = state.guilds[self.guild_id]
        if target_id in guild.members:
            resolved["members"] = {
                str(target_id): guild.members[target_id].payload(with_user=False)
            }
        data = {
            "id": definition["id"],
            "name": name,
            "type": 2,
            "target_id": str(target_id),
            "resolved": resolved,
        }
        return self._send(
            new_record(
                self._fake, itype=APPLICATION_COMMAND, user_id=self.id, channel=channel, data=data
            )
        )

    # ---- components and modals --------------------------------------------------------------
    async def click(
        self, message_id: int, custom_id: str, *, timeout: float = 5.0
    ) -> SimulatedInteraction:
        """Click a button. Waits (up to ``timeout``) until the message exists and carries
        the button, plus the fake's ``click_delay`` (a person needs a moment too)."""
        stored, component = await self._wait_component(message_id, custom_id, timeout)
        if component.get("type") != 2:
            raise SimulationError(f"{custom_id!r} is not a button (type {component.get('type')})")
        if component.get("style") == 5 or "custom_id" not in component:
            raise SimulationError(
                f"{custom_id!r} is a link button; clicking it sends no interaction"
            )
        data: JSON = {"custom_id": custom_id, "component_type": 2, "id": component.get("id")}
        return self._component(stored, data)

    async def press_forged(self, message_id: int, custom_id: str) -> SimulatedInteraction:
        """A press on a message made to carry a ``custom_id`` of the tester's choosing (another
        server's meeting, an index that isn't there): what the outside tests forged. discord.py
        only dispatches a press for a component the message carries, so the button is added to
        the stored message first. The bot must never trust a ``custom_id`` to say where it is."""
        stored = self._fake.state.messages[message_id]
        button = {"type": 2, "style": 2, "label": "…", "custom_id": custom_id}
        # The press carries the message as the forger's client shows it (within Discord's five
        # rows); the stored message itself is left as it is.
        rows = list(stored.data.get("components", []))[:4]
        shown = dataclasses.replace(
            stored,
            data={**stored.data, "components": [*rows, {"type": 1, "components": [button]}]},
        )
        return self._component(shown, {"custom_id": custom_id, "component_type": 2})

    async def select(
        self, message_id: int, custom_id: str, values: Sequence[Any], *, timeout: float = 5.0
    ) -> SimulatedInteraction:
        """Pick values in a select menu (option values, or ids for user/role/channel selects)."""
        stored, component = await self._wait_component(message_id, custom_id, timeout)
        ctype = component.get("type")
        chosen = [str(getattr(v, "id", v)) for v in values]
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(chosen) <= high:
            raise SimulationError(
                f"select {custom_id!r} takes {low}-{high} values, not {len(chosen)}"
            )
        data: JSON = {
            "custom_id": custom_id,
            "component_type": ctype,
            "values": chosen,
            "id": component.get("id"),
        }
        if ctype == STRING_SELECT:
            allowed = [o["value"] for o in component.get("options") or []]
            if any(v not in allowed for v in chosen):
                raise SimulationError(f"select {custom_id!r} offers only {allowed}")
        elif ctype in SELECT_RESOLVE:
            data["resolved"] = self._resolve_ids(chosen)
        else:
            raise SimulationError(f"{custom_id!r} is not a select menu")
        return self._component(stored, data)

    async def submit_modal(
        self, custom_id: str, values: Mapping[str, str | Sequence[str]], *, timeout: float = 5.0
    ) -> SimulatedInteraction:
        """Fill in and submit the modal the bot opened for this member (callback type 9).
        Fields left out keep their pre-filled value; required ones must end up non-empty."""
        record = await self._wait_modal(custom_id, timeout)
        assert record.callback is not None
        assert record.callback.data is not None
        modal = record.callback.data
        remaining = dict(values)
        resolved: JSON = {}
        components = [self._fill(c, remaining, resolved) for c in modal.get("components") or []]
        if remaining:
            raise SimulationError(f"the modal has no fields {sorted(remaining)}")
        record.modal_submitted = True
        channel = self._fake.state.channel(record.channel_id)
        source = self._fake.state.messages.get(record.source_message_id or 0)
        data: JSON = {"custom_id": custom_id, "components": components}
        if resolved:
            data["resolved"] = resolved
        return self._send(
            new_record(
                self._fake,
                itype=MODAL_SUBMIT,
                user_id=self.id,
                channel=channel,
                data=data,
                message=source,
            )
        )

    # ---- messages ---------------------------------------------------------------------------
    async def say(self, channel_id: int, content: str, *, reply_to: int | None = None) -> JSON:
        """Post a message in a channel (MESSAGE_CREATE). Returns the stored message."""
        channel = self._fake.state.channel(channel_id)
        if not self.can(channel_id, "view_channel", "send_messages"):
            raise SimulationError(f"{self.username} cannot send messages in #{channel.name}")
        self._slow_mode(channel)
        body: JSON = {"content": content}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(reply_to), "channel_id": str(channel_id)}
        return self._post(channel, body)

    async def dm_bot(self, content: str) -> JSON:
        """Send the bot a direct message (MESSAGE_CREATE without guild_id)."""
        channel = dm_channel_for(self._fake.state, self.user)
        return self._post(channel, {"content": content})

    async def edit_message(self, message_id: int, content: str) -> JSON:
        """Edit one of this member's messages (MESSAGE_UPDATE)."""
        stored = self._own_message(message_id)
        stored.data["content"] = content
        stored.data["edited_timestamp"] = self._fake.state.now()
        self._fake.events.message_update(stored)
        return stored.data

    async def delete_message(self, message_id: int) -> None:
        """Delete one of this member's messages (MESSAGE_DELETE)."""
        stored = self._own_message(message_id)
        stored.deleted = True
        self._fake.events.message_delete(stored)

    # ---- voice ------------------------------------------------------------------------------
    async def join_voice(
        self, channel_id: int, *, self_mute: bool = False, self_deaf: bool = False
    ) -> None:
        """Connect to (or move to) a voice or stage channel (VOICE_STATE_UPDATE)."""
        state = self._fake.state
        channel = state.channel(channel_id)
        if not channel.is_voice or channel.guild_id != self.guild_id:
            raise SimulationError(f"#{channel.name} is not a voice channel of this server")
        if (
            state.permissions_in(channel, self.id) & (VIEW_CHANNEL | CONNECT)
            != VIEW_CHANNEL | CONNECT
        ):
            raise SimulationError(f"{self.username} may not connect to #{channel.name}")
        guild = state.guilds[self.guild_id]
        inside = [
            v
            for v in guild.voice_states.values()
            if v.channel_id == channel.id and v.user_id != self.id
        ]
        if channel.user_limit and len(inside) >= channel.user_limit:
            raise SimulationError(f"#{channel.name} is full")
        voice = guild.voice_states.get(self.id)
        if voice is None:
            voice = VoiceState(self.guild_id, self.id, channel.id, state.new_session_id())
            guild.voice_states[self.id] = voice
        voice.channel_id = channel.id
        voice.self_mute, voice.self_deaf = self_mute, self_deaf
        voice.suppress = channel.type == STAGE
        voice.request_to_speak_timestamp = None
        self._fake.events.voice_state(guild, voice)

    async def leave_voice(self) -> None:
        """Disconnect from voice (VOICE_STATE_UPDATE with channel_id null)."""
        guild = self._fake.state.guilds[self.guild_id]
        voice = guild.voice_states.pop(self.id, None)
        if voice is None:
            raise SimulationError(f"{self.username} is not in a voice channel")
        voice.channel_id = None
        self._fake.events.voice_state(guild, voice)

    async def request_to_speak(self) -> None:
        """Raise a hand on a stage (sets request_to_speak_timestamp)."""
        guild = self._fake.state.guilds[self.guild_id]
        voice = guild.voice_states.get(self.id)
        if voice is None or voice.channel_id is None:
            raise SimulationError(f"{self.username} is not on a stage")
        voice.request_to_speak_timestamp = self._fake.state.now()
        self._fake.events.voice_state(guild, voice)

    async def turn_camera_on(self, *, screen: bool = False) -> None:
        """Turn the camera on (or share the screen) in the voice channel the member is in.
        Discord allows it only with **Video** (``stream``) in that channel: without it the
        client's button is greyed out and the voice server refuses, so this raises."""
        state = self._fake.state
        guild = state.guilds[self.guild_id]
        voice = guild.voice_states.get(self.id)
        if voice is None or voice.channel_id is None:
            raise SimulationError(f"{self.username} is not in a voice channel")
        channel = state.channel(voice.channel_id)
        if not state.permissions_in(channel, self.id) & PERMISSION_BITS["stream"]:
            raise SimulationError(f"{self.username} may not use video in #{channel.name}")
        if screen:
            voice.self_stream = True
        else:
            voice.self_video = True
        self._fake.events.voice_state(guild, voice)

    async def turn_camera_off(self) -> None:
        """Camera and screen sharing off (always allowed)."""
        guild = self._fake.state.guilds[self.guild_id]
        voice = guild.voice_states.get(self.id)
        if voice is None or voice.channel_id is None:
            raise SimulationError(f"{self.username} is not in a voice channel")
        voice.self_video = voice.self_stream = False
        self._fake.events.voice_state(guild, voice)

    @property
    def voice_channel_id(self) -> int | None:
        voice = self._fake.state.guilds[self.guild_id].voice_states.get(self.id)
        return voice.channel_id if voice else None

    # ---- internals --------------------------------------------------------------------------
    def _usable_channel(self, channel_id: int) -> Channel:
        channel = self._fake.state.channel(channel_id)
        if channel.guild_id is None:
            if channel.recipient is None or channel.recipient.id != self.id:
                raise SimulationError(f"{self.username} is not in DM channel {channel_id}")
        elif channel.guild_id != self.guild_id:
            raise SimulationError(f"#{channel.name} is in another server")
        elif not self.permissions_in(channel_id) & VIEW_CHANNEL:
            raise SimulationError(f"{self.username} cannot see #{channel.name}")
        return channel

    def _send(self, record: InteractionRecord) -> SimulatedInteraction:
        if not self._fake.gateway.live_sessions():
            raise SimulationError(
                "the bot has no gateway session; nothing would receive the interaction"
            )
        self._fake.events.interaction_create(record.payload)
        return SimulatedInteraction(self._fake, record)

    def _component(self, stored: StoredMessage, data: JSON) -> SimulatedInteraction:
        channel = self._fake.state.channel(stored.channel_id)
        if stored.ephemeral_for is None:
            self._usable_channel(channel.id)
        return self._send(
            new_record(
                self._fake,
                itype=MESSAGE_COMPONENT,
                user_id=self.id,
                channel=channel,
                data=data,
                message=stored,
            )
        )

    def _slow_mode(self, channel: Channel) -> None:
        """Slow mode (``rate_limit_per_user``): one message per that many seconds, except for
        members with Manage Messages or Manage Channel (Discord answers 429, code 20016)."""
        key = (channel.id, self.id)
        now = time.monotonic()
        last = self._fake.state.slow_mode_posts.get(key)
        exempt = self.can(channel.id, "manage_messages") or self.can(channel.id, "manage_channels")
        waiting = last is not None and now - last < channel.rate_limit_per_user
        if channel.rate_limit_per_user and not exempt and waiting:
            raise SimulationError(
                f"{self.username} is in slow mode in #{channel.name} (20016: this action "
                "cannot be performed due to slowmode rate limit)"
            )
        self._fake.state.slow_mode_posts[key] = now

    def _post(self, channel: Channel, body: JSON) -> JSON:
        state = self._fake.state
        stored = new_message(state, channel, Author(self.user), body)
        stored.ready_at = time.monotonic()
        state.add_message(stored)
        self._fake.events.message_create(stored)
        return stored.data

    def _own_message(self, message_id: int) -> StoredMessage:
        stored = self._fake.state.messages.get(message_id)
        if stored is None or stored.deleted or stored.author_id != self.id:
            raise SimulationError(f"message {message_id} is not {self.username}'s")
        return stored

    def _visible(self, stored: StoredMessage) -> bool:
        if stored.deleted:
            return False
        if stored.ephemeral_for is not None:
            return stored.ephemeral_for == self.id
        channel = self._fake.state.channels.get(stored.channel_id)
        if channel is None:
            return False
        return channel.guild_id is None or bool(self.permissions_in(channel.id) & VIEW_CHANNEL)

    async def _wait_message(self, message_id: int, timeout: float) -> StoredMessage:
        messages = self._fake.state.messages
        await self._fake.wait_until(
            lambda: message_id in messages and self._visible(messages[message_id]),
            timeout,
            what=f"message {message_id} visible to {self.username}",
        )
        return messages[message_id]

    async def _wait_component(
        self, message_id: int, custom_id: str, timeout: float
    ) -> tuple[StoredMessage, JSON]:
        messages = self._fake.state.messages

        def present() -> bool:
            stored = messages.get(message_id)
            return (
                stored is not None
                and self._visible(stored)
                and find_component(stored.data.get("components") or [], custom_id) is not None
            )

        try:
            await self._fake.wait_until(
                present, timeout, what=f"component {custom_id!r} on message {message_id}"
            )
        except TimeoutError:
            stored = messages.get(message_id)
            if stored is None or not self._visible(stored):
                raise
            have = _custom_ids(stored.data.get("components") or [])
            raise SimulationError(
                f"message {message_id} has no component {custom_id!r}; it has {have}"
            ) from None
        stored = messages[message_id]
        delay = stored.ready_at + self._fake.click_delay - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        component = find_component(stored.data.get("components") or [], custom_id)
        assert component is not None
        if component.get("disabled"):
            raise SimulationError(f"{custom_id!r} is disabled")
        return stored, component

    async def _wait_modal(self, custom_id: str, timeout: float) -> InteractionRecord:
        def find() -> InteractionRecord | None:
            for record in reversed(list(self._fake.state.interactions.values())):
                callback = record.callback
                if (
                    record.user_id == self.id
                    and callback is not None
                    and callback.type == 9
                    and (callback.data or {}).get("custom_id") == custom_id
                    and not record.modal_submitted
                ):
                    return record
            return None

        try:
            await self._fake.wait_until(
                lambda: find() is not None, timeout, what=f"modal {custom_id!r} for {self.username}"
            )
        except TimeoutError:
            raise SimulationError(
                f"{self.username} has no open modal {custom_id!r} "
                "(the bot did not open one, or it was already submitted)"
            ) from None
        record = find()
        assert record is not None
        return record

    def _fill(
        self, component: JSON, values: dict[str, str | Sequence[str]], resolved: JSON
    ) -> JSON:
        """The modal-submit counterpart of one modal component (same nesting)."""
        ctype = component.get("type")
        if ctype == 1:
            children = [self._fill(c, values, resolved) for c in component.get("components") or []]
            return {"type": 1, "id": component.get("id"), "components": children}
        if ctype == 18:
            child = self._fill(component["component"], values, resolved)
            return {"type": 18, "id": component.get("id"), "component": child}
        if ctype == 10:
            return {"type": 10, "id": component.get("id")}
        custom_id = component.get("custom_id", "")
        if ctype == 4:
            raw = values.pop(custom_id, component.get("value") or "")
            if not isinstance(raw, str):
                raise SimulationError(f"text input {custom_id!r} takes a string")
            required = component.get("required", True)
            low, high = component.get("min_length") or 0, component.get("max_length") or 4000
            if (required or raw) and not (max(low, 1 if required else 0) <= len(raw) <= high):
                raise SimulationError(
                    f"text input {custom_id!r} needs {low}-{high} characters (required={required})"
                )
            return {"type": 4, "id": component.get("id"), "custom_id": custom_id, "value": raw}
        chosen = values.pop(custom_id, [])
        picked = [chosen] if isinstance(chosen, str) else list(chosen)
        result: JSON = {
            "type": ctype,
            "id": component.get("id"),
            "custom_id": custom_id,
            "values": picked,
        }
        if ctype in SELECT_RESOLVE:
            for kind, entries in self._resolve_ids(picked).items():
                resolved.setdefault(kind, {}).update(entries)
        return result

    def _resolve_ids(self, ids: list[str]) -> JSON:
        state = self._fake.state
        guild = state.guilds[self.guild_id]
        resolved: JSON = {}
        for raw in ids:
            key = int(raw)
            if key in state.users:
                resolved.setdefault("users", {})[raw] = state.users[key].payload()
                if key in guild.members:
                    resolved.setdefault("members", {})[raw] = guild.members[key].payload(
                        with_user=False
                    )
            elif key in guild.roles:
                resolved.setdefault("roles", {})[raw] = guild.roles[key].payload()
            elif key in state.channels:
                resolved.setdefault("channels", {})[raw] = state.channels[key].payload()
        return resolved


def _custom_ids(components: list[JSON]) -> list[str]:
    found: list[str] = []
    for component in components:
        if "custom_id" in component:
            found.append(component["custom_id"])
        found += _custom_ids(component.get("components") or [])
        for key in ("accessory", "component"):
            if isinstance(component.get(key), dict):
                found += _custom_ids([component[key]])
    return found
