"""Meetings: start-time parsing, recurrence across daylight-saving changes, reminders, attendance.

A series is kept as its RRULE, its wall-clock start and its IANA zone, and expanded with
`dateutil.rrule` in that zone: a 19:00 meeting stays at 19:00 local when the clocks change.
Instants leave this module in UTC. Local times that do not exist or happen twice at a
daylight-saving change are refused rather than guessed; past the first five years (which are
checked) such a time would follow RFC 5545 as calendar programs do: the offset before a gap,
the first of two.

Nothing here talks to Discord or the database, and the time always comes in as an argument.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

# python-dateutil ships no type information; only rrulestr is used, behind `Recurrence`.
from dateutil.rrule import rrulestr  # type: ignore[import-untyped]
from icalendar import Calendar, Event, vRecur

from bot.core.errors import Refusal

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
TEXT_MAX = 100

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th"}

_WEEKDAYS = {
    **{name.casefold(): index for index, name in enumerate(WEEKDAY_NAMES)},
    **{name: index for index, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    "tues": 1, "thur": 3, "thurs": 3,
    **{name: index for index, name in enumerate(
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"))},
}
_EXAMPLES = "write it like 2026-12-01 19:00, tomorrow 19:00 or next tuesday 19:00"

_DATE = r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
_TIME = (
    r"(?:(?P<h>\d{1,2}):(?P<mi>\d{2})\s*(?P<ampm>am|pm)?"
    r"|(?P<h2>\d{1,2})\s*(?P<ampm2>am|pm)"
    r"|(?P<h3>\d{1,2})h(?P<mi3>\d{2})?)"
)
_DAY_WORDS = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_RELATIVE = (
    rf"(?P<rel>today|tomorrow|aujourd'hui|demain"
    rf"|(?P<next>next\s+|this\s+)?(?P<wd>{_DAY_WORDS})(?P<prochain>\s+prochain)?)"
)
_START = re.compile(rf"(?:{_DATE}|{_RELATIVE})(?:\s*t\s*|\s*,?\s+(?:at\s+|à\s+)?){_TIME}")
_DAY_ONLY = re.compile(_DATE)


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


def _clean(text: str) -> str:
    normal = unicodedata.normalize("NFKC", text).replace("’", "'")
    return " ".join(normal.casefold().split())


def _shown(text: str) -> str:
    # Refusals repeat what was typed, shortened and without what could break the message.
    flat = "".join(ch for ch in " ".join(text.split()) if unicodedata.category(ch)[0] != "C")
    flat = flat.replace("`", "'")
    return flat if len(flat) <= 40 else flat[:39] + "…"


def _time_of_day(match: re.Match[str]) -> time:
    if match["h"] is not None:
        hour, minute, ampm = int(match["h"]), int(match["mi"]), match["ampm"]
    elif match["h2"] is not None:
        hour, minute, ampm = int(match["h2"]), 0, match["ampm2"]
    else:
        hour, minute, ampm = int(match["h3"]), int(match["mi3"] or 0), None
    if ampm is not None:
        if not 1 <= hour <= 12 or minute > 59:
            raise Refusal(f"{hour}:{minute:02d} {ampm} is not a time of day; use 1-12 with am or pm, or 0-23.")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise Refusal(f"{hour}:{minute:02d} is not a time of day; use hours 0-23 and minutes 0-59.")
    return time(hour, minute)


def _calendar_day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise Refusal(f"{year:04d}-{month:02d}-{day:02d} is not a day of the calendar; check the month and day.") \
            from None


def parse_start(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """Read a start typed by a leader as a wall-clock time in `zone` (naive), or refuse.

    "tuesday 19:00" is the soonest Tuesday at 19:00 still to come (today, if it is Tuesday and
    19:00 has not passed); "next tuesday 19:00" is the first Tuesday after today.
    """
    cleaned = _clean(text[: TEXT_MAX * 2])
    if not cleaned:
        raise Refusal(f"The start is empty; {_EXAMPLES}.")
    match = _START.fullmatch(cleaned) if len(cleaned) <= TEXT_MAX else None
    if match is None:
        raise Refusal(f"I cannot read '{_shown(text)}' as a day and time; {_EXAMPLES}.")
    at = _time_of_day(match)
    today = now.astimezone(zone).date()
    if match["y"] is not None:
        day = _calendar_day(int(match["y"]), int(match["mo"]), int(match["d"]))
    elif match["rel"] in ("today", "aujourd'hui"):
        day = today
    elif match["rel"] in ("tomorrow", "demain"):
        day = today + timedelta(days=1)
    else:
        ahead = (_WEEKDAYS[match["wd"]] - today.weekday()) % 7
        strictly_after = bool(match["next"] and match["next"].startswith("next")) or bool(match["prochain"])
        if ahead == 0 and (strictly_after or datetime.combine(today, at, zone) <= now):
            ahead = 7
        day = today + timedelta(days=ahead)
    return datetime.combine(day, at)


def parse_day(text: str, what: str) -> date:
    """Read a calendar day written as YYYY-MM-DD, or refuse naming the option."""
    cleaned = _clean(text[: TEXT_MAX * 2])
    match = _DAY_ONLY.fullmatch(cleaned)
    if match is None:
        raise Refusal(f"I cannot read '{_shown(text)}' as a day for {what}; write it like 2026-12-31.")
    return _calendar_day(int(match["y"]), int(match["mo"]), int(match["d"]))


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
    where = f"{_stamp(wall)} in {zone.key}"
    lead = f"The series would meet at {where}, but" if in_series else f"{where}"
    if kind is LocalTime.GAP:
        later = to_utc(wall, zone).astimezone(zone).strftime("%H:%M")
        return Refusal(
            f"{lead} {'that time ' if in_series else ''}does not exist: the clocks go forward that night;"
            f" pick a time that exists, such as {later}, or another {'time of day' if in_series else 'day'}."
        )
    return Refusal(
        f"{lead} {'that time ' if in_series else ''}happens twice: the clocks go back that night;"
        f" pick a time outside that hour, such as 19:00, or another {'time of day' if in_series else 'day'}."
    )


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

    def describe(self) -> str:
        """Say in words when the series meets, e.g. "every other Tuesday at 19:00 (Europe/Paris)"."""
        day = WEEKDAY_NAMES[self.local_start.weekday()]
        at = f"at {self.local_start:%H:%M} ({self.timezone})"
        return {
            Repeat.NONE: f"once, {self.local_start:%Y-%m-%d} {at}",
            Repeat.WEEKLY: f"every {day} {at}",
            Repeat.BIWEEKLY: f"every other {day} {at}",
            Repeat.MONTHLY: f"on the {_ORDINALS[nth_weekday(self.local_start.date())]} {day} of each month {at}",
        }[self.repeat]


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
        raise Refusal(f"'{_shown(text)}' is not a repeat; choose none, weekly, biweekly or monthly.") from None


def plan_series(start: str, *, timezone: str, now: datetime, duration: int = DURATION_DEFAULT,
                repeat: str = "none", count: int | None = None, until: str | None = None) -> SeriesPlan:
    """Check everything a leader asked for, and return the series; refuse the first thing wrong."""
    zone = ZoneInfo(timezone)
    kind = _parse_repeat(repeat)
    if not DURATION_MIN <= duration <= DURATION_MAX:
        raise Refusal(f"A meeting lasts {DURATION_MIN} to {DURATION_MAX} minutes; {duration} is out of range.")
    if count is not None and until is not None:
        raise Refusal("Give count or until, not both: pick the one that says when the series ends.")
    if kind is Repeat.NONE and (count is not None or until is not None):
        raise Refusal("count and until are for repeating meetings; choose a repeat, or leave them out.")
    if count is not None and not 1 <= count <= COUNT_MAX:
        raise Refusal(f"count must be 1 to {COUNT_MAX} meetings; for a longer series use until, or no end.")
    wall = parse_start(start, now, zone)
    if wall.year < now.year - 1:
        raise Refusal(f"{_stamp(wall)} in {timezone} has already passed; give a time still to come.")
    if wall.year > now.year + START_AHEAD_YEARS + 1 or to_utc(wall, zone) > now + timedelta(
            days=365 * START_AHEAD_YEARS):
        raise Refusal(f"A meeting can be scheduled at most {START_AHEAD_YEARS} years ahead; pick an earlier day.")
    check_local_time(wall, zone)
    first = to_utc(wall, zone)
    if first <= now:
        raise Refusal(f"{_stamp(wall)} in {timezone} has already passed; give a time still to come.")
    if kind is Repeat.MONTHLY and nth_weekday(wall.date()) == 5:
        raise Refusal(
            f"{wall:%Y-%m-%d} is the 5th {WEEKDAY_NAMES[wall.weekday()]} of its month, which most months do not"
            " have; start on one of the first four (days 1-28), or repeat weekly."
        )
    until_instant: datetime | None = None
    if until is not None:
        last_day = parse_day(until, "until")
        if last_day < wall.date():
            raise Refusal(
                f"until ({last_day:%Y-%m-%d}) is before the first meeting ({wall:%Y-%m-%d}); give a later day,"
                " or use count."
            )
        if last_day > wall.date() + timedelta(days=365 * UNTIL_AHEAD_YEARS):
            raise Refusal(f"until can be at most {UNTIL_AHEAD_YEARS} years after the first meeting; leave it out"
                          " for a series with no end.")
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


# ---------------------------------------------------------------- the coming window


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


# ---------------------------------------------------------------- reminders


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


# ---------------------------------------------------------------- attendance


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


@dataclass(frozen=True)
class AttendanceRow:
    """One member at one meeting."""

    start: datetime
    member: str
    minutes: int
    rsvp: str


RSVP_WORDS = {"going": "going", "cant": "can't come", "case": "has a case"}


def _cell(text: str) -> str:
    # A spreadsheet runs a cell that starts like a formula: names are people's to choose.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def attendance_csv(rows: Sequence[AttendanceRow], zone: ZoneInfo) -> str:
    """Write the attendance as CSV: one row per member and meeting, then a total per member."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "time", "member", "minutes", "rsvp"])
    totals: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: (r.start, r.member.casefold())):
        local = row.start.astimezone(zone)
        writer.writerow([f"{local:%Y-%m-%d}", f"{local:%H:%M}", _cell(row.member), row.minutes,
                         RSVP_WORDS.get(row.rsvp, "")])
        totals[row.member] = totals.get(row.member, 0) + row.minutes
    for member in sorted(totals, key=str.casefold):
        writer.writerow(["total", "", _cell(member), totals[member], ""])
    return out.getvalue()


