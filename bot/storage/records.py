"""SQL for records: the facts of a group's ended sessions, where someone has a record, and the sessions' seals.

Nothing here knows who presented anonymously: the seals are read only for the person's own
record, and recognised by the caller with the key (`bot.core.records.presented_by`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from bot.core.presence import LeaderRole, Stay
from bot.core.records import SealedSession, SessionFacts
from bot.storage.db import Database
from bot.storage.instants import from_text, from_text_or_none, to_text


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


class SqliteRecordStore:
    """Records' SQL on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def ended_sessions(self, group_ids: Sequence[int], *, users: Sequence[int] | None = None,
                             since: datetime | None = None) -> list[SessionFacts]:
        """Return the facts of the groups' ended sessions (from `since`), with the stays of `users` (or everyone's)."""
        groups = list(group_ids)
        if not groups:
            return []
        where = f"s.status = 'ended' AND s.group_id IN ({_marks(groups)})"
        params: list[object] = list(groups)
        if since is not None:
            where += " AND s.started_at >= ?"
            params.append(to_text(since))
        rows = await self.db.fetch_all(
            "SELECT s.id, s.group_id, s.started_at, COALESCE(s.ended_at, s.started_at) AS ended_at, s.presenter_id"
            f" FROM sessions s WHERE {where} ORDER BY s.started_at, s.id", params,
        )
        who = ""
        who_params: list[object] = []
        if users is not None:
            people = sorted(set(users))
            who = f" AND p.user_id IN ({_marks(people)})"
            who_params = list(people)
        stays: defaultdict[int, list[Stay]] = defaultdict(list)
        for row in await self.db.fetch_all(
            "SELECT p.session_id, p.user_id, p.joined_at, p.left_at FROM session_presence p"
            f" JOIN sessions s ON s.id = p.session_id WHERE {where}{who} ORDER BY p.joined_at, p.id",
            [*params, *who_params],
        ):
            stays[int(row[0])].append(Stay(int(row[1]), from_text(row[2]), from_text_or_none(row[3])))
        leaders: defaultdict[int, dict[int, LeaderRole]] = defaultdict(dict)
        for row in await self.db.fetch_all(
            "SELECT l.session_id, l.user_id, l.role FROM session_leaders l JOIN sessions s ON s.id = l.session_id"
            f" WHERE {where}", params,
        ):
            leaders[int(row[0])][int(row[1])] = LeaderRole(row[2])
        return [
            SessionFacts(int(r["id"]), int(r["group_id"]), from_text(r["started_at"]), from_text(r["ended_at"]),
                         tuple(stays[int(r["id"])]), leaders[int(r["id"])], r["presenter_id"])
            for r in rows
        ]

    async def groups_of(self, user_id: int, guild_id: int | None = None) -> list[int]:
        """Return the groups (of one server, if given) the user belongs to, or in whose ended sessions they count.

        In voice, as a leader, or as a named presenter: anonymous presentations are not found here.
        """
        ended = "SELECT id, group_id FROM sessions WHERE status = 'ended'"
        rows = await self.db.fetch_all(
            "SELECT DISTINCT x.group_id FROM ("
            " SELECT group_id FROM members WHERE user_id = ?1"
            " UNION SELECT group_id FROM leaders WHERE user_id = ?1"
            f" UNION SELECT s.group_id FROM session_presence p JOIN ({ended}) s ON s.id = p.session_id"
            " WHERE p.user_id = ?1"
            f" UNION SELECT s.group_id FROM session_leaders l JOIN ({ended}) s ON s.id = l.session_id"
            " WHERE l.user_id = ?1"
            " UNION SELECT group_id FROM sessions WHERE status = 'ended' AND presenter_id = ?1"
            ") x JOIN groups g ON g.id = x.group_id WHERE ?2 IS NULL OR g.guild_id = ?2"
            " ORDER BY g.guild_id, g.name_key",
            (user_id, guild_id),
        )
        return [int(row[0]) for row in rows]

    async def sealed_sessions(self, guild_id: int | None = None) -> list[SealedSession]:
        """Return the ended sessions (of one server, if given) that keep an anonymous presenter's seal."""
        rows = await self.db.fetch_all(
            "SELECT s.id, s.group_id, s.presenter_nonce, s.presenter_tag FROM sessions s"
            " JOIN groups g ON g.id = s.group_id WHERE s.status = 'ended' AND s.presenter_tag IS NOT NULL"
            " AND (?1 IS NULL OR g.guild_id = ?1) ORDER BY s.id",
            (guild_id,),
        )
        return [SealedSession(int(r[0]), int(r[1]), bytes(r[2]), bytes(r[3])) for r in rows]
