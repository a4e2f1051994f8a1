"""SQL for the dropout protocol: who the group may be waiting for, since when, and whether it was told."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

import aiosqlite

from bot.core.dropout import Wait
from bot.core.notices import Notice
from bot.storage.db import Database, Transaction
from bot.storage.instants import from_text, from_text_or_none, to_text
from bot.storage.outbox import claim_notices

_COLUMNS = "id, session_id, user_id, left_at, announced_at"


def _wait(row: aiosqlite.Row) -> Wait:
    return Wait(int(row["id"]), int(row["session_id"]), int(row["user_id"]), from_text(row["left_at"]),
                from_text_or_none(row["announced_at"]))


class WaitSettled(Exception):
    """The wait was settled meanwhile (they came back, or another process told the group): nothing is stored."""


class SqliteDropoutStore:
    """The dropout waits on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def start(self, session_id: int, user_id: int, at: datetime) -> Wait | None:
        """Record that someone left the session's voice channel at `at` (an earlier wait of theirs stands)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO session_dropouts (session_id, user_id, left_at)"
                " SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ? AND status != 'ended')"
                " ON CONFLICT (session_id, user_id) DO NOTHING",
                (session_id, user_id, to_text(at), session_id),
            )
        return await self.wait_of(session_id, user_id)

    async def get(self, wait_id: int) -> Wait | None:
        """Read a wait."""
        row = await self.db.fetch_one(f"SELECT {_COLUMNS} FROM session_dropouts WHERE id = ?", (wait_id,))
        return None if row is None else _wait(row)

    async def wait_of(self, session_id: int, user_id: int) -> Wait | None:
        """Return someone's wait in a session, if they are awaited."""
        row = await self.db.fetch_one(
            f"SELECT {_COLUMNS} FROM session_dropouts WHERE session_id = ? AND user_id = ?", (session_id, user_id)
        )
        return None if row is None else _wait(row)

    async def of_session(self, session_id: int) -> list[Wait]:
        """Return a session's waits, oldest first."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM session_dropouts WHERE session_id = ? ORDER BY id", (session_id,)
        )
        return [_wait(row) for row in rows]

    async def by_session(self) -> dict[int, list[Wait]]:
        """Return every wait, by session, oldest first (the restore's read: a session's end deletes its waits)."""
        found: dict[int, list[Wait]] = {}
        for row in await self.db.fetch_all(f"SELECT {_COLUMNS} FROM session_dropouts ORDER BY id"):
            wait = _wait(row)
            found.setdefault(wait.session_id, []).append(wait)
        return found

    async def pending(self) -> list[Wait]:
        """Return every wait whose grace has not yet come to a verdict (to rebuild its timer)."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM session_dropouts WHERE announced_at IS NULL ORDER BY left_at, id"
        )
        return [_wait(row) for row in rows]

    def announcing(self, wait_id: int, at: datetime) -> Callable[[Transaction], Awaitable[None]]:
        """Return the step that marks a wait told, for the transaction of the pause that tells it.

        It raises `WaitSettled` (and so undoes the pause) if the wait is gone or was told already.
        """
        async def mark(tx: Transaction) -> None:
            if await _mark(tx, wait_id, at) != 1:
                raise WaitSettled

        return mark

    async def announce(self, wait_id: int, at: datetime, notices: Iterable[Notice]) -> bool:
        """Mark a wait told, with the notices that tell it; False if it was settled meanwhile."""
        async with self.db.transaction() as tx:
            marked = await _mark(tx, wait_id, at)
            if marked == 1:
                await claim_notices(tx, notices)
        return marked == 1

    async def settle(self, wait_id: int, notices: Iterable[Notice] = ()) -> Wait | None:
        """End a wait (they are back, or it came to nothing), with the notices that say so; None if it was gone."""
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(f"SELECT {_COLUMNS} FROM session_dropouts WHERE id = ?", (wait_id,))
            if not rows:
                return None
            await tx.execute("DELETE FROM session_dropouts WHERE id = ?", (wait_id,))
            await claim_notices(tx, notices)
        return _wait(rows[0])


async def _mark(tx: Transaction, wait_id: int, at: datetime) -> int:
    return await tx.execute(
        "UPDATE session_dropouts SET announced_at = ? WHERE id = ? AND announced_at IS NULL", (to_text(at), wait_id)
    )
