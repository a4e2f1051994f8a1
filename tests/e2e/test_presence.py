"""The session's roll: who was in voice and when, and who led, written as the session runs and kept across restarts."""

from __future__ import annotations

from datetime import datetime

from bot.storage.instants import from_text
from tests.e2e.conftest import Harness, Server
from tests.support.sessions import MIN, ready_group, session_panel


def _stays(harness: Harness, session_id: int = 1) -> list[tuple[int, float, float | None]]:
    """Each stay as (user, minutes from the session's start at arrival, at departure or None)."""
    (started,) = harness.rows("SELECT started_at FROM sessions WHERE id = ?", (session_id,))[0]
    start = from_text(started)

    def minutes(text: str | None) -> float | None:
        return None if text is None else round((from_text(text) - start).total_seconds() / MIN, 2)

    rows = harness.rows("SELECT user_id, joined_at, left_at FROM session_presence WHERE session_id = ?"
                        " ORDER BY id", (session_id,))
    return [(user, minutes(joined) or 0.0, minutes(left)) for user, joined, left in rows]


async def test_stays_and_leaders_are_recorded_from_start_to_end(harness: Harness, server: Server) -> None:
    """Those in voice at the start, a late arrival, an early departure, and every stay closed by End."""
    leader, ada = await ready_group(server)
    ben, chloe = server.members[1], server.members[2]
    await leader.slash(server.text, "group coleader", group="Alpha", member=ben)
    await leader.join_voice(server.voice)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await harness.env.advance_time(5 * MIN)
    await chloe.join_voice(server.voice)
    await harness.env.advance_time(10 * MIN)
    await chloe.leave_voice()
    await harness.env.advance_time(5 * MIN)
    await leader.click(session_panel(server), label="End")

    assert sorted(_stays(harness)) == sorted([
        (ada.id, 0.0, 20.0), (leader.id, 0.0, 20.0), (chloe.id, 5.0, 15.0),
    ])
    assert sorted(harness.rows("SELECT user_id, role FROM session_leaders WHERE session_id = 1")) == sorted([
        (leader.id, "led"), (ben.id, "coled"),
    ])
    await chloe.join_voice(server.voice)  # after the end: nothing more is recorded
    assert len(_stays(harness)) == 3


async def test_the_roll_is_brought_up_to_date_after_a_restart(harness: Harness, server: Server) -> None:
    """Who left and who came while the bot was down are settled at the restart; then tracking goes on."""
    leader, ada = await ready_group(server)
    ben = server.members[1]
    await ben.join_voice(server.voice)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await harness.env.advance_time(5 * MIN)
    await harness.bot.close()
    await ben.leave_voice()
    await leader.join_voice(server.voice)
    await harness.env.advance_time(1 * MIN)
    await harness.restart()
    await harness.env.advance_time(4 * MIN)
    await ada.leave_voice()
    stays = _stays(harness)
    assert (ben.id, 0.0, 6.0) in stays, stays  # gone when the new process looked
    assert (leader.id, 6.0, None) in stays, stays
    assert (ada.id, 0.0, 10.0) in stays, stays
    assert all(isinstance(from_text(t), datetime) for (t,) in harness.rows("SELECT joined_at FROM session_presence"))
