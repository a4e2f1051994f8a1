"""SQL for the outbox: notices claimed with their nonce, then marked sent (or given up)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from bot.core.notices import Notice
from bot.storage.db import Database, Transaction
from bot.storage.instants import from_text, to_text

_COLUMNS = "nonce, guild_id, channel_id, session_id, reminder_id, content, view, claimed_at, ping"


def _notice(row: aiosqlite.Row) -> Notice:
    return Notice(
        nonce=str(row["nonce"]),
        channel_id=int(row["channel_id"]),
        guild_id=int(row["guild_id"]),
        content=str(row["content"] or ""),
        claimed_at=from_text(row["claimed_at"]),
        view=row["view"],
        session_id=row["session_id"],
        reminder_id=row["reminder_id"],
        ping=row["ping"],
    )


async def claim_notices(tx: Transaction, notices: Iterable[Notice]) -> None:
    """Claim notices inside the caller's transaction, the one that decides they are owed.

    OR IGNORE: a nonce names what the notice is, so a second claim of the same one is the same notice.
    """
    rows = [(notice.nonce, notice.guild_id, notice.channel_id, notice.session_id, notice.reminder_id,
             notice.content, notice.view, to_text(notice.claimed_at), notice.ping) for notice in notices]
    if rows:
        await tx.execute_many(f"INSERT OR IGNORE INTO outbox ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


class SqliteOutbox:
    """The outbox on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def mark_sent(self, nonce: str, channel_id: int, message_id: int, at: datetime, *,
                        reminder: bool = True) -> None:
        """Record where a notice went; its text and whom it pinged are not kept. A reminder also learns its message.

        `reminder=False` (a session's notice): there is no reminder to tell, and the record is one statement.
        """
        sent = (
            "UPDATE outbox SET sent_at = ?, message_id = ?, content = NULL, ping = NULL, given_up_at = NULL"
            " WHERE nonce = ? AND sent_at IS NULL"
        )
        if not reminder:
            await self.db.write_alone(sent, (to_text(at), message_id, nonce))
            return
        async with self.db.transaction() as tx:
            await tx.execute(sent, (to_text(at), message_id, nonce))
            await tx.execute(
                "UPDATE meeting_reminders SET channel_id = ?, message_id = ?"
                " WHERE id = (SELECT reminder_id FROM outbox WHERE nonce = ?)",
                (channel_id, message_id, nonce),
            )

    async def give_up(self, nonce: str, at: datetime) -> None:
        """Stop trying a notice: Discord refused it, or a re-send could now make a second copy."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET given_up_at = ?, content = NULL, ping = NULL WHERE nonce = ? AND sent_at IS NULL",
                (to_text(at), nonce),
            )

    async def unsent(self) -> list[Notice]:
        """Return the notices claimed and neither sent nor given up, in the order they were claimed."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL"
            " ORDER BY claimed_at, rowid"
        )
        return [_notice(row) for row in rows]

    async def is_sent(self, nonce: str) -> bool:
        """Whether a notice was marked sent."""
        row = await self.db.fetch_one("SELECT 1 FROM outbox WHERE nonce = ? AND sent_at IS NOT NULL", (nonce,))
        return row is not None
