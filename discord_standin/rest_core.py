"""The REST plumbing: route registration, request recording, bot-token checks, rate-limit
buckets and headers, injected faults, and Discord-shaped JSON responses.

Every response to ``/api/v10/...`` is JSON with ``Content-Type: application/json`` exactly
(discord.py compares the header verbatim), or an empty 204. Each carries the X-RateLimit-*
headers discord.py reads. An endpoint the fake does not implement answers 404
``{"message": "404: Not Found", "code": 0}`` and is listed in ``RestApi.unhandled``.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import math
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from . import errors
from .errors import DiscordError
from .limits import DiscordLimits, Verdict

if TYPE_CHECKING:
    from .events import Events
    from .gateway import Gateway
    from .state import State

API_PREFIX = "/api/v10"
JSON = dict[str, Any]


@dataclass
class UploadedFile:
    """A file part of a multipart request (``files[n]``)."""

    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One REST call the bot made. ``path`` is relative to the API base
    (``/channels/123/messages``); ``json`` is the JSON body (or a multipart request's
    ``payload_json``)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    files: list[UploadedFile] = field(default_factory=list)
    index: int = 0
    route: str | None = None
    """The matched route template, e.g. ``/channels/{channel_id}/messages``."""
    status: int = 0
    response: Any = None

    @property
    def audit_log_reason(self) -> str | None:
        """The X-Audit-Log-Reason header, URL-decoded."""
        raw = self.headers.get("X-Audit-Log-Reason")
        return None if raw is None else urllib.parse.unquote(raw)


@dataclass
class FaultRule:
    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    via: bool = True
    retry_after: float = 0.2
    code: int | None = None
    message: str | None = None
    is_global: bool = False
    #: Only requests whose JSON ``content`` contains a match (a test picking out one message).
    content: re.Pattern[str] | None = None

    def matches(self, method: str, path: str, body: Any) -> bool:
        if self.method != method or not self.pattern.fullmatch(path):
            return False
        if self.content is None:
            return True
        text = body.get("content") if isinstance(body, dict) else None
        return isinstance(text, str) and self.content.search(text) is not None


@dataclass
class SlowReply:
    """Carry out the next ``remaining`` matching requests, then answer only after ``seconds``
    (a slow network: the work is done on Discord's side, the client hears of it late — or
    never, if it dies meanwhile). ``components``: only requests with a button whose custom_id
    contains this text."""

    method: str
    pattern: re.Pattern[str]
    seconds: float
    remaining: int = 1
    components: str | None = None

    def matches(self, method: str, path: str, body: Any) -> bool:
        if self.method != method or not self.pattern.fullmatch(path):
            return False
        if self.components is None:
            return True
        rows = body.get("components") if isinstance(body, dict) else None
        return self.components in json.dumps(rows or [])


@dataclass
class Config:
    token: str
    privileged_granted: frozenset[str]
    interaction_ack_timeout: float | None = 3.0
    interaction_token_lifetime: float = 15 * 60.0
    rate_limit: tuple[int, float] = (50, 1.0)
    base_url: str = ""
    token_revoked: bool = False


@dataclass
class Req:
    """What a handler sees: the URL parameters, the body and the recording."""

    request: web.Request
    params: dict[str, str]
    json: Any
    query: dict[str, str]
    files: list[UploadedFile]
    record: RecordedRequest

    def body(self) -> JSON:
        return self.json if isinstance(self.json, dict) else {}


@dataclass
class Reply:
    data: Any
    status: int = 200


Handler = Callable[[Req], Awaitable[Any]]


@dataclass
class _Bucket:
    limit: int
    window: float
    reset_at: float = 0.0
    count: int = 0

    def take(self, now: float) -> tuple[int, float, bool]:
        """Count one request. Returns (remaining, reset_after, allowed)."""
        if now >= self.reset_at:
            self.reset_at = now + self.window
            self.count = 0
        self.count += 1
        return max(self.limit - self.count, 0), self.reset_at - now, self.count <= self.limit


class RestApi:
    """Owns the aiohttp application's REST routes and their shared machinery."""

    def __init__(self, state: State, gateway: Gateway, events: Events, config: Config) -> None:
        self.state = state
        self.gateway = gateway
        self.events = events
        self.config = config
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[RecordedRequest] = []
        self.invalid_requests = 0
        self.faults: list[FaultRule] = []
        self.slow: list[SlowReply] = []
        self._handlers: dict[tuple[str, str], tuple[Handler, bool]] = {}
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        #: Discord's documented limits (global and per route), off unless switched on.
        self.limits = DiscordLimits()
        self.on_change: Callable[[], None] = lambda: None

    # ---- registration -----------------------------------------------------------------------
    def route(self, method: str, path: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        """Decorator: register ``handler`` for ``method path`` (path relative to /api/v10)."""

        def register(handler: Handler) -> Handler:
            self._handlers[(method, path)] = (handler, auth)
            return handler

        return register

    def install(self, app: web.Application) -> None:
        for (method, path), (handler, auth) in self._handlers.items():
            app.router.add_route(method, API_PREFIX + path, self._wrap(path, handler, auth))
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._unhandled)

    # ---- the request pipeline ---------------------------------------------------------------
    def _wrap(
        self, template: str, handler: Handler, auth: bool
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def endpoint(request: web.Request) -> web.StreamResponse:
            record, body, files = await self._record(request)
            record.route = template
            response = await self._process(request, record, body, files, template, handler, auth)
            self.on_change()
            return response

        return endpoint

    async def _process(
        self,
        request: web.Request,
        record: RecordedRequest,
        body: Any,
        files: list[UploadedFile],
        template: str,
        handler: Handler,
        auth: bool,
    ) -> web.StreamResponse:
        params = dict(request.match_info)
        bucket_key = (f"{request.method} {template}", _major(params))
        if auth and not self._authorised(request):
            return self._respond(record, errors.unauthorized().payload(), 401, bucket_key)
        fault = self._take_fault(request.method, record.path, record.json)
        if fault is not None:
            return self._fault_response(record, fault, bucket_key)
        if self.limits.enabled:
            verdict = self.limits.check(request.method, template, params, time.monotonic())
            if not verdict.allowed:
                return self._over_limit(record, verdict)
            remaining, reset_after = verdict.remaining, verdict.reset_after
            bucket_key = (verdict.bucket, bucket_key[1])
            allowed, shown = True, verdict.limit
        else:
            limit, window = self.config.rate_limit
            shown = limit
            bucket = self._buckets.setdefault(bucket_key, _Bucket(limit, window))
            remaining, reset_after, allowed = bucket.take(time.monotonic())
        if not allowed:
            return self._rate_limited(
                record, bucket_key, reset_after, via=True, is_global=False, scope="user"
            )
        # Handlers get their own copy, so the recording keeps what the bot really sent.
        req = Req(request, params, copy.deepcopy(body), record.query, files, record)
        slow = self._take_slow(request.method, record.path, record.json)
        try:
            result = await handler(req)
        except DiscordError as exc:
            return self._respond(
                record, exc.payload(), exc.status, bucket_key, remaining, reset_after, limit=shown
            )
        if slow is not None:
            self.on_change()  # the work is done: a test may act on it before the answer
            await asyncio.sleep(slow.seconds)
        if isinstance(result, web.StreamResponse):
            record.status = result.status
            return result
        reply = (
            result
            if isinstance(result, Reply)
            else Reply(result, 200 if result is not None else 204)
        )
        return self._respond(
            record, reply.data, reply.status, bucket_key, remaining, reset_after, limit=shown
        )

    async def _unhandled(self, request: web.Request) -> web.StreamResponse:
        record, _, _ = await self._record(request)
        self.unhandled.append(record)
        response = self._respond(
            record, {"message": "404: Not Found", "code": 0}, 404, ("unhandled", "")
        )
        self.on_change()
        return response

    async def _record(
        self, request: web.Request
    ) -> tuple[RecordedRequest, Any, list[UploadedFile]]:
        body: Any = None
        files: list[UploadedFile] = []
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                data = await part.read()
                if part.name == "payload_json":
                    body = json.loads(data.decode())
                else:
                    files.append(
                        UploadedFile(
                            part.name or "",
                            part.filename or "file",
                            part.headers.get("Content-Type"),
                            bytes(data),
                        )
                    )
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw.decode())
                except ValueError:
                    body = raw.decode(errors="replace")
        record = RecordedRequest(
            method=request.method,
            path=request.path[len(API_PREFIX) :]
            if request.path.startswith(API_PREFIX)
            else request.path,
            query=dict(request.query),
            json=body,
            headers=dict(request.headers),
            files=files,
            index=len(self.requests),
        )
        self.requests.append(record)
        return record, body, files

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        return not self.config.token_revoked and header == f"Bot {self.config.token}"

    def _take_slow(self, method: str, path: str, body: Any = None) -> SlowReply | None:
        for rule in self.slow:
            if rule.matches(method, path, body):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.slow.remove(rule)
                return rule
        return None

    def _take_fault(self, method: str, path: str, body: Any = None) -> FaultRule | None:
        for rule in self.faults:
            if rule.matches(method, path, body):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.faults.remove(rule)
                return rule
        return None

    def _fault_response(
        self, record: RecordedRequest, rule: FaultRule, bucket_key: tuple[str, str]
    ) -> web.Response:
        if rule.status == 429:
            return self._rate_limited(
                record,
                bucket_key,
                rule.retry_after,
                via=rule.via,
                is_global=rule.is_global,
                scope="global" if rule.is_global else "user",
            )
        default_code, default_message = _default_error(rule.status, record.path)
        body = {
            "message": rule.message or default_message,
            "code": default_code if rule.code is None else rule.code,
        }
        return self._respond(record, body, rule.status, bucket_key)

    def _over_limit(self, record: RecordedRequest, verdict: Verdict) -> web.Response:
        """A 429 for Discord's documented limits: the global one carries no route headers."""
        is_global = verdict.scope == "global"
        bucket_key = (verdict.bucket, "")
        if is_global:
            body = {
                "message": "You are being rate limited.",
                "retry_after": round(verdict.reset_after, 3),
                "global": True,
            }
            headers = {
                "Retry-After": str(max(1, math.ceil(verdict.reset_after))),
                "X-RateLimit-Global": "true",
                "X-RateLimit-Scope": "global",
                "Via": "1.1 google",
            }
            return self._respond(record, body, 429, bucket_key, headers=headers)
        response = self._rate_limited(
            record, bucket_key, verdict.reset_after, via=True, is_global=False, scope="user"
        )
        response.headers["X-RateLimit-Limit"] = str(verdict.limit)
        return response

    def _rate_limited(
        self,
        record: RecordedRequest,
        bucket_key: tuple[str, str],
        retry_after: float,
        *,
        via: bool,
        is_global: bool,
        scope: str,
    ) -> web.Response:
        body = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": is_global,
        }
        headers = self._ratelimit_headers(bucket_key, 0, retry_after)
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
        headers["X-RateLimit-Scope"] = scope
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        if via:
            headers["Via"] = "1.1 google"
        return self._respond(record, body, 429, bucket_key, headers=headers)

    def _respond(
        self,
        record: RecordedRequest,
        data: Any,
        status: int,
        bucket_key: tuple[str, str],
        remaining: int | None = None,
        reset_after: float | None = None,
        *,
        headers: dict[str, str] | None = None,
        limit: int | None = None,
    ) -> web.Response:
        record.status = status
        record.response = data
        if status in (401, 403) or (
            status == 429 and (headers or {}).get("X-RateLimit-Scope") != "shared"
        ):
            self.invalid_requests += 1
        if headers is None:
            lenient, window = self.config.rate_limit
            shown = lenient if limit is None else limit
            headers = self._ratelimit_headers(
                bucket_key,
                shown - 1 if remaining is None else remaining,
                window if reset_after is None else reset_after,
                shown,
            )
        if status == 204 or data is None:
            return web.Response(status=204, headers=headers)
        headers["Content-Type"] = "application/json"
        return web.Response(status=status, body=json.dumps(data).encode(), headers=headers)

    def _ratelimit_headers(
        self,
        bucket_key: tuple[str, str],
        remaining: int,
        reset_after: float,
        limit: int | None = None,
    ) -> dict[str, str]:
        if limit is None:
            limit, _ = self.config.rate_limit
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": hashlib.sha1(
                bucket_key[0].encode(), usedforsecurity=False
            ).hexdigest()[:16],
        }


