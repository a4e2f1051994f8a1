"""When a reminder is due, and whether to send it, wait, or skip it."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum


class ReminderAction(Enum):
    """What to do about one reminder now."""

    WAIT = "wait"
    SEND = "send"
    SKIP = "skip"


def reminder_due(start: datetime, offset_minutes: int) -> datetime:
    """Return when a reminder `offset_minutes` before a start is due (0 is the start notice)."""
    return start - timedelta(minutes=offset_minutes)


def reminder_action(*, due: datetime, start: datetime, end: datetime, offset_minutes: int,
                    now: datetime, grace: timedelta) -> ReminderAction:
    """Decide about a reminder: not yet, send it (late by less than the grace), or skip it."""
    if now < due:
        return ReminderAction.WAIT
    if now - due >= grace and now != due:
        return ReminderAction.SKIP
    # A reminder that would arrive after the start (or a start notice after the end) is noise.
    if offset_minutes > 0 and now >= start:
        return ReminderAction.SKIP
    if now >= end:
        return ReminderAction.SKIP
    return ReminderAction.SEND
