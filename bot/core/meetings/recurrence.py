"""Series across daylight-saving changes: the rule, its instants, and the checks before one is stored.

A series is kept as its RRULE, its wall-clock start and its IANA zone, and expanded with
`dateutil.rrule` in that zone: a 19:00 meeting stays at 19:00 local when the clocks change.
Instants leave this module in UTC. Local times that do not exist or happen twice at a
daylight-saving change are refused rather than guessed; past the first five years (which are
checked) such a time would follow RFC 5545 as calendar programs do: the offset before a gap,
the first of two.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

# python-dateutil ships no type information; only rrulestr is used, behind `Recurrence`.
from dateutil.rrule import rrulestr  # type: ignore[import-untyped]

from bot.core.errors import Refusal
from bot.core.meetings.parsing import WEEKDAY_NAMES, parse_day, parse_start
from bot.core.text import N_, Text
from bot.core.typed import shown

DURATION_MIN = 15
DURATION_MAX = 240
DURATION_DEFAULT = 90
COUNT_MAX = 52
# How far ahead a series may start or run: far enough for any group's planning, near enough
# that the zone's rules (and Python's datetime range) still mean something.
START_AHEAD_YEARS = 2
UNTIL_AHEAD_YEARS = 5
# Daylight-saving clashes are looked for this far into a series with no end.
CHECK_YEARS = 5

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ORDINALS = {1: N_("1st"), 2: N_("2nd"), 3: N_("3rd"), 4: N_("4th"), 5: N_("5th")}


class Repeat(Enum):
    """How a series repeats."""

    NONE = "none"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class LocalTime(Enum):
    """Whether a wall-clock time exists once, not at all, or twice in a zone."""

    OK = "ok"
    GAP = "gap"
    FOLD = "fold"


def local_time_kind(wall: datetime, zone: ZoneInfo) -> LocalTime:
    """Tell whether a naive wall-clock time exists once, never (spring forward) or twice (fall back)."""
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return LocalTime.OK
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return LocalTime.GAP if back != wall else LocalTime.FOLD


def to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """Return the instant of a wall-clock time (the offset before a gap, the first of two: RFC 5545)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _stamp(wall: datetime) -> str:
    return wall.strftime("%Y-%m-%d %H:%M")


def _dst_refusal(wall: datetime, zone: ZoneInfo, kind: LocalTime, *, in_series: bool) -> Refusal:
    where = Text("{stamp} in {zone}", stamp=_stamp(wall), zone=zone.key)
    if kind is LocalTime.GAP:
        later = to_utc(wall, zone).astimezone(zone).strftime("%H:%M")
        if in_series:
            return Refusal("The series would meet at {where}, but that time does not exist: the clocks go forward"
                           " that night; pick a time that exists, such as {later}, or another time of day.",
                           where=where, later=later)
        return Refusal("{where} does not exist: the clocks go forward that night; pick a time that exists, such"
                       " as {later}, or another day.", where=where, later=later)
    if in_series:
        return Refusal("The series would meet at {where}, but that time happens twice: the clocks go back that"
                       " night; pick a time outside that hour, such as 19:00, or another time of day.", where=where)
    return Refusal("{where} happens twice: the clocks go back that night; pick a time outside that hour, such as"
                   " 19:00, or another day.", where=where)


def check_local_time(wall: datetime, zone: ZoneInfo) -> None:
    """Refuse a wall-clock time that does not exist, or exists twice, in the zone."""
    kind = local_time_kind(wall, zone)
    if kind is not LocalTime.OK:
        raise _dst_refusal(wall, zone, kind, in_series=False)


def nth_weekday(day: date) -> int:
    """Return which occurrence of its weekday in the month a day is (1 to 5)."""
    return (day.day - 1) // 7 + 1


