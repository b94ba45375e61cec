"""Gateway events that follow changes to the fake's state, with Discord's intent rules.

Guild message events need GUILD_MESSAGES (DIRECT_MESSAGES for DMs) and go out only for
channels the bot can view; their content is emptied unless the session asked for
MESSAGE_CONTENT (exemptions: the bot's own messages, DMs, messages mentioning the bot).
Member events need GUILD_MEMBERS, voice states GUILD_VOICE_STATES, guild/role/channel events
GUILDS. Interactions need no intent. Ephemeral messages never produce events.
"""

from __future__ import annotations

from typing import Any

from . import gateway as gw
from .messages import content_visible_to_bot, gateway_message
from .permissions import VIEW_CHANNEL
from .state import Channel, Guild, Member, Role, State, StoredMessage, User, VoiceState

JSON = dict[str, Any]


class Events:
    def __init__(self, state: State, gateway: gw.Gateway) -> None:
        self.state = state
        self.gateway = gateway

    # ---- messages ---------------------------------------------------------------------------
    def _message_intent(self, stored: StoredMessage) -> int | None:
        if stored.ephemeral_for is not None:
            return None
        if stored.guild_id is None:
            return gw.DIRECT_MESSAGES
        channel = self.state.channels.get(stored.channel_id)
        if (
            channel is None
            or not self.state.permissions_in(channel, self.state.bot_user.id) & VIEW_CHANNEL
        ):
            return None
        return gw.GUILD_MESSAGES

    def _message_event(self, event: str, stored: StoredMessage) -> None:
        intent = self._message_intent(stored)
        if intent is None:
            return

        def view(session: gw.GatewaySession, _: JSON) -> JSON:
            visible = content_visible_to_bot(
                self.state, stored, has_message_content=session.has(gw.MESSAGE_CONTENT)
            )
            return gateway_message(self.state, stored, content_visible=visible)

        self.gateway.dispatch(event, {}, intent=intent, guild_id=stored.guild_id, transform=view)

    def message_create(self, stored: StoredMessage) -> None:
        self._message_event("MESSAGE_CREATE", stored)

    def message_update(self, stored: StoredMessage) -> None:
        self._message_event("MESSAGE_UPDATE", stored)

    def message_delete(self, stored: StoredMessage) -> None:
        intent = self._message_intent(stored)
        if intent is None:
            return
        data: JSON = {"id": str(stored.id), "channel_id": str(stored.channel_id)}
        if stored.guild_id is not None:
            data["guild_id"] = str(stored.guild_id)
        self.gateway.dispatch("MESSAGE_DELETE", data, intent=intent, guild_id=stored.guild_id)

    # ---- guilds, roles, channels ------------------------------------------------------------
    def guild_create(self, guild: Guild) -> None:
        def view(session: gw.GatewaySession, _: JSON) -> JSON:
            return self.state.guild_create_payload(
                guild, all_members=session.has(gw.GUILD_PRESENCES)
            )

        self.gateway.dispatch(
            "GUILD_CREATE", {}, intent=gw.GUILDS, guild_id=guild.id, transform=view
        )

    def guild_delete(self, guild_id: int) -> None:
        self.gateway.dispatch(
            "GUILD_DELETE", {"id": str(guild_id)}, intent=gw.GUILDS, guild_id=guild_id
        )

    def role(self, event: str, role: Role) -> None:
        if event == "GUILD_ROLE_DELETE":
            data: JSON = {"guild_id": str(role.guild_id), "role_id": str(role.id)}
        else:
            data = {"guild_id": str(role.guild_id), "role": role.payload()}
        self.gateway.dispatch(event, data, intent=gw.GUILDS, guild_id=role.guild_id)

    def channel(self, event: str, channel: Channel) -> None:
        self.gateway.dispatch(event, channel.payload(), intent=gw.GUILDS, guild_id=channel.guild_id)

    # ---- members and voice ------------------------------------------------------------------
    def member_add(self, member: Member) -> None:
        data = member.payload()
        data["guild_id"] = str(member.guild_id)
        self.gateway.dispatch(
            "GUILD_MEMBER_ADD", data, intent=gw.GUILD_MEMBERS, guild_id=member.guild_id
        )

    def member_update(self, member: Member) -> None:
        data = member.payload()
        data["guild_id"] = str(member.guild_id)
        self.gateway.dispatch(
            "GUILD_MEMBER_UPDATE", data, intent=gw.GUILD_MEMBERS, guild_id=member.guild_id
        )

    def member_remove(self, guild_id: int, user: User) -> None:
        data = {"guild_id": str(guild_id), "user": user.payload()}
        self.gateway.dispatch(
            "GUILD_MEMBER_REMOVE", data, intent=gw.GUILD_MEMBERS, guild_id=guild_id
        )

    def voice_state(self, guild: Guild, state: VoiceState) -> None:
        member = guild.members.get(state.user_id)
        self.gateway.dispatch(
            "VOICE_STATE_UPDATE",
            state.payload(member),
            intent=gw.GUILD_VOICE_STATES,
            guild_id=guild.id,
        )

    # ---- interactions -----------------------------------------------------------------------
    def interaction_create(self, payload: JSON) -> int:
        guild_id = int(payload["guild_id"]) if payload.get("guild_id") else None
        return self.gateway.dispatch("INTERACTION_CREATE", payload, intent=None, guild_id=guild_id)
