"""The leaders' debrief, end to end: each leader and co-leader gets the session's figures privately, once."""

from __future__ import annotations

import discord
import simcord

from bot.storage.instants import from_text
from tests.e2e.conftest import Harness, Server
from tests.support.locales import speak
from tests.support.sessions import MIN, direct_messages, ready_group, session_panel
from tests.support.stops import stop_at


def _t(harness: Harness, column: str = "started_at") -> int:
    (value,) = harness.rows(f"SELECT {column} FROM sessions WHERE id = 1")[0]
    return int(from_text(value).timestamp())


def _expected_report(harness: Harness) -> str:
    start, end = _t(harness), _t(harness, "ended_at")
    return "\n".join([
        f"**Debrief · Alpha** · session of <t:{start}:f>",
        f"Template classic · <t:{start}:t> to <t:{end}:t>",
        "",
        "**Phases** (minutes planned → actual)",
        "• Opening: 3 → 0",
        "• Presentation: 5 → 9 · 1 pause, 2 min · 1 extension, +2 min",
        "• Clarifying questions: 5 → 5",
        "• Discussion (presenter pushed back): 25 → 1",
        "• Presenter returns: 7 → not reached",
        "• Closing: 3 → not reached",
        "",
        "**In all:** 48 min planned, 17 min from start to end.",
        "**Pauses:** 1 (2 min)",
        "**Extensions:** 1 (+2 min)",
        "**In voice:** 4 people",
        "**Relayed for the presenter:** 0",
        "**Feedback:** it follows in another message once at least 3 members have answered.",
    ])


async def _a_session_with_pauses_and_extensions(harness: Harness, server: Server) -> tuple[
        simcord.MemberActor, simcord.MemberActor]:
    """The admin leads, Ben co-leads; 4 people are in voice at some moment; one pause, one extension, End early.

    Presentation: 3 min, paused 2, resumed, +2 min, 6 more min (its 2 left, the 2 given, 2 past time-up): 9 min.
    """
    leader, ada = await ready_group(server)
    ben, chloe = server.members[1], server.members[2]
    await leader.slash(server.text, "group coleader", group="Alpha", member=ben)
    await leader.join_voice(server.voice)
    await ben.join_voice(server.voice)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await leader.click(session_panel(server), label="Next")  # the opening skipped at once
    await harness.env.advance_time(3 * MIN)
    await leader.click(session_panel(server), label="Pause")
    await harness.env.advance_time(2 * MIN)
    await leader.click(session_panel(server), label="Resume")
    await leader.click(session_panel(server), label="+2 min")
    await chloe.join_voice(server.voice)
    await chloe.leave_voice()
    await harness.env.advance_time(6 * MIN)
    await leader.click(session_panel(server), label="Next")
    await harness.env.advance_time(5 * MIN)
    await leader.slash(server.text, "session next")
    await harness.env.advance_time(1 * MIN)
    await leader.click(session_panel(server), label="End")
    await harness.env.advance_time(1)
    return leader, ben


async def test_each_leader_gets_the_figures_privately_once(harness: Harness, server: Server) -> None:
    """The report: planned and actual minutes per phase, pauses, extensions, people in voice, relays."""
    leader, ben = await _a_session_with_pauses_and_extensions(harness, server)
    report = _expected_report(harness)
    assert direct_messages(leader) == [report]
    assert direct_messages(ben) == [report]
    assert all(direct_messages(m) == [] for m in server.members if m is not ben), "leaders only"
    assert not any("Debrief" in m.content for m in server.text.history()), "nothing of it in the channel"
    bodies = [r.json for r in harness.env.http_requests if r.method == "POST" and r.json
              and str(r.json.get("content", "")).startswith("**Debrief")]
    assert sorted(b["nonce"] for b in bodies) == sorted(f"b1.{_b36(u.id)}r" for u in (leader, ben))
    assert all(b["allowed_mentions"] == {"parse": []} for b in bodies)
    rows = harness.rows("SELECT user_id, report_at IS NOT NULL, feedback_at, closed_at FROM session_debriefs")
    assert sorted(rows) == sorted([(leader.id, 1, None, None), (ben.id, 1, None, None)])
    # Each state of the session is logged with the change itself.
    assert harness.rows("SELECT count(*) FROM session_changes") == harness.rows("SELECT version + 1 FROM sessions")

    await harness.restart()
    await harness.env.advance_time(5 * MIN)
    assert direct_messages(leader) == [report], "sent once, across restarts"


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = digits[digit] + out
        if number == 0:
            return out


async def _feedback(server: Server, member: simcord.MemberActor, rating: str, comment: str = "") -> None:
    closing = next(m for m in reversed(server.text.history()) if m.components and "ended" in m.content)
    form = await member.click(closing, label="Give feedback (anonymous)")
    await member.submit_modal(form, {"rating": [rating], "comment": comment})


