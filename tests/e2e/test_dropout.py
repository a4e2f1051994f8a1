"""The dropout protocol, end to end: the group waits for its presenter or last leader, pauses on time, once."""

from __future__ import annotations

import simcord

from tests.e2e.conftest import Harness, Server
from tests.support.locales import speak
from tests.support.privacy import export_of, forget
from tests.support.sessions import (
    MIN,
    count_messages,
    direct_messages,
    now_field,
    ready_group,
    session_panel,
    skip_opening,
)

GRACE = 60


def _awaited(who: simcord.MemberActor) -> str:
    return f"Paused: the group waits for {who.mention} to reconnect."


def _back(who: simcord.MemberActor) -> str:
    return f"{who.mention} is back; the leader can resume the session with Resume."


def _said(server: Server) -> list[str]:
    """The bot's dropout notices in the group's channel, in order."""
    words = ("waits for", "is back", "attend que", "est de retour")
    return [m.content for m in server.text.history() if m.author.bot and any(w in m.content for w in words)]


def _paused(server: Server) -> bool:
    return now_field(session_panel(server)).startswith("**Paused**")


async def _session(server: Server, **group_options: object) -> tuple[simcord.MemberActor, simcord.MemberActor]:
    leader, ada = await ready_group(server, **group_options)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)  # the presentation, where the presenter speaks
    return leader, ada


async def test_back_within_the_grace_brings_nothing(harness: Harness, server: Server) -> None:
    """A presenter whose connection drops for 59 seconds finds the session as it was, and nothing was said."""
    _, ada = await _session(server)
    await ada.leave_voice()
    await harness.env.advance_time(GRACE - 1)
    await ada.join_voice(server.voice)
    await harness.env.advance_time(5 * MIN)
    assert _said(server) == []
    assert harness.rows("SELECT count(*) FROM session_dropouts") == [(0,)]
    assert not _paused(server)


async def test_a_presenter_gone_past_the_grace_pauses_the_session_once(harness: Harness, server: Server) -> None:
    """At the second the grace ends the session pauses as Pause does, with one notice; the return is told once."""
    leader, ada = await _session(server)
    await harness.env.advance_time(1 * MIN)
    await ada.leave_voice()
    await harness.env.advance_time(GRACE - 1)
    assert _said(server) == [] and not _paused(server)
    await harness.env.advance_time(1)
    assert _said(server) == [_awaited(ada)]
    assert now_field(session_panel(server)) == "**Paused** in Presentation, 3:00 left"
    assert harness.rows("SELECT status, remaining FROM sessions") == [("paused", 180.0)]
    notice = next(r for r in harness.env.http_requests if r.method == "POST" and r.json
                  and r.json.get("content") == _awaited(ada))
    assert notice.json["allowed_mentions"] == {"parse": []} and notice.json["nonce"] == "d1.a"
    # The pause is a change like a leader's: the panel shows Resume.
    labels = [c.label for row in session_panel(server).components for c in row.children]
    assert "Resume" in labels and "Pause" not in labels

    await harness.env.advance_time(10 * MIN)
    assert _said(server) == [_awaited(ada)], "told once"
    await ada.join_voice(server.voice)
    assert _said(server) == [_awaited(ada), _back(ada)]
    assert harness.rows("SELECT count(*) FROM session_dropouts") == [(0,)]
    assert _paused(server), "the leader resumes, not the bot"
    await leader.click(session_panel(server), label="Resume")
    await harness.env.advance_time(3 * MIN)
    assert count_messages(server, "⏰ Time is up for **Presentation**") == 1

    # Each time they drop is a wait of its own, told in its own notice.
    await ada.leave_voice()
    await harness.env.advance_time(GRACE)
    assert _said(server)[-1] == _awaited(ada)
    assert sorted(n for (n,) in harness.rows("SELECT nonce FROM outbox WHERE nonce LIKE 'd%'")) == [
        "d1.a", "d1.b", "d2.a"]


async def test_notify_tells_without_pausing(harness: Harness, server: Server) -> None:
    """With dropout:notify the group is told whom it waits for, and the clock goes on."""
    leader, ada = await ready_group(server)
    configured = await leader.slash(server.text, "group config", group="Alpha", dropout="notify")
    assert configured.response.content == "Updated **Alpha**."
    assert harness.rows("SELECT dropout FROM groups") == [("notify",)]
    info = await server.members[3].slash(server.text, "group info", group="Alpha")
    assert next(f.value for f in info.response.embeds[0].fields if f.name == "Dropout") == "notify"
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await ada.leave_voice()
    await harness.env.advance_time(GRACE)
    assert _said(server) == [f"The group waits for {ada.mention} to reconnect."]
    assert not _paused(server)
    await ada.join_voice(server.voice)
    assert _said(server)[-1] == f"{ada.mention} is back."


