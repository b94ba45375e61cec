"""The fake Discord moved into the product as ``discord_standin`` (``python -m bot rehearse``
runs a meeting against it). This name stays for the tests: it is the same package, and
``tests.fakediscord.<module>`` is the same module object as ``discord_standin.<module>``."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import discord_standin
from discord_standin import *  # noqa: F403

__all__ = list(discord_standin.__all__)

for _info in pkgutil.iter_modules(discord_standin.__path__):
    _module = importlib.import_module(f"discord_standin.{_info.name}")
    sys.modules[f"{__name__}.{_info.name}"] = _module
    globals()[_info.name] = _module
