"""The bot's own session messages leave the channel `message_retention_hours` after the session ends."""

from __future__ import annotations

from pathlib import Path

import discord

from tests.e2e.conftest import Harness, Server, running
from tests.support.cases import case_id, propose
from tests.support.privacy import DAY, HOUR, clinic, daily
from tests.support.sessions import MIN, ready_group, session_panel, skip_opening

__all__ = ["clinic", "daily"]  # fixtures

ANNOUNCEMENT = "This channel now hosts the Balint group"


def _bot_messages(server: Server) -> list[str]:
    return [m.content or m.embeds[0].title for m in server.text.history() if m.author.bot]


async def _session(h: Harness, server: Server) -> None:
    """An anonymous session with relays, kept cases for 48 h (so that the messages go first), warnings and all."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "group config", group="Alpha", retention_hours=48)
    await propose(server, ada, "Kept a while", anonymous=True)
    await leader.slash(server.text, "session start", group="Alpha", case=await case_id(server, leader, "Kept a while"))
    await skip_opening(server, leader)
    await ada.send_dm("In my words.")
    await h.env.advance_time(5 * MIN)  # the warning and the time-up
    await leader.click(session_panel(server), label="End")


async def test_session_messages_go_after_the_retention_and_nothing_else_does(daily: Harness, clinic: Server) -> None:
    """Panel, phase notices, warning, time-up, relayed words, closing: there 24 h after the end, gone after."""
    h, server = daily, clinic
    await _session(h, server)
    member_words = await server.members[1].send(server.text, "A member's own message")
    posted = _bot_messages(server)
    assert len(posted) == 8, posted
    assert any(p.startswith("**Presenter:**") for p in posted) and any(p.startswith("⏳") for p in posted)
    assert h.rows("SELECT count(*) FROM session_messages") == [(7,)], "all but the group's announcement"

    await h.env.advance_time(24 * HOUR - MIN)
    assert _bot_messages(server) == posted, "kept for the whole retention"
    await h.env.advance_time(2 * MIN)
    assert [p for p in _bot_messages(server)] == [p for p in posted if p.startswith(ANNOUNCEMENT)]
    assert server.text.last_message.id == member_words.id, "nobody else's messages are touched"
    assert h.rows("SELECT count(*) FROM session_messages") == [(0,)]
    assert h.rows("SELECT count(*) FROM cases") == [(1,)], "the case itself stays its own 48 hours"
    bulk = [r for r in h.env.http_requests if r.path.endswith("/messages/bulk-delete")]
    assert len(bulk) == 1 and len(bulk[0].json["messages"]) == 7, "one request for the whole session"


async def test_the_job_is_rebuilt_at_start_up(daily: Harness, clinic: Server) -> None:
    """A restart between the end and the deadline: the new process deletes them on time, from the database."""
    h, server = daily, clinic
    await _session(h, server)
    await h.env.advance_time(12 * HOUR)
    await h.restart()
    await h.env.advance_time(12 * HOUR - MIN)
    assert len(_bot_messages(server)) == 8
    await h.env.advance_time(2 * MIN)
    assert len(_bot_messages(server)) == 1


async def test_zero_keeps_the_messages(tmp_path: Path) -> None:
    """message_retention_hours = 0 keeps them; relayed words still go with the case."""
    async for h in running(Harness(tmp_path, settings={"message_retention_hours": 0}, sweep_seconds=DAY)):
        server = h.server()
        leader, ada = await ready_group(server)
        await propose(server, ada, "Short-lived", anonymous=True)
        await leader.slash(server.text, "session start", group="Alpha",
                           case=await case_id(server, leader, "Short-lived"))
        await ada.send_dm("Gone with the case.")
        await leader.click(session_panel(server), label="End")
        before = _bot_messages(server)
        await h.env.advance_time(30 * DAY)
        assert _bot_messages(server) == before
        assert not any(p.startswith("**Presenter:**") for p in before)


async def test_without_manage_messages_they_go_one_by_one_and_the_leaders_are_told_once(daily: Harness,
                                                                                      clinic: Server) -> None:
    """Bulk deletion is refused; the bot deletes its own messages singly, and says so once."""
    h, server = daily, clinic
    bot_member = server.guild.me
    server.text = server.guild.create_text_channel(
        "no-manage", overwrites={bot_member: discord.PermissionOverwrite(manage_messages=False)})
    await _session(h, server)
    await h.env.advance_time(24 * HOUR + MIN)
    told = [m.content for m in server.text.history() if "Manage Messages" in m.content]
    assert len(told) == 1 and told[0].startswith(f"<@{server.admin.id}> I removed this session's messages")
    assert [p for p in _bot_messages(server) if "Manage Messages" not in p] == [
        p for p in _bot_messages(server) if p.startswith(ANNOUNCEMENT)]
    assert h.rows("SELECT count(*) FROM session_messages") == [(0,)]


async def test_messages_discord_refuses_to_delete_are_told_once_and_given_up(daily: Harness,
                                                                             clinic: Server) -> None:
    """No Manage Messages, and even single deletions refused: the leaders hear it once; nothing is retried."""
    h, server = daily, clinic
    bot_member = server.guild.me
    server.text = server.guild.create_text_channel(
        "closed", overwrites={bot_member: discord.PermissionOverwrite(manage_messages=False)})
    await _session(h, server)
    h.env.inject_error("DELETE", f"/channels/{server.text.id}/messages/*", status=403, code=50001,
                       message="Missing Access", times=None)
    await h.env.advance_time(24 * HOUR + MIN)
    await h.env.advance_time(24 * HOUR - 2 * MIN)  # past the next daily sweep, before the case's purge at 48 h
    told = [m.content for m in server.text.history() if m.author.bot and f"<@{server.admin.id}>" in m.content]
    assert len(told) == 1 and "I cannot remove this session's messages" in told[0], told
    assert len(_bot_messages(server)) == 9, "the eight, and the one notice"
    assert h.rows("SELECT count(*) FROM session_messages") == [(0,)], "given up, not retried every day"
    deletes = [r for r in h.env.http_requests if r.method == "DELETE" and "/messages/" in r.path]
    assert len(deletes) == 1, "the first refusal stops the pass"


async def test_a_deleted_channel_is_told_once_and_stops_nothing(daily: Harness, clinic: Server) -> None:
    """The group's channel is deleted after the session: the leaders hear it once, by DM; the bot goes on."""
    h, server = daily, clinic
    await _session(h, server)
    h.env.backend.delete_channel(server.text.id)
    await h.env.settle()
    await h.env.advance_time(24 * HOUR + MIN)
    await h.env.advance_time(2 * DAY)
    # The session's debrief aside, which every leader gets.
    dms = [m.content for m in server.admin.user.dm_channel.history()
           if m.author.bot and not m.content.startswith("**Debrief")]
    assert len(dms) == 1 and "no longer exists" in dms[0] and "Alpha" in dms[0]
    assert h.rows("SELECT count(*) FROM session_messages") == [(0,)]
    shown = await server.members[1].slash(server.guild.create_text_channel("other"), "group info", group="Alpha")
    assert shown.ephemeral and shown.response.embeds[0].title == "Alpha"


async def test_each_sessions_messages_go_at_their_own_time_when_sessions_end_one_after_another(
        daily: Harness, clinic: Server) -> None:
    """A second end, later, keeps the first's earlier wake-up; the first's messages go, then the second's."""
    h, server = daily, clinic
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await leader.slash(server.text, "session end")
    first = set(h.rows("SELECT message_id FROM session_messages WHERE session_id = 1"))
    await h.env.advance_time(3 * HOUR)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await leader.slash(server.text, "session end")
    second = set(h.rows("SELECT message_id FROM session_messages WHERE session_id = 2"))
    assert first and second
    await h.env.advance_time(21 * HOUR + MIN)  # 24 h after the first end
    assert set(h.rows("SELECT message_id FROM session_messages")) == second
    await h.env.advance_time(3 * HOUR)
    assert h.rows("SELECT count(*) FROM session_messages") == [(0,)]
    assert all(p.startswith(ANNOUNCEMENT) for p in _bot_messages(server)), "only the group's announcement left"
