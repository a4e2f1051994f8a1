"""SQL for raised hands: raised in one phase of a live session, lowered, given the floor, cleared with the phase."""

from __future__ import annotations

from datetime import datetime

from bot.core.hands import Hand
from bot.core.notices import Notice
from bot.core.session import SessionState, Status
from bot.storage.db import Database, Transaction
from bot.storage.instants import to_text
from bot.storage.outbox import claim_notices


async def clear_hands(tx: Transaction, session_id: int, state: SessionState) -> None:
    """Lower every hand not raised in the phase the session is now in (all of them once it ended).

    Called inside the transaction that stores the session's new state, so that no reader ever
    sees a new phase with the last one's hands.
    """
    if state.status is Status.ENDED:
        await tx.execute("DELETE FROM raised_hands WHERE session_id = ?", (session_id,))
    else:
        await tx.execute("DELETE FROM raised_hands WHERE session_id = ? AND phase_index != ?",
                         (session_id, state.phase_index))


class SqliteHandStore:
    """Raised hands on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def hands(self, session_id: int) -> list[Hand]:
        """Return the session's raised hands, in the order they were raised."""
        rows = await self.db.fetch_all(
            "SELECT id, user_id FROM raised_hands WHERE session_id = ? ORDER BY id", (session_id,)
        )
        return [Hand(int(row[0]), int(row[1])) for row in rows]

    async def raise_hand(self, session_id: int, phase_index: int, user_id: int, at: datetime) -> bool:
        """Raise someone's hand in the phase the caller saw; False if it was raised already or the phase moved on."""
        async with self.db.transaction() as tx:
            added = await tx.execute(
                "INSERT INTO raised_hands (session_id, phase_index, user_id, raised_at)"
                " SELECT ?, ?, ?, ? WHERE EXISTS"
                " (SELECT 1 FROM sessions WHERE id = ? AND phase_index = ? AND status != 'ended')"
                " ON CONFLICT DO NOTHING",
                (session_id, phase_index, user_id, to_text(at), session_id, phase_index),
            )
        return added == 1

    async def lower_hand(self, session_id: int, user_id: int) -> bool:
        """Lower someone's hand; False if it was not raised."""
        async with self.db.transaction() as tx:
            lowered = await tx.execute(
                "DELETE FROM raised_hands WHERE session_id = ? AND user_id = ?", (session_id, user_id)
            )
        return lowered == 1

    async def give_floor(self, session_id: int, hand: Hand, notice: Notice) -> bool:
        """Take a hand out of line and claim the notice that gives it the floor, together; False if it was gone."""
        async with self.db.transaction() as tx:
            taken = await tx.execute(
                "DELETE FROM raised_hands WHERE id = ? AND session_id = ? AND user_id = ?",
                (hand.number, session_id, hand.user_id),
            )
            if taken == 1:
                await claim_notices(tx, [notice])
        return taken == 1
