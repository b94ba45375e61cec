"""Command line: ``python -m bot [run|sync|migrate|format check|format preview|rehearse]``.

Settings are read here, once. A bad or missing setting prints one line saying how to fix it and
exits with status 2, never a traceback.

Only what a command needs is imported: ``format check`` and ``format preview`` import no
discord.py, aiohttp or database code (``tests/unit/test_startup_imports.py``); ``run`` imports
them when it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import logging
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import rehearse
from bot.config import Settings, SettingsError, load_settings
from bot.datadir import check_data_dir, explain_database_error, hold_lock
from bot.health import check as check_health
from bot.logs import configure_logging
from bot.runtime.backoff import record_start

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger("bot")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_SETTINGS = 2
EXIT_UNHEALTHY = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Peer Circle: a Discord bot for peer-run mutual-aid groups.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="start the bot (the default)")
    commands.add_parser("sync", help="publish the slash commands (to DEV_GUILD_ID if set)")
    migrate = commands.add_parser("migrate", help="bring the database up to date and exit")
    migrate.add_argument(
        "--to",
        metavar="POSTGRESQL_URL",
        help="copy the SQLite database in DATA_DIR into this empty PostgreSQL database",
    )
    commands.add_parser("invite", help="print the link that adds the bot to a server")
    commands.add_parser("health", help="exit 0 if the running bot is connected and on time")
    backup = commands.add_parser(
        "backup", help="copy the database to DEST, safely, even while the bot runs"
    )
    backup.add_argument("destination", metavar="DEST")
    fmt = commands.add_parser("format", help="check or preview a meeting format file")
    fmt_commands = fmt.add_subparsers(dest="format_command", metavar="ACTION", required=True)
    check = fmt_commands.add_parser("check", help="validate format files")
    check.add_argument("files", nargs="+", metavar="FILE")
    preview = fmt_commands.add_parser("preview", help="show a meeting as the group will see it")
    preview.add_argument("file", metavar="FILE")
    preview.add_argument(
        "--png", metavar="OUT", help="also draw the meeting's timeline as a PNG picture to OUT"
    )
    for action in (check, preview):
        action.add_argument(
            "--lang",
            metavar="LANG",
            help="the language to speak (es, fr, en); default: the file's language: key",
        )
    rehearse.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    if command == "format":
        return _format_command(args)
    if command == "rehearse":  # no settings: it passes the bot its own, explicitly
        return rehearse.main(args)
    settings: Settings | None = None
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        token = settings.token() if command in ("run", "sync", "invite") else ""
        if command == "invite":
            print(invite_link(token))
            return EXIT_OK
        if command == "health":
            return _health(settings)
        check_data_dir(settings.data_dir, settings.database_path)
        if command == "migrate":
            with hold_lock(settings.data_dir):  # never under a running bot's feet
                if args.to:
                    return asyncio.run(_move(settings, args.to))
                return asyncio.run(_migrate(settings))
        if command == "backup":
            return _backup(settings, Path(args.destination))
        if command == "sync":
            with hold_lock(settings.data_dir):  # it opens (and migrates) the database too
                return asyncio.run(_sync(settings, token))
        with hold_lock(settings.data_dir):
            return asyncio.run(_run(settings, token))
    except SettingsError as exc:
        print(f"peercircle: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    except (sqlite3.DatabaseError, OSError) as exc:
        where = settings.database_path if settings else Path("peercircle.sqlite3")
        explained = explain_database_error(exc, where)
        if explained is None:  # pragma: no cover - explain_database_error covers both types
            raise
        print(f"peercircle: {explained}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    except KeyboardInterrupt:
        return EXIT_OK


def _format_command(args: argparse.Namespace) -> int:
    from bot import formats_cli

    if args.format_command == "check":
        return formats_cli.check(args.files, sys.stdout, args.lang)
    return formats_cli.preview(args.file, sys.stdout, args.lang, png=args.png)


async def _migrate(settings: Settings) -> int:
    from bot.store import StoreError, store_for

    url = settings.database_url
    store = store_for(url.get_secret_value() if url else None, settings.database_path)
    try:
        version = await store.open()
    except StoreError as exc:
        print(f"peercircle: the database could not be migrated: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    finally:
        await store.close()
    print(f"The database is up to date (schema version {version}).")
    return EXIT_OK


async def _move(settings: Settings, url: str) -> int:
    from bot.store import StoreError
    from bot.store.move import move_to_postgres

    if not url.startswith(("postgresql://", "postgres://")):
        print("peercircle: --to must be a postgresql:// URL", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    if not settings.database_path.exists():
        print(f"peercircle: there is no database to copy in {settings.data_dir}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    try:
        moved = await move_to_postgres(settings.database_path, url)
    except StoreError as exc:
        print(f"peercircle: nothing was copied: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(
        f"Copied {sum(moved.rows.values())} rows in {len(moved.rows)} tables into PostgreSQL "
        f"(schema version {moved.version}). The SQLite file is unchanged: keep it as a backup. "
        "Next: set DATABASE_URL to that URL (and the same PSEUDONYM_KEY) and start the bot."
    )
    return EXIT_OK


def invite_permissions() -> int:
    """Exactly the permissions the README lists, and why (nothing more; never Administrator)."""
    import discord

    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        embed_links=True,
        read_message_history=True,
        manage_messages=True,  # hold mode only
        manage_roles=True,  # the chair's role of the day; sitting out is a channel overwrite
        mute_members=True,  # voice floor control, when a group asks for it
        create_events=True,  # the next scheduled meeting in the server's Events list
    ).value


def invite_link(token: str) -> str:
    """The link that adds this bot to a server. A bot token starts with its application's id,
    base64-encoded."""
    first = token.split(".", 1)[0]
    try:
        application_id = int(base64.b64decode(first + "=" * (-len(first) % 4)).decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        raise SettingsError(
            "DISCORD_TOKEN doesn't look like a bot token (it should start with the "
            "application's id): copy it again from the developer portal (Bot -> Reset Token)."
        ) from None
    return (
        f"https://discord.com/oauth2/authorize?client_id={application_id}"
        f"&scope=bot+applications.commands&permissions={invite_permissions()}"
    )


def _health(settings: Settings) -> int:
    healthy, why = check_health(settings.data_dir)
    if healthy:
        print(why)
        return EXIT_OK
    print(f"peercircle: {why}", file=sys.stderr)
    return EXIT_UNHEALTHY


def _backup(settings: Settings, destination: Path) -> int:
    from bot.backup import backup

    if settings.database_url is not None:
        print(
            "peercircle: with DATABASE_URL the data is in PostgreSQL: back it up with its own "
            "tools (pg_dump), and keep those backups as private as the pseudonym key",
            file=sys.stderr,
        )
        return EXIT_BAD_SETTINGS
    size = backup(settings.database_path, destination)
    print(
        f"Backed up the database to {destination} ({size // 1024} KiB, readable only by you). "
        "The pseudonym key is not in it: back up "
        f"{settings.data_dir / 'pseudonym.key'} (or your PSEUDONYM_KEY) separately, and keep "
        "the two apart."
    )
    return EXIT_OK


def _explain_login_failure(exc: BaseException, settings: Settings | None = None) -> str | None:
    import discord

    if isinstance(exc, discord.LoginFailure):
        return (
            "DISCORD_TOKEN was refused by Discord: copy the bot token again from "
            "https://discord.com/developers/applications (Bot -> Reset Token) into .env."
        )
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        if settings is not None and settings.message_content_intent:
            wanted = (
                "turn on SERVER MEMBERS INTENT and MESSAGE CONTENT INTENT (MESSAGE_CONTENT_INTENT "
                "is on in your settings, for hold mode; set it to false to leave that intent off)"
            )
        else:
            wanted = "turn on SERVER MEMBERS INTENT (leave Message Content off)"
        return (
            "Discord refused a privileged intent: in the developer portal, open your "
            f"application -> Bot -> Privileged Gateway Intents, {wanted}, save, and start the "
            "bot again."
        )
    return None


def _unreachable(settings: Settings, exc: aiohttp.ClientError) -> str:
    """One line for a Discord that can't be reached: the URL tried, why, and what to check."""
    reason = getattr(exc, "os_error", None) or exc
    return (
        f"can't reach Discord at {settings.discord_api_base} ({reason}): check this machine's "
        "network connection (and any firewall or proxy); if you set DISCORD_API_BASE, check it"
    )


