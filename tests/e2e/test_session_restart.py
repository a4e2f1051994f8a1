"""A session survives a restart of the bot in any phase: time, buttons, notices and mutes."""

from __future__ import annotations

import pytest

from bot.core.phases import BUILTIN_TEMPLATES
from tests.e2e.conftest import Harness, Server
from tests.support.sessions import (
    MIN,
    count_messages,
    is_muted,
    now_field,
    panel_deadline,
    ready_group,
    session_panel,
    skip_opening,
)
from tests.support.stops import stop_at

CLASSIC = BUILTIN_TEMPLATES["classic"].phases


@pytest.mark.parametrize("index", range(len(CLASSIC)))
async def test_restart_in_each_phase_keeps_time_and_buttons(harness: Harness, server: Server, index: int) -> None:
    """One minute into phase N, a new bot finds the same deadline, times out to the second, and obeys the panel."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    for _ in range(index):
        await leader.click(session_panel(server), label="Next")
    await harness.env.advance_time(1 * MIN)
    deadline = panel_deadline(session_panel(server))
    muted = is_muted(server, ada)
    assert muted is CLASSIC[index].pushback

    await harness.restart()

    assert panel_deadline(session_panel(server)) == deadline
    assert is_muted(server, ada) is muted
    left = (CLASSIC[index].minutes - 1) * MIN
    await harness.env.advance_time(left - 1)
    assert count_messages(server, f"⏰ Time is up for **{CLASSIC[index].name}**") == 0
    await harness.env.advance_time(1)
    assert count_messages(server, f"⏰ Time is up for **{CLASSIC[index].name}**") == 1
    if CLASSIC[index].minutes * MIN > 2 * MIN + MIN:
        assert count_messages(server, f"⏳ **2 minutes** left in {CLASSIC[index].name}") == 1

    pressed = await leader.click(session_panel(server), label="End" if index == len(CLASSIC) - 1 else "Next")
    assert pressed.acknowledged and not pressed.ephemeral
    assert not is_muted(server, ada) or CLASSIC[min(index + 1, len(CLASSIC) - 1)].pushback


async def test_notices_due_while_down_are_sent_once_by_the_new_bot(harness: Harness, server: Server) -> None:
    """A warning that fell due while the bot was down comes once, from the new bot; nothing twice."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    harness.bot.timers.shutdown()  # the old process is as good as dead from here on
    await harness.env.advance_time(3 * MIN + 30)
    assert count_messages(server, "⏳") == 0
    await harness.restart()
    assert count_messages(server, "⏳ **2 minutes** left in Presentation.") == 1
    await harness.restart()
    await harness.env.advance_time(90)
    assert count_messages(server, "⏳") == 1
    assert count_messages(server, "⏰ Time is up for **Presentation**") == 1


async def test_a_late_warning_gives_way_to_the_time_up(harness: Harness, server: Server) -> None:
    """Down past the end of the phase: the new bot posts the time-up only, not a stale warning."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    harness.bot.timers.shutdown()
    await harness.env.advance_time(6 * MIN)
    await harness.restart()
    assert count_messages(server, "⏳") == 0
    assert count_messages(server, "⏰ Time is up for **Presentation**") == 1


async def test_a_paused_session_stays_paused_across_a_restart(harness: Harness, server: Server) -> None:
    """The seconds left while paused survive; resume on the old panel gives them back."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    await harness.env.advance_time(150)
    await leader.click(session_panel(server), label="Pause")
    await harness.restart()
    await harness.env.advance_time(20 * MIN)
    assert now_field(session_panel(server)) == "**Paused** in Presentation, 2:30 left"
    await leader.click(session_panel(server), label="Resume")
    await harness.env.advance_time(150)
    assert count_messages(server, "⏰") == 1


async def test_a_presenter_left_muted_by_a_dead_process_is_unmuted(harness: Harness, server: Server) -> None:
    """The session ended in the database but the old process died before unmuting: the new one unmutes."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    await leader.slash(server.text, "session next")
    await leader.slash(server.text, "session next")
    assert is_muted(server, ada)
    harness.rows("SELECT 1")  # the database file is shared; end the session as the dying process had
    import sqlite3

    with sqlite3.connect(harness.db_path) as conn:
        conn.execute("UPDATE sessions SET status = 'ended', deadline = NULL, version = version + 1")
    await harness.restart()
    assert not is_muted(server, ada)
    assert harness.rows("SELECT count(*) FROM voice_mutes") == [(0,)]


async def test_a_presenter_out_of_voice_is_unmuted_on_join_after_a_restart(harness: Harness, server: Server) -> None:
    """A pending unmute survives the restart and happens when the presenter comes back."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    await leader.slash(server.text, "session next")
    await leader.slash(server.text, "session next")
    await ada.leave_voice()
    await leader.slash(server.text, "session end")
    await harness.restart()
    assert harness.rows("SELECT user_id FROM voice_mutes") == [(ada.id,)]
    await ada.join_voice(server.voice)
    assert not is_muted(server, ada)


async def test_a_notice_refused_after_the_restart_tells_the_leaders_once(harness: Harness, server: Server) -> None:
    """Stopped as Discord refused a notice, before the leaders were told: the new bot, refused too, tells them."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    harness.env.inject_error("POST", f"/channels/{server.text.id}/messages", status=403, code=50013,
                             message="Missing Permissions", times=None)
    stopped = stop_at(harness.bot.sessions, "_cannot_post")
    await harness.env.advance_time(3 * MIN + 1)  # the warning falls due, and is refused
    assert stopped == [1]
    assert [m for m in leader.user.dm_channel.history() if m.author.bot] == []
    claimed = harness.rows("SELECT nonce FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL")
    assert claimed == [("s1.2w",)], "still owed: the stopped process had not let it go"

    await harness.restart()
    await harness.env.advance_time(1)
    told = [m.content for m in leader.user.dm_channel.history() if m.author.bot]
    assert told == [f"I cannot post in <#{server.text.id}> for Alpha: I need View Channel and Send Messages there."
                    " The session goes on."]
    assert harness.rows("SELECT given_up_at IS NOT NULL FROM outbox WHERE nonce = 's1.2w'") == [(1,)]
    await harness.env.advance_time(2 * MIN)  # the time-up, refused too: the leaders were told already
    assert len([m for m in leader.user.dm_channel.history() if m.author.bot]) == 1
