"""An anonymous presenter, end to end: their words reach the group, and nothing reveals who they are.

Each test covers one way such bots have leaked authors, and ends with a full scan (REST calls,
gateway events, every member's view of every channel, the audit log, the log output) for the
presenter's id, user name and display name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.discord_io.leaders import dm_user
from tests.e2e.conftest import Harness, Server
from tests.support.anonymous import Anonymous, anonymous_case
from tests.support.cases import case_id, propose
from tests.support.sessions import direct_messages, is_muted, session_panel


@pytest.fixture
async def anon(harness: Harness, server: Server) -> AsyncIterator[Anonymous]:
    async with anonymous_case(harness, server) as world:
        yield world


async def test_a_whole_anonymous_session_leaves_no_trace(anon: Anonymous) -> None:
    """Propose, present by DM and by the panel, listen in silence, return, get moderated, end: no trace."""
    server, ada, leader = anon.server, anon.presenter, anon.leader
    await anon.start()
    panel = session_panel(server).embeds[0]
    assert "**Presenter:** the presenter" in panel.description

    await leader.click(session_panel(server), label="Next")  # past the opening: the presentation
    reply = await ada.send_dm("He was my first patient when I started here.")
    assert anon.relays() == ["**Presenter:** He was my first patient when I started here."]
    assert ada.user.dm_channel.last_message.content == "Relayed to the group as “Presenter”."
    assert reply.content.startswith("He was")

    await leader.click(session_panel(server), label="Next")  # clarifying questions: the presenter answers
    form = await ada.click(session_panel(server), label="Speak as presenter")
    assert form.modal is not None and form.modal["title"] == "Speak as presenter"
    sent = await ada.submit_modal(form, {"words": "No, he comes alone."})
    assert sent.ephemeral and sent.response.content == "Relayed to the group as “Presenter”."

    await leader.click(session_panel(server), label="Next")  # discussion: the presenter listens
    await ada.send_dm("But I wanted to add...")
    assert ada.user.dm_channel.last_message.content.startswith(
        "The group is in Discussion (presenter pushed back) now: you listen in silence")
    assert not is_muted(server, ada), "an anonymous presenter is never muted"
    late = await ada.click(session_panel(server), label="Speak as presenter")
    refused = await ada.submit_modal(late, {"words": "Still me."})
    assert refused.ephemeral and "you listen in silence" in refused.response.content

    await leader.click(session_panel(server), label="Next")  # the presenter returns
    await ada.send_dm("What struck me is how angry I felt.")
    assert len(anon.relays()) == 3

    relayed = next(m for m in server.text.history() if m.content.startswith("**Presenter:** No, he"))
    removed = await leader.context_menu(server.text, "Remove relayed message", relayed)
    assert removed.ephemeral and removed.response.content == "The relayed message was removed."
    assert len(anon.relays()) == 2

    await leader.click(session_panel(server), label="Next")
    await leader.click(session_panel(server), label="End")
    assert anon.relays() == [], "relayed words go with the case when the session ends"
    assert anon.harness.rows("SELECT count(*) FROM cases") == [(0,)]
    assert anon.harness.rows("SELECT count(*) FROM relays") == [(0,)]
    anon.scan.assert_clean()


async def test_the_queue_and_autocomplete_show_no_author(anon: Anonymous) -> None:
    """/case list says "anonymous"; the session's case choices show titles only."""
    listed = await anon.server.members[2].slash(anon.server.text, "case list", group="Alpha")
    assert "**The patient I dread** · anonymous" in listed.response.content
    choices = await anon.leader.autocomplete(anon.server.text, "session start", "case", "", group="Alpha")
    assert [c["name"] for c in choices] == ["The patient I dread"]
    theirs = await anon.server.members[1].autocomplete(anon.server.text, "case withdraw", "case", "")
    assert theirs == []
    anon.scan.assert_clean()


async def test_refusals_to_others_name_no_one(anon: Anonymous) -> None:
    """Members who try the presenter's button or case get refusals that point at nobody."""
    await anon.start()
    ben = anon.server.members[1]
    tried = await ben.click(session_panel(anon.server), label="Speak as presenter")
    assert tried.modal is None and tried.ephemeral
    assert tried.response.content == "Only the presenter of this session can speak through the bot."
    await ben.send_dm("let me in")
    assert ben.user.dm_channel.last_message.content.startswith("You are not presenting anonymously")
    anon.scan.assert_clean()


