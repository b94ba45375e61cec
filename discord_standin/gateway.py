"""Gateway v10 over a real websocket: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats,
RESUME with replay, REQUEST_GUILD_MEMBERS -> GUILD_MEMBERS_CHUNK, and the documented close
codes (4001 unknown opcode, 4002 decode error, 4003 not authenticated, 4004 authentication
failed, 4005 already authenticated, 4010 invalid shard, 4011 sharding required, 4012 invalid
API version, 4013 invalid intents, 4014 disallowed intents).

Sharding as Discord documents it: IDENTIFY's ``shard: [shard_id, num_shards]``; a guild's events
(GUILD_CREATE, interactions …) go only to the shard ``(guild_id >> 22) % num_shards``, DMs to
shard 0; GET /gateway/bot reports ``shards`` and ``session_start_limit`` {total, remaining,
reset_after, max_concurrency}; with ``enforce_identify_window`` a second IDENTIFY on the same
rate-limit key (``shard_id % max_concurrency``) within 5 s gets op 9 INVALID_SESSION.

Every dispatch carries a sequence number and is kept in its session's buffer, so a client
that RESUMEs after a dropped connection gets what it missed, then RESUMED. Events are only
sent to a session that asked for the matching intent, like Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .sharding import shard_pair_of, too_soon
from .state import State

log = logging.getLogger(__name__)

JSON = dict[str, Any]

# Gateway intents (Discord's "List of Intents").
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MODERATION = 1 << 2
GUILD_VOICE_STATES = 1 << 7
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = {
    "members": GUILD_MEMBERS,
    "presences": GUILD_PRESENCES,
    "message_content": MESSAGE_CONTENT,
}
KNOWN_INTENTS = (1 << 26) - 1

# Opcodes.
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE_UPDATE, VOICE_STATE_UPDATE = 0, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_GUILD_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11

BUFFER_LIMIT = 5000
CHUNK_SIZE = 1000

Transform = Callable[["GatewaySession", JSON], JSON | None]


@dataclass
class GatewaySession:
    """A gateway session (what RESUME resumes). Outlives its websocket connections."""

    session_id: str
    intents: int
    shard: tuple[int, int] | None
    seq: int = 0
    buffer: list[tuple[int, str]] = field(default_factory=list)
    connection: Connection | None = None
    invalidated: bool = False

    def has(self, intent: int) -> bool:
        return bool(self.intents & intent)

    def owns_guild(self, guild_id: int | None) -> bool:
        """Sharding: a guild's events go to shard ``(guild_id >> 22) % shard_count``; DMs
        (no guild) go to shard 0."""
        if self.shard is None:
            return True
        shard_id, shard_count = self.shard
        if guild_id is None:
            return shard_id == 0
        return (guild_id >> 22) % shard_count == shard_id


class Connection:
    """One websocket connection, with an ordered outgoing queue."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, *, compress: bool) -> None:
        self.ws = ws
        self.request = request
        self.session: GatewaySession | None = None
        self._compressor = zlib.compressobj() if compress else None
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write_loop())
        self.closed = False

    def send(self, text: str) -> None:
        if not self.closed:
            self._queue.put_nowait(text)

    def send_op(self, op: int, data: Any) -> None:
        self.send(json.dumps({"op": op, "d": data, "s": None, "t": None}))

    async def _write_loop(self) -> None:
        while True:
            text = await self._queue.get()
            if text is None:
                return
            try:
                if self._compressor is not None:
                    raw = self._compressor.compress(text.encode()) + self._compressor.flush(
                        zlib.Z_SYNC_FLUSH
                    )
                    await self.ws.send_bytes(raw)
                else:
                    await self.ws.send_str(text)
            except (ConnectionResetError, RuntimeError):
                return

    async def close(self, code: int, message: str = "") -> None:
        """Flush what is queued, then close with ``code``."""
        if self.closed:
            return
        self._queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._writer, timeout=2)
        self.closed = True
        await self.ws.close(code=code, message=message.encode())

    def discard(self) -> None:
        """Forget the connection (it is gone): stop the writer."""
        self.closed = True
        self._writer.cancel()

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (the client sees 1006)."""
        self.closed = True
        self._writer.cancel()
        transport = self.request.transport
        if transport is not None:
            transport.abort()


class Gateway:
    """The websocket endpoint and the sessions behind it."""

    def __init__(
        self,
        state: State,
        *,
        token: Callable[[], str],
        privileged_granted: frozenset[str],
        resume_url: Callable[[], str],
        application_flags: int,
        heartbeat_interval_ms: int = 41250,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.state = state
        self._token = token
        self._granted_bits = 0
        for name in privileged_granted:
            self._granted_bits |= PRIVILEGED_INTENTS[name]
        self._resume_url = resume_url
        self._application_flags = application_flags
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self._on_change = on_change
        self.connections: set[Connection] = set()
        self.sessions: dict[str, GatewaySession] = {}
        self.identifies = 0
        self.resumes = 0
        self.heartbeats = 0
        self.close_codes_sent: list[int] = []
        self.identify_payloads: list[JSON] = []
        self.ready = asyncio.Event()
        # Sharding, as GET /gateway/bot reports it: the recommended shard count, and how many
        # IDENTIFYs may start at once (one per rate-limit key ``shard_id % max_concurrency``
        # per IDENTIFY_WINDOW seconds; more is answered with op 9 when enforced).
        self.recommended_shards = 1
        self.max_concurrency = 1
        self.session_start_total = 1000
        self.enforce_identify_window = False
        self.max_guilds_per_shard = 2500  # more on one connection: close 4011
        #: (monotonic time, shard id or None) of each accepted IDENTIFY.
        self.identify_times: list[tuple[float, int | None]] = []

    # ---- public operations ------------------------------------------------------------------
    def live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if not s.invalidated]

    def connected(self) -> bool:
        return any(s.connection is not None for s in self.live_sessions())

    def dispatch(
        self,
        event: str,
        data: JSON,
        *,
        intent: int | None,
        guild_id: int | None = None,
        transform: Transform | None = None,
    ) -> int:
        """Send an event to every live session that asked for ``intent`` (None: no intent
        needed) and owns ``guild_id``'s shard. ``transform`` may adapt (or drop, by returning
        None) the payload per session. Returns how many sessions got it."""
        delivered = 0
        for session in self.live_sessions():
            if intent is not None and not session.has(intent):
                continue
            if not session.owns_guild(guild_id):
                continue
            payload = transform(session, data) if transform else data
            if payload is None:
                continue
            self._send_dispatch(session, event, payload)
            delivered += 1
        self._on_change()
        return delivered

    async def drop(self, code: int | None = None) -> None:
        """Close every connection abnormally; sessions stay resumable."""
        for connection in list(self.connections):
            if code is None:
                connection.abort()
            else:
                self.close_codes_sent.append(code)
                await connection.close(code)

    async def send_reconnect(self) -> None:
        """Op 7 RECONNECT: the client should reconnect and RESUME."""
        for connection in list(self.connections):
            connection.send_op(RECONNECT, None)

    async def invalidate_sessions(self, *, resumable: bool = False) -> None:
        """Op 9 INVALID_SESSION to every connection."""
        for session in self.live_sessions():
            if not resumable:
                session.invalidated = True
            if session.connection is not None:
                session.connection.send_op(INVALID_SESSION, resumable)

    async def close_all(self) -> None:
        for connection in list(self.connections):
            await connection.close(1001)

    # ---- websocket endpoint -----------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=4 * 1024 * 1024)
        await ws.prepare(request)
        compress = request.query.get("compress") == "zlib-stream"
        connection = Connection(ws, request, compress=compress)
        self.connections.add(connection)
        try:
            if request.query.get("v", "10") != "10":
                await self._close(connection, 4012, "Invalid API version.")
                return ws
            if request.query.get("encoding", "json") != "json":
                await self._close(connection, 4002, "Error while decoding payload.")
                return ws
            connection.send_op(
                HELLO,
                {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-gateway"]},
            )
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    if msg.type is WSMsgType.BINARY:
                        await self._close(connection, 4002, "Error while decoding payload.")
                    break
                await self._receive(connection, msg.data)
                if connection.closed:
                    break
        finally:
            self._forget(connection, ws.close_code)
        return ws

    def _forget(self, connection: Connection, close_code: int | None) -> None:
        self.connections.discard(connection)
        session = connection.session
        if session is not None and session.connection is connection:
            session.connection = None
            # A clean close by the client ends the session (it cannot be resumed).
            if close_code in (1000, 1001) and not connection.closed:
                session.invalidated = True
        connection.discard()
        self._on_change()

    async def _receive(self, connection: Connection, text: str) -> None:
        try:
            payload = json.loads(text)
            op = payload["op"]
        except (ValueError, KeyError, TypeError):
            await self._close(connection, 4002, "Error while decoding payload.")
            return
        data = payload.get("d")
        if op == HEARTBEAT:
            self.heartbeats += 1
            connection.send_op(HEARTBEAT_ACK, None)
        elif op == IDENTIFY:
            await self._identify(connection, data or {})
        elif op == RESUME:
            await self._resume(connection, data or {})
        elif connection.session is None:
            await self._close(connection, 4003, "Not authenticated.")
        elif op == REQUEST_GUILD_MEMBERS:
            self._request_members(connection.session, data or {})
        elif op in (PRESENCE_UPDATE, VOICE_STATE_UPDATE):
            pass  # accepted; the bot's own presence and voice are not simulated
        else:
            await self._close(connection, 4001, "Unknown opcode.")

    async def _close(self, connection: Connection, code: int, reason: str) -> None:
        self.close_codes_sent.append(code)
        await connection.close(code, reason)

    # ---- IDENTIFY / RESUME ------------------------------------------------------------------
    async def _identify(self, connection: Connection, data: JSON) -> None:
        if connection.session is not None:
            await self._close(connection, 4005, "Already authenticated.")
            return
        self.identify_payloads.append(_redact_token(data))
        if data.get("token") != self._token():
            await self._close(connection, 4004, "Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0 or intents & ~KNOWN_INTENTS:
            await self._close(connection, 4013, "Invalid intent(s).")
            return
        privileged = intents & (GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT)
        if privileged & ~self._granted_bits:
            await self._close(connection, 4014, "Disallowed intent(s).")
            return
        shard_pair = shard_pair_of(data.get("shard"))
        if shard_pair is False:
            await self._close(connection, 4010, "Invalid shard.")
            return
        count = 1 if shard_pair is None else shard_pair[1]
        if len(self.state.guilds) > self.max_guilds_per_shard * count:
            await self._close(connection, 4011, "Sharding required.")
            return
        now = asyncio.get_running_loop().time()
        if self.enforce_identify_window and self._too_soon(shard_pair, now):
            connection.send_op(INVALID_SESSION, False)
            return
        self.identify_times.append((now, None if shard_pair is None else shard_pair[0]))
        self.identifies += 1
        self.ready.clear()
        session = GatewaySession(self.state.new_session_id(), intents, shard_pair)
        self.sessions[session.session_id] = session
        self._attach(session, connection)
        guilds = [g for g in self.state.guilds.values() if session.owns_guild(g.id)]
        ready: JSON = {
            "v": 10,
            "user": self.state.bot_user_payload(),
            "user_settings": {},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self._resume_url(),
            "application": {"id": str(self.state.application_id), "flags": self._application_flags},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake"],
            "auth": {},
            "_trace": ["fake-gateway"],
        }
        if shard_pair is not None:
            ready["shard"] = list(shard_pair)
        self._send_dispatch(session, "READY", ready)
        if session.has(GUILDS):
            for guild in guilds:
                payload = self.state.guild_create_payload(
                    guild, all_members=session.has(GUILD_PRESENCES)
                )
                self._send_dispatch(session, "GUILD_CREATE", payload)
        self.ready.set()
        self._on_change()

    def _too_soon(self, shard: tuple[int, int] | None, now: float) -> bool:
        return too_soon(shard, now, self.identify_times, self.max_concurrency)

    def session_start_limit(self) -> JSON:
        """GET /gateway/bot's ``session_start_limit`` object (Discord's documented fields)."""
        return {
            "total": self.session_start_total,
            "remaining": max(self.session_start_total - self.identifies, 0),
            "reset_after": 86_400_000,
            "max_concurrency": self.max_concurrency,
        }

    async def _resume(self, connection: Connection, data: JSON) -> None:
        if data.get("token") != self._token():
            await self._close(connection, 4004, "Authentication failed.")
            return
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.invalidated:
            connection.send_op(INVALID_SESSION, False)
            return
        seq = data.get("seq") or 0
        if session.buffer and seq < session.buffer[0][0] - 1:
            connection.send_op(INVALID_SESSION, False)  # too far behind to replay
            return
        old = session.connection
        if old is not None and old is not connection:
            old.session = None
            await old.close(4000)
        self._attach(session, connection)
        for event_seq, text in session.buffer:
            if event_seq > seq:
                connection.send(text)
        self._send_dispatch(session, "RESUMED", {"_trace": ["fake-gateway"]})
        self.resumes += 1
        self._on_change()

    def _attach(self, session: GatewaySession, connection: Connection) -> None:
        connection.session = session
        session.connection = connection

    def _send_dispatch(self, session: GatewaySession, event: str, data: JSON) -> None:
        session.seq += 1
        text = json.dumps({"op": DISPATCH, "d": data, "s": session.seq, "t": event})
        session.buffer.append((session.seq, text))
        if len(session.buffer) > BUFFER_LIMIT:
            del session.buffer[: len(session.buffer) - BUFFER_LIMIT]
        if session.connection is not None:
            session.connection.send(text)

    # ---- REQUEST_GUILD_MEMBERS --------------------------------------------------------------
    def _request_members(self, session: GatewaySession, data: JSON) -> None:
        guild_ids = data.get("guild_id")
        ids = guild_ids if isinstance(guild_ids, list) else [guild_ids]
        for raw_id in ids:
            guild = self.state.guilds.get(int(raw_id)) if raw_id is not None else None
            if guild is None or not session.owns_guild(guild.id):
                continue
            members = list(guild.members.values())
            not_found: list[str] = []
            if data.get("user_ids"):
                wanted = [int(u) for u in data["user_ids"]]
                not_found = [str(u) for u in wanted if u not in guild.members]
                members = [guild.members[u] for u in wanted if u in guild.members]
            else:
                query = str(data.get("query") or "").lower()
                limit = int(data.get("limit") or 0)
                if not session.has(GUILD_MEMBERS) and (not query or limit == 0):
                    members = []  # the full list needs the GUILD_MEMBERS intent
                members = [
                    m
                    for m in members
                    if not query
                    or m.user.username.lower().startswith(query)
                    or (m.nick or "").lower().startswith(query)
                ]
                if limit:
                    members = members[:limit]
            chunks = [members[i : i + CHUNK_SIZE] for i in range(0, len(members), CHUNK_SIZE)] or [
                []
            ]
            for index, chunk in enumerate(chunks):
                payload: JSON = {
                    "guild_id": str(guild.id),
                    "members": [m.payload() for m in chunk],
                    "chunk_index": index,
                    "chunk_count": len(chunks),
                }
                if not_found and index == 0:
                    payload["not_found"] = not_found
                if data.get("nonce") is not None:
                    payload["nonce"] = data["nonce"]
                if data.get("presences"):
                    payload["presences"] = []
                self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", payload)


def _redact_token(data: JSON) -> JSON:
    copy = dict(data)
    if "token" in copy:
        copy["token"] = "<redacted>"
    return copy
