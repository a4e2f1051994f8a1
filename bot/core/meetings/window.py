"""What lies ahead: the meetings of a series laid out now and when to look again, and the coming ones listed."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from bot.core.meetings.models import Series
from bot.core.meetings.recurrence import Recurrence


@dataclass(frozen=True)
class Window:
    """Which starts of a series should exist as meetings now, and when to look again."""

    starts: tuple[datetime, ...]
    planned_until: datetime
    replan_at: datetime | None
    next_start: datetime | None


def window_ahead(offsets: Sequence[int], days: int) -> timedelta:
    """Return how far ahead meetings are laid out: the window, and always past the earliest reminder."""
    return max(timedelta(days=days), timedelta(minutes=max(offsets, default=0)) + timedelta(days=1))


def plan_window(recurrence: Recurrence, planned_until: datetime, now: datetime, ahead: timedelta) -> Window:
    """Return the starts in (planned_until, horizon]: the next `ahead` of time, and at least the next one.

    `replan_at` is the first instant at which that would no longer hold: a start entering the
    window, or the last planned one beginning while the one after is still beyond it.
    """
    upcoming = recurrence.first_after(now)
    target = now + ahead
    if upcoming is not None and upcoming > target:
        target = upcoming
    target = max(target, planned_until)
    starts = tuple(recurrence.between(planned_until, target))
    following = recurrence.first_after(target)
    replan_at = None
    if following is not None:
        replan_at = following - ahead
        latest = recurrence.last_until(target)
        if latest is not None and latest > now:
            replan_at = min(replan_at, latest)
        replan_at = max(replan_at, now + timedelta(seconds=1))
    return Window(starts, target, replan_at, upcoming)


def coming_meetings(series: Iterable[Series], cancelled: Mapping[int, Collection[datetime]], now: datetime,
                    limit: int) -> list[tuple[datetime, Series]]:
    """Return the soonest `limit` (start, series) of the live series, neither over nor among `cancelled[series id]`.

    Starts come from the rule, not only from the meetings laid out, and one under way is still coming.
    """
    found: list[tuple[datetime, Series]] = []
    for one in series:
        if one.cancelled_at is not None:
            continue
        skipped = cancelled.get(one.id, ())
        # At most `limit` from each: enough for the overall list, and an endless rule stops there.
        starts = (start for start in one.recurrence.starts()
                  if start + one.recurrence.duration > now and start not in skipped)
        found.extend((start, one) for start in islice(starts, limit))
    found.sort(key=lambda item: item[0])
    return found[:limit]
