"""Stored instants: one text form for every table, and the migration that brings old rows to it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.storage import Database
from bot.storage.instants import from_text, from_text_or_none, to_text, to_text_or_none
from bot.storage.meetings import SqliteMeetingStore
from bot.storage.migrations import MIGRATIONS
from bot.storage.sessions import SqliteSessionStore

# Fixed offsets from -23:59 to +23:59: what an aware datetime can carry, with no DST fold or gap.
OFFSETS = st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-23, minutes=-59),
                                            max_value=timedelta(hours=23, minutes=59)))
INSTANTS = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=OFFSETS)


@given(INSTANTS)
def test_reading_back_gives_the_same_instant(instant: datetime) -> None:
    """from_text(to_text(x)) == x, for any offset and any microsecond."""
    text = to_text(instant)
    assert from_text(text) == instant
    assert from_text(text).tzinfo is UTC


@given(INSTANTS, INSTANTS)
def test_text_order_is_instant_order(first: datetime, second: datetime) -> None:
    """Comparing the texts (as SQL does) says what comparing the instants says."""
    a, b = to_text(first), to_text(second)
    assert (a < b) == (first < second)
    assert (a == b) == (first == second)


def test_the_stored_form_is_utc_with_microseconds() -> None:
    """A whole second still gets six fraction digits, and any offset becomes +00:00."""
    expected = "2026-12-01T19:00:00.000000+00:00"
    assert to_text(datetime(2026, 12, 1, 19, tzinfo=UTC)) == expected
    assert to_text(datetime(2026, 12, 1, 20, tzinfo=timezone(timedelta(hours=1)))) == expected
    assert to_text(datetime(2026, 12, 1, 19, 0, 0, 250, tzinfo=UTC)) == "2026-12-01T19:00:00.000250+00:00"


def test_naive_values_are_refused() -> None:
    """A naive datetime or offset-less text is not an instant."""
    with pytest.raises(ValueError, match="naive"):
        to_text(datetime(2026, 12, 1, 19))
    with pytest.raises(ValueError, match="no offset"):
        from_text("2026-12-01T19:00:00.000000")


def test_none_stays_none() -> None:
    """The optional variants let NULL through both ways."""
    assert to_text_or_none(None) is None and from_text_or_none(None) is None
    moment = datetime(2026, 12, 1, 19, tzinfo=UTC)
    assert from_text_or_none(to_text_or_none(moment)) == moment


# ---------------------------------------------------------------- migration 4

BASE = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
# Every instant column of schema version 3, each with its own whole-second instant.
INSTANT_COLUMNS = (
    ("groups", "created_at"), ("leaders", "added_at"), ("members", "agreed_at"),
    ("sessions", "deadline"), ("sessions", "started_at"), ("sessions", "ended_at"),
    ("voice_mutes", "muted_at"),
    ("meeting_series", "planned_until"), ("meeting_series", "replan_at"), ("meeting_series", "next_start"),
    ("meeting_series", "created_at"), ("meeting_series", "cancelled_at"),
    ("meetings", "starts_at"), ("meetings", "ends_at"), ("meetings", "opened_at"), ("meetings", "closed_at"),
    ("meeting_reminders", "due_at"), ("meeting_reminders", "sent_at"), ("meeting_reminders", "skipped_at"),
    ("meeting_rsvps", "answered_at"),
    ("meeting_attendance", "joined_at"), ("meeting_attendance", "left_at"),
)
WHEN = {column: BASE + timedelta(minutes=n) for n, column in enumerate(INSTANT_COLUMNS)}
# The other text columns of version 3: none of them holds an instant (local_start is a naive
# wall-clock time in the series' zone).
NOT_INSTANTS = {
    ("groups", "name"), ("groups", "name_key"), ("groups", "timezone"), ("groups", "template"),
    ("groups", "pushback"), ("cases", "title"), ("cases", "story"), ("cases", "state"),
    ("sessions", "template"), ("sessions", "phases"), ("sessions", "title"), ("sessions", "status"),
    ("sessions", "reported"), ("feedback", "comment"),
    ("meeting_series", "uid"), ("meeting_series", "rrule"), ("meeting_series", "local_start"),
    ("meeting_series", "timezone"), ("meeting_series", "reported"),
    ("meetings", "status"), ("meetings", "event_state"), ("meeting_rsvps", "choice"),
}
LOCAL_START = "2026-12-01T19:00:00"
# Already in the stored form before migration 4 (a datetime with microseconds): left alone.
WITH_FRACTION = "2026-12-01T18:00:00.250000+00:00"


def _old(table: str, column: str) -> str:
    """The text the bot wrote before migration 4: `.isoformat()`, with no fraction on a whole second."""
    text = WHEN[(table, column)].isoformat()
    assert "." not in text
    return text


def _version_3(path: Path) -> None:
    """Build a database at schema version 3 holding every instant column in the old form."""
    o = _old
    with sqlite3.connect(path) as conn:
        for script in MIGRATIONS[:3]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 3")
        conn.execute(
            "INSERT INTO groups (id, guild_id, name, name_key, text_channel_id, voice_channel_id, timezone,"
            " template, created_at) VALUES (1, 9, 'Alpha', 'alpha', 10, 11, 'Europe/Paris', 'classic', ?)",
            (o("groups", "created_at"),))
        conn.execute("INSERT INTO leaders (group_id, user_id, added_at) VALUES (1, 100, ?), (1, 101, ?)",
                     (o("leaders", "added_at"), WITH_FRACTION))
        conn.execute("INSERT INTO members (group_id, user_id, agreed_at) VALUES (1, 200, ?)",
                     (o("members", "agreed_at"),))
        conn.execute(
            "INSERT INTO sessions (id, group_id, template, phases, status, phase_index, deadline, started_at)"
            " VALUES (1, 1, 'classic', '[]', 'running', 0, ?, ?)",
            (o("sessions", "deadline"), o("sessions", "started_at")))
        conn.execute(
            "INSERT INTO sessions (id, group_id, template, phases, status, phase_index, started_at, ended_at)"
            " VALUES (2, 1, 'classic', '[]', 'ended', 0, ?, ?)",
            (o("sessions", "started_at"), o("sessions", "ended_at")))
        conn.execute("INSERT INTO voice_mutes (guild_id, user_id, session_id, muted_at) VALUES (9, 200, 1, ?)",
                     (o("voice_mutes", "muted_at"),))
        conn.execute(
            "INSERT INTO meeting_series (id, group_id, uid, local_start, timezone, duration_minutes, planned_until,"
            " replan_at, next_start, created_by, created_at, cancelled_at)"
            " VALUES (1, 1, 'u@x', ?, 'Europe/Paris', 90, ?, ?, ?, 100, ?, ?)",
            (LOCAL_START, *(o("meeting_series", c) for c in
                            ("planned_until", "replan_at", "next_start", "created_at", "cancelled_at"))))
        conn.execute(
            "INSERT INTO meetings (id, series_id, starts_at, ends_at, opened_at, closed_at) VALUES (1, 1, ?, ?, ?, ?)",
            tuple(o("meetings", c) for c in ("starts_at", "ends_at", "opened_at", "closed_at")))
        conn.execute(
            "INSERT INTO meeting_reminders (meeting_id, offset_minutes, due_at, sent_at, skipped_at)"
            " VALUES (1, 0, ?1, ?2, NULL), (1, 15, ?1, NULL, ?3)",
            tuple(o("meeting_reminders", c) for c in ("due_at", "sent_at", "skipped_at")))
        conn.execute("INSERT INTO meeting_rsvps (meeting_id, user_id, choice, answered_at) VALUES (1, 200, 'going', ?)",
                     (o("meeting_rsvps", "answered_at"),))
        conn.execute("INSERT INTO meeting_attendance (meeting_id, user_id, joined_at, left_at) VALUES (1, 200, ?, ?)",
                     (o("meeting_attendance", "joined_at"), o("meeting_attendance", "left_at")))
    conn.close()


def test_the_list_holds_every_instant_column_of_version_3(tmp_path: Path) -> None:
    """Every text column of version 3 is either in INSTANT_COLUMNS or known not to be an instant."""
    path = tmp_path / "v3.db"
    _version_3(path)
    with sqlite3.connect(path) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        text_columns = {(table, row[1]) for table in tables
                        for row in conn.execute(f"PRAGMA table_info({table})") if row[2] == "TEXT"}
    conn.close()
    assert text_columns == set(INSTANT_COLUMNS) | NOT_INSTANTS


async def test_opening_an_old_database_rewrites_every_instant_to_the_stored_form(tmp_path: Path) -> None:
    """Migration 4 gives every old instant six fraction digits; each reads back as the same instant."""
    path = tmp_path / "v3.db"
    _version_3(path)
    db = await Database.open(path)
    try:
        assert await db.pragma("user_version") == len(MIGRATIONS) >= 4
        for table, column in INSTANT_COLUMNS:
            values = [row[0] for row in await db.fetch_all(
                f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL AND {column} != ?", (WITH_FRACTION,))]
            assert values, (table, column)
            expected = WHEN[(table, column)]
            assert values == [to_text(expected)] * len(values), (table, column)
            assert all(from_text(value) == expected for value in values), (table, column)
        kept = await db.fetch_one("SELECT added_at FROM leaders WHERE user_id = 101")
        assert kept is not None and kept["added_at"] == WITH_FRACTION
        local = await db.fetch_one("SELECT local_start FROM meeting_series")
        assert local is not None and local["local_start"] == LOCAL_START

        sessions = SqliteSessionStore(db)
        running = await sessions.get(1)
        assert running is not None
        assert running.state.deadline == WHEN[("sessions", "deadline")]
        assert running.started_at == WHEN[("sessions", "started_at")]
        meetings = SqliteMeetingStore(db)
        series = await meetings.series(1)
        assert series is not None
        assert (series.planned_until, series.replan_at, series.next_start, series.created_at,
                series.cancelled_at) == tuple(WHEN[("meeting_series", c)] for c in
                                              ("planned_until", "replan_at", "next_start", "created_at",
                                               "cancelled_at"))
        assert series.recurrence.local_start == datetime(2026, 12, 1, 19)
        meeting = await meetings.meeting(1)
        assert meeting is not None
        assert (meeting.starts_at, meeting.ends_at, meeting.opened_at, meeting.closed_at) == tuple(
            WHEN[("meetings", c)] for c in ("starts_at", "ends_at", "opened_at", "closed_at"))
        # Compared as text in SQL: a session that began exactly at an instant did not begin before
        # it, which the old "...:00+00:00" text (sorting before "...:00.000000+00:00") got wrong.
        started = WHEN[("sessions", "started_at")]
        assert not await sessions.live_session_since(1, started)
        assert await sessions.live_session_since(1, started + timedelta(microseconds=1))
        assert await sessions.overrun_end(1, started + timedelta(seconds=30)) == WHEN[("sessions", "ended_at")]
    finally:
        await db.close()
