"""``FakeDiscord``: the server, its lifetime, and the inspection, fault-injection and
gateway-control API for tests (world building is in ``world.py``)."""

# The public waiting helpers take ``timeout=`` (the e2e tests' API); ruff's ASYNC109 would
# rather have callers wrap them in ``asyncio.timeout``.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import logging
import re
import traceback
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from aiohttp import web

from . import rest_channels, rest_guilds, rest_interactions
from .events import Events
from .gateway import Gateway, GatewaySession
from .members import SimulatedMember
from .rest_core import API_PREFIX, Config, FaultRule, RecordedRequest, RestApi, SlowReply
from .rest_guilds import application_flags
from .state import DM, State
from .world import WorldBuilder

log = logging.getLogger(__name__)

JSON = dict[str, Any]


class FakeDiscord(WorldBuilder):
    """A small Discord (REST v10 + gateway v10) on 127.0.0.1 for the unmodified discord.py.

    Use as ``async with FakeDiscord() as fake:`` or call ``start()``/``stop()``. Point the
    client at it with ``discord.http.Route.BASE = fake.api_base`` and
    ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``.
    """

    def __init__(
        self,
        *,
        privileged_intents_granted: Iterable[str] = frozenset(),
        token: str = "fake-bot-token.NzAwMDAwMDAwMDAwMDAwMDAw.secret",  # noqa: S107 - fake
        bot_username: str = "Peer Circle",
        interaction_ack_timeout: float | None = 3.0,
        interaction_token_lifetime: float = 15 * 60.0,
        click_delay: float = 0.05,
        rate_limit: tuple[int, float] = (50, 1.0),
        heartbeat_interval_ms: int = 41250,
        discord_limits: bool = False,
    ) -> None:
        """``interaction_ack_timeout``: seconds the bot has to answer an interaction (Discord:
        3; None disables). ``click_delay``: a simulated member clicks a button at least this
        long after the message was created. ``rate_limit``: requests per bucket per window
        before a real 429. ``discord_limits``: enforce Discord's documented limits instead
        (the global 50 a second, per-route buckets: ``limits.py``)."""
        granted = frozenset(privileged_intents_granted)
        unknown = granted - {"members", "presences", "message_content"}
        if unknown:
            raise ValueError(f"unknown privileged intents {sorted(unknown)}")
        self.state = State(bot_username=bot_username)
        self.config = Config(
            token=token,
            privileged_granted=granted,
            interaction_ack_timeout=interaction_ack_timeout,
            interaction_token_lifetime=interaction_token_lifetime,
            rate_limit=rate_limit,
        )
        self.click_delay = click_delay
        self.gateway = Gateway(
            self.state,
            token=lambda: "" if self.config.token_revoked else self.config.token,
            privileged_granted=granted,
            resume_url=lambda: self.gateway_url,
            application_flags=application_flags(granted),
            heartbeat_interval_ms=heartbeat_interval_ms,
            on_change=self._notify,
        )
        self.events = Events(self.state, self.gateway)
        self.rest = RestApi(self.state, self.gateway, self.events, self.config)
        self.rest.on_change = self._notify
        self.rest.limits.enabled = discord_limits
        rest_guilds.register(self.rest)
        rest_channels.register(self.rest)
        rest_interactions.register(self.rest)
        rest_guilds.register_events(self.rest)
        self.internal_errors: list[str] = []
        self._members: dict[tuple[int, int], SimulatedMember] = {}
        self._waiters: set[asyncio.Future[None]] = set()
        self._runner: web.AppRunner | None = None
        self._port = 0

    # ---- lifetime ---------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(middlewares=[self._catch_errors])
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/", self.gateway.handle)
        app.router.add_get("/attachments/{tail:.*}", self._serve_attachment)
        self.rest.install(app)
        self._runner = web.AppRunner(app, access_log=None)  # access logs would carry member ids
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self.config.base_url = f"http://127.0.0.1:{self._port}"

    async def stop(self) -> None:
        """Close the gateway connections and the server. Raises if a handler crashed."""
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.internal_errors:
            raise AssertionError("the fake Discord crashed:\n" + "\n".join(self.internal_errors))

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @web.middleware
    async def _catch_errors(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
        except web.HTTPException:
            raise
        except Exception:
            self.internal_errors.append(
                f"{request.method} {request.path}\n{traceback.format_exc()}"
            )
            log.exception("fake Discord handler failed")
            return web.Response(
                status=500,
                body=b'{"message": "500: Internal Server Error", "code": 0}',
                headers={"Content-Type": "application/json"},
            )
        return response

    async def _serve_attachment(self, request: web.Request) -> web.StreamResponse:
        attachment = self.state.attachments.get(request.path)
        if attachment is None:
            return web.Response(status=404)
        return web.Response(
            body=attachment.data,
            headers={"Content-Type": attachment.content_type or "application/octet-stream"},
        )

    # ---- addresses and identity -------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.config.base_url

    @property
    def api_base(self) -> str:
        """For ``discord.http.Route.BASE``."""
        return self.config.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """For ``DiscordWebSocket.DEFAULT_GATEWAY`` (also the READY resume_gateway_url)."""
        return f"ws://127.0.0.1:{self._port}/gateway"

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def application_id(self) -> int:
        return self.state.application_id

    @property
    def bot_user_id(self) -> int:
        return self.state.bot_user.id

    def revoke_token(self) -> None:
        """Make the token invalid: REST answers 401 and IDENTIFY/RESUME close with 4004."""
        self.config.token_revoked = True

    def member(self, guild_id: int, user_id: int) -> SimulatedMember:
        """The simulated member for a user in a guild."""
        key = (guild_id, user_id)
        if key not in self._members:
            self._members[key] = SimulatedMember(self, guild_id, user_id)
        return self._members[key]

    # ---- inspection -------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """Every REST call, in order (including unhandled ones)."""
        return self.rest.requests

    @property
    def unhandled_requests(self) -> list[RecordedRequest]:
        """REST calls to endpoints the fake does not implement (answered 404)."""
        return self.rest.unhandled

    @property
    def invalid_request_count(self) -> int:
        """401, 403 and 429 answers so far (Discord bans at 10,000 per 10 minutes)."""
        return self.rest.invalid_requests

    @property
    def rate_limited_count(self) -> int:
        """429s answered for Discord's documented limits (``discord_limits``)."""
        return self.rest.limits.rate_limited

    def enforce_discord_limits(self, on: bool = True) -> None:
        """Switch Discord's documented rate limits on (or off) from now."""
        self.rest.limits.enabled = on

    @property
    def identifies(self) -> int:
        return self.gateway.identifies

    @property
    def resumes(self) -> int:
        return self.gateway.resumes

    @property
    def intents(self) -> int | None:
        """The intents of the newest live gateway session."""
        sessions = self.gateway.live_sessions()
        return sessions[-1].intents if sessions else None

    @property
    def sessions(self) -> list[GatewaySession]:
        return list(self.gateway.sessions.values())

    @property
    def global_commands(self) -> list[JSON]:
        return self.state.global_commands

    @property
    def guild_commands(self) -> dict[int, list[JSON]]:
        return self.state.guild_commands

    def requests_matching(self, method: str, path: str, *, after: int = 0) -> list[RecordedRequest]:
        """Recorded requests with this method whose path fully matches the regex ``path``
        (relative to the API base, e.g. ``r"/channels/\\d+/messages"``)."""
        pattern = re.compile(path)
        return [
            r
            for r in self.rest.requests[after:]
            if r.method == method and pattern.fullmatch(r.path)
        ]

    async def wait_for_request(
        self, method: str, path: str, *, timeout: float = 5.0, after: int | None = None
    ) -> RecordedRequest:
        """Wait for a request matching ``method`` and the regex ``path`` (full match),
        counting only requests with index >= ``after`` when given."""
        start = after or 0
        await self.wait_until(
            lambda: bool(self.requests_matching(method, path, after=start)),
            timeout,
            what=f"{method} {path}",
        )
        return self.requests_matching(method, path, after=start)[0]

    def scheduled_events(self, guild_id: int) -> list[JSON]:
        """The guild's scheduled events (every status), oldest first."""
        return [dict(e) for e in self.state.guilds[guild_id].scheduled_events.values()]

    def channel_messages(self, channel_id: int) -> list[JSON]:
        """The channel's current messages (after edits, without deleted ones), oldest first."""
        return [m.data for m in self.state.visible_messages(channel_id)]

    def message(self, message_id: int) -> JSON | None:
        """Any message (ephemeral ones included) by id, or None if unknown or deleted."""
        stored = self.state.messages.get(message_id)
        return None if stored is None or stored.deleted else stored.data

    def ephemeral_messages(self, user_id: int) -> list[JSON]:
        """Ephemeral messages the bot showed to this user, oldest first."""
        return [
            m.data
            for m in self.state.messages.values()
            if m.ephemeral_for == user_id and not m.deleted
        ]

    def dms(self, user_id: int) -> list[JSON]:
        """Messages the bot sent to this user by DM, oldest first."""
        channel = self.state.dm_channels.get(user_id)
        if channel is None:
            return []
        return [
            m.data
            for m in self.state.visible_messages(channel.id)
            if m.author_id == self.bot_user_id
        ]

    def voice_members(self, channel_id: int) -> list[int]:
        """User ids currently connected to a voice/stage channel."""
        channel = self.state.channels[channel_id]
        guild = self.state.guilds[channel.guild_id or 0]
        return [v.user_id for v in guild.voice_states.values() if v.channel_id == channel_id]

    def permissions_in(self, channel_id: int, user_id: int) -> int:
        """Effective permission bits of a user (or the bot) in a channel."""
        return self.state.permissions_in(self.state.channels[channel_id], user_id)

    def all_member_identifiers(self) -> set[str]:
        """Ids (as strings), usernames, global names and nicknames of every simulated person,
        for privacy scans of logs and databases."""
        found: set[str] = set()
        people = {
            u.id: u
            for u in self.state.users.values()
            if u.id not in (self.bot_user_id, self.state.app_owner.id)
        }
        for user in people.values():
            found.add(str(user.id))
            found.add(user.username)
            if user.global_name:
                found.add(user.global_name)
        for guild in self.state.guilds.values():
            for member in guild.members.values():
                if member.nick and member.user.id in people:
                    found.add(member.nick)
        return found

    def is_dm_channel(self, channel_id: int) -> bool:
        channel = self.state.channels.get(channel_id)
        return channel is not None and channel.type == DM

    # ---- faults and gateway control ---------------------------------------------------------
    def fail_next(
        self,
        method: str,
        path: str,
        *,
        status: int = 429,
        via: bool = True,
        retry_after: float = 0.2,
        count: int = 1,
        code: int | None = None,
        message: str | None = None,
        is_global: bool = False,
        content: str | None = None,
    ) -> None:
        """Answer the next ``count`` requests matching ``method`` and the regex ``path``
        with ``status``: 429 (Discord's rate-limit body and headers; ``via=False`` leaves out
        the ``Via`` header, which discord.py treats as a Cloudflare ban), 403 (50013 unless
        ``code``), 404 (the Unknown-X code for the path), 500... ``content``: only requests
        whose JSON ``content`` contains this regex (to pick out one message among others)."""
        self.rest.faults.append(
            FaultRule(
                method,
                re.compile(path),
                status,
                count,
                via,
                retry_after,
                code,
                message,
                is_global,
                None if content is None else re.compile(content),
            )
        )

    def answer_slowly(
        self,
        method: str,
        path: str,
        *,
        seconds: float,
        count: int = 1,
        components: str | None = None,
    ) -> None:
        """Carry out the next ``count`` requests matching ``method`` and the regex ``path`` at
        once, but answer them only after ``seconds`` (``components``: only requests with a
        button whose custom_id contains this text)."""
        self.rest.slow.append(SlowReply(method, re.compile(path), seconds, count, components))

    async def drop_gateway(self, code: int | None = None) -> None:
        """Break the bot's websocket: without ``code`` the TCP connection is cut (the client
        sees 1006); with a code the fake sends that close frame. Sessions stay resumable."""
        await self.gateway.drop(code)

    async def send_reconnect(self) -> None:
        """Op 7 RECONNECT."""
        await self.gateway.send_reconnect()

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Op 9 INVALID_SESSION (the client then IDENTIFYs again, 5 s later in discord.py)."""
        await self.gateway.invalidate_sessions(resumable=resumable)

    async def wait_ready(self, timeout: float = 10.0) -> None:
        """Until the bot has IDENTIFYed and every GUILD_CREATE was sent."""
        await self.wait_until(self.gateway.ready.is_set, timeout, what="the bot's IDENTIFY")

    async def wait_resumed(self, count: int = 1, timeout: float = 10.0) -> None:
        """Until ``resumes`` reaches ``count``."""
        await self.wait_until(
            lambda: self.gateway.resumes >= count, timeout, what=f"{count} RESUME(s)"
        )

    # ---- waiting ----------------------------------------------------------------------------
    def _notify(self) -> None:
        for waiter in list(self._waiters):
            if not waiter.done():
                waiter.set_result(None)

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, *, what: str = "a condition"
    ) -> None:
        """Wait until ``predicate()`` is true (re-checked on every change in the fake)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.add(waiter)
            try:
                # asyncio.timeout, not wait_for: on 3.11 a wait_for timing out just as the
                # caller is cancelled (Ctrl-C in a rehearsal) can swallow the cancel.
                async with asyncio.timeout(min(remaining, 0.05)):
                    await waiter
            except TimeoutError:
                pass
            finally:
                self._waiters.discard(waiter)