async def _sync(settings: Settings, token: str) -> int:
    import aiohttp
    import discord

    from bot.store import StoreError
    from bot.wiring import build_bot

    bot = build_bot(settings, serve=False)
    try:
        async with bot:
            await bot.login(token)
            published = await bot.sync_commands()
    except (discord.LoginFailure, StoreError) as exc:
        print(f"peercircle: {_explain_login_failure(exc) or exc}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    except aiohttp.ClientError as exc:
        print(f"peercircle: {_unreachable(settings, exc)}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    where = f"server {settings.dev_guild_id}" if settings.dev_guild_id else "every server (global)"
    print(f"Published {len(published)} command(s) to {where}.")
    return EXIT_OK


async def _run(settings: Settings, token: str) -> int:
    import aiohttp
    import discord

    from bot.store import StoreError
    from bot.wiring import build_bot

    delay = record_start(settings.data_dir, identifies=max(1, len(settings.shards().ids)))
    if delay:
        log.warning(
            "Started several times in a few minutes; waiting %.0fs before connecting", delay
        )
        await asyncio.sleep(delay)
    bot = build_bot(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # not available on Windows
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    try:
        async with bot:
            await bot.start(token)
    except (discord.LoginFailure, discord.PrivilegedIntentsRequired) as exc:
        print(f"peercircle: {_explain_login_failure(exc, settings)}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    except StoreError as exc:
        print(f"peercircle: the database could not be opened: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    except aiohttp.ClientError as exc:  # logging in is the first call: nothing was reached
        print(f"peercircle: {_unreachable(settings, exc)}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    log.info("Stopped")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
