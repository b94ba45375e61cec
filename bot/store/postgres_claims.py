"""This process's claims on durable work on PostgreSQL (:meth:`PostgresDatabase.hold`).

A claim is a session advisory lock on one connection kept for the purpose (the *holder*): the
server lets go of every one when the process dies, so another process can take the work over.
But the holder can also drop while the process lives (a server restart, a network cut, an
operator's ``pg_terminate_backend``): the server then lets go of every claim silently. So:

- The process notices at once (asyncpg's termination listener) and re-takes every claim it
  had on a new connection (an advisory lock is counted per session: taken as often again).
- A claim it can't re-take was taken meanwhile by another process, which is now carrying that
  work out: the claim is *lost*. :meth:`Claims.still_holds` says so, and whoever held it leaves
  the work to the other process (completes nothing, schedules no retry); :meth:`Claims.let_go`
  forgets it without touching the server.
- A holder that can't be (re)connected raises the errors the database maps to
  :class:`bot.errors.StorageUnavailable`: the work waits and is tried again. Claims queued
  behind the one lock while an attempt to connect failed fail at once with it, rather than each
  wait out a connect timeout of its own (and the database fails new ones at once while away).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable

import asyncpg
from asyncpg.pool import PoolConnectionProxy

log = logging.getLogger(__name__)

Key = tuple[str, int]

_TRY = "SELECT pg_try_advisory_lock(hashtext($1), $2::integer)"
_UNLOCK = "SELECT pg_advisory_unlock(hashtext($1), $2::integer)"

#: Errors that mean the holder connection is gone (the server or the network dropped it).
DROPPED: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    # A session ended by the server while idle, before asyncpg read that it ended.
    asyncpg.InternalClientError,
)

_CLOSING: tuple[type[BaseException], ...] = (*DROPPED, TimeoutError, asyncpg.PostgresError)


class Claims:
    """The holder connection and what this process holds on it."""

    def __init__(self, connect: Callable[[], Awaitable[asyncpg.Connection]]) -> None:
        self._connect = connect
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        #: What this process holds, and how many times (an advisory lock counts per session).
        self._held: Counter[Key] = Counter()
        #: Claims another process took while this one's holder was down.
        self._lost: set[Key] = set()
        self._retake: asyncio.Task[None] | None = None
        self._closed = False
        #: How many attempts to connect the holder failed (claims queued meanwhile fail too).
        self._failures = 0

    @property
    def held(self) -> frozenset[Key]:
        return frozenset(self._held)

    async def hold(self, table: str, row_id: int) -> bool:
        key = (table, row_id)
        failures = self._failures
        async with self._lock:
            self._fail_fast(failures)
            try:
                taken = await (await self._session()).fetchval(_TRY, table, row_id)
            except DROPPED:
                # It dropped under this very call: once more on a new connection (which
                # re-takes what was held), unless connecting failed; a second failure is the
                # caller's to see.
                self._forget_connection()
                self._fail_fast(failures)
                taken = await (await self._session()).fetchval(_TRY, table, row_id)
            if not taken:
                return False
            self._held[key] += 1
            self._lost.discard(key)
            return True

    async def let_go(self, table: str, row_id: int) -> None:
        key = (table, row_id)
        async with self._lock:
            if key in self._lost:
                self._lost.discard(key)  # not held since the holder dropped: nothing to give
                return
            if self._held[key] <= 0:
                self._held.pop(key, None)
                return
            self._held[key] -= 1
            if self._held[key] == 0:
                del self._held[key]
            conn = self._conn
            if conn is None or conn.is_closed():
                return  # the server let go of it with the connection; it won't be re-taken
            try:
                await conn.fetchval(_UNLOCK, table, row_id)
            except DROPPED:
                self._forget_connection()  # gone with the connection all the same

    async def still_holds(self, table: str, row_id: int) -> bool:
        """False once a claim this process took was lost: its holder dropped and another process
        took the work over meanwhile (checked by connecting again and re-taking the claims, if
        the holder dropped). True otherwise, also for a claim never taken here."""
        key = (table, row_id)
        failures = self._failures
        async with self._lock:
            if key in self._lost:
                return False
            if key not in self._held:
                return True
            self._fail_fast(failures)
            await self._session()
            return key not in self._lost

    async def ensure(self) -> None:
        """The holder connected again (every claim re-taken), if claims are held."""
        async with self._lock:
            if self._held:
                await self._session()

    async def close(self) -> None:
        """Let go of everything (quietly, even if the connection was already killed)."""
        self._closed = True
        retake, self._retake = self._retake, None
        if retake is not None and not retake.done():
            retake.cancel()
        conn, self._conn = self._conn, None
        self._held.clear()
        self._lost.clear()
        if conn is None or conn.is_closed():
            return
        try:
            await asyncio.wait_for(conn.close(), timeout=5)
        except _CLOSING:
            conn.terminate()

    # --- the holder connection --------------------------------------------------------------

    async def _session(self) -> asyncpg.Connection:
        """The holder, connected anew (with every claim re-taken) if it dropped. Call under
        ``self._lock``."""
        conn = self._conn
        if conn is not None and not conn.is_closed():
            return conn
        self._conn = None
        try:
            conn = await self._connect()
        except Exception:
            self._failures += 1
            raise
        conn.add_termination_listener(self._dropped)
        if self._held:
            try:
                await self._take_again(conn)
            except BaseException:
                conn.terminate()
                raise
        self._conn = conn
        return conn

    def _fail_fast(self, failures: int) -> None:
        """An attempt to connect failed while the caller waited (or under its own call)."""
        if self._failures != failures:
            raise ConnectionRefusedError("the claims connection could not be made just now")

    def _forget_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()

    async def _take_again(self, conn: asyncpg.Connection) -> None:
        lost = 0
        for key, times in list(self._held.items()):
            if not await conn.fetchval(_TRY, *key):
                del self._held[key]
                self._lost.add(key)
                lost += 1
                continue
            for _ in range(times - 1):
                await conn.fetchval(_TRY, *key)
        if lost:
            log.warning(
                "The database connection holding this process's claims on work dropped; %d "
                "claim(s) were taken over by another process meanwhile and are left to it",
                lost,
            )
        else:
            log.warning(
                "The database connection holding this process's claims on work dropped; "
                "every claim was taken again"
            )

    def _dropped(self, conn: asyncpg.Connection | PoolConnectionProxy) -> None:
        """asyncpg's termination listener: re-take the claims now, not at the next use."""
        if self._closed or conn is not self._conn or not self._held:
            return
        if self._retake is None or self._retake.done():
            self._retake = asyncio.get_running_loop().create_task(
                self._reconnect(), name="peercircle-claims"
            )

    async def _reconnect(self) -> None:
        async with self._lock:
            if self._closed:
                return
            try:
                await self._session()
            except _CLOSING:
                return  # unreachable for now: the next hold or check tries again
