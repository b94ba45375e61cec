from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.config import KEY_FILE_NAME, SettingsError, load_or_create_key_file, load_settings


def test_defaults_need_no_token() -> None:
    settings = load_settings()
    assert settings.data_dir == Path("data")
    assert settings.discord_api_base == "https://discord.com/api/v10"
    assert settings.discord_gateway_url == "wss://gateway.discord.gg/"
    assert settings.clock_rate == 1.0
    assert settings.log_level == "INFO"


def test_missing_token_says_where_to_get_one() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings().token()
    message = str(raised.value)
    assert "DISCORD_TOKEN" in message
    assert "discord.com/developers/applications" in message
    assert ".env.example" in message
    assert "\n" not in message


def test_environment_and_dotenv_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=from-dotenv\nDEV_GUILD_ID=123\nCLOCK_RATE=60\n")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.token() == "from-dotenv"
    assert settings.dev_guild_id == 123
    assert settings.clock_rate == 60
    assert settings.log_level == "DEBUG"


def test_empty_values_mean_default(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DEV_GUILD_ID=\nDISCORD_API_BASE=\nCLOCK_RATE=\n")
    settings = load_settings()
    assert settings.dev_guild_id is None
    assert settings.discord_api_base == "https://discord.com/api/v10"


def test_token_never_shows_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "super-secret-token-value")
    settings = load_settings()
    assert "super-secret-token-value" not in repr(settings)
    assert "super-secret-token-value" not in str(settings.model_dump())


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEV_GUILD_ID", "not-a-number"),
        ("CLOCK_RATE", "0"),
        ("CLOCK_RATE", "fast"),
        ("LOG_LEVEL", "LOUD"),
        ("DISCORD_API_BASE", "discord.com/api"),
        ("DISCORD_GATEWAY_URL", "http://example.invalid"),
        ("PSEUDONYM_KEY", "too-short"),
    ],
)
def test_bad_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(name)
    assert "\n" not in message


def test_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "data" / KEY_FILE_NAME
    first = load_or_create_key_file(path)
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key_file(path) == first


def test_a_key_file_others_can_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / KEY_FILE_NAME
    first = load_or_create_key_file(path)
    path.chmod(0o644)
    with pytest.raises(SettingsError) as raised:
        load_or_create_key_file(path)
    message = str(raised.value)
    assert "\n" not in message
    assert "mode 0644" in message
    assert f"chmod 600 {path}" in message
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # left for the host to decide
    path.chmod(0o600)
    assert load_or_create_key_file(path) == first


def test_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / KEY_FILE_NAME
    path.write_text("not hex at all")
    path.chmod(0o600)
    with pytest.raises(SettingsError, match="damaged"):
        load_or_create_key_file(path)


def test_pseudonym_key_setting_wins_over_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSEUDONYM_KEY", "k" * 40)
    settings = load_settings()
    assert settings.pseudonym_key_bytes() == b"k" * 40
    assert not (settings.data_dir / KEY_FILE_NAME).exists()
