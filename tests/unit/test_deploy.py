"""The deploy recipes say what the README says, and the systemd unit is valid where systemd is."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_run_command() -> tuple[str, str]:
    """The README's first command: ``pip install … && python -m bot run``."""
    match = re.search(r"```sh\n(pip install [^\n]*?) && (python -m bot run)\n```", README)
    assert match is not None, "the README's quick start lost its install-and-run command"
    return match.group(1), match.group(2)


def test_the_dockerfile_installs_and_runs_as_the_readme_says() -> None:
    install, run = readme_run_command()
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert f"\nRUN {install}\n" in dockerfile
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd is not None
    assert " ".join(eval_list(cmd.group(1))) == run
    health = re.search(r'CMD (\["python", "-m", "bot", "health"\])', dockerfile)
    assert health is not None  # HEALTHCHECK uses python -m bot health
    assert "\nUSER peercircle\n" in dockerfile  # never root
    assert 'VOLUME ["/data"]' in dockerfile
    assert "DATA_DIR=/data" in dockerfile


def eval_list(text: str) -> list[str]:
    return [shlex.split(part)[0] for part in text.strip("[]").split(",")]


def test_the_systemd_unit_runs_the_readme_command_confined() -> None:
    unit = (DEPLOY / "peercircle.service").read_text(encoding="utf-8")
    _, run = readme_run_command()
    start = re.search(r"^ExecStart=\S+/python (.*)$", unit, re.MULTILINE)
    assert start is not None
    assert f"python {start.group(1)}" == run
    for line in (
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/peercircle",
        "Restart=on-failure",
        "User=peercircle",
    ):
        assert f"\n{line}\n" in unit, line


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = (DEPLOY / "peercircle.service").read_text(encoding="utf-8")
    # Verification checks that the programs exist: point the unit at this interpreter.
    local = tmp_path / "peercircle.service"
    local.write_text(unit.replace("/opt/peercircle/.venv/bin/python", sys.executable))
    result = subprocess.run(  # noqa: S603 - a fixed tool and a file we wrote
        ["systemd-analyze", "verify", str(local)],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_readme_explains_each_way_to_keep_it_running() -> None:
    for heading in ("### With Docker", "### With systemd", "### Upgrading", "### Is it healthy?"):
        assert heading in README, heading
