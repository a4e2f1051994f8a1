"""The one SQLite connection of the process, its pragmas and its migrations."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)

# How long SQLite itself waits for another process's write lock, inside one statement. Short,
# because aiosqlite runs every statement of the connection on one thread: a long wait there would
# stall every read of the bot too. The wait goes on in `transaction`, between attempts, where reads
# can still run.
BUSY_TIMEOUT_MS = 250
# How long a write waits in all for another process (a backup, a second instance during a deploy,
# someone's sqlite3 shell) to let go of the write lock before it fails.
BUSY_PATIENCE_SECONDS = 60.0

T = TypeVar("T")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or (
        "database is locked" in str(error)
    )


class Database:
    """One aiosqlite connection, with every write transaction serialised by a lock.

    aiosqlite runs statements on a worker thread, and coroutines interleave at every
    await: without the lock, two handlers could mix their statements inside one
    BEGIN ... COMMIT. Reads take no lock and share the connection, so a read made while
    another coroutine's transaction is open sees its writes: every decision that must not
    race (a claim, the last leader, a version check) is therefore made inside a transaction,
    by a conditional UPDATE, never on a read made before it.
    """

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._conn = connection
        self.path = path
        self._lock = asyncio.Lock()
        self._scrubbing = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating if needed) the database and bring its schema up to date."""
        location = Path(path)
        if str(location) != ":memory:":
            location.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction spans
        # exactly the statements inside `transaction()` and nothing else.
        conn = await aiosqlite.connect(location, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        db = cls(conn, location)
        try:
            await db._configure()
            await db._migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def _configure(self) -> None:
        # WAL lets readers go on while a write commits; secure_delete overwrites deleted
        # case text instead of leaving it in free pages; foreign_keys is per connection.
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA secure_delete=ON",
            f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
            "PRAGMA synchronous=NORMAL",
        ):
            # Close each cursor at once: a pragma that returns a row stays "in progress"
            # until its cursor is done, and would block the first COMMIT.
            async with self._conn.execute(pragma):
                pass

    async def _migrate(self) -> None:
        async with self.transaction() as tx:
            version = await tx.scalar("PRAGMA user_version")
            current = int(version or 0)
            if current > len(MIGRATIONS):
                raise RuntimeError(
                    f"the database {self.path} has schema version {current}, newer than this bot "
                    f"({len(MIGRATIONS)}); run a newer balint-bot"
                )
            for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in _statements(script):
                    await tx.execute(statement)
                # user_version changes inside the same transaction, so a crash leaves
                # either the old schema or the new one, never half of a migration.
                await tx.execute(f"PRAGMA user_version = {number}")
                log.info("database migrated to schema version %d", number)

    async def scrub(self) -> None:
        """Checkpoint the WAL into the main file and empty it, so that deleted text is in neither file.

        secure_delete zeroes deleted rows and free pages, but only in the new copies of their
        pages, which go to the WAL first; the WAL still holds the old copies until a checkpoint,
        and on a quiet bot SQLite may not run one for days. Called after every purge.

        Most of the copying is done first by a PASSIVE checkpoint on a connection of its own, in
        a thread: it never stops a writer, while the TRUNCATE that must follow holds the write
        lock (and aiosqlite's thread) for as long as it copies, and then has little left to copy.
        """
        # One scrub at a time: a checkpoint under way on one connection makes another's fail.
        async with self._scrubbing:
            if str(self.path) != ":memory:":
                await asyncio.to_thread(_copy_wal, self.path)
            async with self._lock, self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
                row = await cursor.fetchone()
        if row is not None and row[0]:
            log.warning("the WAL could not be emptied after a purge (a reader held it); retried at the next one")
        else:
            log.debug("purged: the WAL is checkpointed and emptied")

    async def pragma(self, name: str) -> Any:
        """Read a pragma's value (for checks and tests)."""
        async with self._conn.execute(f"PRAGMA {name}") as cursor:
            row = await cursor.fetchone()
        return None if row is None else row[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Run statements in one BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
        async with self._lock:
            await self._patiently(lambda: self._run("BEGIN IMMEDIATE"))
            try:
                yield Transaction(self._conn)
            except BaseException:
                await self._run("ROLLBACK")
                raise
            else:
                await self._run("COMMIT")

    async def write_alone(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Run one writing statement on its own, atomic as any single statement is; return its rows (RETURNING).

        One trip to aiosqlite's thread instead of three (BEGIN, the statement, COMMIT): for a
        change that is one statement. It holds the lock, so that it never lands inside another
        coroutine's transaction, and waits for another process's write lock as a transaction does.
        """
        values = tuple(params)
        async with self._lock:
            return list(await self._patiently(lambda: self._conn.execute_fetchall(sql, values)))

    async def _patiently(self, take: Callable[[], Awaitable[T]]) -> T:
        """Run a statement taking the write lock, waiting (without blocking reads) while another process holds it."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + BUSY_PATIENCE_SECONDS
        delay = 0.05
        waited = False
        while True:
            try:
                done = await take()
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or loop.time() >= give_up:
                    raise
                if not waited:
                    log.warning("database busy: another process holds the write lock; waiting")
                    waited = True
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, 1.0)
            else:
                if waited:
                    log.info("database free again; going on")
                return done

    async def _run(self, sql: str) -> None:
        # BEGIN, COMMIT and ROLLBACK give no rows: run to completion in one trip to the thread.
        await self._conn.execute_fetchall(sql)

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Read rows outside any transaction."""
        # One trip to aiosqlite's thread (execute and fetch together), not three with a cursor:
        # each trip costs a thread hand-over and a wake-up of the loop.
        return list(await self._conn.execute_fetchall(sql, tuple(params)))

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """Read one row outside any transaction (the first, if the query gives several)."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def close(self) -> None:
        """Close the connections; aiosqlite's worker thread would otherwise keep the process alive."""
        await self._conn.close()


def _copy_wal(path: Path) -> None:
    """Copy what the WAL holds into the database file, without holding up any writer (PASSIVE)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


class Transaction:
    """The statements of one open transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    # A writing statement runs to its end in `execute`, so its cursor is not closed (a second trip
    # to the thread for each statement): it goes with the garbage, as `execute_fetchall`'s does.

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        cursor = await self._conn.execute(sql, tuple(params))
        return cursor.rowcount

    async def execute_many(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for each row of parameters, in one trip to the thread (nothing for none)."""
        batch = [tuple(row) for row in rows]
        if batch:
            await self._conn.executemany(sql, batch)

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT; return the new row's id."""
        cursor = await self._conn.execute(sql, tuple(params))
        rowid = cursor.lastrowid
        if rowid is None:
            raise RuntimeError("INSERT gave no row id")
        return rowid

    async def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """Return the first column of the first row, or None."""
        rows = await self.fetch_all(sql, params)
        return rows[0][0] if rows else None

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Read rows inside the transaction (in one trip to the thread, as `Database.fetch_all`).

        Also a writing statement's rows (RETURNING), in the same one trip.
        """
        return list(await self._conn.execute_fetchall(sql, tuple(params)))


async def claim_report(db: Database, table: str, row_id: int, what: str) -> bool:
    """Add `what` to a row's comma-separated `reported` column; False if it was there (tell once).

    `table` is one of the bot's own table names, never user input.
    """
    async with db.transaction() as tx:
        reported = await tx.scalar(f"SELECT reported FROM {table} WHERE id = ?", (row_id,))
        seen = set(str(reported or "").split(",")) - {""}
        if what in seen:
            return False
        await tx.execute(f"UPDATE {table} SET reported = ? WHERE id = ?", (",".join(sorted(seen | {what})), row_id))
    return True


def _statements(script: str) -> list[str]:
    # Migrations are plain DDL with no semicolons inside strings or triggers, so splitting
    # is enough once the "--" comments (which may contain any text) are gone; it keeps every
    # statement inside our own transaction, where executescript would COMMIT first.
    code = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [part.strip() for part in code.split(";") if part.strip()]
