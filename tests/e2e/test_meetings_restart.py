"""Meetings across restarts: every reminder once, a late one within the grace, none past it; buttons and counts."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.notices import CancelKind, cancel_nonce
from tests.e2e.conftest import Harness, Server
from tests.support.meetings import (
    MIN,
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
from tests.support.stops import stop_at

__all__ = ["meet", "place"]  # the fixtures, from tests/support/meetings.py

START = datetime(2026, 1, 3, 18, tzinfo=UTC)  # 19:00 in Paris


async def test_a_restart_between_two_reminders_neither_repeats_nor_loses_one(meet: Harness,
                                                                             place: Server) -> None:
    """24 hours before, restart, 15 minutes before, restart, start: each message exactly once."""
    leader, members = await paris_group(place)
    await schedule(leader, place, start="2026-01-03 19:00")
    await until(meet, START - timedelta(hours=24))
    assert len(reminders(place)) == 1
    await members[0].click(reminders(place)[0], label="Going")

    await meet.restart()
    assert len(reminders(place)) == 1
    await until(meet, START - timedelta(minutes=15))
    assert len(reminders(place)) == 2
    assert counts(reminders(place)[1]) == "Going: 1 · Can't come: 0 · With a case: 0"

    await meet.restart()
    clicked = await members[1].click(reminders(place)[0], label="Can't come")
    assert clicked.acknowledged, "the buttons of a reminder posted before the restart still work"
    assert [counts(m) for m in reminders(place)] == ["Going: 1 · Can't come: 1 · With a case: 0"] * 2
    await until(meet, START)
    await meet.restart()
    await meet.env.advance_time(MIN)
    assert len(reminders(place)) == 2 and len(starts(place)) == 1
    assert meet.rows("SELECT offset_minutes, sent_at IS NOT NULL, skipped_at IS NULL FROM meeting_reminders"
                     " ORDER BY offset_minutes DESC") == [(1440, 1, 1), (15, 1, 1), (0, 1, 1)]


async def test_a_reminder_missed_within_the_grace_goes_out_once(meet: Harness, place: Server) -> None:
    """Down from 14 to 7 minutes before the start: the new bot sends the 15-minute reminder, once."""
    leader, _ = await paris_group(place)
    await schedule(leader, place, start="2026-01-03 19:00")
    await until(meet, START - timedelta(minutes=16))
    meet.bot.timers.shutdown()  # the old process is as good as dead from here on
    await until(meet, START - timedelta(minutes=7))
    assert len(reminders(place)) == 1
    await meet.restart()
    assert len(reminders(place)) == 2
    await meet.restart()
    await until(meet, START)
    assert len(reminders(place)) == 2 and len(starts(place)) == 1


async def test_a_reminder_missed_beyond_the_grace_is_skipped_and_logged(
    meet: Harness, place: Server, caplog: pytest.LogCaptureFixture
) -> None:
    """The day-before reminder, 20 minutes late, is not sent; the 15-minute one still is."""
    leader, _ = await paris_group(place)
    await schedule(leader, place, start="2026-01-03 19:00")
    await until(meet, START - timedelta(hours=25))
    meet.bot.timers.shutdown()
    await until(meet, START - timedelta(hours=24) + timedelta(minutes=20))
    with caplog.at_level(logging.WARNING, logger="bot.discord_io.meeting_runner"):
        await meet.restart()
    assert reminders(place) == []
    assert any("late: skipped, not sent" in r.getMessage() for r in caplog.records)
    assert meet.rows("SELECT offset_minutes FROM meeting_reminders WHERE skipped_at IS NOT NULL") == [(1440,)]
    await until(meet, START)
    assert len(reminders(place)) == 1 and len(starts(place)) == 1


async def test_a_start_notice_missed_beyond_the_grace_is_skipped(meet: Harness, place: Server) -> None:
    """Down over the start: no "starts now" half an hour late."""
    leader, _ = await paris_group(place)
    await schedule(leader, place, start="2026-01-03 19:00")
    await until(meet, START - timedelta(minutes=1))
    meet.bot.timers.shutdown()
    await until(meet, START + timedelta(minutes=30))
    await meet.restart()
    assert starts(place) == []


async def test_events_and_attendance_go_on_after_a_restart(meet: Harness, place: Server) -> None:
    """The next event is still created as one passes, and time in voice adds up across the restart."""
    leader, members = await paris_group(place)
    ada = members[0]
    await schedule(leader, place, start="2026-01-02 19:00", repeat="weekly", count=3, duration=60)
    start = datetime(2026, 1, 2, 18, tzinfo=UTC)
    await until(meet, start - timedelta(minutes=1))
    await ada.join_voice(place.voice)
    await meet.restart()  # before the start, and before the window moves on to the 16th
    await until(meet, start + timedelta(minutes=20))
    await meet.restart()
    await until(meet, start + timedelta(minutes=45))
    await ada.leave_voice()
    await until(meet, start + timedelta(days=1))
    assert [instant(e.scheduled_start_time).day for e in events(meet, place)] == [2, 9, 16]
    assert meet.rows("SELECT user_id, joined_at, left_at FROM meeting_attendance") == [
        (ada.id, "2026-01-02T18:00:00.000000+00:00", "2026-01-02T18:45:00.000000+00:00")]


async def test_a_reminder_refused_after_the_restart_tells_the_leaders_once(meet: Harness, place: Server) -> None:
    """Stopped as Discord refused a reminder, before the leaders were told: the new bot, refused too, tells them."""
    leader, _ = await paris_group(place)
    await schedule(leader, place, start="2026-01-03 19:00")
    meet.env.inject_error("POST", f"/channels/{place.text.id}/messages", status=403, code=50013,
                          message="Missing Permissions", times=None)
    stopped = stop_at(meet.bot.meetings, "_cannot_post_reminders")
    await until(meet, START - timedelta(hours=24))
    assert stopped == [1] and reminders(place) == []
    assert meet.rows("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL") == [(1,)]

    await meet.restart()
    await meet.env.advance_time(1)
    told = [m.content for m in leader.user.dm_channel.history() if m.author.bot]
    assert told == [f"I cannot post the meeting reminders of Alpha in <#{place.text.id}>: I need View Channel and"
                    " Send Messages there."]
    assert meet.rows("SELECT count(*) FROM outbox WHERE given_up_at IS NOT NULL") == [(1,)]
    await until(meet, START - timedelta(minutes=15))  # refused too: the leaders were told already
    assert len([m for m in leader.user.dm_channel.history() if m.author.bot]) == 1


async def test_a_cancellations_notice_comes_once_through_a_503_and_a_restart(meet: Harness, place: Server) -> None:
    """Claimed with the cancellation: a 503 is retried, a restart between claim and send still posts it once."""
    leader, _ = await paris_group(place)
    await schedule(leader, place, start="2026-01-03 19:00", repeat="weekly")
    choices = await meeting_value(leader, place)
    meet.env.inject_error("POST", f"/channels/{place.text.id}/messages", status=503, times=1)
    done = await leader.slash(place.text, "meeting cancel", meeting=choices[0]["value"])
    assert answer(done).startswith("Cancelled the meeting of <t:")
    await meet.env.advance_time(5)
    told = [m for m in place.text.history() if m.content.endswith("is cancelled.")]
    assert [m.content for m in told] == ["The meeting of **Alpha** on <t:1767463200:F> is cancelled."]
    sent = [r.json for r in meet.env.http_requests if r.method == "POST"
            and r.path == f"/channels/{place.text.id}/messages" and r.json and "cancelled" in str(r.json)]
    assert len(sent) == 2 and {b["nonce"] for b in sent} == {meet.rows("SELECT nonce FROM outbox")[0][0]}

    # The rest of the series: the process stops before the notice reaches Discord; the next one sends it.
    await meet.bot.lanes.close()  # nothing more leaves this process: as good as dead after the claim
    series = await leader.slash(place.text, "meeting cancel", meeting=(await meeting_value(leader, place))[0]["value"],
                                scope="series")
    assert answer(series).startswith("Cancelled the meetings of **Alpha** every Saturday")
    assert not [m for m in place.text.history() if "cancelled from now on" in m.content]
    await meet.restart()
    await meet.env.advance_time(1)
    await meet.restart()
    await meet.env.advance_time(1)
    assert [m.content for m in place.text.history() if "cancelled from now on" in m.content] == [
        "The meetings of **Alpha** every Saturday at 19:00 (Europe/Paris) are cancelled from now on."]
    [(first,)] = meet.rows("SELECT min(id) FROM meetings")
    [(series_id,)] = meet.rows("SELECT id FROM meeting_series")
    assert meet.rows("SELECT nonce, sent_at IS NOT NULL FROM outbox ORDER BY claimed_at") == [
        (cancel_nonce(CancelKind.MEETING, first), 1), (cancel_nonce(CancelKind.SERIES, series_id), 1)]


async def test_a_cancellation_refused_tells_the_leaders_once_also_after_a_restart(meet: Harness, place: Server) -> None:
    """No Send Messages: the leaders hear it privately, once; a stop before they were told, the next bot makes up."""
    leader, _ = await paris_group(place)
    await schedule(leader, place, start="2026-01-03 19:00", repeat="weekly")
    meet.env.inject_error("POST", f"/channels/{place.text.id}/messages", status=403, code=50013,
                          message="Missing Permissions", times=None)
    stopped = stop_at(meet.bot.meetings, "_cannot_post_about")
    await leader.slash(place.text, "meeting cancel", meeting=(await meeting_value(leader, place))[0]["value"])
    await meet.env.advance_time(1)
    assert stopped == [1] and [m for m in leader.user.dm_channel.history() if m.author.bot] == []

    await meet.restart()
    await meet.env.advance_time(1)
    expected = (f"I cannot post about the meetings of Alpha in <#{place.text.id}>: I need View Channel and Send"
                " Messages there.")
    assert [m.content for m in leader.user.dm_channel.history() if m.author.bot] == [expected]
    await leader.slash(place.text, "meeting cancel", meeting=(await meeting_value(leader, place))[0]["value"],
                       scope="series")
    await meet.env.advance_time(1)
    assert [m.content for m in leader.user.dm_channel.history() if m.author.bot] == [expected], "told once"
    assert meet.rows("SELECT count(*) FROM outbox WHERE given_up_at IS NOT NULL") == [(2,)]
