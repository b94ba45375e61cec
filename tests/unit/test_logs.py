from __future__ import annotations

import io
import logging

import pytest

from bot.logs import configure_logging, redact


def test_redacts_snowflakes_in_urls() -> None:
    line = (
        "We are being rate limited. PUT https://discord.com/api/v10"
        "/guilds/123456789012345678/members/876543210987654321/roles/1"
    )
    redacted = redact(line)
    assert "123456789012345678" not in redacted
    assert "876543210987654321" not in redacted
    assert "/members/<id>/roles/1" in redacted


def test_redacts_interaction_tokens() -> None:
    line = (
        "POST /webhooks/123456789012345678"
        "/aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldA/messages"
    )
    assert "aW50ZXJhY3Rpb24" not in redact(line)


def test_keeps_short_numbers() -> None:
    assert redact("Re-armed 500 deadline(s) in 0.25s") == "Re-armed 500 deadline(s) in 0.25s"


@pytest.fixture
def stream() -> io.StringIO:
    buffer = io.StringIO()
    yield buffer
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_peercircle", False):
            root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("discord").setLevel(logging.NOTSET)


def test_discord_loggers_never_go_below_info(stream: io.StringIO) -> None:
    configure_logging("DEBUG", stream)
    logging.getLogger("discord.gateway").debug("payload with a name in it")
    logging.getLogger("bot.something").debug("our own debug line")
    output = stream.getvalue()
    assert "payload with a name" not in output
    assert "our own debug line" in output


def test_tracebacks_are_redacted_too(stream: io.StringIO) -> None:
    configure_logging("INFO", stream)
    try:
        raise RuntimeError("failed on /channels/123456789012345678/permissions/876543210987654321")
    except RuntimeError:
        logging.getLogger("bot.x").exception("It failed")
    assert "876543210987654321" not in stream.getvalue()
    assert "permissions/<id>" in stream.getvalue()


def test_configuring_twice_keeps_one_handler(stream: io.StringIO) -> None:
    configure_logging("INFO", stream)
    configure_logging("INFO", stream)
    logging.getLogger("bot.x").info("once")
    assert stream.getvalue().count("once") == 1


def test_no_voice_library_warnings_at_start(stream: io.StringIO) -> None:
    configure_logging("INFO", stream)
    client_log = logging.getLogger("discord.client")
    client_log.warning("PyNaCl is not installed, voice will NOT be supported")
    client_log.warning("davey is not installed, voice will NOT be supported")
    client_log.warning("Shard ID None heartbeat blocked for more than 10 seconds.")
    output = stream.getvalue()
    assert "PyNaCl" not in output
    assert "davey" not in output
    assert "heartbeat blocked" in output  # every other warning still reaches the host
