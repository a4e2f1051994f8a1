"""Leaving: a member who leaves a server leaves its groups; a server that removes the bot loses its data
`server_grace_days` later, unless the bot is added back."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from tests.e2e.conftest import Harness, Server
from tests.support.cases import propose
from tests.support.meetings import reminders, schedule, until
from tests.support.privacy import DAY, clinic, daily, export_of, remove_bot, stored
from tests.support.sessions import ready_group, session_panel

__all__ = ["clinic", "daily"]  # fixtures


async def test_a_member_who_leaves_the_server_leaves_its_groups(daily: Harness, clinic: Server) -> None:
    """Memberships, queued cases (anonymous too), coming answers and seals go; attendance recorded stays."""
    h, server = daily, clinic
    leader, ada = await ready_group(server)
    ben = server.members[1]
    await propose(server, ben, "Ben's named one")
    await propose(server, ben, "Ben's quiet one", anonymous=True)
    await propose(server, ada, "Ada's", anonymous=True)
    await schedule(leader, server, start="2026-01-01 01:00")
    await schedule(leader, server, start="2026-01-08 01:00")
    await until(h, datetime(2026, 1, 1, 0, 45, tzinfo=UTC))
    await ben.click(reminders(server)[0], label="Going")
    await until(h, datetime(2026, 1, 1, 1, 0, tzinfo=UTC))
    await ben.join_voice(server.voice)
    await h.env.advance_time(30 * 60)
    await ben.leave_voice()
    await until(h, datetime(2026, 1, 7, 1, 0, tzinfo=UTC))
    coming = reminders(server)[-1]
    await ben.click(coming, label="I have a case")
    (seal,) = h.rows("SELECT tag FROM meeting_case_marks")
    past_answers = h.rows("SELECT meeting_id FROM meeting_rsvps WHERE user_id = ? ORDER BY meeting_id", (ben.id,))
    assert len(past_answers) == 2

    server.guild.remove_member(ben)
    await h.env.settle()
    assert h.rows("SELECT count(*) FROM members WHERE user_id = ?", (ben.id,)) == [(0,)]
    assert h.rows("SELECT title FROM cases") == [("Ada's",)], "only the cases of those still here"
    assert h.rows("SELECT meeting_id FROM meeting_rsvps WHERE user_id = ?", (ben.id,)) == [past_answers[0]], \
        "the answer to the meeting that took place stays with its attendance"
    # Still counted on the reminder (its count falling would tell who announced it), but nobody's now.
    assert h.rows("SELECT count(*) FROM meeting_case_marks WHERE tag != ?", seal) == [(1,)]
    assert h.rows("SELECT count(*) FROM meeting_attendance WHERE user_id = ?", (ben.id,)) == [(1,)]
    assert h.rows("SELECT count(*) FROM members") == [(4,)]
    assert stored(await export_of(ben.user)).keys() == {"rsvps", "attendance"}, "until they ask to be forgotten"
    asked = await ben.user.slash("privacy forget-me")  # from the bot's DMs: they are in no server of it now
    done = await ben.user.click(asked.response.message, label="Forget me")
    assert done.response.content.startswith("Done: balint-bot no longer stores anything about you.")
    assert stored(await export_of(ben.user)) == {}


async def test_the_only_leader_leaving_the_server_leaves_a_group_the_admins_are_told_of(harness: Harness,
                                                                                        server: Server) -> None:
    """Leaving takes leaderships too; a group left with none stays, and its admins are told."""
    ben = server.members[1]
    await server.create_group("Alpha", leader=ben)
    server.guild.remove_member(ben)
    await harness.env.settle()
    assert harness.rows("SELECT count(*) FROM leaders") == [(0,)]
    assert harness.rows("SELECT name FROM groups") == [("Alpha",)]
    assert server.text.last_message.content.startswith("**Alpha** has no leader any more.")


async def _two_servers(h: Harness) -> tuple[Server, Server]:
    """Clinic and Hospice, each with a group, a member, a case and an ended session."""
    found = []
    for name in ("Clinic", "Hospice"):
        server = h.server(name)
        leader, ada = await ready_group(server)
        await propose(server, ada, f"Case in {name}")
        await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
        await leader.click(session_panel(server), label="End")
        found.append(server)
    return found[0], found[1]


def _groups(h: Harness) -> list[tuple[object, ...]]:
    return h.rows("SELECT guild_id, name FROM groups ORDER BY guild_id")


async def test_a_server_that_removes_the_bot_loses_its_data_after_the_grace(daily: Harness) -> None:
    """Everything of that server goes 30 days after the removal, not before; the other server keeps its own."""
    h = daily
    clinic, hospice = await _two_servers(h)
    await remove_bot(h, clinic)
    assert h.rows("SELECT guild_id FROM server_departures") == [(clinic.guild.id,)]
    await h.env.advance_time(30 * DAY - 60)
    assert len(_groups(h)) == 2
    await h.env.advance_time(120)
    assert _groups(h) == [(hospice.guild.id, "Alpha")]
    assert h.rows("SELECT count(*) FROM cases") == [(1,)]
    assert h.rows("SELECT count(*) FROM sessions") == [(1,)]
    assert h.rows("SELECT count(*) FROM members") == [(5,)]
    assert h.rows("SELECT count(*) FROM session_messages WHERE guild_id = ?", (clinic.guild.id,)) == [(0,)]
    leader_dms = [m for m in clinic.admin.user.dm_channel.history()
                  if m.author.bot and not m.content.startswith("**Debrief")]  # the session's debrief aside
    assert leader_dms == [], "a server that removed the bot is not a channel that vanished"
    assert h.rows("SELECT count(*) FROM server_departures") == [(0,)]


async def test_adding_the_bot_back_keeps_everything(daily: Harness) -> None:
    """Removed, then added back within the grace: nothing is deleted, ever."""
    h = daily
    clinic, _ = await _two_servers(h)
    invite_back = await remove_bot(h, clinic)
    await h.env.advance_time(10 * DAY)
    await invite_back()
    assert h.rows("SELECT count(*) FROM server_departures") == [(0,)]
    await h.env.advance_time(40 * DAY)
    assert len(_groups(h)) == 2
    info = await clinic.members[1].slash(clinic.text, "group info", group="Alpha")
    assert info.response.embeds[0].title == "Alpha"


async def test_the_deletion_is_rebuilt_at_start_up_and_a_removal_while_down_is_found(daily: Harness) -> None:
    """A restart keeps the departure's deadline; a server gone while the bot was down gets its grace from the start."""
    h = daily
    clinic, hospice = await _two_servers(h)
    await remove_bot(h, clinic)
    await h.env.advance_time(20 * DAY)
    await h.restart()
    await h.env.advance_time(10 * DAY + 60)
    assert _groups(h) == [(hospice.guild.id, "Alpha")], "deleted on the first deadline, by the new process"

    await remove_bot(h, hospice)
    # As if the bot had been down when it was removed: it never saw the event.
    with sqlite3.connect(h.db_path) as conn:
        conn.execute("DELETE FROM server_departures")
    await h.restart()
    assert h.rows("SELECT guild_id FROM server_departures") == [(hospice.guild.id,)]
    await h.env.advance_time(30 * DAY + 60)
    assert _groups(h) == []


async def test_a_restart_with_every_server_present_records_no_departure(harness: Harness, server: Server) -> None:
    """The check at start-up does not mistake servers still being loaded for servers that removed the bot."""
    await ready_group(server)
    await harness.restart()
    assert harness.rows("SELECT count(*) FROM server_departures") == [(0,)]
