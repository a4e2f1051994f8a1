"""Attendance: from when and until when a meeting counts, and the time each member spent in voice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from bot.core.errors import Refusal
from bot.core.meetings.models import Meeting
from bot.core.meetings.parsing import parse_day
from bot.core.meetings.recurrence import to_utc

# Where an attendance with no `since` begins: before any meeting there can be.
EVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Presence:
    """One stay in the voice channel; `left` is None while still there."""

    joined: datetime
    left: datetime | None


def seconds_present(stays: Iterable[Presence], start: datetime, end: datetime) -> float:
    """Add up the time inside [start, end] covered by the stays, counting overlaps once."""
    spans = sorted(
        (max(stay.joined, start), min(stay.left or end, end)) for stay in stays
    )
    total = 0.0
    current_start: datetime | None = None
    current_end: datetime | None = None
    for begin, finish in spans:
        if finish <= begin:
            continue
        if current_end is None or begin > current_end:
            if current_start is not None and current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = begin, finish
        else:
            current_end = max(current_end, finish)
    if current_start is not None and current_end is not None:
        total += (current_end - current_start).total_seconds()
    return total


def whole_minutes(seconds: float) -> int:
    """Round seconds to the nearest minute, halves up."""
    return int((seconds + 30) // 60)


def attendance_since(since: str | None, now: datetime, zone: ZoneInfo) -> datetime:
    """Return the instant an attendance begins: local midnight of the `since` day in the zone, or refuse."""
    if since is None:
        return EVER
    day = parse_day(since, "since")
    if day > now.astimezone(zone).date():
        raise Refusal("since ({day}) is in the future; give a day that has passed, or leave it out.",
                      day=f"{day:%Y-%m-%d}")
    # No meeting is older than 1970; the floor keeps a day like 0001-01-01 within what datetime can convert.
    return to_utc(datetime.combine(max(day, EVER.date()), time()), zone)


def still_counting(meeting: Meeting, now: datetime, *, live_session: bool) -> bool:
    """Whether a meeting's attendance runs on now; `live_session`: a session begun before its end still runs."""
    return meeting.closed_at is None and (now < meeting.ends_at or live_session)


def attendance_end(meeting: Meeting, now: datetime, *, live_session: bool,
                   overrun_end: datetime | None) -> datetime | None:
    """Return when a meeting's attendance ends (None while it runs), given the group's sessions at its end.

    `live_session`: a session of the group begun before the end still runs; `overrun_end`: when
    the last one that was running at the end stopped, if it ran past it.
    """
    if meeting.closed_at is not None:
        return meeting.closed_at
    if still_counting(meeting, now, live_session=live_session):
        return None
    # A session that ran over kept the group together until it stopped; the count never runs ahead of now.
    return min(now, max(meeting.ends_at, overrun_end or meeting.ends_at))