async def test_the_feedback_follows_when_the_third_member_answers(harness: Harness, server: Server) -> None:
    """Two answers: nothing yet; the third brings a second message to each leader, once; the fourth, none."""
    leader, ben = await _a_session_with_pauses_and_extensions(harness, server)
    ada, chloe, dev, eve = server.members[0], server.members[2], server.members[3], server.members[4]
    await _feedback(server, ada, "5", "Felt heard")
    await _feedback(server, chloe, "3")
    assert len(direct_messages(leader)) == 1
    await _feedback(server, dev, "4", "Too short")
    start = _t(harness)
    expected = "\n".join([
        f"**Feedback · Alpha** · session of <t:{start}:f>",
        "3 answers · average 4.0 / 5",
        "5★ ×1  4★ ×1  3★ ×1  2★ ×0  1★ ×0",
        "**Comments**",
        "• Felt heard",
        "• Too short",
    ])
    assert direct_messages(leader)[1:] == [expected]
    assert direct_messages(ben)[1:] == [expected]
    await _feedback(server, eve, "2")
    await harness.restart()
    await harness.env.advance_time(2 * MIN)
    assert len(direct_messages(leader)) == 2 and len(direct_messages(ben)) == 2


async def test_a_report_discord_could_not_take_is_sent_after_a_restart(harness: Harness, server: Server) -> None:
    """Discord fails to open the direct messages for longer than the bot tries: the report is still owed, then sent."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    harness.env.inject_error("POST", "/users/@me/channels", status=503, times=None)
    await leader.slash(server.text, "session end")
    await harness.env.advance_time(40)
    assert direct_messages(leader) == []
    assert harness.rows("SELECT report_at FROM session_debriefs") == [(None,)]
    await harness.bot.close()
    harness.env.backend.faults.clear()
    await harness.restart()
    await harness.env.advance_time(1)
    assert len(direct_messages(leader)) == 1
    assert direct_messages(leader)[0].startswith("**Debrief · Alpha**")
    await harness.restart()
    await harness.env.advance_time(2 * MIN)
    assert len(direct_messages(leader)) == 1


async def test_a_leader_with_direct_messages_closed_is_told_once_in_the_channel(harness: Harness,
                                                                               server: Server) -> None:
    """Discord refuses the direct message: one word in the channel, with a button only the session's leaders use."""
    leader, ada = await ready_group(server)
    ben = server.members[1]
    await leader.slash(server.text, "group coleader", group="Alpha", member=ben)
    closed = leader.user.dm_channel
    harness.env.inject_error("POST", f"/channels/{closed.id}/messages", status=403, code=50007,
                             message="Cannot send messages to this user", times=None)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await harness.env.advance_time(2 * MIN)
    await leader.slash(server.text, "session end")
    await harness.env.advance_time(1)
    words = [m for m in server.text.history() if "debrief" in m.content]
    assert [m.content for m in words] == [
        f"{leader.mention}, I could not send you this session's debrief: Discord refused a direct message (they may "
        "be closed for this server). Read it here, privately, with the button."]
    assert "Phases" not in words[0].content
    assert len(direct_messages(ben)) == 1, "the co-leader still gets theirs"

    read = await leader.click(words[0], label="Read my debrief")
    assert read.ephemeral and read.response.content.startswith("**Debrief · Alpha** · session of <t:")
    assert "**Feedback:** shown once at least 3 members have answered (0 so far)." in read.response.content
    other = await server.members[2].click(words[0], label="Read my debrief")
    assert other.ephemeral and other.response.content == "Only the leaders of this session can read its debrief."
    await harness.restart()
    await harness.env.advance_time(2 * MIN)
    assert len([m for m in server.text.history() if "debrief" in m.content]) == 1, "told once"
    again = await leader.click(words[0], label="Read my debrief")
    assert again.ephemeral and again.response.content == read.response.content


async def test_a_bot_stopped_between_the_refusal_and_the_word_says_it_after_the_restart(
        harness: Harness, server: Server) -> None:
    """The process stops once Discord refused the direct message, before it told the channel: the next one tells it."""
    leader, ada = await ready_group(server)
    closed = leader.user.dm_channel
    harness.env.inject_error("POST", f"/channels/{closed.id}/messages", status=403, code=50007,
                             message="Cannot send messages to this user", times=None)
    stopped = stop_at(harness.bot.sessions.debriefs, "_closed")
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await harness.env.advance_time(2 * MIN)
    await leader.slash(server.text, "session end")
    await harness.env.advance_time(1)
    assert stopped == [1]
    assert not [m for m in server.text.history() if "debrief" in m.content]
    await harness.restart()
    await harness.env.advance_time(1)
    words = [m for m in server.text.history() if "debrief" in m.content]
    assert [m.content.split(",")[0] for m in words] == [leader.mention], "told once, after the restart"
    report = f"b1.{_b36(leader.id)}r"
    assert harness.rows("SELECT given_up_at IS NOT NULL FROM outbox WHERE nonce = ?", (report,)) == [(1,)]
    assert harness.rows("SELECT report_at IS NOT NULL, closed_at IS NOT NULL FROM session_debriefs") == [(1, 1)]
    await harness.restart()
    await harness.env.advance_time(2 * MIN)
    assert len([m for m in server.text.history() if "debrief" in m.content]) == 1


