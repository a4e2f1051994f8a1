"""SQL for sessions and for the server mutes the bot made."""

from __future__ import annotations

import json
import secrets
import sqlite3
from datetime import datetime

import aiosqlite

from bot.core.phases import Phase, Speaker
from bot.core.session import Session, SessionState, Status
from bot.storage.db import Database, claim_report
from bot.storage.instants import from_text, from_text_or_none, to_text, to_text_or_none

_COLUMNS = (
    "id, group_id, case_id, template, phases, title, presenter_id, anonymous, status, phase_index, deadline, remaining,"
    " warned, timed_up, version, panel_channel_id, panel_message_id, reported, started_at"
)


def _phases_json(phases: tuple[Phase, ...]) -> str:
    return json.dumps([
        {"key": p.key, "name": p.name, "minutes": p.minutes, "guidance": p.guidance,
         "speaker": p.speaker.value, "pushback": p.pushback}
        for p in phases
    ])


def _phases(text: str) -> tuple[Phase, ...]:
    return tuple(
        Phase(key=p["key"], name=p["name"], minutes=int(p["minutes"]), guidance=p["guidance"],
              speaker=Speaker(p["speaker"]), pushback=bool(p["pushback"]))
        for p in json.loads(text)
    )


def _state(row: aiosqlite.Row) -> SessionState:
    return SessionState(
        phase_index=int(row["phase_index"]),
        status=Status(row["status"]),
        deadline=from_text_or_none(row["deadline"]),
        remaining=float(row["remaining"]) if row["remaining"] is not None else None,
        warned=bool(row["warned"]),
        timed_up=bool(row["timed_up"]),
    )


def _session(row: aiosqlite.Row) -> Session:
    return Session(
        id=int(row["id"]),
        group_id=int(row["group_id"]),
        case_id=row["case_id"],
        template=str(row["template"]),
        phases=_phases(row["phases"]),
        title=row["title"],
        presenter_id=row["presenter_id"],
        anonymous=bool(row["anonymous"]),
        state=_state(row),
        version=int(row["version"]),
        panel_channel_id=row["panel_channel_id"],
        panel_message_id=row["panel_message_id"],
        reported=frozenset(p for p in str(row["reported"]).split(",") if p),
        started_at=from_text(row["started_at"]),
    )


def _state_params(state: SessionState) -> tuple[object, ...]:
    return (
        state.status.value, state.phase_index,
        to_text_or_none(state.deadline),
        state.remaining, int(state.warned), int(state.timed_up),
    )


class SessionAlreadyLive(Exception):
    """The group already has a session that has not ended."""