def build_rrule(repeat: Repeat, start: datetime, *, count: int | None = None,
                until: datetime | None = None) -> str | None:
    """Write the RRULE of a series (None for a single meeting); `until` is an aware instant."""
    if repeat is Repeat.NONE:
        return None
    code = WEEKDAY_CODES[start.weekday()]
    parts = {
        Repeat.WEEKLY: f"FREQ=WEEKLY;BYDAY={code}",
        Repeat.BIWEEKLY: f"FREQ=WEEKLY;INTERVAL=2;BYDAY={code}",
        Repeat.MONTHLY: f"FREQ=MONTHLY;BYDAY={nth_weekday(start.date())}{code}",
    }[repeat]
    if count is not None:
        parts += f";COUNT={count}"
    if until is not None:
        parts += ";UNTIL=" + until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return parts


@dataclass(frozen=True)
class Recurrence:
    """A series' rule in its zone: what is stored, and every instant it gives."""

    rule: str | None
    local_start: datetime
    timezone: str
    duration_minutes: int

    @property
    def zone(self) -> ZoneInfo:
        """Return the series' zone."""
        return ZoneInfo(self.timezone)

    @property
    def duration(self) -> timedelta:
        """Return how long each meeting lasts."""
        return timedelta(minutes=self.duration_minutes)

    def walls(self) -> Iterator[datetime]:
        """Yield the wall-clock (naive) starts, in order; endless for a series with no end."""
        # dateutil repeats the wall-clock time of an aware start in its zone: the DST-proof part.
        start = self.local_start.replace(tzinfo=self.zone)
        for instant in rrulestr(self.rule or "FREQ=DAILY;COUNT=1", dtstart=start):
            assert isinstance(instant, datetime)
            yield instant.replace(tzinfo=None)

    def starts(self) -> Iterator[datetime]:
        """Yield the starts in UTC, in order."""
        zone = self.zone
        for wall in self.walls():
            yield to_utc(wall, zone)

    def between(self, after: datetime, until: datetime) -> list[datetime]:
        """Return the UTC starts in (after, until]."""
        found: list[datetime] = []
        for start in self.starts():
            if start > until:
                break
            if start > after:
                found.append(start)
        return found

    def first_after(self, instant: datetime) -> datetime | None:
        """Return the first UTC start strictly after an instant, if any."""
        return next((start for start in self.starts() if start > instant), None)

    def last_until(self, instant: datetime) -> datetime | None:
        """Return the last UTC start at or before an instant, if any."""
        last = None
        for start in self.starts():
            if start > instant:
                break
            last = start
        return last

    @property
    def repeat(self) -> Repeat:
        """Return the kind of repetition, read back from the rule."""
        if self.rule is None:
            return Repeat.NONE
        if "FREQ=MONTHLY" in self.rule:
            return Repeat.MONTHLY
        return Repeat.BIWEEKLY if "INTERVAL=2" in self.rule else Repeat.WEEKLY

    def description(self) -> Text:
        """Say in words when the series meets, e.g. "every other Tuesday at 19:00 (Europe/Paris)"."""
        day = Text(WEEKDAY_NAMES[self.local_start.weekday()])
        at, zone = f"{self.local_start:%H:%M}", self.timezone
        if self.repeat is Repeat.NONE:
            return Text("once, {day} at {time} ({zone})", day=f"{self.local_start:%Y-%m-%d}", time=at, zone=zone)
        if self.repeat is Repeat.WEEKLY:
            return Text("every {weekday} at {time} ({zone})", weekday=day, time=at, zone=zone)
        if self.repeat is Repeat.BIWEEKLY:
            return Text("every other {weekday} at {time} ({zone})", weekday=day, time=at, zone=zone)
        ordinal = Text(_ORDINALS[nth_weekday(self.local_start.date())])
        return Text("on the {ordinal} {weekday} of each month at {time} ({zone})", ordinal=ordinal, weekday=day,
                    time=at, zone=zone)

    def describe(self) -> str:
        """Say it in English."""
        return str(self.description())


@dataclass(frozen=True)
class SeriesPlan:
    """A checked request to schedule, ready to store."""

    recurrence: Recurrence
    first_start: datetime
    count: int | None
    until: datetime | None


