"""Meetings in the database: one transaction per schedule, reminders claimed once, the window, attendance."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.groups import GroupSettings, NewGroup
from bot.core.meetings.recurrence import plan_series
from bot.core.meetings.window import plan_window
from bot.storage import Database, SqliteGroupStore
from bot.storage.meetings import SqliteMeetingStore

NOW = datetime(2026, 1, 1, tzinfo=UTC)
AHEAD = timedelta(days=14)


async def _series(db: Database, start: str = "2026-01-02 19:00", **options: object) -> tuple[SqliteMeetingStore, int]:
    group = await SqliteGroupStore(db).insert_group(NewGroup(
        1, "Alpha", 10, 11, GroupSettings("Europe/Paris", "classic"), leader_id=100, created_at=NOW))
    store = SqliteMeetingStore(db)
    plan = plan_series(start, timezone="Europe/Paris", now=NOW, **options)  # type: ignore[arg-type]
    window = plan_window(plan.recurrence, plan.first_start - timedelta(microseconds=1), NOW, AHEAD)
    series = await store.create_series(group_id=group.id, uid="u@x", plan=plan, window=window, offsets=(1440, 15),
                                       created_by=100, now=NOW)
    return store, series.id


async def test_a_schedule_is_stored_whole(db: Database) -> None:
    """The series, its meetings in the window and their reminders; none owed before the series existed."""
    store, series_id = await _series(db, "2026-01-01 19:00", repeat="weekly")
    meetings = await store.meetings_of_series(series_id)
    assert [m.starts_at for m in meetings] == [datetime(2026, 1, d, 18, tzinfo=UTC) for d in (1, 8)]
    first = await store.reminders_of(meetings[0].id)
    assert [r.offset_minutes for r in first] == [15, 0], "the day-before reminder was due before the schedule"
    assert [r.offset_minutes for r in await store.reminders_of(meetings[1].id)] == [1440, 15, 0]


async def test_a_failed_schedule_leaves_nothing(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error after the series row is written rolls the whole schedule back."""
    store = SqliteMeetingStore(db)

    async def broken(*_: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "_lay_out", broken)
    group = await SqliteGroupStore(db).insert_group(NewGroup(
        1, "Alpha", 10, 11, GroupSettings("UTC", "classic"), leader_id=100, created_at=NOW))
    plan = plan_series("2026-01-02 19:00", timezone="UTC", now=NOW)
    window = plan_window(plan.recurrence, plan.first_start - timedelta(microseconds=1), NOW, AHEAD)
    with pytest.raises(sqlite3.OperationalError):
        await store.create_series(group_id=group.id, uid="u", plan=plan, window=window, offsets=(15,),
                                  created_by=100, now=NOW)
    assert await db.fetch_all("SELECT id FROM meeting_series") == []


async def test_a_reminder_is_claimed_once_even_by_racing_claimers(db: Database) -> None:
    """Of two claims at the same moment exactly one wins; a skipped reminder cannot be claimed."""
    store, series_id = await _series(db)
    (meeting,) = await store.meetings_of_series(series_id)
    day_before, quarter, start = await store.reminders_of(meeting.id)
    wins = await asyncio.gather(*(store.claim_reminder(day_before.id, NOW) for _ in range(5)))
    assert sorted(wins) == [False, False, False, False, True]
    assert await store.skip_reminder(quarter.id, NOW)
    assert not await store.claim_reminder(quarter.id, NOW)
    assert [r.id for r in await store.due_reminders(NOW + timedelta(days=2))] == [start.id]


async def test_cancelling_drops_pending_reminders_and_the_next_wake_up(db: Database) -> None:
    """A cancelled meeting owes nothing more."""
    store, series_id = await _series(db)
    (meeting,) = await store.meetings_of_series(series_id)
    assert await store.next_due(NOW) == datetime(2026, 1, 1, 18, tzinfo=UTC)
    assert await store.cancel_meetings([meeting.id], NOW, series_id=series_id) == [meeting.id]
    assert await store.cancel_meetings([meeting.id], NOW) == []
    assert await store.due_reminders(NOW + timedelta(days=2)) == []
    assert await store.next_due(NOW) is None


async def test_a_window_moved_by_someone_else_is_not_laid_out_twice(db: Database) -> None:
    """Two processes planning the same series: the second sees the first's planned_until and backs off."""
    store, series_id = await _series(db, repeat="weekly")
    series = await store.series(series_id)
    assert series is not None and series.replan_at is not None
    later = series.replan_at
    window = plan_window(series.recurrence, series.planned_until, later, AHEAD)
    assert await store.apply_window(series, window, (15,))
    assert not await store.apply_window(series, window, (15,))
    starts = [m.starts_at.day for m in await store.meetings_of_series(series_id)]
    assert starts == [2, 9, 16]


async def test_attendance_rows_open_once_and_close_at_the_end(db: Database) -> None:
    """Arriving twice keeps one open stay; closing ends every open stay at the end given."""
    store, series_id = await _series(db)
    (meeting,) = await store.meetings_of_series(series_id)
    start = meeting.starts_at
    await store.arrive(meeting.id, [1, 2], start)
    await store.arrive(meeting.id, [1], start + timedelta(minutes=5))
    await store.depart(meeting.id, [2], start + timedelta(minutes=10))
    assert await store.present(meeting.id) == [1]
    assert await store.close_meeting(meeting.id, meeting.ends_at)
    assert not await store.close_meeting(meeting.id, meeting.ends_at)
    rows = await db.fetch_all("SELECT user_id, left_at FROM meeting_attendance ORDER BY user_id")
    assert [(r["user_id"], r["left_at"]) for r in rows] == [
        (1, "2026-01-02T19:30:00.000000+00:00"), (2, "2026-01-02T18:10:00.000000+00:00")]