def _major(params: dict[str, str]) -> str:
    return "+".join(
        params[k]
        for k in (
            "channel_id",
            "guild_id",
            "webhook_id",
            "webhook_token",
            "application_id",
            "interaction_id",
            "interaction_token",
        )
        if k in params
    )


def _default_error(status: int, path: str) -> tuple[int, str]:
    if status == 403:
        return 50013, "Missing Permissions"
    if status == 404:
        for pattern, kind in (
            (r".*/messages/[^/]+$", errors.UNKNOWN_MESSAGE),
            (r".*/members/[^/]+$", errors.UNKNOWN_MEMBER),
            (r".*/roles/[^/]+$", errors.UNKNOWN_ROLE),
            (r"^/channels/[^/]+.*", errors.UNKNOWN_CHANNEL),
            (r"^/guilds/[^/]+.*", errors.UNKNOWN_GUILD),
            (r"^/users/[^/]+$", errors.UNKNOWN_USER),
            (r"^/interactions/.*", errors.UNKNOWN_INTERACTION),
        ):
            if re.match(pattern, path):
                return kind
        return 0, "404: Not Found"
    if status == 401:
        return 0, "401: Unauthorized"
    if status >= 500:
        return 0, f"{status}: Internal Server Error"
    return 0, f"{status}: Error"


# ---- permission checks shared by the route modules ----------------------------------------------
def require_guild_permissions(state: State, guild_id: int, bits: int) -> None:
    """403 50013 unless the bot has all ``bits`` at guild level."""
    guild = state.guilds[guild_id]
    if state.base_permissions(guild, state.bot_user.id) & bits != bits:
        raise errors.missing_permissions()


def require_channel_permissions(state: State, channel_id: int, bits: int) -> None:
    """403 50001 if the bot cannot see the channel, 50013 if it lacks any of ``bits``."""
    from .permissions import VIEW_CHANNEL

    channel = state.channels[channel_id]
    if channel.guild_id is None:
        return
    have = state.permissions_in(channel, state.bot_user.id)
    if not have & VIEW_CHANNEL:
        raise errors.missing_access()
    if have & bits != bits:
        raise errors.missing_permissions()