class SqliteSessionStore:
    """Sessions on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def insert(self, *, group_id: int, case_id: int | None, template: str, phases: tuple[Phase, ...],
                     title: str | None, presenter_id: int | None, anonymous: bool, state: SessionState,
                     started_at: datetime) -> Session:
        """Store a new session; refuse a second live one for the group."""
        try:
            async with self.db.transaction() as tx:
                session_id = await tx.insert(
                    "INSERT INTO sessions (group_id, case_id, template, phases, title, presenter_id, anonymous,"
                    " status, phase_index, deadline, remaining, warned, timed_up, started_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (group_id, case_id, template, _phases_json(phases), title, presenter_id, int(anonymous),
                     *_state_params(state), to_text(started_at)),
                )
        except sqlite3.IntegrityError as error:
            if "sessions.group_id" in str(error) or "UNIQUE" in str(error):
                raise SessionAlreadyLive from None
            raise
        created = await self.get(session_id)
        assert created is not None
        return created

    async def get(self, session_id: int) -> Session | None:
        """Read a session."""
        row = await self.db.fetch_one(f"SELECT {_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
        return None if row is None else _session(row)

    async def live_for_group(self, group_id: int) -> Session | None:
        """Return the group's session that has not ended, if any."""
        row = await self.db.fetch_one(
            f"SELECT {_COLUMNS} FROM sessions WHERE group_id = ? AND status != 'ended'", (group_id,)
        )
        return None if row is None else _session(row)

    async def live(self) -> list[Session]:
        """Return every session that has not ended (to rebuild timers at start-up)."""
        rows = await self.db.fetch_all(f"SELECT {_COLUMNS} FROM sessions WHERE status != 'ended' ORDER BY id")
        return [_session(row) for row in rows]

    async def save_state(self, session: Session, state: SessionState, at: datetime) -> Session | None:
        """Store a new state if nobody changed the session since it was read; return it, or None."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE sessions SET status = ?, phase_index = ?, deadline = ?, remaining = ?, warned = ?,"
                " timed_up = ?, version = version + 1,"
                " ended_at = CASE WHEN ? = 'ended' THEN ? ELSE ended_at END"
                " WHERE id = ? AND version = ?",
                (*_state_params(state), state.status.value, to_text(at), session.id, session.version),
            )
        if changed != 1:
            return None
        return await self.get(session.id)

    async def set_panel(self, session_id: int, channel_id: int, message_id: int) -> None:
        """Remember the session's panel message, to edit it on every change."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE sessions SET panel_channel_id = ?, panel_message_id = ? WHERE id = ?",
                (channel_id, message_id, session_id),
            )

    async def claim_report(self, session_id: int, what: str) -> bool:
        """Record that a problem was told to the leaders; False if it already was (tell once)."""
        return await claim_report(self.db, "sessions", session_id, what)

    # Server mutes the bot made. Only these are ever undone by the bot: a member muted
    # by a moderator stays muted.

    async def record_mute(self, guild_id: int, user_id: int, session_id: int, at: datetime) -> None:
        """Remember that the bot server-muted someone."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT OR REPLACE INTO voice_mutes (guild_id, user_id, session_id, muted_at) VALUES (?, ?, ?, ?)",
                (guild_id, user_id, session_id, to_text(at)),
            )

    async def has_mute(self, guild_id: int, user_id: int) -> bool:
        """Whether the bot server-muted this member and has not undone it yet."""
        row = await self.db.fetch_one(
            "SELECT 1 FROM voice_mutes WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return row is not None

    async def forget_mute(self, guild_id: int, user_id: int) -> None:
        """Forget a mute once it is undone."""
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM voice_mutes WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))

    async def mutes(self) -> list[tuple[int, int, int | None]]:
        """Return every mute of ours still in place: (guild, user, session)."""
        rows = await self.db.fetch_all("SELECT guild_id, user_id, session_id FROM voice_mutes ORDER BY muted_at")
        return [(int(r["guild_id"]), int(r["user_id"]), r["session_id"]) for r in rows]

    # Anonymous feedback.

    async def add_feedback(self, session_id: int, user_id: int, rating: int, comment: str | None) -> bool:
        """Record one answer per person; False if they already answered."""
        async with self.db.transaction() as tx:
            added = await tx.execute(
                "INSERT OR IGNORE INTO feedback_voters (session_id, user_id) VALUES (?, ?)", (session_id, user_id)
            )
            if added != 1:
                return False
            await tx.execute(
                "INSERT INTO feedback (id, session_id, rating, comment) VALUES (?, ?, ?, ?)",
                (secrets.randbits(62), session_id, rating, comment),
            )
        return True

    async def feedback(self, session_id: int) -> list[tuple[int, str | None]]:
        """Return the answers (rating, comment), in no meaningful order."""
        rows = await self.db.fetch_all(
            "SELECT rating, comment FROM feedback WHERE session_id = ? ORDER BY id", (session_id,)
        )
        return [(int(r["rating"]), r["comment"]) for r in rows]

    async def to_purge(self) -> list[tuple[int, datetime, int]]:
        """Return ended sessions that still hold case material: (session, ended at, retention hours)."""
        rows = await self.db.fetch_all(
            "SELECT s.id, COALESCE(s.ended_at, s.started_at) AS ended_at, g.retention_hours"
            " FROM sessions s JOIN groups g ON g.id = s.group_id"
            " WHERE s.status = 'ended' AND (s.case_id IS NOT NULL OR s.title IS NOT NULL"
            " OR EXISTS (SELECT 1 FROM relays r WHERE r.session_id = s.id))"
        )
        return [(int(r["id"]), from_text(r["ended_at"]), int(r["retention_hours"])) for r in rows]

    # What a meeting's attendance needs to know of the group's sessions (asked by the meeting runner).

    async def live_session_since(self, group_id: int, before: datetime) -> bool:
        """Whether a session of the group that began before an instant is still going."""
        # Every table stores instants in one fixed-width form, so SQL compares them as text.
        row = await self.db.fetch_one(
            "SELECT 1 FROM sessions WHERE group_id = ? AND status != 'ended' AND started_at < ? LIMIT 1",
            (group_id, to_text(before)),
        )
        return row is not None

    async def overrun_end(self, group_id: int, end: datetime) -> datetime | None:
        """Return when the last session of the group that was running at a meeting's end stopped, if one was."""
        row = await self.db.fetch_one(
            "SELECT max(ended_at) AS stopped FROM sessions WHERE group_id = ?1 AND status = 'ended'"
            " AND started_at < ?2 AND ended_at > ?2",
            (group_id, to_text(end)),
        )
        return None if row is None else from_text_or_none(row["stopped"])
