"""Keep the bot under Discord's global limit before Discord has to say so.

Discord lets a bot make 50 requests a second in all; interaction endpoints (answering a press,
its followups) are outside that limit. discord.py 2.7 already keeps each route's bucket from
the ``X-RateLimit-*`` headers and waits out a 429 (and every request, when Discord says the
limit was global), but it paces nothing *before* a 429: a thousand meetings opening on the same
minute would each send at once and draw hundreds of 429s (Discord bans a bot for a while after
10,000 in ten minutes).

:class:`Pace` is a token bucket (``rate`` a second, ``burst`` at once) that the bot's own
non-interaction calls wait on; :func:`paced` wraps ``HTTPClient.request`` with it (the
composition root does the wrapping). Interaction calls never wait: a member's press is answered
at once even while a busy minute's posts are being spread out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from discord.http import Route

#: Requests a second the bot allows itself: Discord's 50, less a margin for clock skew
#: between the bot's second and Discord's.
GLOBAL_BUDGET = 40.0
#: How many may go at once after a quiet while.
BURST = 10

#: A request function: ``HTTPClient.request``.
Request = Callable[..., Awaitable[Any]]


class Pace:
    """A token bucket. ``now`` and ``sleep`` are the clock's (a test passes fake ones)."""

    def __init__(
        self,
        rate: float = GLOBAL_BUDGET,
        burst: int = BURST,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a pace needs a positive rate and a burst of at least one")
        self.rate, self.burst = rate, float(burst)
        self._now, self._sleep = now, sleep
        self._tokens = float(burst)
        self._at = now()
        self.waited = 0  # how many requests had to wait (for a log line or a bench)

    async def take(self) -> None:
        """Wait for a turn: at most ``burst`` at once, then one every ``1 / rate`` seconds, in
        the order asked (each waiter is given its moment when it asks)."""
        now = self._now()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return
        # No token: wait until one is earned, after those already owed to earlier waiters.
        delay = (1 - self._tokens) / self.rate
        self._tokens -= 1  # owed: paid back as time passes
        self.waited += 1
        await self._sleep(delay)


def is_interaction(route: Route) -> bool:
    """Interaction endpoints are not bound to the global limit (Discord's rate-limit docs)."""
    path = route.path
    return path.startswith(("/interactions/", "/webhooks/{webhook_id}/{webhook_token}"))


def paced(request: Request, pace: Pace) -> Request:
    """``request`` (``HTTPClient.request``), waiting its turn unless it answers an interaction."""

    async def send(route: Route, **kwargs: Any) -> Any:
        if not is_interaction(route):
            await pace.take()
        return await request(route, **kwargs)

    return send