# ---------------------------------------------------------------- calendar file


@dataclass(frozen=True)
class CalendarEntry:
    """A series for the .ics file, with the starts (UTC) of its meetings that were cancelled one by one."""

    series: Series
    cancelled: tuple[datetime, ...] = ()


def calendar_ics(group_name: str, entries: Sequence[CalendarEntry], now: datetime) -> bytes | None:
    """Write the series as an iCalendar file (RRULE, VTIMEZONE, a stable UID each); None if nothing is left."""
    calendar = Calendar()
    calendar.add("prodid", "-//balint-bot//meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{group_name} (Balint group)")
    first_day: date | None = None
    last_day: date | None = None
    for entry in entries:
        series = entry.series
        rec = series.recurrence
        zone = rec.zone
        rule = vRecur.from_ical(rec.rule) if rec.rule else None
        if series.cancelled_at is not None:
            # Cancelling a series keeps the meetings that had begun: the rule ends there.
            kept = rec.last_until(series.cancelled_at)
            if kept is None:
                continue
            if rule is not None:
                rule.pop("COUNT", None)
                rule["UNTIL"] = [kept.astimezone(UTC)]
        event = Event()
        event.add("uid", series.uid)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("summary", f"{group_name}: Balint group")
        event.add("description", "Balint group meeting on Discord, in the group's voice channel.")
        start = rec.local_start.replace(tzinfo=zone)
        event.add("dtstart", start)
        event.add("duration", rec.duration)
        if rule is not None:
            event.add("rrule", rule)
        skipped = sorted(entry.cancelled)
        if skipped and rule is not None:
            event.add("exdate", [instant.astimezone(zone) for instant in skipped])
        calendar.add_component(event)
        last = rec.last_until(now + timedelta(days=366 * UNTIL_AHEAD_YEARS)) or start
        first_day = min(first_day or start.date(), start.date())
        last_day = max(last_day or last.date(), last.date())
    if first_day is None or last_day is None:
        return None
    calendar.add_missing_timezones(first_date=first_day - timedelta(days=366),
                                   last_date=last_day + timedelta(days=366))
    data: bytes = calendar.to_ical()
    return data