def _parse_repeat(text: str) -> Repeat:
    try:
        return Repeat(text.strip().casefold())
    except ValueError:
        raise Refusal("'{typed}' is not a repeat; choose none, weekly, biweekly or monthly.",
                      typed=shown(text)) from None


def plan_series(start: str, *, timezone: str, now: datetime, duration: int = DURATION_DEFAULT,
                repeat: str = "none", count: int | None = None, until: str | None = None) -> SeriesPlan:
    """Check everything a leader asked for, and return the series; refuse the first thing wrong."""
    zone = ZoneInfo(timezone)
    kind = _parse_repeat(repeat)
    if not DURATION_MIN <= duration <= DURATION_MAX:
        raise Refusal("A meeting lasts {least} to {most} minutes; {duration} is out of range.", least=DURATION_MIN,
                      most=DURATION_MAX, duration=duration)
    if count is not None and until is not None:
        raise Refusal("Give count or until, not both: pick the one that says when the series ends.")
    if kind is Repeat.NONE and (count is not None or until is not None):
        raise Refusal("count and until are for repeating meetings; choose a repeat, or leave them out.")
    if count is not None and not 1 <= count <= COUNT_MAX:
        raise Refusal("count must be 1 to {most} meetings; for a longer series use until, or no end.", most=COUNT_MAX)
    wall = parse_start(start, now, zone)
    if wall.year < now.year - 1:
        raise Refusal("{stamp} in {zone} has already passed; give a time still to come.", stamp=_stamp(wall),
                      zone=timezone)
    if wall.year > now.year + START_AHEAD_YEARS + 1 or to_utc(wall, zone) > now + timedelta(
            days=365 * START_AHEAD_YEARS):
        raise Refusal("A meeting can be scheduled at most {years} years ahead; pick an earlier day.",
                      years=START_AHEAD_YEARS)
    check_local_time(wall, zone)
    first = to_utc(wall, zone)
    if first <= now:
        raise Refusal("{stamp} in {zone} has already passed; give a time still to come.", stamp=_stamp(wall),
                      zone=timezone)
    if kind is Repeat.MONTHLY and nth_weekday(wall.date()) == 5:
        raise Refusal(
            "{day} is the 5th {weekday} of its month, which most months do not have; start on one of the first"
            " four (days 1-28), or repeat weekly.", day=f"{wall:%Y-%m-%d}", weekday=Text(WEEKDAY_NAMES[wall.weekday()]),
        )
    until_instant: datetime | None = None
    if until is not None:
        last_day = parse_day(until, "until")
        if last_day < wall.date():
            raise Refusal(
                "until ({last}) is before the first meeting ({first}); give a later day, or use count.",
                last=f"{last_day:%Y-%m-%d}", first=f"{wall:%Y-%m-%d}",
            )
        if last_day > wall.date() + timedelta(days=365 * UNTIL_AHEAD_YEARS):
            raise Refusal("until can be at most {years} years after the first meeting; leave it out for a series"
                          " with no end.", years=UNTIL_AHEAD_YEARS)
        # The last day counts whole: its end, in the group's zone, as an instant.
        until_instant = to_utc(datetime.combine(last_day, time(23, 59, 59)), zone)
    rule = build_rrule(kind, wall, count=count, until=until_instant)
    recurrence = Recurrence(rule, wall, timezone, duration)
    _check_series_times(recurrence, first)
    return SeriesPlan(recurrence, first, count, until_instant)


def _check_series_times(recurrence: Recurrence, first: datetime) -> None:
    zone = recurrence.zone
    horizon = first + timedelta(days=366 * CHECK_YEARS)
    for wall in recurrence.walls():
        if to_utc(wall, zone) > horizon:
            return
        kind = local_time_kind(wall, zone)
        if kind is not LocalTime.OK:
            raise _dst_refusal(wall, zone, kind, in_series=True)
