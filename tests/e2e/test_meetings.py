"""Meetings end to end: Discord events, reminders with RSVP, cancelling, the calendar file, attendance.

Days pass in these tests, so most run on `meet`: the standard harness with the bot's safety sweep
daily instead of every minute (the meeting timers do the work to the second; the sweep only
catches what a timer missed). SimCord's clock starts on Thursday 2026-01-01 00:00 UTC.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import discord
import icalendar
from dateutil.rrule import rrulestr

from tests.e2e.conftest import Harness, Server
from tests.support.meetings import (
    DAY,
    answer,
    counts,
    events,
    instant,
    meet,
    meeting_value,
    paris_group,
    place,
    reminders,
    schedule,
    starts,
    until,
)
from tests.support.privacy import forget

__all__ = ["meet", "place"]  # the fixtures, from tests/support/meetings.py

HOUR = 3600
PARIS = ZoneInfo("Europe/Paris")
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


async def test_a_weekly_series_becomes_discord_events(meet: Harness, place: Server) -> None:
    """Events on the voice channel, guild-only, at 19:00 Paris; the next one appears as one passes."""
    leader, _ = await paris_group(place)
    done = await schedule(leader, place, start="2026-01-06 19:00", repeat="weekly", count=4)
    assert answer(done).startswith(
        "Scheduled **Alpha** every Tuesday at 19:00 (Europe/Paris), 90 minutes, 4 meetings: the first is <t:"
    )
    assert meet.rows("SELECT rrule, local_start, timezone, duration_minutes, next_start FROM meeting_series") == [
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=4", "2026-01-06T19:00:00", "Europe/Paris", 90,
         "2026-01-06T18:00:00.000000+00:00"),
    ]
    # The next 14 days: the 6th and the 13th.
    found = events(meet, place)
    assert [instant(e.scheduled_start_time) for e in found] == [
        datetime(2026, 1, 6, 18, tzinfo=UTC), datetime(2026, 1, 13, 18, tzinfo=UTC)]
    assert [instant(e.scheduled_end_time) for e in found] == [
        datetime(2026, 1, 6, 19, 30, tzinfo=UTC), datetime(2026, 1, 13, 19, 30, tzinfo=UTC)]
    assert {(e.channel_id, e.entity_type, e.name) for e in found} == {(place.voice.id, 2, "Alpha · Balint group")}
    posted = [r for r in meet.env.http_requests if r.method == "POST" and r.path.endswith("/scheduled-events")]
    assert len(posted) == 2
    # SimCord keeps every event guild-only whatever is asked: the request itself is checked. discord.py
    # writes the channel's snowflake as a JSON number, which Discord takes as well as a string.
    assert {(r.json["privacy_level"], r.json["entity_type"], str(r.json["channel_id"])) for r in posted} == {
        (2, 2, str(place.voice.id))}

    await until(meet, datetime(2026, 1, 6, 18, tzinfo=UTC))
    assert [instant(e.scheduled_start_time).day for e in events(meet, place)] == [6, 13, 20]
    await until(meet, datetime(2026, 1, 28, tzinfo=UTC))
    assert [instant(e.scheduled_start_time).day for e in events(meet, place)] == [6, 13, 20, 27]
    assert meet.rows("SELECT count(*), count(event_id) FROM meetings") == [(4, 4)]
    assert meet.rows("SELECT next_start, replan_at FROM meeting_series") == [(None, None)]


async def test_a_series_keeps_19_00_local_across_the_change_to_summer_time(meet: Harness,
                                                                          place: Server) -> None:
    """Paris goes to summer time on 29 March: the events stay at 19:00 local, an hour earlier in UTC."""
    leader, _ = await paris_group(place)
    await until(meet, datetime(2026, 3, 20, tzinfo=UTC))
    await schedule(leader, place, start="2026-03-24 19:00", repeat="weekly", until="2026-04-07")
    times = [instant(e.scheduled_start_time) for e in events(meet, place)]
    assert times == [datetime(2026, 3, 24, 18, tzinfo=UTC), datetime(2026, 3, 31, 17, tzinfo=UTC)]
    assert {t.astimezone(PARIS).strftime("%H:%M") for t in times} == {"19:00"}
    listed = await place.members[0].slash(place.text, "meeting list", group="Alpha")
    stamps = [int(line.split("<t:")[1].split(":")[0]) for line in answer(listed).splitlines()[1:]]
    assert [datetime.fromtimestamp(s, PARIS).strftime("%d %H:%M") for s in stamps] == [
        "24 19:00", "31 19:00", "07 19:00"]


async def test_reminders_and_rsvp_counts(meet: Harness, place: Server) -> None:
    """24 hours and 15 minutes before, with buttons; answers counted on both; the start links the voice."""
    leader, members = await paris_group(place)
    ada, ben, chloe, _, eve = members
    await schedule(leader, place, start="2026-01-03 19:00")
    start = datetime(2026, 1, 3, 18, tzinfo=UTC)

    await until(meet, start - timedelta(hours=24) - timedelta(seconds=1))
    assert reminders(place) == []
    await meet.env.advance_time(1)
    (day_before,) = reminders(place)
    assert day_before.content.startswith(f"📅 **Alpha** meets <t:{int(start.timestamp())}:F>")
    assert f"in {place.voice.mention}, for 90 minutes" in day_before.content
    assert counts(day_before) == "Going: 0 · Can't come: 0 · With a case: 0"
    assert [c.label for c in day_before.components[0].children] == ["Going", "Can't come", "I have a case"]

    going = await ada.click(day_before, label="Going")
    assert going.acknowledged and going.followups[0].content == "Noted: you are going. See you there."
    assert going.followups[0].ephemeral
    assert counts(reminders(place)[0]) == "Going: 1 · Can't come: 0 · With a case: 0"
    await ben.click(day_before, label="Can't come")
    await ada.click(day_before, label="Can't come")  # a change of mind replaces the answer
    assert counts(reminders(place)[0]) == "Going: 0 · Can't come: 2 · With a case: 0"
    outsider = await eve.click(day_before, label="Going")
    assert outsider.ephemeral
    assert outsider.response.content == "Only members of Alpha answer for its meetings; join with /group join first."

    await until(meet, start - timedelta(minutes=15))
    first, last = reminders(place)
    assert counts(last) == "Going: 0 · Can't come: 2 · With a case: 0"
    await chloe.click(last, label="Going")
    assert [counts(m) for m in reminders(place)] == ["Going: 1 · Can't come: 2 · With a case: 0"] * 2
    assert meet.rows("SELECT user_id, choice FROM meeting_rsvps ORDER BY user_id") == sorted(
        [(ada.id, "cant"), (ben.id, "cant"), (chloe.id, "going")])

    await until(meet, start)
    (notice,) = starts(place)
    end = int((start + timedelta(minutes=90)).timestamp())
    assert notice.content == f"🟢 **Alpha** starts now, until <t:{end}:t>: join {place.voice.mention}."
    await meet.env.advance_time(2 * DAY)
    assert len(reminders(place)) == 2 and len(starts(place)) == 1, "each reminder once"
    late = await ben.click(first, label="Going")
    assert late.response.content == "This meeting is over; answer the reminder of the next one."


async def test_i_have_a_case_records_the_answer_and_opens_the_case_form(meet: Harness, place: Server) -> None:
    """The third button counts a case and shows the member the case proposal form."""
    leader, members = await paris_group(place)
    await schedule(leader, place, start="2026-01-02 19:00")
    await until(meet, datetime(2026, 1, 2, 17, 45, tzinfo=UTC))
    reminder = reminders(place)[-1]
    shown = await members[0].click(reminder, label="I have a case")
    assert shown.modal is not None
    assert counts(reminders(place)[0]) == "Going: 1 · Can't come: 0 · With a case: 1"
    # Recorded as going; the case is counted under a seal, never next to the member's id.
    assert meet.rows("SELECT choice FROM meeting_rsvps") == [("going",)]
    assert meet.rows("SELECT count(*) FROM meeting_case_marks") == [(1,)]
    saved = await members[0].submit_modal(shown, {"title": "A difficult goodbye", "story": ""})
    assert saved.ephemeral
    assert meet.rows("SELECT title FROM cases") == [("A difficult goodbye",)]
    await members[0].click(reminders(place)[0], label="I have a case")
    assert counts(reminders(place)[0]) == "Going: 1 · Can't come: 0 · With a case: 1", "one member, one case"
    await members[0].click(reminders(place)[0], label="Can't come")
    assert counts(reminders(place)[0]) == "Going: 0 · Can't come: 1 · With a case: 0"


async def test_saying_i_have_a_case_leaves_no_trace_in_the_attendance_file(meet: Harness, place: Server) -> None:
    """Who announced a case (maybe to present it anonymously) shows in no record: only "going"."""
    leader, members = await paris_group(place)
    await schedule(leader, place, start="2026-01-02 19:00", duration=60)
    await until(meet, datetime(2026, 1, 2, 17, 45, tzinfo=UTC))
    shown = await members[0].click(reminders(place)[-1], label="I have a case")
    await members[0].submit_modal(shown, {"title": "Quietly", "story": ""})
    await members[1].click(reminders(place)[-1], label="Going")
    await members[0].join_voice(place.voice)
    await members[1].join_voice(place.voice)
    await until(meet, datetime(2026, 1, 2, 19, 30, tzinfo=UTC))
    result = await leader.slash(place.text, "attendance", group="Alpha")
    text = (await result.response.attachments[0].read()).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["date", "time", "member", "minutes", "rsvp"]
    table = {(r[0], r[2]): r[4] for r in rows[1:]}
    assert table[("2026-01-02", "Dr Ada")] == table[("2026-01-02", "Dr Ben")] == "going"
    assert all("case" not in cell.lower() for row in rows[1:] for cell in row)
    assert text.lower().count("case") == 1, "only the header of the cases presented column"


async def test_cancel_this_one_and_then_the_series(meet: Harness, place: Server) -> None:
    """Cancelling removes the Discord events, marks posted reminders, tells the group, and sends no more."""
    leader, members = await paris_group(place)
    await schedule(leader, place, start="2026-01-02 19:00", repeat="weekly")
    await until(meet, datetime(2026, 1, 8, 18, tzinfo=UTC))  # the 24-hour reminder of the 9th is out
    assert [instant(e.scheduled_start_time).day for e in events(meet, place)] == [2, 9, 16]

    choices = await meeting_value(leader, place)
    assert [c["name"] for c in choices] == [
        "Alpha · Fri 09 Jan 2026 19:00 (Europe/Paris) · weekly",
        "Alpha · Fri 16 Jan 2026 19:00 (Europe/Paris) · weekly",
    ]
    assert await members[0].autocomplete(place.text, "meeting cancel", "meeting", "") == [], "leaders only"
    cancelled = await leader.slash(place.text, "meeting cancel", meeting=choices[0]["value"])
    assert answer(cancelled).startswith("Cancelled the meeting of <t:")
    assert [instant(e.scheduled_start_time).day for e in events(meet, place)] == [2, 16]
    (reminder,) = [m for m in place.text.history() if m.content.startswith("~~") and "1767981600" in m.content]
    assert reminder.content.endswith("This meeting is cancelled.") and reminder.components == []
    assert place.text.last_message.content == "The meeting of **Alpha** on <t:1767981600:F> is cancelled."

    await until(meet, datetime(2026, 1, 9, 19, tzinfo=UTC))
    assert len(starts(place)) == 1, "the 2nd started; no start notice for the cancelled 9th"
    assert "1767981600" not in starts(place)[0].content

    choices = await meeting_value(leader, place)
    series = await leader.slash(place.text, "meeting cancel", meeting=choices[0]["value"], scope="series")
    assert answer(series).startswith("Cancelled the meetings of **Alpha** every Friday at 19:00 (Europe/Paris)")
    assert [instant(e.scheduled_start_time).day for e in events(meet, place)] == [2]
    assert place.text.last_message.content == (
        "The meetings of **Alpha** every Friday at 19:00 (Europe/Paris) are cancelled from now on.")
    before = len(place.text.history())
    await meet.env.advance_time(30 * DAY)
    assert len(place.text.history()) == before
    assert await meeting_value(leader, place) == []
    listed = await leader.slash(place.text, "meeting list", group="Alpha")
    assert answer(listed) == "**Alpha** has no coming meetings; a leader schedules them with /meeting schedule."


async def test_the_calendar_file_gives_the_same_times(meet: Harness, place: Server) -> None:
    """The .ics parses back with icalendar to the bot's own meetings, across summer time, minus a cancelled one."""
    leader, members = await paris_group(place)
    await until(meet, datetime(2026, 3, 1, tzinfo=UTC))
    await schedule(leader, place, start="2026-03-10 19:00", repeat="biweekly", count=5, duration=120)
    await schedule(leader, place, start="2026-03-12 08:30", repeat="monthly", until="2026-08-31")
    choices = await meeting_value(leader, place)
    first = next(c for c in choices if "Tue 10 Mar" in c["name"])
    await leader.slash(place.text, "meeting cancel", meeting=first["value"])

    result = await members[0].slash(place.text, "meeting calendar", group="Alpha")
    assert result.ephemeral
    (attachment,) = result.response.attachments
    assert attachment.filename == "alpha-meetings.ics"
    calendar = icalendar.Calendar.from_ical(await attachment.read())
    assert {tz["TZID"] for tz in calendar.walk("VTIMEZONE")} == {"Europe/Paris"}
    found: dict[str, list[datetime]] = {}
    for event in calendar.walk("VEVENT"):
        start = event.decoded("dtstart")
        assert start.tzinfo is not None and str(event["dtstart"].params["TZID"]) == "Europe/Paris"
        rule = event["rrule"].to_ical().decode()
        assert "UNTIL" not in rule or rule.split("UNTIL=")[1].split(";")[0].endswith("Z")
        skipped = {d.dt for d in event.get("exdate", icalendar.prop.vDDDLists([])).dts} if "exdate" in event else set()
        found[str(event["uid"])] = [d.astimezone(UTC) for d in rrulestr(rule, dtstart=start) if d not in skipped]
    uids = [row[0] for row in meet.rows("SELECT uid FROM meeting_series ORDER BY id")]
    assert set(found) == set(uids)
    biweekly = found[uids[0]]
    assert [d.astimezone(PARIS).strftime("%m-%d %H:%M") for d in biweekly] == [
        "03-24 19:00", "04-07 19:00", "04-21 19:00", "05-05 19:00"]
    monthly = found[uids[1]]
    assert [d.astimezone(PARIS).strftime("%m-%d %H:%M") for d in monthly] == [
        "03-12 08:30", "04-09 08:30", "05-14 08:30", "06-11 08:30", "07-09 08:30", "08-13 08:30"]
    laid_out = [instant(r[0]) for r in meet.rows(
        "SELECT starts_at FROM meetings WHERE status = 'scheduled' ORDER BY starts_at")]
    assert laid_out and set(laid_out) <= set(biweekly) | set(monthly)
    again = await members[1].slash(place.text, "meeting calendar", group="Alpha")
    second_copy = icalendar.Calendar.from_ical(await again.response.attachments[0].read())
    assert {str(e["uid"]) for e in second_copy.walk("VEVENT")} == set(uids), "UIDs are stable"


