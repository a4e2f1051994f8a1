"""Every bad meeting input gets a private one-sentence answer saying why and what to do, and changes nothing."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Harness, Server
from tests.support.meetings import answer

NOTHING = [(0,)]


def refused(result: Any, text: str) -> None:
    """A private answer, one line, exactly this text."""
    assert result.ephemeral, result
    assert result.response is not None and result.followups == []
    content = result.response.content
    assert content == text
    assert "\n" not in content and content.endswith(".")


def nothing_stored(harness: Harness, server: Server) -> None:
    for table in ("meeting_series", "meetings", "meeting_reminders", "meeting_rsvps", "meeting_attendance"):
        assert harness.rows(f"SELECT count(*) FROM {table}") == NOTHING, table
    assert harness.env.backend.get_guild(server.guild.id).scheduled_events == {}


SCHEDULE_CASES = [
    ({"start": "someday"},
     "I cannot read 'someday' as a day and time; write it like 2026-12-01 19:00, tomorrow 19:00 or next tuesday"
     " 19:00."),
    ({"start": ""}, "The start is empty; write it like 2026-12-01 19:00, tomorrow 19:00 or next tuesday 19:00."),
    ({"start": "2025-12-31 19:00"}, "2025-12-31 19:00 in Europe/Paris has already passed; give a time still to come."),
    ({"start": "today 00:30"}, "2026-01-01 00:30 in Europe/Paris has already passed; give a time still to come."),
    ({"start": "2026-02-30 19:00"}, "2026-02-30 is not a day of the calendar; check the month and day."),
    ({"start": "tomorrow 24:30"}, "24:30 is not a time of day; use hours 0-23 and minutes 0-59."),
    ({"start": "2028-06-01 19:00"}, "A meeting can be scheduled at most 2 years ahead; pick an earlier day."),
    ({"start": "2026-03-29 02:30"},
     "2026-03-29 02:30 in Europe/Paris does not exist: the clocks go forward that night; pick a time that exists,"
     " such as 03:30, or another day."),
    ({"start": "2026-10-25 02:30"},
     "2026-10-25 02:30 in Europe/Paris happens twice: the clocks go back that night; pick a time outside that hour,"
     " such as 19:00, or another day."),
    ({"start": "2026-03-01 02:30", "repeat": "weekly"},
     "The series would meet at 2026-03-29 02:30 in Europe/Paris, but that time does not exist: the clocks go"
     " forward that night; pick a time that exists, such as 03:30, or another time of day."),
    ({"start": "2026-02-03 19:00", "duration": 10}, "A meeting lasts 15 to 240 minutes; 10 is out of range."),
    ({"start": "2026-02-03 19:00", "duration": 300}, "A meeting lasts 15 to 240 minutes; 300 is out of range."),
    ({"start": "2026-02-03 19:00", "repeat": "weekly", "count": 0},
     "count must be 1 to 52 meetings; for a longer series use until, or no end."),
    ({"start": "2026-02-03 19:00", "repeat": "weekly", "count": 53},
     "count must be 1 to 52 meetings; for a longer series use until, or no end."),
    ({"start": "2026-02-03 19:00", "repeat": "weekly", "until": "2026-02-01"},
     "until (2026-02-01) is before the first meeting (2026-02-03); give a later day, or use count."),
    ({"start": "2026-02-03 19:00", "repeat": "weekly", "until": "next month"},
     "I cannot read 'next month' as a day for until; write it like 2026-12-31."),
    ({"start": "2026-02-03 19:00", "repeat": "weekly", "count": 4, "until": "2026-06-01"},
     "Give count or until, not both: pick the one that says when the series ends."),
    ({"start": "2026-02-03 19:00", "count": 4},
     "count and until are for repeating meetings; choose a repeat, or leave them out."),
    ({"start": "2026-03-31 19:00", "repeat": "monthly"},
     "2026-03-31 is the 5th Tuesday of its month, which most months do not have; start on one of the first four"
     " (days 1-28), or repeat weekly."),
]


async def test_schedule_refusals(harness: Harness, server: Server) -> None:
    """A bad start, duration, repeat, count or until: refused privately, nothing stored, no event."""
    await server.create_group(timezone="Europe/Paris")
    for options, text in SCHEDULE_CASES:
        result = await server.admin.slash(server.text, "meeting schedule", group="Alpha", **options)
        refused(result, text)
        nothing_stored(harness, server)


async def test_only_leaders_schedule_and_the_group_must_exist(harness: Harness, server: Server) -> None:
    """A member, or an unknown group: refused."""
    await server.create_group(timezone="Europe/Paris")
    await server.join(server.members[0])
    member = await server.members[0].slash(server.text, "meeting schedule", group="Alpha", start="tomorrow 19:00")
    refused(member, "Only the leaders of Alpha schedule its meetings; ask a leader.")
    unknown = await server.admin.slash(server.text, "meeting schedule", group="Omega", start="tomorrow 19:00")
    refused(unknown, "There is no group called 'Omega' in this server; pick one from the list that appears as you"
                     " type.")
    nothing_stored(harness, server)


async def _one_meeting(server: Server, start: str = "2026-01-02 19:00", **options: Any) -> str:
    result = await server.admin.slash(server.text, "meeting schedule", group="Alpha", start=start, **options)
    assert answer(result).startswith("Scheduled"), result
    choices = await server.admin.autocomplete(server.text, "meeting cancel", "meeting", "")
    return str(choices[0]["value"])


async def test_cancel_refusals(harness: Harness, server: Server) -> None:
    """Not a meeting, another server's, a member's try, twice, or one that began: refused."""
    await server.create_group(timezone="Europe/Paris")
    await server.join(server.members[0])
    value = await _one_meeting(server, "2026-01-01 01:30")  # half an hour from now
    refused(await server.admin.slash(server.text, "meeting cancel", meeting="tomorrow"),
            "There is no such meeting; pick one from the list that appears as you type.")
    refused(await server.admin.slash(server.text, "meeting cancel", meeting="999999"),
            "There is no such meeting; pick one from the list that appears as you type.")
    refused(await server.members[0].slash(server.text, "meeting cancel", meeting=value),
            "Only the leaders of Alpha cancel its meetings; ask a leader.")

    other = harness.server("Other")
    result = await other.admin.slash(other.text, "group create", name="Beta", text_channel=other.text,
                                     voice_channel=other.voice)
    assert result.response.content.startswith("Created")
    await other.admin.slash(other.text, "meeting schedule", group="Beta", start="2026-01-05 19:00")
    (theirs,) = await other.admin.autocomplete(other.text, "meeting cancel", "meeting", "")
    assert await server.admin.autocomplete(server.text, "meeting cancel", "meeting", "Beta") == []
    refused(await server.admin.slash(server.text, "meeting cancel", meeting=theirs["value"]),
            "That meeting belongs to another server; pick one of this server's meetings from the list.")
    assert harness.rows("SELECT count(*) FROM meetings WHERE status = 'cancelled'") == NOTHING

    await harness.env.advance_time(31 * 60)
    refused(await server.admin.slash(server.text, "meeting cancel", meeting=value),
            "That meeting has already begun, so it can no longer be cancelled; it ends by itself.")
    assert harness.rows("SELECT count(*) FROM meetings WHERE status = 'cancelled'") == NOTHING

    later = await _one_meeting(server, "2026-01-03 19:00", repeat="weekly")
    done = await server.admin.slash(server.text, "meeting cancel", meeting=later)
    assert done.response.content.startswith("Cancelled")
    refused(await server.admin.slash(server.text, "meeting cancel", meeting=later),
            "That meeting is already cancelled; there is nothing to do.")
    await server.admin.slash(server.text, "meeting cancel", meeting=later, scope="series")
    refused(await server.admin.slash(server.text, "meeting cancel", meeting=later, scope="series"),
            "That series is already cancelled; there is nothing left to cancel.")


async def test_attendance_and_calendar_refusals(harness: Harness, server: Server) -> None:
    """A member, an unreadable or future since, no meetings yet: refused."""
    await server.create_group(timezone="Europe/Paris")
    await server.join(server.members[0])
    refused(await server.admin.slash(server.text, "meeting calendar", group="Alpha"),
            "Alpha has no meetings scheduled; a leader schedules them with /meeting schedule.")
    refused(await server.admin.slash(server.text, "attendance", group="Alpha"),
            "Alpha has had no meetings yet, so there is no attendance to give.")
    refused(await server.members[0].slash(server.text, "attendance", group="Alpha"),
            "Only the leaders of Alpha see its attendance; ask a leader.")
    refused(await server.admin.slash(server.text, "attendance", group="Alpha", since="yesterday"),
            "I cannot read 'yesterday' as a day for since; write it like 2026-12-31.")
    refused(await server.admin.slash(server.text, "attendance", group="Alpha", since="2026-02-01"),
            "since (2026-02-01) is in the future; give a day that has passed, or leave it out.")
    refused(await server.admin.slash(server.text, "attendance", group="Alpha", since="2026-13-01"),
            "2026-13-01 is not a day of the calendar; check the month and day.")
    nothing_stored(harness, server)
