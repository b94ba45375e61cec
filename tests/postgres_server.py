"""A throwaway PostgreSQL server for the tests, from the machine's own binaries.

``initdb`` into a temporary folder, ``pg_ctl start`` listening only on a unix socket in that
folder (no TCP, no network), as the current user with ``trust`` authentication; stopped and
removed at the end of the session. One server per pytest process (each xdist worker has its own),
and a fresh database per test, copied from a template that is migrated once.

No binaries → the PostgreSQL tests skip, unless ``PEERCIRCLE_REQUIRE_POSTGRES=1`` (``.ci/run``
sets it), which turns that skip into a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REQUIRE = "PEERCIRCLE_REQUIRE_POSTGRES"


def find_bin_dir() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` are: ``PG_BIN``, then PATH, then Debian's folders."""
    candidates: list[str] = []
    if os.environ.get("PG_BIN"):
        candidates.append(os.environ["PG_BIN"])
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    #: As root, the server runs as this user (PostgreSQL refuses to run as root).
    run_as: str | None = None

    def _run(self, args: list[str], *, check: bool = True) -> None:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        subprocess.run(prefix + args, check=check, capture_output=True)  # noqa: S603 - our own args

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def url(self, database: str = "postgres") -> str:
        user = f"{self.run_as}@" if self.run_as else ""
        return f"postgresql://{user}/{database}?host={self.socket_dir}"

    def start(self) -> None:
        data = self.root / "data"
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if self.run_as:
            shutil.chown(self.root, self.run_as)
            shutil.chown(self.socket_dir, self.run_as)
        self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ],
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=60 -c shared_buffers=16MB"
        )
        self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(self.root / "log"),
                "-o",
                options,
                "-w",
                "start",
            ],
        )

    def stop(self) -> None:
        self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PostgresServer | None:
    """A running server, or None when this machine has no PostgreSQL binaries (or, as root,
    no ``postgres`` user to run them as)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None
    run_as = None
    if os.geteuid() == 0:
        if shutil.which("runuser") is None or not _user_exists("postgres"):
            return None
        run_as = "postgres"
    # A short path: a unix socket's path is limited to about 100 characters.
    server = PostgresServer(bin_dir, Path(tempfile.mkdtemp(prefix="pc-pg-")), run_as)
    server.start()
    return server


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


_TEMPLATE = "peercircle_template"


class Databases:
    """Fresh, migrated databases on one server: each a copy of a template migrated once."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self._made = 0
        self._template_ready = False

    async def _admin(self) -> Any:
        import asyncpg

        return await asyncpg.connect(self.server.url())

    async def fresh(self) -> str:
        """The URL of a new database holding the whole schema and nothing else."""
        from bot.store.postgres import PostgresDatabase

        admin = await self._admin()
        try:
            if not self._template_ready:
                await admin.execute(f"DROP DATABASE IF EXISTS {_TEMPLATE}")
                await admin.execute(f"CREATE DATABASE {_TEMPLATE}")
                template = PostgresDatabase(self.server.url(_TEMPLATE))
                await template.open()
                await template.migrate()
                await template.close()
                self._template_ready = True
            self._made += 1
            name = f"t{os.getpid()}_{self._made}"
            await admin.execute(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
        finally:
            await admin.close()
        return self.server.url(name)

    async def empty(self) -> str:
        """The URL of a new database with nothing in it (not even the schema)."""
        admin = await self._admin()
        try:
            self._made += 1
            name = f"e{os.getpid()}_{self._made}"
            await admin.execute(f"CREATE DATABASE {name}")
        finally:
            await admin.close()
        return self.server.url(name)

    async def drop(self, url: str) -> None:
        name = url.split("/")[-1].split("?")[0]
        admin = await self._admin()
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()