async def test_answers_that_go_with_their_author_leave_the_reminders_counts(meet: Harness, place: Server) -> None:
    """Forget-me takes a "Going" off every reminder; leaving the server, a "Can't come".

    An announced case stays counted, unrecognisable: its count falling as someone goes would tell who announced it.
    """
    leader, members = await paris_group(place)
    ada, ben, chloe = members[:3]
    await schedule(leader, place, start="2026-01-02 19:00", duration=60)
    await until(meet, datetime(2026, 1, 1, 18, tzinfo=UTC))
    shown = await ada.click(reminders(place)[-1], label="I have a case")
    await ada.submit_modal(shown, {"title": "Quietly", "story": ""})
    await ben.click(reminders(place)[-1], label="Going")
    await chloe.click(reminders(place)[-1], label="Can't come")
    await until(meet, datetime(2026, 1, 2, 17, 45, tzinfo=UTC))
    assert [counts(m) for m in reminders(place)] == ["Going: 2 · Can't come: 1 · With a case: 1"] * 2

    await forget(ada, place.text)
    await meet.env.advance_time(1)
    assert [counts(m) for m in reminders(place)] == ["Going: 1 · Can't come: 1 · With a case: 1"] * 2
    place.guild.remove_member(chloe)
    await meet.env.advance_time(1)
    assert [counts(m) for m in reminders(place)] == ["Going: 1 · Can't come: 0 · With a case: 1"] * 2


