"""SQL for cases and relayed messages."""

from __future__ import annotations

import aiosqlite

from bot.core.cases import Case, CaseState, NewCase
from bot.storage.db import Database

CASE_COLUMNS = "id, group_id, title, story, anonymous, author_id, author_tag, nonce, state"


def case_from_row(row: aiosqlite.Row) -> Case:
    """Read a case from a row of CASE_COLUMNS."""
    return Case(
        id=int(row["id"]), group_id=int(row["group_id"]), title=str(row["title"]), story=row["story"],
        anonymous=bool(row["anonymous"]), author_id=row["author_id"], author_tag=row["author_tag"],
        nonce=row["nonce"], state=CaseState(row["state"]),
    )


class SqliteCaseStore:
    """The `CaseStore` of the core, on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def insert_case(self, case: NewCase) -> Case:
        """Store a new case, queued."""
        async with self.db.transaction() as tx:
            case_id = await tx.insert(
                "INSERT INTO cases (group_id, title, story, anonymous, author_id, author_tag, nonce)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (case.group_id, case.title, case.story, int(case.anonymous), case.author_id, case.author_tag,
                 case.nonce),
            )
        created = await self.case_by_id(case_id)
        assert created is not None
        return created

    async def case_by_id(self, case_id: int) -> Case | None:
        """Read a case."""
        row = await self.db.fetch_one(f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,))
        return None if row is None else case_from_row(row)

    async def cases_of_group(self, group_id: int, states: tuple[CaseState, ...]) -> list[Case]:
        """List a group's cases in these states, oldest first."""
        marks = ", ".join("?" for _ in states)
        rows = await self.db.fetch_all(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE group_id = ? AND state IN ({marks}) ORDER BY id",
            (group_id, *(s.value for s in states)),
        )
        return [case_from_row(row) for row in rows]

    async def cases_in_groups(self, group_ids: list[int], states: tuple[CaseState, ...]) -> list[Case]:
        """List the cases of several groups in these states (for autocompletion)."""
        if not group_ids:
            return []
        groups = ", ".join("?" for _ in group_ids)
        marks = ", ".join("?" for _ in states)
        rows = await self.db.fetch_all(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE group_id IN ({groups}) AND state IN ({marks}) ORDER BY id",
            (*group_ids, *(s.value for s in states)),
        )
        return [case_from_row(row) for row in rows]

    async def move_case(self, case_id: int, before: CaseState, after: CaseState) -> bool:
        """Change a case's state if it is still in `before`."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE cases SET state = ? WHERE id = ? AND state = ?", (after.value, case_id, before.value)
            )
        return changed == 1

    async def purge_case_material(self, session_id: int) -> list[tuple[int, int]]:
        """Delete a session's case (title, story, author seal) and its relays; return the relays' messages.

        The session keeps its times and phases (for records), not a word of the case.
        """
        async with self.db.transaction() as tx:
            relays = await tx.fetch_all(
                "SELECT channel_id, message_id FROM relays WHERE session_id = ?", (session_id,)
            )
            await tx.execute("DELETE FROM relays WHERE session_id = ?", (session_id,))
            await tx.execute(
                "DELETE FROM cases WHERE id = (SELECT case_id FROM sessions WHERE id = ?)", (session_id,)
            )
            await tx.execute("UPDATE sessions SET title = NULL WHERE id = ?", (session_id,))
        await self.db.scrub()
        return [(int(r["channel_id"]), int(r["message_id"])) for r in relays]

    async def add_relay(self, session_id: int, channel_id: int, message_id: int) -> None:
        """Remember one of the bot's "Presenter:" messages."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO relays (message_id, channel_id, session_id) VALUES (?, ?, ?)",
                (message_id, channel_id, session_id),
            )
            # Counted apart for the leaders' debrief: the relays themselves go with the case.
            await tx.execute("UPDATE sessions SET relays = relays + 1 WHERE id = ?", (session_id,))

    async def relay_session(self, message_id: int) -> int | None:
        """Return the session a relayed message belongs to, or None if it is not one."""
        row = await self.db.fetch_one("SELECT session_id FROM relays WHERE message_id = ?", (message_id,))
        return None if row is None else int(row["session_id"])

    async def forget_relay(self, message_id: int) -> None:
        """Forget a relayed message once removed."""
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM relays WHERE message_id = ?", (message_id,))
