"""``python -m bot rehearse [FORMAT] [--members N] [--speed X] [--play [--chair]]``: a whole
meeting, with no Discord account.

The real bot — ``python -m bot sync`` and ``python -m bot run``, the same code a host runs —
serves a server in the project's Discord stand-in (``discord_standin``), started in this
command. Simulated members take part (:mod:`bot.rehearse.room`); the meeting room is shown in
the terminal as members would see it (:mod:`bot.rehearse.watch`); with ``--play`` the person
at the keyboard is one of them (:mod:`bot.rehearse.play`). Everything is written in one
temporary folder, removed at the end. Nothing here is imported unless the command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.lazy_dataclasses import lazy_dataclass

if TYPE_CHECKING:  # imported when the command runs: `python -m bot run` loads none of it
    from bot.core.formats.plan import CompiledFormat

DEFAULT_FORMAT = "open-discussion"
DEFAULT_SPEED = 60.0
DEFAULT_PLAY_SPEED = 10.0
DEFAULT_MEMBERS = 6
MAX_MEMBERS = 12
MAX_SPEED = 100_000.0
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

DESCRIPTION = """\
Try a whole meeting with no Discord account: the real bot runs against Peer Circle's own
Discord stand-in, in this command, with simulated members who raise hands, share, pass, read
and answer the chair's questions. The meeting room is shown here as members would see it,
to the meeting's close. Nothing is sent to Discord; nothing is kept (everything is written in
a temporary folder, removed at the end)."""
EPILOG = """\
Exit status: 0 when the meeting closed; 1 if the rehearsal could not go on (the bot's last log
lines are shown) or the format file has problems; 2 for a wrong option; 130 when stopped with
Ctrl-C (the bot is stopped and the temporary folder removed).

examples:
  python -m bot rehearse                          the open discussion format
  python -m bot rehearse speaker-meeting --speed 120
  python -m bot rehearse my-format.yaml           your own format file
  python -m bot rehearse --play                   take part: type `help` to see how"""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``rehearse`` subcommand, for ``python -m bot``."""
    from bot.core.formats import builtin_formats

    parser = commands.add_parser(
        "rehearse",
        help="run a whole meeting here, with simulated members (no Discord account needed)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "format",
        nargs="?",
        default=DEFAULT_FORMAT,
        metavar="FORMAT",
        help=f"a built-in format ({', '.join(sorted(builtin_formats()))}) or a format file "
        f"(default: {DEFAULT_FORMAT})",
    )
    parser.add_argument(
        "--members",
        type=int,
        default=DEFAULT_MEMBERS,
        metavar="N",
        help=f"simulated members in the room, 2 to {MAX_MEMBERS} (default: {DEFAULT_MEMBERS})",
    )
    parser.add_argument(
        "--speed",
        type=float,
        metavar="X",
        help=f"how much faster than real time the meeting's clock runs (default: "
        f"{DEFAULT_SPEED:g}, so an hour's meeting takes about a minute; with --play "
        f"{DEFAULT_PLAY_SPEED:g})",
    )
    parser.add_argument(
        "--play",
        action="store_true",
        help="take part as one of the members: type hand, done, pass, read, or words to post",
    )
    parser.add_argument(
        "--chair",
        action="store_true",
        help="with --play: you chair the meeting (type next to move it on)",
    )


@lazy_dataclass(frozen=True)
class Options:
    plan: CompiledFormat
    builtin: str | None  # the built-in format's id, or None for a file
    source: Path | None  # the format file
    members: int
    speed: float
    play: bool
    chair: bool


def options(args: argparse.Namespace) -> Options | int:
    """The checked options, or the exit status after saying what is wrong."""
    speed = DEFAULT_PLAY_SPEED if args.speed is None and args.play else args.speed
    speed = DEFAULT_SPEED if speed is None else speed
    problem = None
    if not 2 <= args.members <= MAX_MEMBERS:
        problem = f"--members must be between 2 and {MAX_MEMBERS}"
    elif not 0 < speed <= MAX_SPEED:
        problem = f"--speed must be more than 0 and at most {MAX_SPEED:g} (1 is real time)"
    elif args.chair and not args.play:
        problem = "--chair goes with --play (you chair the meeting you take part in)"
    if problem:
        print(f"peercircle: {problem}.", file=sys.stderr)
        return EXIT_USAGE
    from bot.core.formats import (
        FormatError,
        builtin_formats,
        check_format_file,
        load_builtin_format,
    )
    from bot.i18n.catalogue import SOURCE
    from bot.i18n.choice import group_locale

    builtin: str | None = args.format if args.format in builtin_formats() else None
    if builtin is not None:
        plan = load_builtin_format(builtin)
    elif Path(args.format).is_file():
        try:
            plan, _ = check_format_file(args.format)
        except FormatError:
            from bot import formats_cli

            return formats_cli.check([args.format], sys.stdout) or EXIT_FAILED
    else:
        print(
            f"peercircle: there is no built-in format {args.format!r} and no file by that name; "
            f"the built-in formats are {', '.join(sorted(builtin_formats()))}.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if group_locale(plan.language) != SOURCE:
        print(
            f"peercircle: a rehearsal can't run a format in another language yet "
            f"(language: {plan.language}): the simulated members read the panel's English words. "
            "`python -m bot format preview` shows the format in its own language.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    source = None if builtin is not None else Path(args.format)
    return Options(plan, builtin, source, args.members, speed, args.play, args.chair)


def main(args: argparse.Namespace) -> int:
    """``python -m bot rehearse``."""
    checked = options(args)
    if isinstance(checked, int):
        return checked
    folder = Path(tempfile.mkdtemp(prefix="peercircle-rehearsal-"))
    try:
        from bot.rehearse.show import rehearse

        return asyncio.run(rehearse(checked, folder))
    except KeyboardInterrupt:
        with contextlib.suppress(OSError):
            print("\nThe rehearsal was stopped. Nothing was kept.", flush=True)
        return EXIT_INTERRUPTED
    finally:
        shutil.rmtree(folder, ignore_errors=True)