async def test_attendance_adds_up_joins_leaves_and_returns(meet: Harness, place: Server) -> None:
    """Minutes per member and meeting, those still in voice closed at the end, a total per member."""
    leader, members = await paris_group(place)
    ada, ben, chloe, dev, _ = members
    await schedule(leader, place, start="2026-01-02 19:00", repeat="weekly", count=2, duration=60)
    start = datetime(2026, 1, 2, 18, tzinfo=UTC)
    await until(meet, start - timedelta(minutes=15))
    await ada.click(reminders(place)[0], label="Going")
    await dev.click(reminders(place)[0], label="Can't come")
    await until(meet, start - timedelta(minutes=5))
    await ada.join_voice(place.voice)  # early: counted from the start
    await until(meet, start + timedelta(minutes=10))
    await ben.join_voice(place.voice)
    await until(meet, start + timedelta(minutes=30))
    await ben.leave_voice()
    await until(meet, start + timedelta(minutes=40))
    await ben.join_voice(place.voice)  # back: 20 + 20 minutes
    await until(meet, start + timedelta(minutes=50))
    await chloe.join_voice(place.voice)
    await until(meet, start + timedelta(minutes=55))
    await chloe.leave_voice()
    await until(meet, start + timedelta(minutes=90))  # Ada and Ben stay on past the end
    await ada.leave_voice()
    await ben.leave_voice()
    second = start + timedelta(days=7)
    await until(meet, second + timedelta(minutes=30))
    await ben.join_voice(place.voice)
    await until(meet, second + timedelta(hours=2))

    result = await leader.slash(place.text, "attendance", group="Alpha")
    assert result.ephemeral
    (attachment,) = result.response.attachments
    assert attachment.filename == "alpha-attendance.csv"
    rows = list(csv.reader(io.StringIO((await attachment.read()).decode())))
    assert rows[0][:5] == ["date", "time", "member", "minutes", "rsvp"]
    table = {(r[0], r[2]): (r[3], r[4]) for r in rows[1:]}
    assert table[("2026-01-02", "Dr Ada")] == ("60", "going")
    assert table[("2026-01-02", "Dr Ben")] == ("40", "")
    assert table[("2026-01-02", "Dr Chloe")] == ("5", "")
    assert table[("2026-01-02", "Dr Dev")] == ("0", "can't come")
    assert table[("2026-01-09", "Dr Ben")] == ("30", "")
    assert table[("total", "Dr Ben")] == ("70", "")
    assert table[("total", "Dr Ada")] == ("60", "")
    assert {r[1] for r in rows[1:] if r[0] != "total"} == {"19:00"}

    since = await leader.slash(place.text, "attendance", group="Alpha", since="2026-01-05")
    later = list(csv.reader(io.StringIO((await since.response.attachments[0].read()).decode())))
    assert {r[0] for r in later[1:]} == {"2026-01-09", "total"}


