"""SQL for privacy: the bot's session messages, servers the bot left, and everything about one person.

Every method that deletes text ends with `Database.scrub`, so that what it deleted is in neither
the main file nor the WAL. An anonymous author is never found by SQL (no column holds them):
the caller recognises their cases and "I have a case" seals with the key, and passes the ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.core.cases import Case, CaseState
from bot.core.privacy import (
    CaseRecord,
    DebriefRecord,
    DropoutRecord,
    ExportData,
    HandRecord,
    LeadRecord,
    MeetingRecord,
    MuteRecord,
    Orphan,
    Place,
    Role,
    SealedMark,
    SeriesRecord,
    SessionRecord,
    StayRecord,
)
from bot.core.text import Lang
from bot.storage.cases import CASE_COLUMNS, case_from_row
from bot.storage.db import Database, Transaction
from bot.storage.instants import from_text, from_text_or_none, to_text

# Whom forget-me leaves in a meeting series' created_by (NOT NULL): nobody.
NOBODY = 0


@dataclass(frozen=True)
class PostedMessage:
    """One of the bot's session messages in a channel; the group is None once the session is gone."""

    message_id: int
    channel_id: int
    guild_id: int
    session_id: int
    group_id: int | None


def _place(row: aiosqlite.Row) -> Place:
    return Place(server_id=int(row["guild_id"]), group_id=int(row["group_id"]), group=str(row["group_name"]))


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


# The meeting's group, for every query that starts from a meeting.
_MEETING_PLACE = (
    " JOIN meetings m ON m.id = x.meeting_id JOIN meeting_series ms ON ms.id = m.series_id"
    " JOIN groups g ON g.id = ms.group_id"
)
_PLACE_COLUMNS = "g.guild_id, g.id AS group_id, g.name AS group_name"