def _french_panel(server: Server) -> discord.Message:
    return next(m for m in server.text.history() if m.embeds and m.embeds[0].title == "Séance Balint · Alpha")


async def test_a_debrief_in_french(harness: Harness, server: Server) -> None:
    """A French group's leaders read their debrief in French, figures and all."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "group config", group="Alpha", language="fr")
    await leader.join_voice(server.voice)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await leader.click(_french_panel(server), label="Phase suivante")  # the opening skipped at once
    await harness.env.advance_time(1 * MIN)
    await leader.click(_french_panel(server), label="Pause")
    await harness.env.advance_time(1 * MIN)
    await leader.click(_french_panel(server), label="Reprendre")
    await leader.click(_french_panel(server), label="+2 min")
    await leader.click(_french_panel(server), label="+2 min")
    await harness.env.advance_time(2 * MIN)
    await leader.click(_french_panel(server), label="Terminer")
    await harness.env.advance_time(1)
    start, end = _t(harness), _t(harness, "ended_at")
    assert direct_messages(leader) == ["\n".join([
        f"**Bilan · Alpha** · séance du <t:{start}:f>",
        f"Modèle classic · de <t:{start}:t> à <t:{end}:t>",
        "",
        "**Phases** (minutes prévues → réelles)",
        "• Ouverture : 3 → 0",
        "• Présentation : 5 → 3 · 1 pause, 1 min · 2 prolongations, +4 min",
        "• Questions de clarification : 5 → non atteinte",
        "• Discussion (mise en retrait) : 25 → non atteinte",
        "• Retour de la personne qui présente : 7 → non atteinte",
        "• Clôture : 3 → non atteinte",
        "",
        "**En tout :** 48 min prévues, 4 min du début à la fin.",
        "**Pause :** 1 (1 min)",
        "**Prolongations :** 2 (+4 min)",
        "**Dans le salon vocal :** 2 personnes",
        "**Messages relayés pour la personne qui présente :** 0",
        "**Avis :** ils suivront dans un autre message dès qu'au moins 3 membres auront répondu.",
    ])]


async def test_the_debrief_button_answers_in_its_readers_language(harness: Harness, server: Server) -> None:
    """The channel's word is in the group's language; the report the button shows, in the reader's."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "group config", group="Alpha", language="fr")
    harness.env.inject_error("POST", f"/channels/{leader.user.dm_channel.id}/messages", status=403, code=50007,
                             times=None)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await leader.slash(server.text, "session end")
    await harness.env.advance_time(1)
    word = next(m for m in server.text.history() if "bilan" in m.content)
    assert word.content.startswith(f"{leader.mention}, je n'ai pas pu vous envoyer le bilan de cette séance")
    english = await leader.click(word, label="Lire mon bilan")
    assert english.response.content.startswith("**Debrief · Alpha**")
    speak(harness.env, leader, "fr")
    french = await leader.click(word, label="Lire mon bilan")
    assert french.response.content.startswith("**Bilan · Alpha**")
    assert "(0 pour l'instant)" in french.response.content


async def test_a_session_from_before_the_log_gets_no_debrief(harness: Harness, server: Server) -> None:
    """A session running when the bot was upgraded has no log from its start: no figures are made up for it."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    harness.rows("SELECT 1")
    import sqlite3

    with sqlite3.connect(harness.db_path) as conn:
        conn.execute("DELETE FROM session_changes")
    await leader.slash(server.text, "session end")
    await harness.env.advance_time(1)
    assert direct_messages(leader) == []
    assert harness.rows("SELECT count(*) FROM session_debriefs") == [(0,)]


async def test_forget_me_removes_a_leaders_debriefs_and_waits(harness: Harness, server: Server) -> None:
    """A co-leader who asks to be forgotten leaves no debrief record and no wait behind; nothing is said of them."""
    from tests.support.privacy import forget

    leader, ben = await _a_session_with_pauses_and_extensions(harness, server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=server.members[0])
    # Both leaders are still in voice from the first session; both leave it.
    await ben.leave_voice()
    await leader.leave_voice()
    assert {u for (u,) in harness.rows("SELECT user_id FROM session_dropouts")} == {leader.id, ben.id}
    await forget(ben, server.text)
    assert harness.rows("SELECT count(*) FROM session_debriefs WHERE user_id = ?", (ben.id,)) == [(0,)]
    assert harness.rows("SELECT user_id FROM session_dropouts") == [(leader.id,)]
    await harness.env.advance_time(2 * MIN)
    said = [m.content for m in server.text.history() if "waits for" in m.content]
    assert said == [f"Paused: the group waits for {leader.mention} to reconnect."]