async def test_relays_are_new_bot_messages_with_no_mentions_and_no_reply(anon: Anonymous) -> None:
    """The relay is a plain channel.send: no interaction metadata, no reference, no pings."""
    await anon.start()
    form = await anon.presenter.click(session_panel(anon.server), label="Speak as presenter")
    await anon.presenter.submit_modal(form, {"words": f"@everyone {anon.leader.mention} listen"})
    message = anon.server.text.last_message
    assert message.content == f"**Presenter:** @everyone {anon.leader.mention} listen"
    assert message.interaction_metadata is None and message.reference is None
    # The mention stays readable, but the body allows no ping at all (checked below).
    assert message.author.bot and not message.mention_everyone
    bodies = [r.json for r in anon.harness.env.http_requests
              if r.method == "POST" and r.path == f"/channels/{anon.server.text.id}/messages"
              and str(r.json.get("content") or "").startswith("**Presenter:**")]
    assert bodies and all(b["allowed_mentions"] == {"parse": []} and "message_reference" not in b for b in bodies)
    anon.scan.assert_clean()


async def test_every_answer_to_the_presenter_is_private(anon: Anonymous) -> None:
    """Commands, buttons and modals of the presenter get ephemeral answers or forms, nothing public."""
    await anon.start()
    ada, text = anon.presenter, anon.server.text
    results = [
        await ada.slash(text, "case list", group="Alpha"),
        await ada.slash(text, "session status"),
        await ada.slash(text, "session next"),
    ]
    form = await ada.click(session_panel(anon.server), label="Speak as presenter")
    results.append(await ada.submit_modal(form, {"words": "Yes."}))
    again = await ada.slash(text, "case propose", group="Alpha", anonymous=True)
    assert again.modal is not None
    results.append(await ada.submit_modal(again, {"title": "Another one", "story": ""}))
    assert all(r.ephemeral for r in results), [r.response.content for r in results if not r.ephemeral]
    public = [m for m in text.history(viewer=anon.server.members[1]) if m.interaction_metadata is not None]
    assert all(m.interaction_metadata.user.id != ada.id for m in public)
    anon.scan.assert_clean()


async def test_custom_ids_carry_only_session_ids(anon: Anonymous) -> None:
    """The panel's buttons name the session and the action, never a person."""
    await anon.start()
    ids = [c.custom_id for row in session_panel(anon.server).components for c in row.children]
    session = anon.harness.rows("SELECT id FROM sessions")[0][0]
    assert ids == [f"balint:s:{session}:{a}" for a in ("pause", "extend", "next", "back", "end")] + [
        f"balint:hand:{session}:raise", f"balint:hand:{session}:next", f"balint:speak:{session}"]
    anon.scan.assert_clean()


async def test_the_seal_is_not_stable_across_cases_and_the_database_names_no_one(anon: Anonymous) -> None:
    """Two anonymous cases of one author have unrelated seals; no column holds their id."""
    await propose(anon.server, anon.presenter, "A second one", anonymous=True)
    rows = anon.harness.rows("SELECT author_id, author_tag, nonce FROM cases ORDER BY id")
    assert [r[0] for r in rows] == [None, None]
    assert rows[0][1] != rows[1][1] and rows[0][2] != rows[1][2]
    import hashlib

    plain = hashlib.sha256(str(anon.presenter.id).encode()).digest()
    assert plain not in (rows[0][1], rows[1][1])
    raw = anon.harness.db_path.read_bytes()
    assert str(anon.presenter.id).encode() not in raw
    assert anon.presenter.id.to_bytes(8, "big") not in raw
    anon.scan.assert_clean()


async def test_a_discord_failure_while_relaying_names_no_one(anon: Anonymous) -> None:
    """If Discord keeps failing the relay, the presenter is told privately and no log line names them."""
    await anon.start()
    anon.harness.env.inject_error("POST", f"/channels/{anon.server.text.id}/messages", status=500, times=None)
    await anon.presenter.send_dm("Can you hear me?")
    await anon.harness.env.advance_time(3)  # the relay is retried for two seconds, then given up
    assert anon.presenter.user.dm_channel.last_message.content == (
        "Discord did not take the message; nothing was relayed. Try again in a moment.")
    anon.scan.assert_clean()


async def test_the_scan_itself_sees_a_named_presenter(anon: Anonymous) -> None:
    """The scan is no empty check: a named case in the queue, a log line and a raised hand are all found."""
    await propose(anon.server, anon.presenter, "Named one")
    await anon.server.members[1].slash(anon.server.text, "case list", group="Alpha")
    import logging

    logging.getLogger("bot.test").info("presenter is %s", anon.presenter.id)
    await anon.leader.slash(anon.server.text, "session start", group="Alpha",
                            case=await case_id(anon.server, anon.leader, "Named one"))
    raised = await anon.presenter.click(session_panel(anon.server), label="Raise hand")
    assert raised.response.content.startswith("✋ Your hand is raised"), "a named presenter may, in the opening"
    problems = anon.scan.problems()
    assert any(p.startswith("REST POST /interactions/") for p in problems), problems
    assert any(p.startswith("log:") for p in problems), problems
    assert any(p.startswith("database raised_hands") for p in problems), problems


async def test_relaying_when_no_session_runs_is_refused_privately(anon: Anonymous) -> None:
    """The author of a queued case who writes before the session starts is told, in their DMs only."""
    await anon.presenter.send_dm("Hello?")
    assert anon.presenter.user.dm_channel.last_message.content == (
        "You are not presenting anonymously in a running session, so nothing was relayed.")
    assert anon.relays() == []
    anon.scan.assert_clean()


