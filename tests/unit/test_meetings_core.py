"""The meetings core: parsing, rules, daylight saving, the window, reminders, attendance, the calendar file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import Refusal
from bot.core.meetings.attendance import (
    Presence,
    attendance_end,
    attendance_since,
    seconds_present,
    still_counting,
    whole_minutes,
)
from bot.core.meetings.exports import AttendanceRow, CalendarEntry, attendance_csv, calendar_ics, member_labels
from bot.core.meetings.models import Meeting, MeetingStatus, Series
from bot.core.meetings.parsing import parse_day, parse_start
from bot.core.meetings.recurrence import LocalTime, Recurrence, local_time_kind, plan_series
from bot.core.meetings.reminders import ReminderAction, reminder_action
from bot.core.meetings.window import coming_meetings, plan_window, window_ahead
from bot.core.text import Lang
from bot.i18n import translator

NOW = datetime(2026, 1, 1, tzinfo=UTC)  # a Thursday; 01:00 in Paris


def _take(items: Iterator[datetime], limit: int) -> list[datetime]:
    return list(islice(items, limit))
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("text", "wall"), [
    ("2026-12-01 19:00", datetime(2026, 12, 1, 19)),
    ("2026-12-01T19:00", datetime(2026, 12, 1, 19)),
    ("  2026-12-01   at 7:30 pm ", datetime(2026, 12, 1, 19, 30)),
    ("tomorrow 19:00", datetime(2026, 1, 2, 19)),
    ("Tomorrow at 8am", datetime(2026, 1, 2, 8)),
    ("today 23:15", datetime(2026, 1, 1, 23, 15)),
    ("tuesday 19:00", datetime(2026, 1, 6, 19)),
    ("next tuesday 19:00", datetime(2026, 1, 6, 19)),
    ("thursday 19:00", datetime(2026, 1, 1, 19)),  # today, still to come
    ("thursday 00:30", datetime(2026, 1, 8, 0, 30)),  # today's has passed: next week
    ("next thursday 19:00", datetime(2026, 1, 8, 19)),  # never today
    ("thu 12pm", datetime(2026, 1, 1, 12)),
    ("friday 12am", datetime(2026, 1, 2, 0)),
    ("demain 19h", datetime(2026, 1, 2, 19)),
    ("mardi prochain 19h30", datetime(2026, 1, 6, 19, 30)),
    ("dimanche à 9h05", datetime(2026, 1, 4, 9, 5)),
])
def test_start_forms(text: str, wall: datetime) -> None:
    """Dates, relative days and weekdays in English and French, with 24-hour, am/pm or 19h times."""
    assert parse_start(text, NOW, PARIS) == wall


@pytest.mark.parametrize(("text", "begins"), [
    ("", "The start is empty"),
    ("soon", "I cannot read 'soon' as a day and time"),
    ("19:00", "I cannot read '19:00'"),
    ("tomorrow 7", "I cannot read 'tomorrow 7'"),
    ("tomorrow 13pm", "13:00 pm is not a time of day"),
    ("tomorrow 19:60", "19:60 is not a time of day"),
    ("2026-02-29 10:00", "2026-02-29 is not a day of the calendar"),
    ("x" * 500, "I cannot read 'xxxxxxxx"),
])
def test_unreadable_starts(text: str, begins: str) -> None:
    """What cannot be read is refused with the forms that can."""
    with pytest.raises(Refusal) as refusal:
        parse_start(text, NOW, PARIS)
    assert str(refusal.value).startswith(begins)
    assert len(str(refusal.value)) < 200


def test_a_day() -> None:
    """until and since are plain days."""
    assert parse_day(" 2026-12-31 ", "until") == date(2026, 12, 31)
    with pytest.raises(Refusal, match="for since; write it like 2026-12-31"):
        parse_day("31/12/2026", "since")


@pytest.mark.parametrize(("zone", "wall", "kind"), [
    ("Europe/Paris", datetime(2026, 3, 29, 2, 30), LocalTime.GAP),
    ("Europe/Paris", datetime(2026, 10, 25, 2, 30), LocalTime.FOLD),
    ("Europe/Paris", datetime(2026, 10, 25, 3, 30), LocalTime.OK),
    ("America/Toronto", datetime(2026, 3, 8, 2, 15), LocalTime.GAP),
    ("America/Toronto", datetime(2026, 11, 1, 1, 45), LocalTime.FOLD),
    ("Australia/Sydney", datetime(2026, 10, 4, 2, 0), LocalTime.GAP),
    ("Australia/Sydney", datetime(2026, 4, 5, 2, 59), LocalTime.FOLD),
    ("Australia/Sydney", datetime(2026, 4, 5, 19, 0), LocalTime.OK),
])
def test_local_times_at_the_changes(zone: str, wall: datetime, kind: LocalTime) -> None:
    """Times in a spring gap do not exist; in the autumn hour they happen twice."""
    assert local_time_kind(wall, ZoneInfo(zone)) is kind


@pytest.mark.parametrize(("repeat", "start", "rule"), [
    ("none", "2026-03-10 19:00", None),
    ("weekly", "2026-03-10 19:00", "FREQ=WEEKLY;BYDAY=TU"),
    ("biweekly", "2026-03-10 19:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
    ("monthly", "2026-03-10 19:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("monthly", "2026-03-26 19:00", "FREQ=MONTHLY;BYDAY=4TH"),
])
def test_rules(repeat: str, start: str, rule: str | None) -> None:
    """Every other week and the nth weekday of the month are different rules."""
    plan = plan_series(start, timezone="Europe/Paris", now=NOW, repeat=repeat)
    assert plan.recurrence.rule == rule


def test_count_and_until_end_a_series() -> None:
    """COUNT as given; UNTIL is the end of the last day in the group's zone, written in UTC."""
    counted = plan_series("2026-03-10 19:00", timezone="Europe/Paris", now=NOW, repeat="weekly", count=3)
    assert counted.recurrence.rule == "FREQ=WEEKLY;BYDAY=TU;COUNT=3"
    assert len(_take(counted.recurrence.starts(), 10)) == 3
    until = plan_series("2026-03-10 19:00", timezone="Europe/Paris", now=NOW, repeat="weekly", until="2026-03-31")
    assert until.recurrence.rule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260331T215959Z"
    assert [s.day for s in _take(until.recurrence.starts(), 10)] == [10, 17, 24, 31]


