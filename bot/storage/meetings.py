"""SQL for meetings: series, occurrences, reminders, RSVPs and attendance."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.core.meetings.attendance import Presence
from bot.core.meetings.models import Meeting, MeetingStatus, Reminder, Series
from bot.core.meetings.recurrence import Recurrence, SeriesPlan
from bot.core.meetings.reminders import reminder_due
from bot.core.meetings.window import Window
from bot.core.notices import Notice
from bot.storage.db import Database, Transaction, claim_report
from bot.storage.instants import from_text, from_text_or_none, to_text, to_text_or_none
from bot.storage.outbox import claim_notices

_SERIES = (
    "s.id, s.group_id, s.uid, s.rrule, s.local_start, s.timezone, s.duration_minutes, s.planned_until,"
    " s.replan_at, s.next_start, s.created_at, s.cancelled_at"
)
_MEETING = (
    "m.id, m.series_id, s.group_id, m.starts_at, m.ends_at, m.status, m.event_id, m.event_state,"
    " m.opened_at, m.closed_at"
)
_REMINDER = (
    "r.id, r.meeting_id, r.offset_minutes, r.due_at, r.sent_at, r.skipped_at, r.channel_id, r.message_id"
)


def _series(row: aiosqlite.Row) -> Series:
    return Series(
        id=int(row["id"]),
        group_id=int(row["group_id"]),
        uid=str(row["uid"]),
        # local_start is a naive wall-clock time in the series' zone, not an instant: it is
        # what the rule repeats, so it is read as written and never converted to UTC.
        recurrence=Recurrence(row["rrule"], datetime.fromisoformat(row["local_start"]), str(row["timezone"]),
                              int(row["duration_minutes"])),
        planned_until=from_text(row["planned_until"]),
        replan_at=from_text_or_none(row["replan_at"]),
        next_start=from_text_or_none(row["next_start"]),
        created_at=from_text(row["created_at"]),
        cancelled_at=from_text_or_none(row["cancelled_at"]),
    )


def _meeting(row: aiosqlite.Row) -> Meeting:
    return Meeting(
        id=int(row["id"]),
        series_id=int(row["series_id"]),
        group_id=int(row["group_id"]),
        starts_at=from_text(row["starts_at"]),
        ends_at=from_text(row["ends_at"]),
        status=MeetingStatus(row["status"]),
        event_id=row["event_id"],
        event_state=str(row["event_state"]),
        opened_at=from_text_or_none(row["opened_at"]),
        closed_at=from_text_or_none(row["closed_at"]),
    )


def _reminder(row: aiosqlite.Row) -> Reminder:
    return Reminder(
        id=int(row["id"]),
        meeting_id=int(row["meeting_id"]),
        offset_minutes=int(row["offset_minutes"]),
        due_at=from_text(row["due_at"]),
        sent_at=from_text_or_none(row["sent_at"]),
        skipped_at=from_text_or_none(row["skipped_at"]),
        channel_id=row["channel_id"],
        message_id=row["message_id"],
    )


@dataclass(frozen=True)
class AttendanceData:
    """What the attendance file is made of, for one group."""

    meetings: list[Meeting]
    stays: dict[tuple[int, int], list[Presence]]
    rsvps: dict[tuple[int, int], str]


class SqliteMeetingStore:
    """Meetings on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ---------------------------------------------------------------- series

    async def create_series(self, *, group_id: int, uid: str, plan: SeriesPlan, window: Window,
                            offsets: Sequence[int], created_by: int, now: datetime) -> Series:
        """Store a series with its first meetings and their reminders, all in one transaction."""
        rec = plan.recurrence
        async with self.db.transaction() as tx:
            # Every instant goes through to_text; local_start is a wall-clock time, not an
            # instant (see _series), so it keeps its own naive ISO form.
            series_id = await tx.insert(
                "INSERT INTO meeting_series (group_id, uid, rrule, local_start, timezone, duration_minutes,"
                " planned_until, replan_at, next_start, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " ?, ?)",
                (group_id, uid, rec.rule, rec.local_start.isoformat(), rec.timezone, rec.duration_minutes,
                 to_text(window.planned_until), to_text_or_none(window.replan_at),
                 to_text_or_none(window.next_start), created_by, to_text(now)),
            )
            await self._lay_out(tx, series_id, rec, window.starts, offsets, now)
        created = await self.series(series_id)
        assert created is not None
        return created

    async def _lay_out(self, tx: Transaction, series_id: int, rec: Recurrence, starts: Iterable[datetime],
                       offsets: Sequence[int], owed_from: datetime) -> None:
        for start in starts:
            await tx.execute(
                "INSERT OR IGNORE INTO meetings (series_id, starts_at, ends_at) VALUES (?, ?, ?)",
                (series_id, to_text(start), to_text(start + rec.duration)),
            )
            meeting_id = await tx.scalar(
                "SELECT id FROM meetings WHERE series_id = ? AND starts_at = ?", (series_id, to_text(start))
            )
            for offset in sorted({*offsets, 0}):
                due = reminder_due(start, offset)
                # A reminder is owed only from the moment the series exists: a meeting set for
                # tonight gets no "24 hours before" at all rather than a late one.
                if due < owed_from:
                    continue
                await tx.execute(
                    "INSERT OR IGNORE INTO meeting_reminders (meeting_id, offset_minutes, due_at) VALUES (?, ?, ?)",
                    (meeting_id, offset, to_text(due)),
                )

    async def series(self, series_id: int) -> Series | None:
        """Read a series."""
        row = await self.db.fetch_one(f"SELECT {_SERIES} FROM meeting_series s WHERE s.id = ?", (series_id,))
        return None if row is None else _series(row)

    async def series_of_group(self, group_id: int) -> list[Series]:
        """Return every series of a group, oldest first."""
        rows = await self.db.fetch_all(
            f"SELECT {_SERIES} FROM meeting_series s WHERE s.group_id = ? ORDER BY s.id", (group_id,)
        )
        return [_series(row) for row in rows]

    async def series_to_plan(self, now: datetime) -> list[Series]:
        """Return the live series whose window must move on."""
        rows = await self.db.fetch_all(
            f"SELECT {_SERIES} FROM meeting_series s WHERE s.cancelled_at IS NULL AND s.replan_at IS NOT NULL"
            " AND s.replan_at <= ? ORDER BY s.id",
            (to_text(now),),
        )
        return [_series(row) for row in rows]

    async def apply_window(self, series: Series, window: Window, offsets: Sequence[int]) -> bool:
        """Lay out a series' next meetings, unless another process (or a cancel) moved it first."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE meeting_series SET planned_until = ?, replan_at = ?, next_start = ?"
                " WHERE id = ? AND planned_until = ? AND cancelled_at IS NULL",
                (to_text(window.planned_until), to_text_or_none(window.replan_at),
                 to_text_or_none(window.next_start), series.id, to_text(series.planned_until)),
            )
            if changed != 1:
                return False
            await self._lay_out(tx, series.id, series.recurrence, window.starts, offsets, series.created_at)
        return True

    async def refresh_next_start(self, series_id: int, now: datetime) -> None:
        """Point the series at its next meeting still to come (NULL once there is none laid out)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE meeting_series SET next_start = (SELECT min(starts_at) FROM meetings WHERE series_id = ?"
                " AND status = 'scheduled' AND starts_at > ?) WHERE id = ?",
                (series_id, to_text(now), series_id),
            )

    async def claim_report(self, series_id: int, what: str) -> bool:
        """Record that a problem was told to the leaders; False if it already was (tell once)."""
        return await claim_report(self.db, "meeting_series", series_id, what)

    # ---------------------------------------------------------------- meetings

    async def meeting(self, meeting_id: int) -> Meeting | None:
        """Read one meeting."""
        row = await self.db.fetch_one(
            f"SELECT {_MEETING} FROM meetings m JOIN meeting_series s ON s.id = m.series_id WHERE m.id = ?",
            (meeting_id,),
        )
        return None if row is None else _meeting(row)

    async def _meetings(self, where: str, params: Iterable[object]) -> list[Meeting]:
        rows = await self.db.fetch_all(
            f"SELECT {_MEETING} FROM meetings m JOIN meeting_series s ON s.id = m.series_id WHERE {where}"
            " ORDER BY m.starts_at, m.id",
            params,
        )
        return [_meeting(row) for row in rows]

    async def meetings_of_series(self, series_id: int) -> list[Meeting]:
        """Return every laid-out meeting of a series."""
        return await self._meetings("m.series_id = ?", (series_id,))

    async def coming_for_leader(self, guild_id: int, user_id: int, now: datetime) -> list[tuple[Meeting, str]]:
        """Return the coming meetings, with their group's name, of the groups a user leads in a server."""
        rows = await self.db.fetch_all(
            f"SELECT {_MEETING}, g.name AS group_name FROM meetings m JOIN meeting_series s ON s.id = m.series_id"
            " JOIN groups g ON g.id = s.group_id JOIN leaders l ON l.group_id = g.id AND l.user_id = ?"
            " WHERE g.guild_id = ? AND m.status = 'scheduled' AND m.starts_at > ? ORDER BY m.starts_at, m.id"
            " LIMIT 200",
            (user_id, guild_id, to_text(now)),
        )
        return [(_meeting(row), str(row["group_name"])) for row in rows]

    async def needing_events(self, now: datetime) -> list[Meeting]:
        """Return the meetings still to come that have no Discord event yet."""
        return await self._meetings(
            "m.status = 'scheduled' AND m.event_state = 'none' AND m.starts_at > ?", (to_text(now),)
        )

    async def claimed_events(self, now: datetime) -> list[Meeting]:
        """Return the meetings still to come whose event someone took up and did not settle."""
        return await self._meetings(
            "m.status = 'scheduled' AND m.event_state = 'claimed' AND m.starts_at > ?", (to_text(now),)
        )

    async def stale_events(self) -> list[Meeting]:
        """Return cancelled meetings whose Discord event is still there."""
        return await self._meetings("m.status = 'cancelled' AND m.event_state = 'created'", ())

    async def claim_event(self, meeting_id: int) -> bool:
        """Take the job of creating a meeting's event; False if someone else has it."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE meetings SET event_state = 'claimed' WHERE id = ? AND event_state = 'none'", (meeting_id,)
            )
        return changed == 1

    async def set_event(self, meeting_id: int, state: str, event_id: int | None = None) -> None:
        """Record what became of a meeting's event."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE meetings SET event_state = ?, event_id = coalesce(?, event_id) WHERE id = ?",
                (state, event_id, meeting_id),
            )

    async def cancel_meetings(self, meeting_ids: Sequence[int], now: datetime, *, series_id: int | None = None,
                              notice: Notice | None = None) -> list[int]:
        """Cancel meetings (and the series, if given) and drop their pending reminders; return those cancelled.

        The group's notice of it, if given, is claimed with the cancellation when anything was cancelled.
        """
        cancelled: list[int] = []
        series_cancelled = 0
        async with self.db.transaction() as tx:
            if series_id is not None:
                series_cancelled = await tx.execute(
                    "UPDATE meeting_series SET cancelled_at = ?, replan_at = NULL, next_start = NULL"
                    " WHERE id = ? AND cancelled_at IS NULL",
                    (to_text(now), series_id),
                )
            for meeting_id in meeting_ids:
                changed = await tx.execute(
                    "UPDATE meetings SET status = 'cancelled', closed_at = coalesce(closed_at, ?)"
                    " WHERE id = ? AND status = 'scheduled'",
                    (to_text(now), meeting_id),
                )
                if changed == 1:
                    cancelled.append(meeting_id)
                    await tx.execute(
                        "UPDATE meeting_reminders SET skipped_at = ? WHERE meeting_id = ? AND sent_at IS NULL"
                        " AND skipped_at IS NULL",
                        (to_text(now), meeting_id),
                    )
            if notice is not None and (series_cancelled or cancelled):
                await claim_notices(tx, [notice])
        return cancelled

    # ---------------------------------------------------------------- reminders

    async def due_reminders(self, now: datetime) -> list[Reminder]:
        """Return the reminders neither sent nor skipped whose time has come."""
        rows = await self.db.fetch_all(
            f"SELECT {_REMINDER} FROM meeting_reminders r WHERE r.sent_at IS NULL AND r.skipped_at IS NULL"
            " AND r.due_at <= ? ORDER BY r.due_at, r.id",
            (to_text(now),),
        )
        return [_reminder(row) for row in rows]

    async def reminder(self, reminder_id: int) -> Reminder | None:
        """Return one reminder, or None if it is gone (with its meeting)."""
        row = await self.db.fetch_one(f"SELECT {_REMINDER} FROM meeting_reminders r WHERE r.id = ?", (reminder_id,))
        return None if row is None else _reminder(row)

    async def claim_reminder(self, reminder_id: int, now: datetime, notice: Notice | None = None) -> bool:
        """Mark a reminder sent, with its notice in the outbox; True only for the one caller that changed it.

        The claimer sends it; if it stops first, the next process finds the notice in the outbox.
        """
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE meeting_reminders SET sent_at = ? WHERE id = ? AND sent_at IS NULL AND skipped_at IS NULL",
                (to_text(now), reminder_id),
            )
            if changed == 1 and notice is not None:
                await claim_notices(tx, [notice])
        return changed == 1

    async def skip_reminder(self, reminder_id: int, now: datetime) -> bool:
        """Mark a reminder as too late to send."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE meeting_reminders SET skipped_at = ? WHERE id = ? AND sent_at IS NULL AND skipped_at IS NULL",
                (to_text(now), reminder_id),
            )
        return changed == 1

    async def set_reminder_message(self, reminder_id: int, channel_id: int, message_id: int) -> None:
        """Remember where a reminder was posted, to update its RSVP counts."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE meeting_reminders SET channel_id = ?, message_id = ? WHERE id = ?",
                (channel_id, message_id, reminder_id),
            )

    async def reminders_of(self, meeting_id: int) -> list[Reminder]:
        """Return a meeting's reminders."""
        rows = await self.db.fetch_all(
            f"SELECT {_REMINDER} FROM meeting_reminders r WHERE r.meeting_id = ? ORDER BY r.due_at", (meeting_id,)
        )
        return [_reminder(row) for row in rows]

    async def next_due(self, now: datetime) -> datetime | None:
        """Return the next instant after now at which something about meetings is due."""
        row = await self.db.fetch_one(
            "SELECT min(t) AS t FROM ("
            " SELECT min(due_at) AS t FROM meeting_reminders WHERE sent_at IS NULL AND skipped_at IS NULL"
            "  AND due_at > ?1"
            " UNION ALL SELECT min(starts_at) FROM meetings WHERE status = 'scheduled' AND opened_at IS NULL"
            "  AND starts_at > ?1"
            " UNION ALL SELECT min(ends_at) FROM meetings WHERE closed_at IS NULL AND ends_at > ?1"
            " UNION ALL SELECT min(replan_at) FROM meeting_series WHERE cancelled_at IS NULL AND replan_at > ?1)",
            (to_text(now),),
        )
        return None if row is None or row["t"] is None else from_text(row["t"])

    # ---------------------------------------------------------------- RSVPs

    async def set_rsvp(self, meeting_id: int, user_id: int, choice: str, now: datetime) -> None:
        """Record (or change) someone's answer."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO meeting_rsvps (meeting_id, user_id, choice, answered_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (meeting_id, user_id) DO UPDATE SET choice = excluded.choice,"
                " answered_at = excluded.answered_at",
                (meeting_id, user_id, choice, to_text(now)),
            )

    async def answered_by(self, user_id: int, now: datetime, guild_id: int | None = None) -> list[int]:
        """Return the meetings not over yet (of one server, not begun) that someone answered.

        Their reminders' counts change when the answers go (forget-me; leaving the server, which
        takes the answers to the meetings still to come).
        """
        rows = await self.db.fetch_all(
            "SELECT DISTINCT r.meeting_id FROM meeting_rsvps r JOIN meetings m ON m.id = r.meeting_id"
            " JOIN meeting_series s ON s.id = m.series_id JOIN groups g ON g.id = s.group_id"
            " WHERE r.user_id = ?1 AND m.ends_at > ?2 AND (?3 IS NULL OR (g.guild_id = ?3 AND m.starts_at > ?2))"
            " ORDER BY r.meeting_id", (user_id, to_text(now), guild_id),
        )
        return [int(row[0]) for row in rows]

    async def rsvp_counts(self, meeting_id: int) -> dict[str, int]:
        """Count the answers of each kind, and the cases announced."""
        rows = await self.db.fetch_all(
            "SELECT choice, count(*) AS n FROM meeting_rsvps WHERE meeting_id = ? GROUP BY choice", (meeting_id,)
        )
        counts = {str(row["choice"]): int(row["n"]) for row in rows}
        marks = await self.db.fetch_one(
            "SELECT count(*) AS n FROM meeting_case_marks WHERE meeting_id = ?", (meeting_id,)
        )
        counts["case"] = int(marks["n"]) if marks else 0
        return counts

    async def set_case_mark(self, meeting_id: int, tag: bytes, present: bool) -> None:
        """Count (or stop counting) one announced case, known only by its seal."""
        async with self.db.transaction() as tx:
            if present:
                await tx.execute(
                    "INSERT OR IGNORE INTO meeting_case_marks (meeting_id, tag) VALUES (?, ?)", (meeting_id, tag)
                )
            else:
                await tx.execute(
                    "DELETE FROM meeting_case_marks WHERE meeting_id = ? AND tag = ?", (meeting_id, tag)
                )

    # ---------------------------------------------------------------- attendance

    async def to_open(self, now: datetime) -> list[Meeting]:
        """Return the meetings that have begun but whose attendance is not counted yet."""
        return await self._meetings(
            "m.status = 'scheduled' AND m.opened_at IS NULL AND m.starts_at <= ?", (to_text(now),)
        )

    async def claim_open(self, meeting_id: int, now: datetime) -> bool:
        """Take the job of starting a meeting's attendance."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE meetings SET opened_at = ? WHERE id = ? AND opened_at IS NULL", (to_text(now), meeting_id)
            )
        return changed == 1

    async def to_close(self, now: datetime) -> list[Meeting]:
        """Return the meetings past their end whose attendance is still open."""
        return await self._meetings("m.closed_at IS NULL AND m.ends_at <= ?", (to_text(now),))

    async def close_meeting(self, meeting_id: int, end: datetime) -> bool:
        """Close a meeting's attendance at its end (or its session's): whoever is still in voice leaves then."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE meetings SET closed_at = ? WHERE id = ? AND closed_at IS NULL", (to_text(end), meeting_id)
            )
            if changed != 1:
                return False
            await tx.execute(
                "UPDATE meeting_attendance SET left_at = ? WHERE meeting_id = ? AND left_at IS NULL",
                (to_text(end), meeting_id),
            )
        return True

    async def counting(self) -> list[Meeting]:
        """Return the meetings whose attendance is being counted."""
        return await self._meetings(
            "m.status = 'scheduled' AND m.opened_at IS NOT NULL AND m.closed_at IS NULL", ()
        )

    async def begun_not_closed(self, group_id: int, now: datetime) -> list[Meeting]:
        """Return the group's meetings that have begun and whose attendance is not closed, soonest first."""
        return await self._meetings(
            "s.group_id = ? AND m.status = 'scheduled' AND m.starts_at <= ? AND m.closed_at IS NULL",
            (group_id, to_text(now)),
        )

    async def arrive(self, meeting_id: int, user_ids: Iterable[int], at: datetime) -> None:
        """Start counting members in the voice channel (those already counted stay as they are)."""
        async with self.db.transaction() as tx:
            for user_id in user_ids:
                await tx.execute(
                    "INSERT OR IGNORE INTO meeting_attendance (meeting_id, user_id, joined_at) VALUES (?, ?, ?)",
                    (meeting_id, user_id, to_text(at)),
                )

    async def depart(self, meeting_id: int, user_ids: Iterable[int], at: datetime) -> None:
        """Stop counting members who left the voice channel."""
        async with self.db.transaction() as tx:
            for user_id in user_ids:
                await tx.execute(
                    "UPDATE meeting_attendance SET left_at = ? WHERE meeting_id = ? AND user_id = ?"
                    " AND left_at IS NULL",
                    (to_text(at), meeting_id, user_id),
                )

    async def present(self, meeting_id: int) -> list[int]:
        """Return who is being counted as in the voice channel now."""
        rows = await self.db.fetch_all(
            "SELECT user_id FROM meeting_attendance WHERE meeting_id = ? AND left_at IS NULL", (meeting_id,)
        )
        return [int(row["user_id"]) for row in rows]

    async def attendance(self, group_id: int, since: datetime, now: datetime) -> AttendanceData:
        """Return the group's meetings that have begun since an instant, with every stay and answer."""
        meetings = await self._meetings(
            "s.group_id = ? AND m.status = 'scheduled' AND m.starts_at >= ? AND m.starts_at <= ?",
            (group_id, to_text(since), to_text(now)),
        )
        stays: dict[tuple[int, int], list[Presence]] = {}
        rsvps: dict[tuple[int, int], str] = {}
        for meeting in meetings:
            for row in await self.db.fetch_all(
                "SELECT user_id, joined_at, left_at FROM meeting_attendance WHERE meeting_id = ? ORDER BY joined_at",
                (meeting.id,),
            ):
                stays.setdefault((meeting.id, int(row["user_id"])), []).append(
                    Presence(from_text(row["joined_at"]), from_text_or_none(row["left_at"]))
                )
            for row in await self.db.fetch_all(
                "SELECT user_id, choice FROM meeting_rsvps WHERE meeting_id = ?", (meeting.id,)
            ):
                rsvps[(meeting.id, int(row["user_id"]))] = str(row["choice"])
        return AttendanceData(meetings, stays, rsvps)