async def test_two_members_of_the_same_name_keep_their_own_rows_and_totals(meet: Harness, place: Server) -> None:
    """Display names are not unique: each of two "Dr Ada" is named with their id, and nothing adds up across them."""
    leader, members = await paris_group(place)
    other = place.guild.add_member(meet.env.create_user("ada2", global_name="Dr Ada"))
    await place.join(other)
    ada = members[0]
    await schedule(leader, place, start="2026-01-02 19:00", duration=60)
    start = datetime(2026, 1, 2, 18, tzinfo=UTC)
    await until(meet, start)
    await ada.join_voice(place.voice)
    await until(meet, start + timedelta(minutes=20))
    await other.join_voice(place.voice)
    await until(meet, start + timedelta(hours=2))
    result = await leader.slash(place.text, "attendance", group="Alpha")
    rows = list(csv.reader(io.StringIO((await result.response.attachments[0].read()).decode())))
    table = {(r[0], r[2]): r[3] for r in rows[1:]}
    assert table[("2026-01-02", f"Dr Ada ({ada.id})")] == "60"
    assert table[("2026-01-02", f"Dr Ada ({other.id})")] == "40"
    assert table[("total", f"Dr Ada ({ada.id})")] == "60" and table[("total", f"Dr Ada ({other.id})")] == "40"
    assert ("2026-01-02", "Dr Ada") not in table
    assert table[("2026-01-02", "Dr Ben")] == "0", "a name nobody shares stays as it is"