async def test_words_typed_in_the_channel_are_never_deleted_or_reposted(anon: Anonymous) -> None:
    """The bot does not read the group's channel: a presenter who types there is left alone."""
    await anon.start()
    before = len(anon.harness.env.http_requests)
    typed = await anon.presenter.send(anon.server.text, "oops, typed here")
    assert anon.server.text.last_message.id == typed.id
    assert anon.harness.env.http_requests[before:] == []
    assert anon.relays() == []


async def test_a_case_of_another_group_cannot_be_started(anon: Anonymous) -> None:
    """A case is presented only in its own group."""
    server = anon.server
    text2 = server.guild.create_text_channel("beta")
    voice2 = server.guild.create_voice_channel("Beta Room")
    await anon.leader.slash(text2, "group create", name="Beta", text_channel=text2, voice_channel=voice2)
    value = await case_id(server, anon.leader, "The patient I dread")
    result = await anon.leader.slash(text2, "session start", group="Beta", case=value)
    assert result.ephemeral
    assert result.response.content == "That case belongs to another group; choose one of Beta's cases."
    assert anon.harness.rows("SELECT state FROM cases") == [("queued",)]
    assert anon.harness.rows("SELECT count(*) FROM sessions") == [(0,)]
    anon.scan.assert_clean()


async def test_an_anonymous_presenter_leaving_voice_shows_nothing(anon: Anonymous) -> None:
    """Gone from voice past the grace and back: no word, no pause, no wait stored, no trace."""
    await anon.start()
    server, ada, harness = anon.server, anon.presenter, anon.harness
    await anon.leader.join_voice(server.voice)
    await ada.leave_voice()
    assert harness.rows("SELECT count(*) FROM session_dropouts") == [(0,)]
    await harness.env.advance_time(2 * 60)
    await ada.join_voice(server.voice)
    await harness.env.advance_time(30)
    said = [m.content for m in server.text.history() if "waits for" in m.content or "is back" in m.content]
    assert said == []
    assert harness.rows("SELECT status FROM sessions") == [("running",)]
    assert harness.rows("SELECT count(*) FROM session_dropouts") == [(0,)]
    anon.scan.assert_clean()


async def test_the_debrief_of_an_anonymous_session_names_no_one(anon: Anonymous) -> None:
    """Every new path of an anonymous session, under the scan: the leader's dropout told to a co-leader, the
    debriefs (counting the relays and everyone in voice, the presenter like anyone), the feedback that follows,
    and a co-leader whose direct messages are closed reading theirs through the channel's button."""
    server, ada, leader, harness = anon.server, anon.presenter, anon.leader, anon.harness
    ben, chloe = server.members[1], server.members[2]
    for coleader in (ben, chloe):
        await leader.slash(server.text, "group coleader", group="Alpha", member=coleader)
    harness.env.inject_error("POST", f"/channels/{chloe.user.dm_channel.id}/messages", status=403, code=50007,
                             times=None)
    await leader.join_voice(server.voice)
    await ben.join_voice(server.voice)
    await anon.start()
    await ada.send_dm("He was my first patient here.")
    await leader.leave_voice()
    await harness.env.advance_time(60)
    assert direct_messages(ben)[0].startswith(f"{leader.mention}, who leads the session of Alpha, left")
    await leader.join_voice(server.voice)
    await leader.click(session_panel(server), label="Next")
    await ada.send_dm("No, he comes alone.")
    await leader.click(session_panel(server), label="End")
    await harness.env.advance_time(1)
    for reader in (leader, ben):
        report = direct_messages(reader)[-1]
        assert "**Relayed for the presenter:** 2" in report
        assert "**In voice:** 3 people" in report
        assert "The patient I dread" not in report, "no case material in a message that outlives it"
    closing = next(m for m in reversed(server.text.history()) if m.components and "ended" in m.content)
    for member, rating in zip((ada, server.members[3], server.members[4]), "543", strict=True):
        form = await member.click(closing, label="Give feedback (anonymous)")
        await member.submit_modal(form, {"rating": [rating], "comment": ""})
    assert direct_messages(leader)[-1].startswith("**Feedback · Alpha**")
    word = next(m for m in server.text.history() if "could not send you" in m.content)
    assert word.content.startswith(chloe.mention)
    read = await chloe.click(word, label="Read my debrief")
    assert read.ephemeral and "**Relayed for the presenter:** 2" in read.response.content
    anon.scan.assert_clean()


async def test_the_scan_reads_direct_messages(anon: Anonymous) -> None:
    """The scan is no empty check for private messages either: one that names the presenter is found."""
    await dm_user(anon.harness.bot, anon.server.members[1].id, "Dr Ada presents today.")
    problems = anon.scan.problems()
    assert any(p.startswith("direct message to ben") for p in problems), problems