@pytest.mark.parametrize(("zone", "start", "hours"), [
    ("Europe/Paris", "2026-03-17 19:00", [18, 18, 17, 17]),
    ("America/Toronto", "2026-02-24 19:00", [0, 0, 23, 23]),  # the next UTC day, 00:00 then 23:00
    ("Australia/Sydney", "2026-03-24 19:00", [8, 8, 9, 9]),
])
def test_19_00_stays_19_00_across_the_change(zone: str, start: str, hours: list[int]) -> None:
    """Weekly at 19:00 local: the UTC hour moves at the change, the local one does not."""
    plan = plan_series(start, timezone=zone, now=NOW, repeat="weekly")
    starts = _take(plan.recurrence.starts(), 4)
    assert [s.hour for s in starts] == hours
    assert {s.astimezone(ZoneInfo(zone)).strftime("%H:%M") for s in starts} == {"19:00"}


def test_describe() -> None:
    """Each kind of series in words."""
    def said(repeat: str) -> str:
        return plan_series("2026-03-10 19:00", timezone="Europe/Paris", now=NOW, repeat=repeat).recurrence.describe()
    assert said("none") == "once, 2026-03-10 at 19:00 (Europe/Paris)"
    assert said("weekly") == "every Tuesday at 19:00 (Europe/Paris)"
    assert said("biweekly") == "every other Tuesday at 19:00 (Europe/Paris)"
    assert said("monthly") == "on the 2nd Tuesday of each month at 19:00 (Europe/Paris)"


def _weekly(start: str = "2026-01-06 19:00", rule: str = "FREQ=WEEKLY;BYDAY=TU") -> Recurrence:
    return Recurrence(rule, datetime.fromisoformat(start), "Europe/Paris", 90)


def test_the_window_lays_out_two_weeks_and_wakes_when_the_next_enters_it() -> None:
    """Weekly: the two in the next 14 days; look again when the third comes within 14 days."""
    rec = _weekly()
    first = datetime(2026, 1, 6, 18, tzinfo=UTC)
    window = plan_window(rec, first - timedelta(microseconds=1), NOW, timedelta(days=14))
    assert window.starts == (first, first + timedelta(days=7))
    assert window.replan_at == first + timedelta(days=14) - timedelta(days=14)
    assert window.next_start == first


def test_the_window_always_holds_the_next_meeting() -> None:
    """Monthly: the next one is laid out even a month ahead, and the one after as soon as it begins."""
    rec = Recurrence("FREQ=MONTHLY;BYDAY=2TU", datetime(2026, 1, 13, 19), "Europe/Paris", 90)
    window = plan_window(rec, NOW, NOW + timedelta(days=5), timedelta(days=3))
    assert window.starts == (datetime(2026, 1, 13, 18, tzinfo=UTC),)
    assert window.replan_at == datetime(2026, 1, 13, 18, tzinfo=UTC)


