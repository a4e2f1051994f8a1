"""SQL for sessions and for the server mutes the bot made."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import aiosqlite

from bot.core.notices import Notice
from bot.core.phases import Phase, Speaker
from bot.core.presence import LeaderRole, Stay
from bot.core.session import Session, SessionState, Status
from bot.storage.db import Database, Transaction, claim_report
from bot.storage.debriefs import close_session, record_change
from bot.storage.hands import clear_hands
from bot.storage.instants import from_text, from_text_or_none, to_text, to_text_or_none
from bot.storage.outbox import claim_notices

_COLUMNS = (
    "id, group_id, case_id, template, phases, title, presenter_id, anonymous, status, phase_index, deadline, remaining,"
    " warned, timed_up, version, panel_channel_id, panel_message_id, reported, started_at"
)


def _phases_json(phases: tuple[Phase, ...]) -> str:
    return json.dumps([
        {"key": p.key, "name": p.name, "minutes": p.minutes, "guidance": p.guidance,
         "speaker": p.speaker.value, "pushback": p.pushback, "opening": p.opening}
        for p in phases
    ])


@lru_cache(maxsize=256)
def _phases(text: str) -> tuple[Phase, ...]:
    # Every session of a template stores the same text, read on every control and timer: parsed
    # once (phases are frozen, so sessions can share them).
    return tuple(
        Phase(key=p["key"], name=p["name"], minutes=int(p["minutes"]), guidance=p["guidance"],
              speaker=Speaker(p["speaker"]), pushback=bool(p["pushback"]),
              # Sessions stored before openings existed have no such key.
              opening=bool(p.get("opening", False)))
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


class CaseNotQueued(Exception):
    """The case was taken up or withdrawn since it was read: no session starts on it."""


@dataclass(frozen=True)
class MuteRecord:
    """A server mute the bot made or is making: `pending` is the call to Discord not known to be done."""

    guild_id: int
    user_id: int
    session_id: int | None
    pending: str | None


class SqliteSessionStore:
    """Sessions on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def insert(self, *, group_id: int, case_id: int | None, template: str, phases: tuple[Phase, ...],
                     title: str | None, presenter_id: int | None, anonymous: bool, state: SessionState,
                     started_at: datetime, notices: Callable[[int], Sequence[Notice]] = lambda _: (),
                     leaders: Mapping[int, LeaderRole] | None = None, in_voice: Iterable[int] = ()) -> Session:
        """Store a new session, with the notices its start owes (given its id); refuse a second live one.

        Who leads it and who is in the voice channel at its start are written with it, so that no
        record or debrief ever sees a session without them.
        """
        try:
            async with self.db.transaction() as tx:
                session_id = await tx.insert(
                    "INSERT INTO sessions (group_id, case_id, template, phases, title, presenter_id, anonymous,"
                    " status, phase_index, deadline, remaining, warned, timed_up, started_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (group_id, case_id, template, _phases_json(phases), title, presenter_id, int(anonymous),
                     *_state_params(state), to_text(started_at)),
                )
                # Out of the queue with the session itself (a conditional move: a case taken meanwhile refuses it).
                if case_id is not None and await tx.execute(
                        "UPDATE cases SET state = 'presenting' WHERE id = ? AND state = 'queued'", (case_id,)) != 1:
                    raise CaseNotQueued
                if anonymous and case_id is not None:
                    # The presenter's seal, for their own record once the case is purged: a copy, never an id.
                    await tx.execute(
                        "UPDATE sessions SET (presenter_nonce, presenter_tag) ="
                        " (SELECT nonce, author_tag FROM cases WHERE id = ? AND anonymous = 1) WHERE id = ?",
                        (case_id, session_id),
                    )
                await tx.execute_many(
                    "INSERT INTO session_leaders (session_id, user_id, role) VALUES (?, ?, ?)",
                    [(session_id, user_id, role.value) for user_id, role in (leaders or {}).items()],
                )
                await tx.execute_many(
                    "INSERT INTO session_presence (session_id, user_id, joined_at) VALUES (?, ?, ?)",
                    [(session_id, user_id, to_text(started_at)) for user_id in sorted(set(in_voice))],
                )
                await record_change(tx, session_id, 0, state, started_at)
                await claim_notices(tx, notices(session_id))
        except sqlite3.IntegrityError as error:
            if "sessions.group_id" in str(error) or "UNIQUE" in str(error):
                raise SessionAlreadyLive from None
            raise
        created = await self.get(session_id)
        assert created is not None
        return created

    # Reads by key are made on the loop's thread (`Database.read_now`): a control, a timer and
    # a status all begin with one.

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

    async def due(self, now: datetime, warning: timedelta) -> list[Session]:
        """Return the running sessions that may owe a notice by `now`: a time-up, or a warning (`warning` ahead).

        One query for the sweep, instead of waking every live session: the candidates are those
        whose deadline has passed and not timed up yet, or is within the warning and not warned.
        Whether a notice is owed (a phase too short to warn, say) is still `PhaseClock.due`'s to say.
        """
        # Every table stores instants in one fixed-width form, so SQL compares them as text.
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM sessions WHERE status = 'running' AND timed_up = 0"
            " AND (deadline <= ? OR (warned = 0 AND deadline <= ?)) ORDER BY deadline, id",
            (to_text(now), to_text(now + warning)),
        )
        return [_session(row) for row in rows]

    async def save_state(self, session: Session, state: SessionState, at: datetime,
                         notices: Sequence[Notice] = (),
                         also: Callable[[Transaction], Awaitable[None]] | None = None) -> Session | None:
        """Store a new state if nobody changed the session since it was read; return it, or None.

        The notices the change owes are claimed in the same transaction: a change is never stored
        without them, nor they without it. The stored version is `session.version + 1`, logged
        with its instant for the debrief. `also` is a step of another store that the change brings
        (a dropout told), run in the same transaction; it undoes the change by raising.
        """
        sql = (
            "UPDATE sessions SET status = ?, phase_index = ?, deadline = ?, remaining = ?, warned = ?,"
            " timed_up = ?, version = version + 1,"
            " ended_at = CASE WHEN ? = 'ended' THEN ? ELSE ended_at END"
            f" WHERE id = ? AND version = ? RETURNING {_COLUMNS}"
        )
        params = (*_state_params(state), state.status.value, to_text(at), session.id, session.version)
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(sql, params)
            if rows:
                await claim_notices(tx, notices)
                await clear_hands(tx, session.id, state)
                await record_change(tx, session.id, session.version + 1, state, at)
                if also is not None:
                    await also(tx)
                if state.status is Status.ENDED and session.state.status is not Status.ENDED:
                    await close_session(tx, session.id)
                if state.status is Status.ENDED:
                    # The session's length is its presence's end: nobody stays "in" an ended session.
                    await tx.execute(
                        "UPDATE session_presence SET left_at = ? WHERE session_id = ? AND left_at IS NULL",
                        (to_text(at), session.id),
                    )
        # RETURNING gives the session as stored: no second read.
        return _session(rows[0]) if rows else None

    async def live_in_voice(self, guild_id: int, voice_channel_id: int) -> int | None:
        """Return the id of the live session of the group whose voice channel this is, if any."""
        row = await self.db.fetch_one(
            "SELECT s.id FROM sessions s JOIN groups g ON g.id = s.group_id"
            " WHERE g.guild_id = ? AND g.voice_channel_id = ? AND s.status != 'ended'",
            (guild_id, voice_channel_id),
        )
        return None if row is None else int(row[0])

    async def arrive(self, session_id: int, user_id: int, at: datetime) -> None:
        """Record that the user is in the session's voice channel from `at` (nothing if already recorded)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO session_presence (session_id, user_id, joined_at)"
                " SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ? AND status != 'ended')"
                " ON CONFLICT DO NOTHING",
                (session_id, user_id, to_text(at), session_id),
            )

    async def depart(self, session_id: int, user_id: int, at: datetime) -> None:
        """Record that the user left the session's voice channel at `at`."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE session_presence SET left_at = max(joined_at, ?)"
                " WHERE session_id = ? AND user_id = ? AND left_at IS NULL",
                (to_text(at), session_id, user_id),
            )

    async def in_voice(self, session_id: int) -> frozenset[int]:
        """Return who is recorded as in the session's voice channel now."""
        rows = await self.db.fetch_all(
            "SELECT user_id FROM session_presence WHERE session_id = ? AND left_at IS NULL", (session_id,)
        )
        return frozenset(int(row[0]) for row in rows)

    async def in_voice_of_live(self) -> dict[int, frozenset[int]]:
        """Return, for every live session at once, who is recorded as in its voice channel now (the restore's read)."""
        rows = await self.db.fetch_all(
            "SELECT p.session_id, p.user_id FROM session_presence p JOIN sessions s ON s.id = p.session_id"
            " WHERE s.status != 'ended' AND p.left_at IS NULL"
        )
        found: dict[int, set[int]] = {}
        for row in rows:
            found.setdefault(int(row[0]), set()).add(int(row[1]))
        return {session_id: frozenset(users) for session_id, users in found.items()}

    async def stays(self, session_id: int) -> list[Stay]:
        """Return every stay in the session's voice channel, in order of arrival."""
        rows = await self.db.fetch_all(
            "SELECT user_id, joined_at, left_at FROM session_presence WHERE session_id = ? ORDER BY joined_at, id",
            (session_id,),
        )
        return [Stay(int(row[0]), from_text(row[1]), from_text_or_none(row[2])) for row in rows]

    async def leaders_of(self, session_id: int) -> dict[int, LeaderRole]:
        """Return who led and who co-led the session."""
        rows = await self.db.fetch_all(
            "SELECT user_id, role FROM session_leaders WHERE session_id = ? ORDER BY user_id", (session_id,)
        )
        return {int(row[0]): LeaderRole(row[1]) for row in rows}

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
    # by a moderator stays muted. The intent is written before Discord is asked and settled
    # after, so that a process stopped in between leaves a record to repair, never a silent mute.

    async def intend_mute(self, guild_id: int, user_id: int, session_id: int, at: datetime) -> bool:
        """Record that the bot is about to server-mute someone; True if no mute of ours was recorded before."""
        async with self.db.transaction() as tx:
            before = await tx.scalar(
                "SELECT count(*) FROM voice_mutes WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            await tx.execute(
                "INSERT INTO voice_mutes (guild_id, user_id, session_id, muted_at, pending) VALUES (?, ?, ?, ?, 'mute')"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET session_id = excluded.session_id, pending = 'mute'",
                (guild_id, user_id, session_id, to_text(at)),
            )
        return not before

    async def intend_unmute(self, guild_id: int, user_id: int) -> bool:
        """Record that the bot is about to lift its mute; False if it has none to lift."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE voice_mutes SET pending = 'unmute' WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
        return changed == 1

    async def mute_done(self, guild_id: int, user_id: int) -> None:
        """Settle a mute Discord confirmed, unless an unmute was asked for meanwhile."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE voice_mutes SET pending = NULL WHERE guild_id = ? AND user_id = ? AND pending = 'mute'",
                (guild_id, user_id),
            )

    async def mute_refused(self, guild_id: int, user_id: int, *, fresh: bool) -> None:
        """Settle a mute Discord refused (unless an unmute was asked meanwhile).

        `fresh`: no mute of ours was recorded before this one, so there is nothing to undo and
        the record goes. Otherwise an earlier mute of ours may still be on the member (a server
        mute outlives leaving voice), so the record stays, for an unmute when it is over.
        """
        async with self.db.transaction() as tx:
            if fresh:
                await tx.execute(
                    "DELETE FROM voice_mutes WHERE guild_id = ? AND user_id = ? AND pending = 'mute'",
                    (guild_id, user_id),
                )
            else:
                await tx.execute(
                    "UPDATE voice_mutes SET pending = NULL WHERE guild_id = ? AND user_id = ? AND pending = 'mute'",
                    (guild_id, user_id),
                )

    async def unmute_done(self, guild_id: int, user_id: int) -> None:
        """Forget a mute Discord confirmed lifted, unless a new mute was asked for meanwhile."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "DELETE FROM voice_mutes WHERE guild_id = ? AND user_id = ? AND pending = 'unmute'",
                (guild_id, user_id),
            )

    async def unmute_owed(self, guild_id: int, user_id: int) -> None:
        """Keep a mute to lift when the member next joins voice (they left before it could be)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE voice_mutes SET pending = NULL WHERE guild_id = ? AND user_id = ? AND pending = 'unmute'",
                (guild_id, user_id),
            )

    async def mute_of(self, guild_id: int, user_id: int) -> MuteRecord | None:
        """Return the bot's mute (made or being made) of this member, if any."""
        row = await self.db.fetch_one(
            "SELECT guild_id, user_id, session_id, pending FROM voice_mutes WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return None if row is None else MuteRecord(int(row["guild_id"]), int(row["user_id"]), row["session_id"],
                                                  row["pending"])

    async def has_mute(self, guild_id: int, user_id: int) -> bool:
        """Whether the bot server-muted this member (or may have) and has not undone it yet."""
        return await self.mute_of(guild_id, user_id) is not None

    async def forget_mute(self, guild_id: int, user_id: int) -> None:
        """Forget a mute there is nothing left to undo for (the member left the server)."""
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM voice_mutes WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))

    async def mutes(self, *, in_doubt_only: bool = False) -> list[MuteRecord]:
        """Return every mute of ours still in place or in doubt (`in_doubt_only`: only those whose call is pending)."""
        rows = await self.db.fetch_all(
            "SELECT guild_id, user_id, session_id, pending FROM voice_mutes"
            f"{' WHERE pending IS NOT NULL' if in_doubt_only else ''} ORDER BY muted_at"
        )
        return [MuteRecord(int(r["guild_id"]), int(r["user_id"]), r["session_id"], r["pending"]) for r in rows]

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
