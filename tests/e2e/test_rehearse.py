"""``python -m bot rehearse``, run as a person would run it: a whole meeting in the terminal,
with no token and no account, leaving nothing behind; and ``--play`` through a pseudo-terminal,
where the person raises a hand, shares, and is thanked."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parents[2]
CLOSE = "This meeting has ended"


def quiet_home(tmp_path: Path) -> tuple[dict[str, str], dict[str, Path]]:
    """An environment with its own HOME, TMPDIR and working folder, and no bot settings."""
    folders = {name: tmp_path / name for name in ("home", "tmp", "cwd")}
    for folder in folders.values():
        folder.mkdir()
    # A host's own .env in the folder the command is run from must not be read.
    (folders["cwd"] / ".env").write_text(
        "DISCORD_TOKEN=a-hosts-real-token\nDATA_DIR=/nonexistent\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DISCORD_", "DATA_DIR", "PSEUDONYM_KEY", "DEV_GUILD", "CLOCK_"))
    }
    env.update(
        HOME=str(folders["home"]),
        TMPDIR=str(folders["tmp"]),
        PYTHONPATH=str(ROOT),
        PYTHONDONTWRITEBYTECODE="1",
        DISCORD_TOKEN="a-hosts-real-token",  # in the environment too: never used
        NO_COLOR="1",
    )
    return env, folders


def bot(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` as a person would run it."""
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # generous for a loaded machine; a rehearsal ends by itself
        check=False,
    )


def assert_nothing_left(folders: dict[str, Path]) -> None:
    assert list(folders["tmp"].iterdir()) == [], "the temporary folder was not removed"
    assert list(folders["home"].iterdir()) == []
    assert sorted(p.name for p in folders["cwd"].iterdir()) == [".env"]