async def test_off_does_nothing(harness: Harness, server: Server) -> None:
    """With dropout:off no wait is even stored."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "group config", group="Alpha", dropout="off")
    await leader.join_voice(server.voice)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await ada.leave_voice()
    await leader.leave_voice()
    await harness.env.advance_time(3 * MIN)
    assert _said(server) == [] and not _paused(server)
    assert harness.rows("SELECT count(*) FROM session_dropouts") == [(0,)]
    assert direct_messages(leader) == []


async def test_the_last_leader_rule_with_a_coleader_in_voice(harness: Harness, server: Server) -> None:
    """The leader drops with a co-leader in voice: the co-leader is told privately, the session goes on.

    When the co-leader drops too, nobody leads in voice: the group waits for them.
    """
    leader, _ = await ready_group(server)
    ben, chloe = server.members[1], server.members[2]
    await leader.slash(server.text, "group coleader", group="Alpha", member=ben)
    await leader.join_voice(server.voice)
    await ben.join_voice(server.voice)
    await chloe.join_voice(server.voice)
    await leader.slash(server.text, "session start", group="Alpha", presenter=chloe)
    await leader.leave_voice()
    await harness.env.advance_time(GRACE)
    assert _said(server) == [] and not _paused(server)
    assert direct_messages(ben) == [
        f"{leader.mention}, who leads the session of Alpha, left the voice channel and is not back. You are in "
        "voice: the session's controls are yours too, on its panel and with /session."]
    assert direct_messages(chloe) == [], "only leaders are told"
    await ben.click(session_panel(server), label="Next")  # the co-leader has the controls, as always
    await harness.env.advance_time(5 * MIN)
    assert len(direct_messages(ben)) == 1, "told once"

    await ben.leave_voice()
    await harness.env.advance_time(GRACE)
    assert _said(server) == [_awaited(ben)] and _paused(server)
    await leader.join_voice(server.voice)
    assert _said(server) == [_awaited(ben)], "the group waits for Ben, not for any leader"
    await ben.join_voice(server.voice)
    assert _said(server)[-1] == _back(ben)


async def test_the_last_leader_in_voice_is_awaited(harness: Harness, server: Server) -> None:
    """A leader alone in voice as a leader drops: after the grace the session pauses for them."""
    leader, _ = await _session(server)
    await leader.join_voice(server.voice)
    await leader.leave_voice()
    await harness.env.advance_time(GRACE)
    assert _said(server) == [_awaited(leader)] and _paused(server)


async def test_a_restart_in_the_middle_of_a_wait_still_pauses_on_time(harness: Harness, server: Server) -> None:
    """The wait is in the database: a bot started 30 seconds into it pauses at the same second, once."""
    _, ada = await _session(server)
    await ada.leave_voice()
    await harness.env.advance_time(30)
    await harness.restart()
    await harness.env.advance_time(GRACE - 30 - 1)
    assert _said(server) == []
    await harness.env.advance_time(1)
    assert _said(server) == [_awaited(ada)] and _paused(server)
    await harness.restart()
    await harness.env.advance_time(5 * MIN)
    assert _said(server) == [_awaited(ada)]


async def test_a_grace_that_ended_while_the_bot_was_down_pauses_at_the_restart(harness: Harness,
                                                                             server: Server) -> None:
    """Down past the end of the grace, the presenter still gone: the new bot pauses as it starts."""
    _, ada = await _session(server)
    await ada.leave_voice()
    await harness.bot.close()
    await harness.env.advance_time(3 * MIN)
    assert _said(server) == []
    await harness.restart()
    assert _said(server) == [_awaited(ada)] and _paused(server)


async def test_back_while_the_bot_was_down_means_no_pause_at_all(harness: Harness, server: Server) -> None:
    """They left, and came back while the bot was down: nothing is said, nothing paused, the wait is gone."""
    _, ada = await _session(server)
    await ada.leave_voice()
    await harness.bot.close()
    await harness.env.advance_time(20)
    await ada.join_voice(server.voice)
    await harness.env.advance_time(3 * MIN)
    await harness.restart()
    await harness.env.advance_time(2 * MIN)
    assert _said(server) == [] and not _paused(server)
    assert harness.rows("SELECT count(*) FROM session_dropouts") == [(0,)]


async def test_told_then_back_while_the_bot_was_down(harness: Harness, server: Server) -> None:
    """The group was told, then the presenter came back while the bot was down: the new bot says they are back."""
    _, ada = await _session(server)
    await ada.leave_voice()
    await harness.env.advance_time(GRACE)
    await harness.bot.close()
    await ada.join_voice(server.voice)
    await harness.restart()
    assert _said(server) == [_awaited(ada), _back(ada)]


async def test_left_while_the_bot_was_down_is_awaited_from_the_restart(harness: Harness, server: Server) -> None:
    """Gone while the bot was down (when is unknown): the grace runs from the restart."""
    _, ada = await _session(server)
    await harness.bot.close()
    await ada.leave_voice()
    await harness.env.advance_time(5 * MIN)
    await harness.restart()
    await harness.env.advance_time(GRACE - 1)
    assert _said(server) == []
    await harness.env.advance_time(1)
    assert _said(server) == [_awaited(ada)]


async def test_moving_to_another_voice_channel_is_leaving(harness: Harness, server: Server) -> None:
    """The group's voice channel is what counts: a presenter who moves elsewhere is awaited."""
    _, ada = await _session(server)
    lounge = server.guild.create_voice_channel("Lounge")
    await ada.join_voice(lounge)
    await harness.env.advance_time(GRACE)
    assert _said(server) == [_awaited(ada)]
    await ada.join_voice(server.voice)
    assert _said(server)[-1] == _back(ada)