def test_the_window_is_at_least_past_the_earliest_reminder() -> None:
    """A reminder 20 days ahead needs meetings laid out 21 days ahead."""
    assert window_ahead((1440, 15), 14) == timedelta(days=14)
    assert window_ahead((28800,), 14) == timedelta(days=21)
    assert window_ahead((), 14) == timedelta(days=14)


def test_the_coming_meetings_are_the_soonest_of_every_live_series() -> None:
    """Two series interleave, soonest first, at most `limit` in all; a cancelled series shows nothing."""
    tuesdays = _series(_weekly(), uid="tue")
    fridays = replace(_series(Recurrence("FREQ=WEEKLY;BYDAY=FR", datetime(2026, 1, 9, 19), "Europe/Paris", 60)),
                      id=2)
    gone = replace(_series(_weekly(), cancelled_at=NOW), id=3)
    coming = coming_meetings([tuesdays, fridays, gone], {}, NOW, 5)
    assert [(start.day, series.id) for start, series in coming] == [(6, 1), (9, 2), (13, 1), (16, 2), (20, 1)]
    assert coming_meetings([tuesdays], {}, NOW, 0) == []


def test_the_coming_meetings_skip_those_cancelled_and_over_but_keep_one_under_way() -> None:
    """At 18:30 UTC on the 6th the Tuesday meeting runs: it is listed; the 13th was cancelled on its own."""
    tuesdays = _series(_weekly())
    running = datetime(2026, 1, 6, 18, 30, tzinfo=UTC)
    cancelled = {1: [datetime(2026, 1, 13, 18, tzinfo=UTC)]}
    coming = coming_meetings([tuesdays], cancelled, running, 3)
    assert [start.day for start, _ in coming] == [6, 20, 27]
    over = coming_meetings([tuesdays], cancelled, datetime(2026, 1, 6, 19, 30, tzinfo=UTC), 1)
    assert [start.day for start, _ in over] == [20]
    once = _series(Recurrence(None, datetime(2026, 1, 6, 19), "Europe/Paris", 90))
    assert coming_meetings([once], {}, datetime(2026, 1, 7, tzinfo=UTC), 10) == []


START = datetime(2026, 1, 3, 18, tzinfo=UTC)
END = START + timedelta(minutes=90)
GRACE = timedelta(minutes=10)


@pytest.mark.parametrize(("offset", "now", "action"), [
    (15, START - timedelta(minutes=16), ReminderAction.WAIT),
    (15, START - timedelta(minutes=15), ReminderAction.SEND),
    (15, START - timedelta(minutes=6), ReminderAction.SEND),
    (15, START - timedelta(minutes=5), ReminderAction.SKIP),  # 10 minutes late: the grace is over
    (1440, START - timedelta(hours=23, minutes=51), ReminderAction.SEND),
    (1440, START - timedelta(hours=23, minutes=49), ReminderAction.SKIP),
    (5, START + timedelta(minutes=1), ReminderAction.SKIP),  # within the grace, but after the start
    (0, START, ReminderAction.SEND),
    (0, START + timedelta(minutes=9), ReminderAction.SEND),
    (0, START + timedelta(minutes=10), ReminderAction.SKIP),
])
def test_reminder_action(offset: int, now: datetime, action: ReminderAction) -> None:
    """Send on time or less than the grace late; never a reminder after the start."""
    due = START - timedelta(minutes=offset)
    assert reminder_action(due=due, start=START, end=END, offset_minutes=offset, now=now, grace=GRACE) is action


def test_a_zero_grace_still_sends_on_time() -> None:
    """With no grace at all, a reminder woken exactly on time goes out."""
    due = START - timedelta(minutes=15)
    assert reminder_action(due=due, start=START, end=END, offset_minutes=15, now=due,
                           grace=timedelta(0)) is ReminderAction.SEND


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_time_present_adds_up_stays_and_counts_overlaps_once() -> None:
    """Join, leave, come back; an early join counts from the start; a stay still open ends at the end."""
    stays = [Presence(at(-5), at(20)), Presence(at(40), None), Presence(at(45), at(50))]
    assert seconds_present(stays, START, END) == (20 + 50) * 60
    assert whole_minutes(seconds_present([Presence(at(10), at(10.5))], START, END)) == 1
    assert whole_minutes(29) == 0 and whole_minutes(30) == 1
    assert seconds_present([Presence(at(100), at(120))], START, END) == 0


