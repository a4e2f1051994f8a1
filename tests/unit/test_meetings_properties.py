"""Property tests: recurrence across daylight-saving changes, start parsing, the window, attendance arithmetic."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import event, given, settings
from hypothesis import strategies as st

from bot.core.errors import Refusal
from bot.core.meetings.attendance import Presence, seconds_present
from bot.core.meetings.parsing import WEEKDAY_NAMES, parse_start
from bot.core.meetings.recurrence import LocalTime, local_time_kind, nth_weekday, plan_series, to_utc
from bot.core.meetings.window import plan_window

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ZONES = ("Europe/Paris", "America/Toronto", "Australia/Sydney")
REPEATS = ("none", "weekly", "biweekly", "monthly")
FIVE_YEARS = timedelta(days=5 * 365 + 2)

days = st.dates(min_value=date(2026, 1, 2), max_value=date(2027, 12, 28))
times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ZONES), st.sampled_from(REPEATS), days, times)
def test_every_meeting_keeps_the_local_wall_clock_time_for_five_years(zone_name: str, repeat: str, day: date,
                                                                      at: time) -> None:
    """Each start of a series is at the first one's local time, on its weekday and rhythm, for five years.

    The only refusals are the ones owed: a 5th weekday for a monthly series, or a local time that
    does not exist or happens twice, which for these zones is only at night on a Sunday.
    """
    zone = ZoneInfo(zone_name)
    try:
        plan = plan_series(f"{day:%Y-%m-%d} {at:%H:%M}", timezone=zone_name, now=NOW, repeat=repeat)
    except Refusal as refusal:
        text = str(refusal)
        event("refused")
        if "5th" in text:
            assert repeat == "monthly" and nth_weekday(day) == 5
        else:
            # Every meeting of a series falls on the first one's weekday, and these zones change
            # their clocks between 01:00 and 03:00 on a Sunday.
            assert "does not exist" in text or "happens twice" in text, text
            assert at.hour in (1, 2) and day.weekday() == 6, text
        return
    event(f"planned {repeat}")
    first = plan.first_start
    starts = []
    for start in plan.recurrence.starts():
        if start > first + FIVE_YEARS:
            break
        starts.append(start)
    locals_ = [s.astimezone(zone) for s in starts]
    assert locals_[0].date() == day
    for local in locals_:
        assert local.time().replace(tzinfo=None) == at, (local, at)
        assert local_time_kind(local.replace(tzinfo=None), zone) is LocalTime.OK
        assert local.weekday() == day.weekday()
    assert starts == sorted(set(starts))
    steps = [(b.date() - a.date()).days for a, b in itertools.pairwise(locals_)]
    if repeat == "none":
        assert len(starts) == 1
    elif repeat == "weekly":
        assert set(steps) == {7} and len(starts) in (260, 261, 262)
    elif repeat == "biweekly":
        assert set(steps) == {14} and len(starts) in (130, 131)
    else:
        assert {nth_weekday(local.date()) for local in locals_} == {nth_weekday(day)}
        months = [local.year * 12 + local.month for local in locals_]
        assert [b - a for a, b in itertools.pairwise(months)] == [1] * (len(months) - 1)
        assert len(starts) in (60, 61)


@settings(max_examples=500)
@given(st.text(max_size=120))
def test_any_text_is_a_start_or_a_clean_refusal(text: str) -> None:
    """Whatever is typed: a wall-clock time, or a Refusal with a short sentence; never another exception."""
    try:
        wall = parse_start(text, NOW, ZoneInfo("Europe/Paris"))
    except Refusal as refusal:
        message = str(refusal)
        assert message.endswith(".") and "\n" not in message and len(message) < 220
        return
    assert wall.tzinfo is None and wall.second == 0


@settings(max_examples=300)
@given(
    text=st.one_of(st.text(max_size=60), st.from_regex(
        r"(today|tomorrow|demain|(next )?(mon|tue|wednesday|jeudi|sun)|20[0-9]{2}-[01]?[0-9]-[0-3]?[0-9])"
        r"( at)? [0-9]{1,2}(:[0-9]{2})?( ?[ap]m|h[0-9]{0,2})?", fullmatch=True)),
    until=st.one_of(st.none(), st.text(max_size=20), st.from_regex(r"20[0-9]{2}-[01][0-9]-[0-3][0-9]", fullmatch=True)),
    duration=st.integers(-10, 400),
    count=st.one_of(st.none(), st.integers(-5, 60)),
    repeat=st.sampled_from([*REPEATS, "daily", ""]),
    zone=st.sampled_from(ZONES),
)
def test_any_schedule_request_is_a_plan_or_a_clean_refusal(text: str, until: str | None, duration: int,
                                                         count: int | None, repeat: str, zone: str) -> None:
    """Every option together: a plan whose first meeting is still to come, or a Refusal; nothing else."""
    try:
        plan = plan_series(text, timezone=zone, now=NOW, duration=duration, repeat=repeat, count=count,
                           until=until)
    except Refusal as refusal:
        assert str(refusal).endswith(".")
        event("refused")
        return
    event("planned")
    assert plan.first_start > NOW
    assert 15 <= plan.recurrence.duration_minutes <= 240
    assert next(plan.recurrence.starts()) == plan.first_start


@given(st.sampled_from(WEEKDAY_NAMES), st.booleans(), st.integers(0, 23), st.integers(0, 59),
       st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)))
def test_a_weekday_start_is_the_coming_one(name: str, strictly: bool, hour: int, minute: int, now: datetime) -> None:
    """"tuesday 19:00" is the soonest such time to come; "next tuesday" skips today."""
    zone = ZoneInfo("America/Toronto")
    wall = parse_start(f"{'next ' if strictly else ''}{name} {hour:02d}:{minute:02d}", now, zone)
    today = now.astimezone(zone).date()
    assert wall.strftime("%A") == name
    assert 0 <= (wall.date() - today).days <= 7
    if strictly:
        assert wall.date() > today
    else:
        assert to_utc(wall, zone) > now >= to_utc(wall - timedelta(days=7), zone)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(ZONES), st.sampled_from(REPEATS[1:]), days, st.integers(1, 30), st.integers(0, 40))
def test_the_window_always_holds_what_is_due(zone: str, repeat: str, day: date, ahead_days: int,
                                             lead_days: int) -> None:
    """Woken at each replan_at, the laid-out meetings always cover the window and the next meeting."""
    try:
        plan = plan_series(f"{day:%Y-%m-%d} 19:00", timezone=zone, now=NOW, repeat=repeat, count=12)
    except Refusal:
        return
    rec = plan.recurrence
    ahead = timedelta(days=ahead_days)
    all_starts = list(rec.starts())
    now = max(NOW, plan.first_start - timedelta(days=lead_days))
    planned: set[datetime] = set()
    planned_until = plan.first_start - timedelta(microseconds=1)
    for _ in range(40):
        window = plan_window(rec, planned_until, now, ahead)
        assert not planned & set(window.starts), "nothing is laid out twice"
        planned |= set(window.starts)
        planned_until = window.planned_until
        last_safe = (window.replan_at or now + timedelta(days=400)) - timedelta(seconds=1)
        for moment in (now, max(now, last_safe)):
            due = {s for s in all_starts if moment < s <= moment + ahead}
            upcoming = [s for s in all_starts if s > moment]
            assert due <= planned
            assert not upcoming or upcoming[0] in planned
        if window.replan_at is None:
            assert planned == {s for s in all_starts if s > plan.first_start - timedelta(microseconds=1)}
            return
        assert window.replan_at > now
        now = window.replan_at
    raise AssertionError("the window never finished a 12-meeting series")


stays = st.lists(st.tuples(st.integers(-30, 150), st.one_of(st.none(), st.integers(0, 150))), max_size=8)


@given(stays)
def test_time_present_is_the_minutes_covered_in_the_meeting(raw: list[tuple[int, int | None]]) -> None:
    """The seconds counted are exactly the minutes of the meeting covered by at least one stay."""
    start = datetime(2026, 1, 3, 18, tzinfo=UTC)
    end = start + timedelta(minutes=90)
    presences = [
        Presence(start + timedelta(minutes=j), None if left is None else start + timedelta(minutes=max(j, left)))
        for j, left in raw
    ]
    covered = set()
    for j, left in raw:
        stop = 90 if left is None else max(j, left)
        covered |= {m for m in range(j, stop) if 0 <= m < 90}
    assert seconds_present(presences, start, end) == len(covered) * 60