async def test_a_session_that_ends_forgets_its_waits(harness: Harness, server: Server) -> None:
    """Ended during the grace: nothing is said afterwards, and nothing is kept."""
    leader, ada = await _session(server)
    await ada.leave_voice()
    await leader.slash(server.text, "session end")
    await harness.env.advance_time(3 * MIN)
    await ada.join_voice(server.voice)
    assert _said(server) == []
    assert harness.rows("SELECT count(*) FROM session_dropouts") == [(0,)]


async def test_a_french_group_waits_in_french(harness: Harness, server: Server) -> None:
    """The notices are in the group's language; the setting's name in the reader's."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "group config", group="Alpha", language="fr")
    speak(harness.env, leader, "fr")
    info = await leader.slash(server.text, "group info", group="Alpha")
    assert next(f.value for f in info.response.embeds[0].fields if f.name == "En cas de déconnexion") == (
        "mettre en pause")
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await ada.leave_voice()
    await harness.env.advance_time(GRACE)
    await ada.join_voice(server.voice)
    assert _said(server) == [
        f"En pause : le groupe attend que {ada.mention} se reconnecte.",
        f"{ada.mention} est de retour ; l'animateur ou l'animatrice peut reprendre la séance avec Reprendre.",
    ]


async def test_the_grace_is_a_setting(harness: Harness, server: Server) -> None:
    """sessions.dropout_grace_seconds sets the wait; 0 pauses at once."""
    harness.settings["dropout_grace_seconds"] = 0
    await harness.restart()
    _, ada = await _session(server)
    await ada.leave_voice()
    await harness.env.advance_time(0)
    assert _said(server) == [_awaited(ada)] and _paused(server)


async def test_a_wait_and_a_debrief_are_in_the_export_and_go_with_forget_me(harness: Harness, server: Server) -> None:
    """The presenter's wait while they are out of voice, the leader's debrief sent: exported, then forgotten."""
    leader, ada = await _session(server)
    await ada.leave_voice()
    await harness.env.advance_time(10)
    waits = (await export_of(ada, server.text))["dropout_waits"]
    assert [w["session_id"] for w in waits] == [1], waits
    await ada.join_voice(server.voice)
    assert (await export_of(ada, server.text))["dropout_waits"] == [], "the wait ends when they are back"
    await leader.click(session_panel(server), label="End")
    await harness.env.advance_time(5)
    (debrief,) = (await export_of(leader, server.text))["debriefs"]
    assert debrief["session_id"] == 1 and debrief["report_sent_at"] is not None, debrief
    assert (await forget(leader, server.text)).acknowledged
    assert harness.rows("SELECT * FROM session_debriefs WHERE user_id = ?", (leader.id,)) == []
