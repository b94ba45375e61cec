"""Discord's rate limits as Discord documents them (docs/topics/rate-limits), off by default.

Switched on with ``FakeDiscord(discord_limits=True)`` or ``fake.enforce_discord_limits()``:

* **Global**: a bot makes at most 50 requests a second in all (:data:`GLOBAL_LIMIT`), whatever
  the route. Interaction endpoints (the callback, and the followup webhook
  ``/webhooks/{application_id}/{interaction_token}...``) are not bound to it.
* **Per route**: a bucket per route (method + template) and major parameter (``channel_id``,
  ``guild_id``, ``webhook_id`` (+ token)); the limits in :data:`ROUTE_LIMITS` are the ones
  Discord answers with in practice (Discord says not to hard-code them: the client reads them
  from the ``X-RateLimit-*`` headers, which is what discord.py does). Other routes get
  :data:`DEFAULT_ROUTE_LIMIT`.
* **Over a limit**: 429 with ``{"message", "retry_after", "global"}``, ``Retry-After``,
  ``X-RateLimit-Scope`` (``user`` or ``global``), and ``X-RateLimit-Global: true`` for the
  global limit; a route's 429 carries the route's ``X-RateLimit-*`` headers too.

Off, the fake keeps its old lenient per-bucket limit (``rate_limit``), so tests written before
these limits are not affected.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

#: Requests a second a bot may make in all (Discord: "All bots can make up to 50 requests per
#: second to our API").
GLOBAL_LIMIT = (50, 1.0)

#: (method, route template) -> (requests, per seconds), per major parameter.
ROUTE_LIMITS: dict[tuple[str, str], tuple[int, float]] = {
    ("POST", "/channels/{channel_id}/messages"): (5, 5.0),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"): (5, 5.0),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}"): (5, 1.0),
    ("PATCH", "/channels/{channel_id}"): (5, 10.0),
    ("PUT", "/channels/{channel_id}/permissions/{overwrite_id}"): (10, 10.0),
    ("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}"): (10, 10.0),
    ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"): (10, 10.0),
    ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"): (10, 10.0),
    ("PATCH", "/guilds/{guild_id}/members/{user_id}"): (10, 10.0),
    ("POST", "/guilds/{guild_id}/scheduled-events"): (5, 5.0),
    ("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}"): (5, 5.0),
    ("POST", "/users/@me/channels"): (5, 5.0),
}
DEFAULT_ROUTE_LIMIT = (10, 10.0)
_MAJOR = ("channel_id", "guild_id", "webhook_id")


def exempt_from_global(template: str) -> bool:
    """Interaction endpoints are not bound to the bot's global rate limit."""
    return template.startswith(("/interactions/", "/webhooks/{application_id}/"))


def major_parameter(params: dict[str, str]) -> str:
    if "webhook_id" in params:
        return params["webhook_id"] + "/" + params.get("webhook_token", "")
    if "application_id" in params and "interaction_token" in params:
        return params["application_id"] + "/" + params["interaction_token"]
    return "+".join(params[k] for k in _MAJOR if k in params)


@dataclass
class Window:
    """A fixed window: ``limit`` requests, then nothing until ``window`` has passed since the
    window's first request."""

    limit: int
    window: float
    started: float = -1.0
    count: int = 0

    def take(self, now: float) -> tuple[bool, int, float]:
        """(allowed, remaining, reset_after) for one more request at ``now``."""
        if self.started < 0 or now >= self.started + self.window:
            self.started, self.count = now, 0
        reset_after = self.started + self.window - now
        if self.count >= self.limit:
            return False, 0, reset_after
        self.count += 1
        return True, self.limit - self.count, reset_after


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_after: float
    bucket: str
    scope: str = "user"  # on a 429: "user" (a route) or "global"


@dataclass
class DiscordLimits:
    """The global window and the route buckets; ``rate_limited`` counts the 429s answered."""

    enabled: bool = False
    global_window: Window = field(default_factory=lambda: Window(*GLOBAL_LIMIT))
    buckets: dict[tuple[str, str, str], Window] = field(default_factory=dict)
    rate_limited: int = 0
    global_rate_limited: int = 0
    #: Every request let through, by when (monotonic), for a test or a bench to check the pace.
    admitted: deque[float] = field(default_factory=lambda: deque(maxlen=100_000))

    def check(self, method: str, template: str, params: dict[str, str], now: float) -> Verdict:
        limit, window = ROUTE_LIMITS.get((method, template), DEFAULT_ROUTE_LIMIT)
        key = (method, template, major_parameter(params))
        bucket_name = f"{method} {template}"
        if not exempt_from_global(template):
            allowed, _, reset_after = self.global_window.take(now)
            if not allowed:
                self.rate_limited += 1
                self.global_rate_limited += 1
                return Verdict(False, GLOBAL_LIMIT[0], 0, reset_after, bucket_name, "global")
        bucket = self.buckets.setdefault(key, Window(limit, window))
        allowed, remaining, reset_after = bucket.take(now)
        if not allowed:
            self.rate_limited += 1
            return Verdict(False, limit, 0, reset_after, bucket_name)
        self.admitted.append(now)
        return Verdict(True, limit, remaining, reset_after, bucket_name)
