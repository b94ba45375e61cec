"""Aggregate metrics (METRICS_PORT): what is counted, and that nothing names a group or person."""

from __future__ import annotations

import logging
import socket

import aiohttp
import pytest

from bot.metrics import DISCORD_EPOCH_MS, Metrics, MetricsServer


def _snowflake(at_ms: int) -> int:
    return (at_ms - DISCORD_EPOCH_MS) << 22


def _value(metrics: Metrics, name: str, labels: dict[str, str] | None = None) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    assert value is not None, name
    return value


def test_rate_limits_and_server_errors_are_counted() -> None:
    metrics = Metrics()
    for status in (200, 204, 429, 429, 500, 502, 404):
        metrics.answered("/api/v10/channels/123/messages", status)
    assert _value(metrics, "peercircle_discord_rate_limited_total") == 2
    assert _value(metrics, "peercircle_discord_server_errors_total") == 2


def test_an_acknowledgement_is_timed_from_the_interaction_id() -> None:
    metrics = Metrics()
    pressed = 1_800_000_000_000
    url = f"/api/v10/interactions/{_snowflake(pressed)}/aW50ZXJhY3Rpb24/callback"
    metrics.answered(url, 204, now_ms=pressed + 350)
    metrics.answered(url, 404, now_ms=pressed + 9000)  # refused: not an acknowledgement
    assert _value(metrics, "peercircle_interaction_ack_seconds_count") == 1
    assert _value(metrics, "peercircle_interaction_ack_seconds_sum") == pytest.approx(0.35)
    assert _value(metrics, "peercircle_interaction_ack_seconds_bucket", {"le": "0.5"}) == 1
    assert _value(metrics, "peercircle_interaction_ack_seconds_bucket", {"le": "0.25"}) == 0


def test_the_exposition_carries_no_ids_only_totals() -> None:
    metrics = Metrics()
    token = "aW50ZXJhY3Rpb24tdG9rZW4"
    interaction = _snowflake(1_800_000_000_000)
    metrics.answered(f"/api/v10/interactions/{interaction}/{token}/callback", 204)
    metrics.answered("/api/v10/channels/987654321987654321/messages", 429)
    text = metrics.exposition().decode()
    assert str(interaction) not in text
    assert token not in text
    assert "987654321987654321" not in text
    labels = {line.split("{", 1)[1].split("=", 1)[0] for line in text.splitlines() if "{" in line}
    assert labels <= {"le"}  # the histogram's buckets: no label for a group or a person


async def test_the_server_answers_on_localhost_and_reads_gauges_fresh() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pending = [3]

    async def count_pending() -> int:
        return pending[0]

    async def count_overdue() -> int:
        return 1

    server = MetricsServer(
        Metrics(), port, running=lambda: 2, pending=count_pending, overdue=count_overdue
    )
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
                first = await response.text()
            pending[0] = 5
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                second = await response.text()
    finally:
        await server.stop()
    assert "peercircle_meetings_running 2.0" in first
    assert "peercircle_deadlines_pending 3.0" in first
    assert "peercircle_deadlines_overdue 1.0" in first
    assert "peercircle_deadlines_pending 5.0" in second


async def test_a_port_in_use_is_one_warning_and_the_bot_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        async def zero() -> int:
            return 0

        server = MetricsServer(Metrics(), port, running=lambda: 0, pending=zero, overdue=zero)
        with caplog.at_level(logging.WARNING):
            await server.start()
        await server.stop()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "METRICS_PORT" in warnings[0].getMessage()
