"""The files given to members: the attendance CSV and the calendar (.ics) of a group's meetings.

Their words (the CSV's headers, answers and totals; the calendar's name, titles and description)
are msgids, written in the language of the `render` given: the reader's
`bot.i18n.translator(lang).render`, or English by default. Dates, times and minutes stay in
the forms spreadsheets and calendar programs read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

from bot.core.meetings.models import Series
from bot.core.meetings.recurrence import UNTIL_AHEAD_YEARS
from bot.core.record_files import SUMMARY_HEADERS, cell, summary_cells
from bot.core.records import GroupRecord
from bot.core.text import Render, Text


@dataclass(frozen=True)
class AttendanceRow:
    """One member at one meeting."""

    start: datetime
    member: str
    minutes: int
    rsvp: str


# Translators: the attendance CSV's column headers, this one and the next four: a meeting's day, its time of
# day (19:00), a member's name, their minutes in the voice channel, and their answer to the meeting.
HEADERS = (Text("date"), Text("time"), Text("member"), Text("minutes"), Text("rsvp"))
# Translators: a member's answer to a meeting, in the attendance CSV's rsvp column (this one and the next two).
RSVP_WORDS = {"going": Text("going"), "cant": Text("can't come"), "case": Text("has a case")}
# Translators: the first cell of a member's total row in the attendance CSV.
TOTAL = Text("total")


def member_labels(names: Mapping[int, str]) -> dict[int, str]:
    """Name each member in the attendance file once: a display name two people share gets each one's id beside it.

    Display names are not unique on Discord; without this, two members' minutes and records would
    add up on one row.
    """
    seen: dict[str, int] = {}
    for name in names.values():
        seen[name.casefold()] = seen.get(name.casefold(), 0) + 1
    return {user: f"{name} ({user})" if seen[name.casefold()] > 1 else name for user, name in names.items()}


def attendance_csv(rows: Sequence[AttendanceRow], zone: ZoneInfo, render: Render = str,
                   records: Mapping[str, GroupRecord] | None = None) -> str:
    """Write the attendance as CSV in `render`'s language: one row per member and meeting, then a total per member.

    With `records` (each member's record of the group's sessions, as its leaders see it), the
    total rows carry that record beside the minutes, in columns of their own.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    extra = [render(header) for header in SUMMARY_HEADERS] if records is not None else []
    blank = [""] * len(extra)
    writer.writerow([*(render(header) for header in HEADERS), *extra])
    totals: dict[str, int] = {member: 0 for member in records or {}}
    for row in sorted(rows, key=lambda r: (r.start, r.member.casefold())):
        local = row.start.astimezone(zone)
        writer.writerow([f"{local:%Y-%m-%d}", f"{local:%H:%M}", cell(row.member), row.minutes,
                         render(RSVP_WORDS[row.rsvp]) if row.rsvp in RSVP_WORDS else "", *blank])
        totals[row.member] = totals.get(row.member, 0) + row.minutes
    for member in sorted(totals, key=str.casefold):
        record = (records or {}).get(member)
        summary = summary_cells(record) if record is not None else blank
        writer.writerow([render(TOTAL), "", cell(member), totals[member], "", *summary])
    return out.getvalue()


@dataclass(frozen=True)
class CalendarEntry:
    """A series for the .ics file, with the starts (UTC) of its meetings that were cancelled one by one."""

    series: Series
    cancelled: tuple[datetime, ...] = ()


def calendar_ics(group_name: str, entries: Sequence[CalendarEntry], now: datetime,
                 render: Render = str) -> bytes | None:
    """Write the series as an iCalendar file in `render`'s language; None if nothing is left.

    Each series is one event (RRULE, VTIMEZONE, a stable UID); only its name, title and description are words.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//balint-bot//meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # Translators: the calendar's name in a calendar program, then each meeting's title and description.
    calendar.add("x-wr-calname", render(Text("{group} (Balint group)", group=group_name)))
    summary = render(Text("{group}: Balint group", group=group_name))
    description = render(Text("Balint group meeting on Discord, in the group's voice channel."))
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
        event.add("summary", summary)
        event.add("description", description)
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