async def test_attendance_runs_on_while_a_session_of_the_group_overruns(meet: Harness,
                                                                       place: Server) -> None:
    """A session still running at the meeting's end keeps the count going until the session ends."""
    leader, members = await paris_group(place)
    await schedule(leader, place, start="2026-01-02 19:00", duration=30)
    start = datetime(2026, 1, 2, 18, tzinfo=UTC)
    await until(meet, start)
    await members[0].join_voice(place.voice)
    await leader.slash(place.text, "session start", group="Alpha")
    await until(meet, start + timedelta(minutes=40))
    await members[1].join_voice(place.voice)  # joins during the overrun
    await until(meet, start + timedelta(minutes=50))
    await leader.slash(place.text, "session end")
    await until(meet, start + timedelta(hours=3))
    result = await leader.slash(place.text, "attendance", group="Alpha")
    rows = list(csv.reader(io.StringIO((await result.response.attachments[0].read()).decode())))
    table = {(r[0], r[2]): r[3] for r in rows[1:]}
    assert table[("2026-01-02", "Dr Ada")] == "50"
    assert table[("2026-01-02", "Dr Ben")] == "10"


async def test_a_missing_manage_events_is_told_once_and_the_schedule_is_kept(meet: Harness,
                                                                             place: Server) -> None:
    """No Manage Events: the leaders hear it once, naming the permission; reminders still come."""
    # The bot's own role loses Manage Events (SimCord has no builder to edit a role).
    guild = meet.env.backend.get_guild(place.guild.id)
    bot_role = next(r for r in guild.roles.values() if r.managed)
    bot_role.permissions &= ~discord.Permissions(manage_events=True).value
    leader, _ = await paris_group(place)
    done = await schedule(leader, place, start="2026-01-02 19:00", repeat="weekly")
    assert answer(done).endswith("I could not add them to the server's events: I need the Manage Events permission.")
    assert events(meet, place) == []
    assert meet.rows("SELECT count(*) FROM meeting_series") == [(1,)]
    await until(meet, datetime(2026, 1, 20, tzinfo=UTC))
    told = [m for m in place.text.history() if "Manage Events" in m.content]
    assert len(told) == 1 and told[0].content.startswith(leader.mention)
    assert len(reminders(place)) >= 4, "the reminders go on without events"


