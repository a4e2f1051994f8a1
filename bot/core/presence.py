"""Who was in a session's voice channel, and who led it: the facts the records and the debrief count from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum


class LeaderRole(Enum):
    """How a leader took part in a session: the one who started it leads, the group's other leaders co-lead."""

    LED = "led"
    COLED = "coled"


@dataclass(frozen=True, slots=True)
class Stay:
    """One stretch of time a user spent in the session's voice channel (open while `left_at` is None)."""

    user_id: int
    joined_at: datetime
    left_at: datetime | None = None


def leader_roles(started_by: int, leader_ids: Iterable[int]) -> dict[int, LeaderRole]:
    """Return each leader's role in a session that `started_by` started."""
    roles = {user_id: LeaderRole.COLED for user_id in leader_ids if user_id != started_by}
    roles[started_by] = LeaderRole.LED
    return roles


def time_in(stays: Iterable[Stay], user_id: int, start: datetime, end: datetime) -> timedelta:
    """Return how long the user was present between start and end, overlapping stays counted once."""
    spans = sorted(
        (max(stay.joined_at, start), min(stay.left_at or end, end))
        for stay in stays
        if stay.user_id == user_id
    )
    total = timedelta()
    reached = start
    for joined, left in spans:
        joined = max(joined, reached)
        if left > joined:
            total += left - joined
            reached = left
    return total


def present(stays: Iterable[Stay]) -> frozenset[int]:
    """Return everyone who was in the voice channel at some moment of the session."""
    return frozenset(stay.user_id for stay in stays)
