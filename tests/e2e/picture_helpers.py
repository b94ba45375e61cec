"""Reading a picture the bot attached, from the Discord stand-in."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlparse

from PIL import Image

from tests.fakediscord import FakeDiscord


def attached_picture(fake: FakeDiscord, message: dict[str, Any]) -> Image.Image:
    """The one PNG attached to ``message`` (as Discord describes it), opened."""
    attachments = message.get("attachments") or []
    assert len(attachments) == 1, attachments
    attachment = attachments[0]
    assert attachment["filename"] == "timeline.png"
    assert attachment["content_type"] == "image/png"
    assert attachment["description"].startswith("A timeline of the meeting")  # its alt text
    data = fake.state.attachments[urlparse(attachment["url"]).path].data
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (attachment["width"], attachment["height"])
    assert image.size[0] == 1200
    return image
