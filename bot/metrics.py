"""Aggregate metrics for the host, off by default: ``METRICS_PORT`` turns them on.

Served on ``127.0.0.1:METRICS_PORT/metrics`` in Prometheus's text format (through the
``prometheus-client`` library), from the bot's own event loop. Only totals for the whole bot:

* ``peercircle_meetings_running`` — meetings under way;
* ``peercircle_deadlines_pending`` and ``peercircle_deadlines_overdue`` — the durable timers this
  process carries out, and those a minute or more late (a stuck deadline loop);
* ``peercircle_discord_rate_limited_total`` and ``peercircle_discord_server_errors_total`` —
  Discord's 429 and 5xx answers to the bot's calls;
* ``peercircle_interaction_ack_seconds`` — from a member's press or command (Discord's time in
  the interaction's id) to the bot's acknowledgement reaching Discord.

Never per group, never per person: no label carries a server, channel, member, name or id, and
nothing here is written to disk.

The metrics server (aiohttp's web server) and prometheus-client are imported only when
``METRICS_PORT`` turns metrics on: a bot without them doesn't pay for their import at start-up.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING

import aiohttp

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)

#: Discord's epoch (2015-01-01) in Unix milliseconds: a snowflake's time is (id >> 22) + this.
DISCORD_EPOCH_MS = 1420070400000
_CALLBACK = re.compile(r"/interactions/(\d+)/[^/]+/callback$")


class Metrics:
    """The bot's counters and gauges, in a registry of their own."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        self.meetings_running = Gauge(
            "peercircle_meetings_running", "Meetings under way.", registry=self.registry
        )
        self.deadlines_pending = Gauge(
            "peercircle_deadlines_pending",
            "Durable timers this process carries out, waiting.",
            registry=self.registry,
        )
        self.deadlines_overdue = Gauge(
            "peercircle_deadlines_overdue",
            "Durable timers a minute or more late (the deadline loop is stuck).",
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "peercircle_discord_rate_limited",
            "Discord's 429 answers to the bot's calls.",
            registry=self.registry,
        )
        self.server_errors = Counter(
            "peercircle_discord_server_errors",
            "Discord's 5xx answers to the bot's calls.",
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "peercircle_interaction_ack_seconds",
            "From a member's press or command to the bot's acknowledgement reaching Discord.",
            buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0),
            registry=self.registry,
        )

    def answered(self, url: str, status: int, now_ms: float | None = None) -> None:
        """Count one answer from Discord to the bot's call to ``url``."""
        if status == 429:
            self.rate_limited.inc()
        elif status >= 500:
            self.server_errors.inc()
        found = _CALLBACK.search(url)
        if found is not None and status < 400:
            now = time.time() * 1000 if now_ms is None else now_ms
            created = (int(found.group(1)) >> 22) + DISCORD_EPOCH_MS
            self.ack_seconds.observe(max(0.0, (now - created) / 1000))

    def trace_config(self) -> aiohttp.TraceConfig:
        """Hooks for discord.py's HTTP session (``http_trace``): each answer is counted."""
        trace = aiohttp.TraceConfig()

        async def on_request_end(
            session: aiohttp.ClientSession,
            context: SimpleNamespace,
            params: aiohttp.TraceRequestEndParams,
        ) -> None:
            self.answered(params.url.path, params.response.status)

        trace.on_request_end.append(on_request_end)
        return trace

    def exposition(self) -> bytes:
        from prometheus_client.exposition import generate_latest

        return generate_latest(self.registry)


class MetricsServer:
    """``GET /metrics`` on 127.0.0.1: the gauges are read fresh for each scrape."""

    def __init__(
        self,
        metrics: Metrics,
        port: int,
        *,
        running: Callable[[], int],
        pending: Callable[[], Awaitable[int]],
        overdue: Callable[[], Awaitable[int]],
    ) -> None:
        self.metrics = metrics
        self.port = port
        self._running, self._pending, self._overdue = running, pending, overdue
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        from aiohttp import web

        app = web.Application()
        app.router.add_get("/metrics", self._scrape)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        except OSError as exc:
            await self.stop()
            log.warning(
                "Metrics are not served: 127.0.0.1:%d can't be used (%s). Choose another "
                "METRICS_PORT, or leave it empty to turn metrics off",
                self.port,
                exc.strerror or exc,
            )
            return
        log.info("Metrics are served on http://127.0.0.1:%d/metrics", self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _scrape(self, request: web.Request) -> web.Response:
        from aiohttp import web
        from prometheus_client.exposition import CONTENT_TYPE_LATEST

        m = self.metrics
        m.meetings_running.set(self._running())
        try:
            m.deadlines_pending.set(await self._pending())
            m.deadlines_overdue.set(await self._overdue())
        except Exception:  # a busy or full disk: the counters are still worth having
            log.warning("Metrics could not count the deadlines just now")
        return web.Response(body=m.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})