def test_attendance_since_is_the_local_midnight_of_that_day() -> None:
    """since 2026-01-05 in Paris begins at 23:00 UTC the day before; no since takes every meeting."""
    later = datetime(2026, 2, 1, tzinfo=UTC)
    assert attendance_since("2026-01-05", later, PARIS) == datetime(2026, 1, 4, 23, tzinfo=UTC)
    assert attendance_since(" 2026-07-01 ", datetime(2026, 7, 2, tzinfo=UTC), PARIS) == datetime(
        2026, 6, 30, 22, tzinfo=UTC)  # summer time: midnight is 22:00 UTC
    assert attendance_since(None, later, PARIS) == datetime(1970, 1, 1, tzinfo=UTC)
    assert attendance_since("0001-01-01", later, PARIS) == datetime(1969, 12, 31, 23, tzinfo=UTC)


def test_attendance_since_today_in_the_zone_is_not_the_future() -> None:
    """23:30 UTC on 2 January is already 3 January in Paris: that day is allowed, the next is refused."""
    late = datetime(2026, 1, 2, 23, 30, tzinfo=UTC)
    assert attendance_since("2026-01-03", late, PARIS) == datetime(2026, 1, 2, 23, tzinfo=UTC)
    with pytest.raises(Refusal, match=r"since \(2026-01-04\) is in the future"):
        attendance_since("2026-01-04", late, PARIS)
    with pytest.raises(Refusal, match="as a day for since"):
        attendance_since("last week", late, PARIS)


def _meeting(closed_at: datetime | None = None) -> Meeting:
    return Meeting(1, 1, 1, START, END, MeetingStatus.SCHEDULED, None, "none", START, closed_at)


@pytest.mark.parametrize(("now", "live", "overrun", "end"), [
    (at(30), False, None, None),  # under way
    (at(30), True, None, None),
    (at(90), False, None, END),  # over at its end
    (at(200), False, None, END),  # closed late, still at its end
    (at(200), True, None, None),  # a session begun before the end still runs
    (at(200), False, at(130), at(130)),  # that session ran over and has stopped
    (at(120), False, at(130), at(120)),  # never later than now
    (at(200), False, at(60), END),  # a session that stopped before the end changes nothing
])
def test_attendance_ends_at_the_end_or_when_an_overrunning_session_stops(
        now: datetime, live: bool, overrun: datetime | None, end: datetime | None) -> None:
    """A meeting counts until its end, or on while a session of the group that began before it runs."""
    meeting = _meeting()
    assert attendance_end(meeting, now, live_session=live, overrun_end=overrun) == end
    assert still_counting(meeting, now, live_session=live) is (end is None)


def test_a_closed_meeting_ends_where_it_was_closed() -> None:
    """Once closed, the sessions no longer matter."""
    closed = _meeting(closed_at=at(100))
    assert attendance_end(closed, at(300), live_session=True, overrun_end=at(250)) == at(100)
    assert not still_counting(closed, at(30), live_session=True)


def test_attendance_csv_rows_totals_and_formula_cells() -> None:
    """One row per member and meeting in the group's zone, then totals; names that look like formulas are defused."""
    second = START + timedelta(days=7)
    rows = [
        AttendanceRow(START, "Dr Ada", 60, "going"),
        AttendanceRow(START, "=HYPERLINK(1)", 5, "case"),
        AttendanceRow(second, "Dr Ada", 30, "cant"),
        AttendanceRow(second, "=HYPERLINK(1)", 0, ""),
    ]
    table = list(csv.reader(io.StringIO(attendance_csv(rows, PARIS))))
    assert table == [
        ["date", "time", "member", "minutes", "rsvp"],
        ["2026-01-03", "19:00", "'=HYPERLINK(1)", "5", "has a case"],
        ["2026-01-03", "19:00", "Dr Ada", "60", "going"],
        ["2026-01-10", "19:00", "'=HYPERLINK(1)", "0", ""],
        ["2026-01-10", "19:00", "Dr Ada", "30", "can't come"],
        ["total", "", "'=HYPERLINK(1)", "5", ""],
        ["total", "", "Dr Ada", "90", ""],
    ]


def test_attendance_csv_in_french() -> None:
    """Given a French translator, headers, answers and totals are French; the cells people and programs read stay."""
    rows = [AttendanceRow(START, "Dr Ada", 60, "going"), AttendanceRow(START, "Ben", 5, "case"),
            AttendanceRow(START, "=Chloé", 0, "cant"), AttendanceRow(START, "Dan", 1500, "")]
    french = list(csv.reader(io.StringIO(attendance_csv(rows, PARIS, translator(Lang.FR).render))))
    assert french == [
        ["date", "heure", "membre", "minutes", "réponse"],
        ["2026-01-03", "19:00", "'=Chloé", "0", "ne peut pas venir"],
        ["2026-01-03", "19:00", "Ben", "5", "a un cas"],
        ["2026-01-03", "19:00", "Dan", "1500", ""],
        ["2026-01-03", "19:00", "Dr Ada", "60", "vient"],
        ["total", "", "'=Chloé", "0", ""],
        ["total", "", "Ben", "5", ""],
        ["total", "", "Dan", "1500", ""],
        ["total", "", "Dr Ada", "60", ""],
    ]
    assert attendance_csv(rows, PARIS, translator(Lang.EN).render) == attendance_csv(rows, PARIS), "English default"


