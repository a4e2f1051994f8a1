"""Discord's passing faults (429, 5xx) never cost a mute, an unmute, a notice or a session."""

from __future__ import annotations

import logging

import pytest

from bot.core.notices import NONCE_WINDOW
from tests.e2e.conftest import Harness, Server
from tests.support.sessions import MIN, count_messages, is_muted, ready_group, session_panel, skip_opening


def _member_path(server: Server, member: object) -> str:
    return f"/guilds/{server.guild.id}/members/{member.id}"  # type: ignore[attr-defined]


def _messages_path(server: Server) -> str:
    return f"/channels/{server.text.id}/messages"


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_503_on_the_mute_as_the_discussion_begins_on_time_is_retried(
        harness: Harness, server: Server, caplog: pytest.LogCaptureFixture) -> None:
    """Auto-advance into the discussion meets one 503 on the member PATCH: the presenter is muted, no traceback."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "group config", group="Alpha", auto_advance=True)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    harness.env.inject_error("PATCH", _member_path(server, ada), status=503, message="Service Unavailable")
    # The opening, the presentation and the questions: the timer job moves into the discussion.
    await harness.env.advance_time(13 * MIN)
    # With auto-advance the time-up and the next phase's guidance are one message.
    moving_on = "⏰ Time is up for **Clarifying questions**. Moving on.\n**Phase 4 of 6: Discussion"
    assert count_messages(server, moving_on) == 1
    await harness.env.advance_time(2)
    assert is_muted(server, ada)
    patches = [r for r in harness.env.http_requests if r.method == "PATCH" and r.path == _member_path(server, ada)]
    assert [r.json for r in patches] == [{"mute": True}, {"mute": True}]
    assert harness.rows("SELECT pending FROM voice_mutes") == [(None,)]
    assert _errors(caplog) == []


async def test_faults_on_the_mute_after_next_and_on_the_unmute_after_end(
        harness: Harness, server: Server, caplog: pytest.LogCaptureFixture) -> None:
    """A 503 then a 429 on the mute, a 502 on the unmute: the buttons are answered at once, the voice follows."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    await leader.click(session_panel(server), label="Next")
    harness.env.inject_error("PATCH", _member_path(server, ada), status=503)
    harness.env.inject_error("PATCH", _member_path(server, ada), status=429, message="You are being rate limited.")
    pressed = await leader.click(session_panel(server), label="Next")
    assert pressed.acknowledged and not pressed.ephemeral
    await harness.env.advance_time(5)
    assert is_muted(server, ada)
    patches = [r for r in harness.env.http_requests if r.method == "PATCH" and r.path == _member_path(server, ada)]
    assert len(patches) == 3
    harness.env.inject_error("PATCH", _member_path(server, ada), status=502, times=3)
    ended = await leader.click(session_panel(server), label="End")
    assert ended.acknowledged
    await harness.env.advance_time(30)
    assert not is_muted(server, ada)
    assert harness.rows("SELECT count(*) FROM voice_mutes") == [(0,)]
    assert _errors(caplog) == []


async def test_faults_on_the_notices_cost_none_and_double_none(
        harness: Harness, server: Server, caplog: pytest.LogCaptureFixture) -> None:
    """503s and a 429 on the channel's messages as notices fall due: each notice comes once, in order."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    harness.env.inject_error("POST", _messages_path(server), status=503, times=2)
    await harness.env.advance_time(3 * MIN)
    await harness.env.advance_time(5)
    assert count_messages(server, "⏳ **2 minutes** left in Presentation.") == 1
    harness.env.inject_error("POST", _messages_path(server), status=429, message="You are being rate limited.")
    harness.env.inject_error("POST", _messages_path(server), status=500)
    await leader.click(session_panel(server), label="Next")
    await harness.env.advance_time(5)
    assert count_messages(server, "**Phase 3 of 6: Clarifying questions**") == 1
    notices = [m.content.split("\n")[0] for m in server.text.history()
               if m.content.startswith(("⏳", "⏰", "**Phase"))]
    assert [n[:12] for n in notices] == ["**Phase 1 of", "**Phase 2 of", "⏳ **2 minute", "**Phase 3 of"]
    assert harness.rows("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]
    assert harness.rows("SELECT count(*) FROM outbox WHERE content IS NOT NULL") == [(0,)], "texts are not kept"
    assert _errors(caplog) == []


async def test_a_notice_claimed_by_a_stopped_process_is_sent_once_by_the_next(harness: Harness, server: Server) -> None:
    """Discord down as the warning falls due, the bot replaced meanwhile: the new one sends it, once."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    harness.env.inject_error("POST", _messages_path(server), status=503, times=None)
    await harness.env.advance_time(3 * MIN + 10)
    assert count_messages(server, "⏳") == 0
    assert harness.rows("SELECT nonce, sent_at FROM outbox WHERE nonce LIKE '%w'") == [("s1.2w", None)]
    harness.bot.timers.shutdown()  # the old process stops here, still retrying
    await harness.bot.lanes.close()
    harness.env.backend.faults.clear()
    await harness.restart()
    assert count_messages(server, "⏳ **2 minutes** left in Presentation.") == 1
    await harness.env.advance_time(2 * MIN)
    assert count_messages(server, "⏳") == 1
    assert count_messages(server, "⏰ Time is up for **Presentation**") == 1
    assert harness.rows("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]


async def test_a_claimed_notice_past_the_nonce_window_is_logged_not_sent(
        harness: Harness, server: Server, caplog: pytest.LogCaptureFixture) -> None:
    """Claimed, unsent, and the bot back only after Discord's nonce window: given up and logged, never doubled."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    harness.env.inject_error("POST", _messages_path(server), status=503, times=None)
    await harness.env.advance_time(3 * MIN + 10)
    harness.bot.timers.shutdown()  # the old process is as good as dead from here on
    await harness.bot.lanes.close()
    harness.env.backend.faults.clear()
    await harness.env.advance_time(NONCE_WINDOW.total_seconds() + 1)
    await harness.restart()
    assert count_messages(server, "⏳") == 0
    given_up = harness.rows("SELECT nonce FROM outbox WHERE given_up_at IS NOT NULL")
    assert given_up == [("s1.2w",)]
    assert any("s1.2w" in r.getMessage() and "nonce window" in r.getMessage() for r in caplog.records)
    await harness.env.advance_time(2 * MIN)
    assert count_messages(server, "⏰ Time is up for **Presentation**") == 1
