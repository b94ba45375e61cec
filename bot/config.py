"""Settings, read from the environment and ``.env`` (see ``.env.example``).

Settings are built in ``main()``, never at import, so importing the bot needs no token.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.shards import EVERY_GUILD, MAX_SHARDS, Shards, parse_shard_ids

DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"
KEY_FILE_NAME = "pseudonym.key"
KEY_BYTES = 32

log = logging.getLogger(__name__)

# How to fix each setting, said once, in plain words.
_HOW_TO_FIX: dict[str, str] = {
    "DISCORD_TOKEN": (
        "create a bot at https://discord.com/developers/applications (Bot -> Reset Token), "
        "then copy .env.example to .env and put the token after DISCORD_TOKEN="
    ),
    "DATA_DIR": "set it to a folder the bot may write to, e.g. DATA_DIR=./data",
    "PSEUDONYM_KEY": (
        "leave it empty to let the bot create a key file, or set at least 32 random characters "
        '(python -c "import secrets; print(secrets.token_hex(32))")'
    ),
    "LOG_LEVEL": "use one of DEBUG, INFO, WARNING, ERROR",
    "DEV_GUILD_ID": "use the numeric id of your test server (Developer Mode -> Copy Server ID)",
    "DISCORD_API_BASE": f"leave it empty for Discord itself ({DISCORD_API_BASE})",
    "DISCORD_GATEWAY_URL": f"leave it empty for Discord itself ({DISCORD_GATEWAY_URL})",
    "CLOCK_RATE": "use a number above 0; 1 is real time, 60 runs an hour in a minute",
    "MESSAGE_CONTENT_INTENT": "use true or false (false unless a group uses hold mode)",
    "METRICS_PORT": "use a free port number (1024-65535), or leave it empty for no metrics",
    "SHARD_COUNT": "use the total number of shards (1 or more), or leave it empty for no sharding",
    "SHARD_IDS": "name this process's shards below SHARD_COUNT, like 0-3 or 0,2",
}


class SettingsError(Exception):
    """A setting is missing or wrong. ``str()`` is one line that says how to fix it."""


class Settings(BaseSettings):
    """Everything the bot can be configured with. Every field is documented in .env.example."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=False,
    )

    discord_token: SecretStr | None = None
    data_dir: Path = Path("data")
    pseudonym_key: SecretStr | None = None
    log_level: str = "INFO"
    dev_guild_id: Annotated[int, Field(gt=0)] | None = None
    discord_api_base: str = DISCORD_API_BASE
    discord_gateway_url: str = DISCORD_GATEWAY_URL
    clock_rate: Annotated[float, Field(gt=0, le=100_000)] = 1.0
    message_content_intent: bool = False  # only for groups that choose hold mode
    metrics_port: Annotated[int, Field(ge=1, le=65535)] | None = None  # off unless set
    shard_count: Annotated[int, Field(ge=1, le=MAX_SHARDS)] | None = None  # unset: not sharded
    shard_ids: str | None = None  # e.g. "0-1": this process's shards (unset: all of them)

    @field_validator("shard_ids")
    @classmethod
    def _shard_ids(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        count = info.data.get("shard_count")
        if count is None:
            raise ValueError("SHARD_COUNT is not set")
        ids = parse_shard_ids(value, count)
        if len(ids) < count and info.data.get("pseudonym_key") is None:
            # Other processes hold the other shards: they must code people the same way.
            raise ValueError(
                "other processes hold the other shards, so set PSEUDONYM_KEY, the same in each"
            )
        return value.strip()

    def shards(self) -> Shards:
        """The shards this process serves (bot/core/shards.py)."""
        if self.shard_count is None:
            return EVERY_GUILD
        if self.shard_ids is None:
            return Shards(self.shard_count, tuple(range(self.shard_count)))
        return Shards(self.shard_count, parse_shard_ids(self.shard_ids, self.shard_count))

    database_url: SecretStr | None = None  # unset: SQLite in DATA_DIR; else PostgreSQL

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator("discord_api_base")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("discord_gateway_url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss://")
        return value

    @field_validator("pseudonym_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) < KEY_BYTES:
            raise ValueError(f"must be at least {KEY_BYTES} characters")
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("postgresql://", "postgres://")
        ):
            raise ValueError("must start with postgresql://, or be empty to use SQLite")
        return value

    def token(self) -> str:
        """The bot token, or a :class:`SettingsError` saying how to get one."""
        if self.discord_token is None or not self.discord_token.get_secret_value().strip():
            env_file = Path(".env").resolve()
            looked = (
                f"not in the environment nor in {env_file}"
                if env_file.is_file()
                else f"not in the environment, and there is no {env_file}"
            )
            raise SettingsError(
                f"DISCORD_TOKEN is not set ({looked}): {_HOW_TO_FIX['DISCORD_TOKEN']}."
            )
        return self.discord_token.get_secret_value().strip()

    @property
    def database_path(self) -> Path:
        return self.data_dir / "peercircle.sqlite3"

    def pseudonym_key_bytes(self) -> bytes:
        """The pseudonym key: the setting, or the key file in DATA_DIR (created once, mode 0600)."""
        if self.pseudonym_key is not None:
            return self.pseudonym_key.get_secret_value().encode()
        return load_or_create_key_file(self.data_dir / KEY_FILE_NAME)


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning any validation problem into one clear :class:`SettingsError`."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "a setting"
        reason = error["msg"].removeprefix("Value error, ")
        fix = _HOW_TO_FIX.get(name, "check its value in .env or the environment")
        raise SettingsError(f"{name} is not valid ({reason}): {fix}.") from None


def load_or_create_key_file(path: Path) -> bytes:
    """Read the key file, creating it with a fresh random key and mode 0600 the first time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        log.info("Created a new pseudonym key file in the data directory")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        # Refused, not quietly fixed: whoever could read it may already have a copy, and the
        # host should know (with the key, the coded keys in a copy of DATA_DIR can be checked
        # against people's ids).
        raise SettingsError(
            f"{path} (the pseudonym key) can be read by other users on this machine (mode "
            f"{mode:04o}): make it private with  chmod 600 {path}  and start again"
        )
    text = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise SettingsError(
            f"{path} is damaged (it should hold one line of hex): restore it from your backup."
            " Without it the bot cannot recognise anyone it has stored."
        ) from None
    if len(key) < KEY_BYTES:
        raise SettingsError(f"{path} holds a key that is too short: restore it from your backup.")
    return key