def test_the_calendar_file_in_french() -> None:
    """Given a French translator, the calendar's name, each meeting's title and description are French."""
    rec = Recurrence("FREQ=WEEKLY;BYDAY=TU;COUNT=3", datetime(2026, 3, 10, 19), "Europe/Paris", 90)
    entries = [CalendarEntry(_series(rec))]
    data = calendar_ics("Alpha {x}", entries, NOW, translator(Lang.FR).render)
    assert data is not None
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["x-wr-calname"]) == "Alpha {x} (groupe Balint)"
    assert str(event["summary"]) == "Alpha {x} : groupe Balint"
    assert str(event["description"]) == "Réunion du groupe Balint sur Discord, dans le salon vocal du groupe."
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;COUNT=3;BYDAY=TU", "the rule is the same in every language"
    english = icalendar.Calendar.from_ical(calendar_ics("Alpha {x}", entries, NOW) or b"")
    assert str(english["x-wr-calname"]) == "Alpha {x} (Balint group)"
    assert str(english.walk("VEVENT")[0]["summary"]) == "Alpha {x}: Balint group"


def _series(rec: Recurrence, *, uid: str = "u1@balint-bot", cancelled_at: datetime | None = None) -> Series:
    return Series(1, 1, uid, rec, NOW, None, None, NOW, cancelled_at)


def test_the_calendar_file_holds_rule_zone_uid_and_exceptions() -> None:
    """RRULE with UNTIL in UTC, DTSTART in the zone with its VTIMEZONE, EXDATE for a cancelled meeting."""
    rec = Recurrence("FREQ=WEEKLY;BYDAY=TU;UNTIL=20260331T215959Z", datetime(2026, 3, 10, 19), "Europe/Paris", 90)
    skipped = datetime(2026, 3, 17, 18, tzinfo=UTC)
    data = calendar_ics("Alpha", [CalendarEntry(_series(rec), (skipped,))], NOW)
    assert data is not None
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == "u1@balint-bot"
    assert event.decoded("dtstart") == datetime(2026, 3, 10, 19, tzinfo=PARIS)
    assert event.decoded("duration") == timedelta(minutes=90)
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;UNTIL=20260331T215959Z;BYDAY=TU"
    assert [d.dt for d in event["exdate"].dts] == [datetime(2026, 3, 17, 19, tzinfo=PARIS)]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_a_cancelled_series_ends_where_it_was_cancelled() -> None:
    """The meetings held stay in the file; COUNT gives way to an UNTIL at the last one held."""
    rec = Recurrence("FREQ=WEEKLY;BYDAY=TU;COUNT=10", datetime(2026, 1, 6, 19), "Europe/Paris", 90)
    data = calendar_ics("Alpha", [CalendarEntry(_series(rec, cancelled_at=datetime(2026, 1, 15, tzinfo=UTC)))], NOW)
    assert data is not None
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;UNTIL=20260113T180000Z;BYDAY=TU"
    never = calendar_ics("Alpha", [CalendarEntry(_series(rec, cancelled_at=datetime(2026, 1, 2, tzinfo=UTC)))], NOW)
    assert never is None
    single = Recurrence(None, datetime(2026, 1, 6, 19), "Europe/Paris", 90)
    one = calendar_ics("Alpha", [CalendarEntry(_series(single))], NOW)
    assert one is not None and b"RRULE" not in one


@given(st.dictionaries(st.integers(min_value=1, max_value=2**63 - 1),
                       st.sampled_from(["Dr Ada", "dr ada", "Ben", "Chloé", "user 5"]), max_size=8))
def test_every_member_of_the_attendance_file_has_a_label_of_their_own(names: dict[int, str]) -> None:
    """Labels are unique whatever names people chose (case aside); a name nobody shares is kept as it is."""
    labels = member_labels(names)
    assert set(labels) == set(names)
    assert len(set(labels.values())) == len(labels)
    for user, name in names.items():
        shared = sum(other.casefold() == name.casefold() for other in names.values()) > 1
        assert labels[user] == (f"{name} ({user})" if shared else name)
