"""SQL for the leaders' debrief: the log of each session's states, and which leader was sent which part."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from bot.core.debrief import Change
from bot.core.notices import Notice
from bot.core.session import SessionState, Status
from bot.storage.db import Database, Transaction
from bot.storage.instants import from_text, from_text_or_none, to_text, to_text_or_none
from bot.storage.outbox import claim_notices

# The parts of a debrief, each claimed once per leader: the report, the feedback, the channel's word.
Part = Literal["report_at", "feedback_at", "closed_at"]
_PARTS: frozenset[str] = frozenset(("report_at", "feedback_at", "closed_at"))


async def record_change(tx: Transaction, session_id: int, version: int, state: SessionState, at: datetime) -> None:
    """Log a session's state as stored (its start, then every change), inside the transaction that stores it."""
    await tx.execute(
        "INSERT OR IGNORE INTO session_changes (session_id, version, at, phase_index, status, deadline, remaining)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (session_id, version, to_text(at), state.phase_index, state.status.value, to_text_or_none(state.deadline),
         state.remaining),
    )


async def close_session(tx: Transaction, session_id: int) -> None:
    """At a session's end (same transaction): its case presented, nobody waited for, each leader owed a debrief.

    Only a session logged from its start gets one: its figures would be wrong otherwise (one that was
    running when the bot was upgraded to the log).
    """
    # With the end itself: a process stopping after it can no longer leave the case "presenting" for good.
    await tx.execute(
        "UPDATE cases SET state = 'presented' WHERE id = (SELECT case_id FROM sessions WHERE id = ?)"
        " AND state = 'presenting'", (session_id,),
    )
    await tx.execute("DELETE FROM session_dropouts WHERE session_id = ?", (session_id,))
    await tx.execute(
        "INSERT OR IGNORE INTO session_debriefs (session_id, user_id) SELECT session_id, user_id FROM session_leaders"
        " WHERE session_id = ?1 AND EXISTS (SELECT 1 FROM session_changes WHERE session_id = ?1 AND version = 0)",
        (session_id,),
    )


class SqliteDebriefStore:
    """The debriefs on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def changes(self, session_id: int) -> list[Change]:
        """Return a session's states in the order they were stored."""
        rows = await self.db.fetch_all(
            "SELECT at, phase_index, status, deadline, remaining FROM session_changes WHERE session_id = ?"
            " ORDER BY version", (session_id,),
        )
        return [Change(from_text(r["at"]), int(r["phase_index"]), Status(r["status"]), from_text_or_none(r["deadline"]),
                       float(r["remaining"]) if r["remaining"] is not None else None) for r in rows]

    async def relays(self, session_id: int) -> int:
        """Return how many words the bot relayed for the session's presenter."""
        row = await self.db.fetch_one("SELECT relays FROM sessions WHERE id = ?", (session_id,))
        return 0 if row is None else int(row["relays"])

    async def leaders(self, session_id: int) -> frozenset[int]:
        """Return the leaders a session's debrief is for."""
        rows = await self.db.fetch_all("SELECT user_id FROM session_debriefs WHERE session_id = ?", (session_id,))
        return frozenset(int(row[0]) for row in rows)

    async def reports_owed(self, session_id: int | None = None) -> list[tuple[int, int]]:
        """Return (session, leader) of the reports not claimed yet (of one session, or all)."""
        rows = await self.db.fetch_all(
            "SELECT session_id, user_id FROM session_debriefs"
            " WHERE report_at IS NULL AND (?1 IS NULL OR session_id = ?1) ORDER BY session_id, user_id", (session_id,),
        )
        return [(int(row[0]), int(row[1])) for row in rows]

    async def feedback_owed(self, least: int, session_id: int | None = None) -> list[tuple[int, int]]:
        """Return (session, leader) whose report went by direct message and whose feedback is due (`least` answers)."""
        rows = await self.db.fetch_all(
            "SELECT d.session_id, d.user_id FROM session_debriefs d"
            " WHERE d.feedback_at IS NULL AND d.report_at IS NOT NULL AND d.closed_at IS NULL"
            " AND (?2 IS NULL OR d.session_id = ?2)"
            " AND (SELECT count(*) FROM feedback f WHERE f.session_id = d.session_id) >= ?1"
            " ORDER BY d.session_id, d.user_id", (least, session_id),
        )
        return [(int(row[0]), int(row[1])) for row in rows]

    async def claim(self, session_id: int, leader_id: int, part: Part | tuple[Part, ...], at: datetime,
                    notices: Iterable[Notice] = ()) -> bool:
        """Claim parts of a leader's debrief (all or none) with their message; False if claimed before."""
        parts = (part,) if isinstance(part, str) else part
        if not parts or any(p not in _PARTS for p in parts):
            raise ValueError(f"no debrief part {part!r}")
        assigned = ", ".join(f"{p} = ?1" for p in parts)
        unclaimed = " AND ".join(f"{p} IS NULL" for p in parts)
        async with self.db.transaction() as tx:
            claimed = await tx.execute(
                f"UPDATE session_debriefs SET {assigned} WHERE session_id = ?2 AND user_id = ?3 AND {unclaimed}",
                (to_text(at), session_id, leader_id),
            )
            if claimed == 1:
                await claim_notices(tx, notices)
        return claimed == 1
