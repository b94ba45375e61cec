"""Outbox work numbers its messages under its own random key, so a retry after a crash sends
the same enforced nonces and Discord creates nothing twice."""

from __future__ import annotations

from typing import Any

from bot.adapters.sending import nonce_for, once_per_key, send_once
from bot.core.decisions import effects as fx
from bot.runtime.decisions.outbox import Work, decode, encode


class Channel:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, content: str, **options: Any) -> Any:
        self.sent.append({"content": content, **options})
        return None


async def test_a_retry_sends_the_same_nonces() -> None:
    work = decode(encode(Work(fx.AnnounceLapsed(proposal_id="p1"))))
    assert len(work.key) == 16  # made when the work was queued …
    again = decode(encode(work))
    assert again.key == work.key  # … and kept in the stored payload
    channel = Channel()
    for _attempt in range(2):  # sent, killed before it was marked done, sent again
        with once_per_key(again.key):
            await send_once(channel, "first")  # type: ignore[arg-type]
            await send_once(channel, "second")  # type: ignore[arg-type]
    nonces = [message["nonce"] for message in channel.sent]
    first, second = nonce_for(work.key, "first"), nonce_for(work.key, "second")
    assert nonces == [first, second] * 2  # the same message, the same nonce, on every try
    assert first != second
    assert all(len(nonce) <= 25 for nonce in nonces)  # Discord's limit for a nonce


async def test_a_retry_that_says_something_new_still_sends_it() -> None:
    channel = Channel()
    with once_per_key("k1"):
        await send_once(channel, "I couldn't let them back in yet.")  # type: ignore[arg-type]
    with once_per_key("k1"):  # the retry of the same work, later, with news
        await send_once(channel, "I've now let them back in.")  # type: ignore[arg-type]
    assert channel.sent[0]["nonce"] != channel.sent[1]["nonce"]


async def test_outside_outbox_work_no_nonce_is_sent() -> None:
    channel = Channel()
    await send_once(channel, "a reminder")  # type: ignore[arg-type]
    assert "nonce" not in channel.sent[0]
    other = decode(encode(Work(fx.AnnounceLapsed(proposal_id="p1"))))
    assert other.key != decode(encode(Work(fx.AnnounceLapsed(proposal_id="p1")))).key