class SqlitePrivacyStore:
    """Privacy's SQL on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ---------------------------------------------------------------- session messages

    async def record_message(self, *, session_id: int, guild_id: int, channel_id: int, message_id: int,
                             at: datetime) -> None:
        """Remember one of the bot's session messages, to delete it from the channel later."""
        await self.db.write_alone(
            "INSERT OR IGNORE INTO session_messages (message_id, channel_id, guild_id, session_id, posted_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (message_id, channel_id, guild_id, session_id, to_text(at)),
        )

    async def settled_since(self, session_id: int, posted_at: datetime) -> datetime | None:
        """Return from when a session's message (posted then) counts towards its retention; None while it runs.

        From the session's end; from the posting when the session is gone (as `messages_due` reads it).
        """
        row = await self.db.fetch_one("SELECT status, ended_at FROM sessions WHERE id = ?", (session_id,))
        if row is None:
            return posted_at
        if row["status"] != "ended":
            return None
        return from_text_or_none(row["ended_at"]) or posted_at

    # A message is due from its session's end; from its posting once the session is gone (its
    # group was deleted), which is the closest the database can still tell.
    _SINCE = "CASE WHEN s.id IS NULL THEN m.posted_at ELSE s.ended_at END"
    _SETTLED = "(s.id IS NULL OR s.status = 'ended')"

    async def messages_due(self, ended_before: datetime) -> list[PostedMessage]:
        """Return the session messages whose session ended (or is gone) at or before an instant."""
        rows = await self.db.fetch_all(
            "SELECT m.message_id, m.channel_id, m.guild_id, m.session_id, s.group_id"
            " FROM session_messages m LEFT JOIN sessions s ON s.id = m.session_id"
            f" WHERE {self._SETTLED} AND {self._SINCE} <= ? ORDER BY m.session_id, m.channel_id, m.message_id",
            (to_text(ended_before),),
        )
        return [_posted(row) for row in rows]

    async def next_messages_since(self, after: datetime) -> datetime | None:
        """Return the earliest session end after an instant among sessions whose messages are still up."""
        row = await self.db.fetch_one(
            f"SELECT min({self._SINCE}) AS since FROM session_messages m LEFT JOIN sessions s ON s.id = m.session_id"
            f" WHERE {self._SETTLED} AND {self._SINCE} > ?",
            (to_text(after),),
        )
        return None if row is None else from_text_or_none(row["since"])

    async def messages_of_sessions(self, session_ids: Iterable[int]) -> list[PostedMessage]:
        """Return the recorded messages of some sessions."""
        ids = list(session_ids)
        if not ids:
            return []
        rows = await self.db.fetch_all(
            "SELECT m.message_id, m.channel_id, m.guild_id, m.session_id, s.group_id"
            " FROM session_messages m LEFT JOIN sessions s ON s.id = m.session_id"
            f" WHERE m.session_id IN ({_marks(ids)}) ORDER BY m.session_id, m.channel_id, m.message_id",
            ids,
        )
        return [_posted(row) for row in rows]

    async def forget_messages(self, message_ids: Iterable[int]) -> None:
        """Forget messages that are gone from their channel (or can never be removed)."""
        async with self.db.transaction() as tx:
            for message_id in message_ids:
                await tx.execute("DELETE FROM session_messages WHERE message_id = ?", (message_id,))

    # ---------------------------------------------------------------- servers the bot left

    async def record_departure(self, guild_id: int, at: datetime) -> datetime:
        """Note that the bot was removed from a server (the first time counts); return when."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT OR IGNORE INTO server_departures (guild_id, left_at) VALUES (?, ?)", (guild_id, to_text(at))
            )
            left_at = await tx.scalar("SELECT left_at FROM server_departures WHERE guild_id = ?", (guild_id,))
        return from_text(str(left_at))

    async def cancel_departure(self, guild_id: int) -> bool:
        """Forget a departure: the bot is back in the server; False if it had not left."""
        # Read first: every server says it is there at each start, and most never left.
        if await self.db.fetch_one("SELECT 1 FROM server_departures WHERE guild_id = ?", (guild_id,)) is None:
            return False
        async with self.db.transaction() as tx:
            changed = await tx.execute("DELETE FROM server_departures WHERE guild_id = ?", (guild_id,))
        return changed == 1

    async def departures(self) -> list[tuple[int, datetime]]:
        """Return every server the bot was removed from and not added back to, with when."""
        rows = await self.db.fetch_all("SELECT guild_id, left_at FROM server_departures ORDER BY left_at")
        return [(int(r["guild_id"]), from_text(r["left_at"])) for r in rows]

    async def servers_with_data(self) -> set[int]:
        """Return every server something is stored about."""
        rows = await self.db.fetch_all(
            "SELECT guild_id FROM groups UNION SELECT guild_id FROM voice_mutes"
            " UNION SELECT guild_id FROM session_messages"
        )
        return {int(r["guild_id"]) for r in rows}

    async def delete_server(self, guild_id: int) -> None:
        """Delete everything about a server: its groups with all they hold, its mutes and message ids."""
        async with self.db.transaction() as tx:
            # Groups cascade to leaders, members, cases, sessions (relays, feedback) and meetings.
            await tx.execute("DELETE FROM groups WHERE guild_id = ?", (guild_id,))
            await tx.execute("DELETE FROM voice_mutes WHERE guild_id = ?", (guild_id,))
            await tx.execute("DELETE FROM session_messages WHERE guild_id = ?", (guild_id,))
            await tx.execute("DELETE FROM server_departures WHERE guild_id = ?", (guild_id,))
        await self.db.scrub()

    # ---------------------------------------------------------------- cases and seals

    async def anonymous_cases(self, guild_id: int | None = None,
                              states: tuple[CaseState, ...] = tuple(CaseState)) -> list[Case]:
        """Return the anonymous cases that still carry a seal (of one server, if given), for recognition."""
        where = "c.anonymous = 1 AND c.author_tag IS NOT NULL"
        params: list[object] = []
        if guild_id is not None:
            where += " AND g.guild_id = ?"
            params.append(guild_id)
        where += f" AND c.state IN ({_marks(states)})"
        params += [s.value for s in states]
        columns = ", ".join(f"c.{name.strip()}" for name in CASE_COLUMNS.split(","))
        rows = await self.db.fetch_all(
            f"SELECT {columns} FROM cases c JOIN groups g ON g.id = c.group_id WHERE {where} ORDER BY c.id", params
        )
        return [case_from_row(row) for row in rows]

    async def case_marks(self, guild_id: int | None = None, after: datetime | None = None) -> list[SealedMark]:
        """Return the "I have a case" seals (of one server's meetings starting after an instant, if given)."""
        where = "1"
        params: list[object] = []
        if guild_id is not None:
            where += " AND g.guild_id = ?"
            params.append(guild_id)
        if after is not None:
            where += " AND m.starts_at > ?"
            params.append(to_text(after))
        rows = await self.db.fetch_all(
            f"SELECT x.meeting_id, x.tag FROM meeting_case_marks x{_MEETING_PLACE} WHERE {where}", params
        )
        return [SealedMark(int(r["meeting_id"]), bytes(r["tag"])) for r in rows]

    async def sessions_of_cases(self, user_id: int, anonymous_case_ids: Sequence[int]) -> list[int]:
        """Return the sessions that took up someone's cases (to purge their material with them)."""
        ids = list(anonymous_case_ids)
        rows = await self.db.fetch_all(
            "SELECT s.id FROM sessions s JOIN cases c ON c.id = s.case_id"
            f" WHERE c.author_id = ? OR c.id IN ({_marks(ids)}) ORDER BY s.id",
            (user_id, *ids),
        )
        return [int(r["id"]) for r in rows]

    async def panels_about(self, user_id: int, anonymous_case_ids: Sequence[int]) -> list[PostedMessage]:
        """Return the session panels that show someone: as the named presenter, or by their case's title."""
        ids = list(anonymous_case_ids)
        rows = await self.db.fetch_all(
            "SELECT s.panel_message_id AS message_id, s.panel_channel_id AS channel_id, g.guild_id,"
            " s.id AS session_id, s.group_id FROM sessions s JOIN groups g ON g.id = s.group_id"
            " WHERE s.panel_message_id IS NOT NULL AND (s.presenter_id = ? OR s.case_id IN"
            f" (SELECT id FROM cases WHERE author_id = ? OR id IN ({_marks(ids)}))) ORDER BY s.id",
            (user_id, user_id, *ids),
        )
        return [_posted(row) for row in rows]

    async def delete_withdrawn(self) -> int:
        """Delete withdrawn cases: nothing needs their text any more."""
        # Read first: the sweep asks every minute, and there is seldom anything to delete.
        if await self.db.fetch_one("SELECT 1 FROM cases WHERE state = 'withdrawn' LIMIT 1") is None:
            return 0
        async with self.db.transaction() as tx:
            deleted = await tx.execute("DELETE FROM cases WHERE state = 'withdrawn'")
        if deleted:
            await self.db.scrub()
        return deleted

    # ---------------------------------------------------------------- one person

    async def export(self, user_id: int, anonymous_case_ids: Sequence[int],
                     marked_meeting_ids: Sequence[int], anonymous_session_ids: Sequence[int] = ()) -> ExportData:
        """Gather everything stored about someone; their anonymous cases, sessions and seals come recognised."""
        me = (user_id,)
        data = ExportData()
        for row in await self.db.fetch_all(
            f"SELECT {_PLACE_COLUMNS}, x.agreed_at AS since FROM members x JOIN groups g ON g.id = x.group_id"
            " WHERE x.user_id = ? ORDER BY x.agreed_at", me,
        ):
            data.memberships.append(Role(_place(row), from_text(row["since"])))
        for row in await self.db.fetch_all(
            f"SELECT {_PLACE_COLUMNS}, x.added_at AS since FROM leaders x JOIN groups g ON g.id = x.group_id"
            " WHERE x.user_id = ? ORDER BY x.added_at", me,
        ):
            data.leaderships.append(Role(_place(row), from_text(row["since"])))
        ids = list(anonymous_case_ids)
        for row in await self.db.fetch_all(
            f"SELECT {_PLACE_COLUMNS}, x.id, x.title, x.story, x.anonymous, x.state FROM cases x"
            f" JOIN groups g ON g.id = x.group_id WHERE x.author_id = ? OR x.id IN ({_marks(ids)}) ORDER BY x.id",
            (user_id, *ids),
        ):
            data.cases.append(CaseRecord(_place(row), int(row["id"]), str(row["title"]), row["story"],
                                         bool(row["anonymous"]), str(row["state"])))
        session = (f"SELECT {_PLACE_COLUMNS}, s.id, s.started_at, s.ended_at FROM sessions s"
                   " JOIN groups g ON g.id = s.group_id")
        for row in await self.db.fetch_all(f"{session} WHERE s.presenter_id = ? ORDER BY s.id", me):
            data.sessions_presented.append(_session(row))
        presented = list(anonymous_session_ids)
        for row in await self.db.fetch_all(f"{session} WHERE s.id IN ({_marks(presented)}) ORDER BY s.id", presented):
            data.sessions_presented_anonymously.append(_session(row))
        for row in await self.db.fetch_all(
            f"SELECT {_PLACE_COLUMNS}, x.session_id, x.joined_at, x.left_at FROM session_presence x"
            " JOIN sessions s ON s.id = x.session_id JOIN groups g ON g.id = s.group_id"
            " WHERE x.user_id = ? ORDER BY x.joined_at, x.id", me,
        ):
            data.session_stays.append(StayRecord(_place(row), int(row["session_id"]), from_text(row["joined_at"]),
                                                 from_text_or_none(row["left_at"])))
        for row in await self.db.fetch_all(
            f"SELECT {_PLACE_COLUMNS}, x.session_id, x.role FROM session_leaders x"
            " JOIN sessions s ON s.id = x.session_id JOIN groups g ON g.id = s.group_id"
            " WHERE x.user_id = ? ORDER BY x.session_id", me,
        ):
            data.session_roles.append(LeadRecord(_place(row), int(row["session_id"]), str(row["role"])))
        for row in await self.db.fetch_all(
            f"{session} JOIN feedback_voters v ON v.session_id = s.id WHERE v.user_id = ? ORDER BY s.id", me
        ):
            data.feedback_answered.append(_session(row))
        for row in await self.db.fetch_all(
            f"SELECT {_PLACE_COLUMNS}, x.meeting_id, m.starts_at, x.choice, x.answered_at FROM meeting_rsvps x"
            f"{_MEETING_PLACE} WHERE x.user_id = ? ORDER BY m.starts_at", me,
        ):
            data.rsvps.append(MeetingRecord(_place(row), int(row["meeting_id"]), from_text(row["starts_at"]),
                                            detail=str(row["choice"]), at=from_text(row["answered_at"])))
        marked = list(marked_meeting_ids)
        for row in await self.db.fetch_all(
            f"SELECT {_PLACE_COLUMNS}, m.id AS meeting_id, m.starts_at FROM meetings m"
            " JOIN meeting_series ms ON ms.id = m.series_id JOIN groups g ON g.id = ms.group_id"
            f" WHERE m.id IN ({_marks(marked)}) ORDER BY m.starts_at", marked,
        ):
            data.cases_announced.append(MeetingRecord(_place(row), int(row["meeting_id"]),
                                                      from_text(row["starts_at"])))
        for row in await self.db.fetch_all(
            f"SELECT {_PLACE_COLUMNS}, x.meeting_id, m.starts_at, x.joined_at, x.left_at FROM meeting_attendance x"
            f"{_MEETING_PLACE} WHERE x.user_id = ? ORDER BY x.joined_at", me,
        ):
            data.attendance.append(MeetingRecord(_place(row), int(row["meeting_id"]), from_text(row["starts_at"]),
                                                 at=from_text(row["joined_at"]),
                                                 until=from_text_or_none(row["left_at"])))
        for row in await self.db.fetch_all(
            "SELECT guild_id, session_id, muted_at FROM voice_mutes WHERE user_id = ? ORDER BY muted_at", me
        ):
            data.mutes.append(MuteRecord(int(row["guild_id"]), row["session_id"], from_text(row["muted_at"])))
        for row in await self.db.fetch_all(
            f"SELECT {_PLACE_COLUMNS}, x.id, x.created_at FROM meeting_series x JOIN groups g ON g.id = x.group_id"
            " WHERE x.created_by = ? ORDER BY x.id", me,
        ):
            data.series_scheduled.append(SeriesRecord(_place(row), int(row["id"]), from_text(row["created_at"])))
        for row in await self.db.fetch_all(
            "SELECT g.guild_id, x.session_id, x.raised_at FROM raised_hands x JOIN sessions s ON s.id = x.session_id"
            " JOIN groups g ON g.id = s.group_id WHERE x.user_id = ? ORDER BY x.id", me,
        ):
            data.raised_hands.append(HandRecord(int(row["guild_id"]), int(row["session_id"]),
                                                from_text(row["raised_at"])))
        for row in await self.db.fetch_all(
            "SELECT g.guild_id, x.session_id, x.left_at FROM session_dropouts x JOIN sessions s ON s.id = x.session_id"
            " JOIN groups g ON g.id = s.group_id WHERE x.user_id = ? ORDER BY x.id", me,
        ):
            data.dropout_waits.append(DropoutRecord(int(row["guild_id"]), int(row["session_id"]),
                                                    from_text(row["left_at"])))
        for row in await self.db.fetch_all(
            "SELECT g.guild_id, x.session_id, x.report_at, x.feedback_at FROM session_debriefs x"
            " JOIN sessions s ON s.id = x.session_id JOIN groups g ON g.id = s.group_id"
            " WHERE x.user_id = ? ORDER BY x.session_id", me,
        ):
            data.debriefs.append(DebriefRecord(int(row["guild_id"]), int(row["session_id"]),
                                               from_text_or_none(row["report_at"]),
                                               from_text_or_none(row["feedback_at"])))
        return data

    async def forget(self, user_id: int, anonymous_case_ids: Sequence[int], marks: Sequence[SealedMark],
                     keep_mutes_in: Iterable[int], anonymous_session_ids: Sequence[int] = ()) -> list[Orphan]:
        """Delete everything about someone, in every server, in one transaction; return groups left leaderless.

        A server mute the bot could not lift yet (they are out of voice) is kept, without its
        session, so that it is lifted when they next join: forgetting it would leave them muted.
        """
        me = (user_id,)
        keep = sorted(set(keep_mutes_in))
        async with self.db.transaction() as tx:
            orphans = await _orphans(tx, "l.user_id = ?", me)
            await tx.execute("DELETE FROM leaders WHERE user_id = ?", me)
            await tx.execute("DELETE FROM members WHERE user_id = ?", me)
            await _delete_cases(tx, "author_id = ?", me, anonymous_case_ids)
            await tx.execute("UPDATE sessions SET presenter_id = NULL WHERE presenter_id = ? AND status = 'ended'", me)
            presented = list(anonymous_session_ids)
            # The seal its session kept for their record: nothing is left that could recognise them.
            await tx.execute(
                f"UPDATE sessions SET presenter_nonce = NULL, presenter_tag = NULL WHERE id IN ({_marks(presented)})",
                presented,
            )
            await tx.execute("DELETE FROM feedback_voters WHERE user_id = ?", me)
            await tx.execute("DELETE FROM meeting_rsvps WHERE user_id = ?", me)
            await _unlink_marks(tx, marks)
            await tx.execute("DELETE FROM meeting_attendance WHERE user_id = ?", me)
            await tx.execute("DELETE FROM session_presence WHERE user_id = ?", me)
            await tx.execute("DELETE FROM session_leaders WHERE user_id = ?", me)
            await tx.execute("DELETE FROM raised_hands WHERE user_id = ?", me)
            await tx.execute("DELETE FROM session_dropouts WHERE user_id = ?", me)
            await tx.execute("DELETE FROM session_debriefs WHERE user_id = ?", me)
            await tx.execute("UPDATE meeting_series SET created_by = ? WHERE created_by = ?", (NOBODY, user_id))
            await tx.execute(
                f"DELETE FROM voice_mutes WHERE user_id = ? AND guild_id NOT IN ({_marks(keep)})", (user_id, *keep)
            )
            await tx.execute("UPDATE voice_mutes SET session_id = NULL WHERE user_id = ?", me)
            # A notice still owed that names them (the floor given, a dropout awaited, a debrief's
            # word): its text and ping would keep their id until sent. It is not sent at all.
            await tx.execute(
                "DELETE FROM outbox WHERE sent_at IS NULL AND (ping = ? OR instr(content, ?) > 0)",
                (user_id, f"<@{user_id}>"),
            )
        await self.db.scrub()
        return orphans

    async def leave_server(self, guild_id: int, user_id: int, anonymous_case_ids: Sequence[int],
                           marks: Sequence[SealedMark], now: datetime) -> list[Orphan]:
        """Take someone who left a server out of its groups: roles, queued cases, answers to coming meetings.

        Attendance already recorded stays, for the leaders' records, until they ask to be forgotten.
        """
        here = "group_id IN (SELECT id FROM groups WHERE guild_id = ?)"
        who = (user_id, guild_id)
        async with self.db.transaction() as tx:
            orphans = await _orphans(tx, "l.user_id = ? AND g.guild_id = ?", who)
            await tx.execute(f"DELETE FROM leaders WHERE user_id = ? AND {here}", who)
            await tx.execute(f"DELETE FROM members WHERE user_id = ? AND {here}", who)
            await _delete_cases(tx, f"author_id = ? AND state = 'queued' AND {here}", who, anonymous_case_ids)
            await tx.execute(
                "DELETE FROM meeting_rsvps WHERE user_id = ? AND meeting_id IN (SELECT m.id FROM meetings m"
                " JOIN meeting_series ms ON ms.id = m.series_id JOIN groups g ON g.id = ms.group_id"
                " WHERE g.guild_id = ? AND m.starts_at > ?)",
                (*who, to_text(now)),
            )
            await _unlink_marks(tx, marks)
            # A server mute does not outlive the membership: there is nothing left to lift.
            await tx.execute("DELETE FROM voice_mutes WHERE user_id = ? AND guild_id = ?", who)
            await tx.execute(
                "DELETE FROM raised_hands WHERE user_id = ? AND session_id IN"
                " (SELECT s.id FROM sessions s JOIN groups g ON g.id = s.group_id WHERE g.guild_id = ?)", who,
            )
        await self.db.scrub()
        return orphans


def _posted(row: aiosqlite.Row) -> PostedMessage:
    return PostedMessage(int(row["message_id"]), int(row["channel_id"]), int(row["guild_id"]),
                         int(row["session_id"]), row["group_id"])


def _session(row: aiosqlite.Row) -> SessionRecord:
    return SessionRecord(_place(row), int(row["id"]), from_text(row["started_at"]),
                         from_text_or_none(row["ended_at"]))


async def _orphans(tx: Transaction, where: str, params: tuple[object, ...]) -> list[Orphan]:
    """Return the groups whose only leader matches `where` (read in the transaction that removes them)."""
    rows = await tx.fetch_all(
        "SELECT g.guild_id, g.id, g.name, g.text_channel_id, g.language FROM leaders l"
        " JOIN groups g ON g.id = l.group_id"
        f" WHERE {where} AND (SELECT count(*) FROM leaders o WHERE o.group_id = l.group_id) = 1 ORDER BY g.id",
        params,
    )
    return [Orphan(int(r["guild_id"]), int(r["id"]), str(r["name"]), int(r["text_channel_id"]), Lang(r["language"]))
            for r in rows]


async def _delete_cases(tx: Transaction, named: str, params: tuple[object, ...], anonymous_ids: Sequence[int]) -> None:
    """Delete someone's named cases matching `named`, and their recognised anonymous ones, with the titles kept."""
    ids = list(anonymous_ids)
    chosen = f"SELECT id FROM cases WHERE ({named}) OR id IN ({_marks(ids)})"
    # A session keeps a copy of its case's title for the panel: it goes with the case.
    await tx.execute(f"UPDATE sessions SET title = NULL WHERE case_id IN ({chosen})", (*params, *ids))
    await tx.execute(f"DELETE FROM cases WHERE id IN ({chosen})", (*params, *ids))


async def _unlink_marks(tx: Transaction, marks: Sequence[SealedMark]) -> None:
    """Make someone's "I have a case" seals nobody's: a random tag, which no key recognises, in place of each.

    Deleting them would lower the reminders' "With a case" count as the member leaves or is
    forgotten, which everyone can see: who announced a case may be who presents anonymously.
    The count stays as it was; nothing in it is theirs any more.
    """
    for mark in marks:
        await tx.execute(
            "UPDATE meeting_case_marks SET tag = randomblob(length(tag)) WHERE meeting_id = ? AND tag = ?",
            (mark.meeting_id, mark.tag),
        )
