"""What is stored of meetings: a series, each of its meetings, and the reminders owed for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.core.meetings.recurrence import Recurrence


@dataclass(frozen=True)
class Series:
    """A stored series: its rule, and how far it has been laid out as meetings."""

    id: int
    group_id: int
    uid: str
    recurrence: Recurrence
    planned_until: datetime
    replan_at: datetime | None
    next_start: datetime | None
    created_at: datetime
    cancelled_at: datetime | None


class MeetingStatus(Enum):
    """Whether a meeting still takes place."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Meeting:
    """One occurrence of a series, with its Discord event and its attendance bookkeeping."""

    id: int
    series_id: int
    group_id: int
    starts_at: datetime
    ends_at: datetime
    status: MeetingStatus
    event_id: int | None
    event_state: str
    opened_at: datetime | None
    closed_at: datetime | None

    @property
    def cancelled(self) -> bool:
        """Whether the meeting was cancelled."""
        return self.status is MeetingStatus.CANCELLED


@dataclass(frozen=True)
class Reminder:
    """One notice owed for a meeting: `offset_minutes` before its start (0: the start notice)."""

    id: int
    meeting_id: int
    offset_minutes: int
    due_at: datetime
    sent_at: datetime | None
    skipped_at: datetime | None
    channel_id: int | None
    message_id: int | None