async def test_reminder_minutes_come_from_the_settings(meet: Harness, place: Server) -> None:
    """meetings.reminders = [60]: one reminder an hour before, then the start notice."""
    meet.settings = {"meeting_reminders": (60,)}
    await meet.restart()
    leader, _ = await paris_group(place)
    await schedule(leader, place, start="2026-01-02 19:00")
    await until(meet, datetime(2026, 1, 2, 17, tzinfo=UTC))
    assert len(reminders(place)) == 1
    await until(meet, datetime(2026, 1, 2, 18, tzinfo=UTC))
    assert len(reminders(place)) == 1 and len(starts(place)) == 1


async def test_group_deletion_takes_its_meetings_with_it(meet: Harness, place: Server) -> None:
    """Deleting a group deletes its series and meetings from the database (foreign keys cascade)."""
    leader, _ = await paris_group(place)
    await schedule(leader, place, start="2026-01-02 19:00", repeat="weekly")
    shown = await leader.slash(place.text, "group delete", group="Alpha")
    await leader.click(shown.response.message, label="Delete the group")
    assert meet.rows("SELECT count(*) FROM meeting_series") == [(0,)]
    assert meet.rows("SELECT count(*) FROM meetings") == [(0,)]
    await meet.env.advance_time(2 * DAY)
    assert reminders(place) == []


async def test_deleting_a_group_removes_its_discord_events(meet: Harness, place: Server) -> None:
    """The events of a deleted group do not linger in the server; a running session blocks the delete."""
    leader, _ = await paris_group(place)
    await leader.slash(place.text, "meeting schedule", group="Alpha", start="2026-01-06 19:00", repeat="weekly")
    assert len(events(meet, place)) >= 2
    await leader.slash(place.text, "session start", group="Alpha")
    blocked = await leader.slash(place.text, "group delete", group="Alpha")
    assert blocked.response.content == (
        "Alpha has a session running; end it with /session end before deleting the group.")
    await leader.slash(place.text, "session end")
    asked = await leader.slash(place.text, "group delete", group="Alpha")
    await leader.click(asked.response.message, label="Delete the group")
    assert events(meet, place) == []
    assert meet.rows("SELECT count(*) FROM meetings") == [(0,)]