def test_a_whole_meeting_is_shown_and_nothing_is_left(tmp_path: Path) -> None:
    env, folders = quiet_home(tmp_path)
    began = time.monotonic()
    done = bot(
        "rehearse",
        "open-discussion",
        "--speed",
        "200",
        "--members",
        "4",
        cwd=folders["cwd"],
        env=env,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert CLOSE in out
    assert "The rehearsal is over" in out
    # What members see: names, not mentions; countdowns in real seconds, not markup.
    assert "<@" not in out
    assert "<t:" not in out
    assert "the floor is yours" in out
    assert "┌ Meeting 1 · 8/11 Sharing" in out  # the panel's block
    assert "│ Sharing: " in out
    assert "read by " in out
    assert "Thank you for sharing." in out
    assert "A gentle reminder" in out  # someone talked over a share
    assert_nothing_left(folders)
    assert time.monotonic() - began < 60


def test_at_a_business_meeting_the_members_move_second_and_vote(tmp_path: Path) -> None:
    """The simulated members hold the business: a motion moved through the form, seconded,
    discussed and voted by secret ballot to a result; a secretary elected from two who stood."""
    env, folders = quiet_home(tmp_path)
    done = bot("rehearse", "business-meeting", "--speed", "200", cwd=folders["cwd"], env=env)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "A motion (agenda item 1): “I move that we" in out
    assert "The motion is seconded" in out
    assert "I'd like that. It gives everyone a part in the meeting." in out  # the discussion
    assert "Secret ballot: the motion above." in out
    assert "The motion carried (Yes " in out or "The motion did not carry (Yes " in out
    assert "Standing so far: Sam, Noor." in out.replace("\n    ", " ")
    assert "is elected our secretary, for 6 months" in out
    assert CLOSE in out
    assert_nothing_left(folders)


def test_a_bad_format_file_is_explained_as_format_check_does(tmp_path: Path) -> None:
    env, folders = quiet_home(tmp_path)
    bad = folders["cwd"] / "ours.yaml"
    bad.write_text("format: 1\nname: Ours\nsections:\n  - shares: oops\n")
    rehearsed = bot("rehearse", str(bad), cwd=folders["cwd"], env=env)
    checked = bot("format", "check", str(bad), cwd=folders["cwd"], env=env)
    assert rehearsed.returncode == checked.returncode == 1
    assert rehearsed.stdout == checked.stdout
    assert "Traceback" not in rehearsed.stderr
    unknown = bot("rehearse", "no-such-format", cwd=folders["cwd"], env=env)
    assert unknown.returncode == 2
    assert "open-discussion" in unknown.stderr
    assert list(folders["tmp"].iterdir()) == []


class Terminal:
    """The command in a pseudo-terminal: what it shows, and typing into it."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.fd, child = pty.openpty()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            args,
            cwd=cwd,
            env=env,
            stdin=child,
            stdout=child,
            stderr=child,
            close_fds=True,
            # As from a shell: Ctrl-C works (a test runner's worker may ignore SIGINT).
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        os.close(child)
        self.shown = ""

    def read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            try:
                chunk = os.read(self.fd, 65536).decode(errors="replace")
                self.shown += chunk.replace("\r\n", "\n")
            except OSError:  # the child has gone and closed its side
                time.sleep(timeout)

    def wait_for(self, text: str, *, after: int = 0, limit: float = 60.0) -> int:
        """Until ``text`` is shown (from position ``after``); its position."""
        deadline = time.monotonic() + limit
        while (found := self.shown.find(text, after)) < 0:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never shown:\n{self.shown}")
            if self.process.poll() is not None:
                self.read(0.1)
                if self.shown.find(text, after) < 0:
                    raise AssertionError(f"exited before {text!r}:\n{self.shown}")
            self.read(0.1)
        return found

    def type(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())

    def finish(self, limit: float = 60.0) -> int:
        deadline = time.monotonic() + limit
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read(0.1)
        if self.process.poll() is None:
            self.process.kill()
            raise AssertionError(f"still running:\n{self.shown}")
        self.read(0.1)
        os.close(self.fd)
        return self.process.returncode


def test_play_the_person_raises_a_hand_shares_and_is_thanked(tmp_path: Path) -> None:
    env, folders = quiet_home(tmp_path)
    terminal = Terminal(
        [sys.executable, "-m", "bot", "rehearse", "--play", "--speed", "200", "--members", "3"],
        folders["cwd"],
        env,
    )
    try:
        terminal.wait_for("hand   raise your hand")  # the help, shown at the start
        at = terminal.wait_for("Type `hand`")
        terminal.type("hand")
        terminal.wait_for("Your hand is up", after=at)  # privately, and the floor follows
        at = terminal.wait_for("You, the floor is yours", after=at)
        terminal.type("I'm glad to be here today.")
        at = terminal.wait_for("You:\n", after=at)
        terminal.wait_for("I'm glad to be here today.", after=at)
        terminal.type("done")
        at = terminal.wait_for("Peer Circle, only to you:", after=at)
        terminal.wait_for("Thank you for sharing.", after=at)
        terminal.wait_for(CLOSE, after=at)
    finally:
        status = terminal.finish()
    assert status == 0, terminal.shown
    assert_nothing_left(folders)


def test_ctrl_c_stops_the_bot_and_removes_the_temporary_folder(tmp_path: Path) -> None:
    env, folders = quiet_home(tmp_path)
    terminal = Terminal([sys.executable, "-m", "bot", "rehearse"], folders["cwd"], env)
    try:
        terminal.wait_for("┌ Meeting 1")
        pid = terminal.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        assert children, "the bot runs as a child process"
        assert list(folders["tmp"].iterdir()), "the rehearsal works in a temporary folder"
        terminal.process.send_signal(signal.SIGINT)
    finally:
        status = terminal.finish(limit=30)
    assert status == 130, terminal.shown
    assert "The rehearsal was stopped. Nothing was kept." in terminal.shown
    assert "Traceback" not in terminal.shown
    assert not [child for child in children if Path(f"/proc/{child}").exists()]
    assert_nothing_left(folders)


def test_a_format_in_another_language_is_refused_with_a_reason(tmp_path: Path) -> None:
    """The simulated members read the panel's English words: a Spanish format is refused in one
    line (exit 2), pointing at the preview, rather than left to stall."""
    env, folders = quiet_home(tmp_path)
    done = bot("rehearse", "discusion-abierta", cwd=folders["cwd"], env=env)
    assert done.returncode == 2
    assert done.stderr.startswith("peercircle: a rehearsal can't run a format in another language")
    assert "python -m bot format preview" in done.stderr
    assert_nothing_left(folders)
