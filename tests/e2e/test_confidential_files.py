"""Deleted means deleted: no case text in the database's bytes, and none in the logs.

The first test greps the raw bytes of the database's files (the main file, its WAL, its index)
as a copy of the live files would hold them: a disk snapshot, a file-level backup. It first
shows that the grep finds a case's title and story while they are meant to be stored.
"""

from __future__ import annotations

import simcord

from tests.e2e.conftest import Harness, Server
from tests.e2e.leaks import LeakScan
from tests.support.cases import case_id, propose
from tests.support.privacy import database_files, where_found
from tests.support.sessions import ready_group, session_panel

# Words found nowhere else in the bot, its schema or SimCord, so that a hit can only be the case.
TITLE = "Quillfeather dread"
STORY = "Marrowglen shouted at the reception desk again."
RELAYED = ("Thistlecombe was my first patient here.", "Brambleworth always comes alone.",
           "Cobblewick made me angry.")


async def _present(server: Server, leader: simcord.MemberActor, ada: simcord.MemberActor) -> None:
    """Start the anonymous case; Ada speaks by DM, by the panel's form, and again on her return."""
    value = await case_id(server, leader, TITLE)
    await leader.slash(server.text, "session start", group="Alpha", case=value)
    await leader.click(session_panel(server), label="Next")  # past the opening: the presentation
    await ada.send_dm(RELAYED[0])
    await leader.click(session_panel(server), label="Next")
    form = await ada.click(session_panel(server), label="Speak as presenter")
    await ada.submit_modal(form, {"words": RELAYED[1]})
    await leader.click(session_panel(server), label="Next")
    await leader.click(session_panel(server), label="Next")
    await ada.send_dm(RELAYED[2])


async def test_case_text_is_in_the_files_while_stored_and_in_no_byte_of_them_after_the_purge(
        harness: Harness, server: Server) -> None:
    """Title and story are found while queued and presented; after the end (retention 0), nowhere, live or stopped."""
    leader, ada = await ready_group(server)
    assert await harness.bot.db.pragma("secure_delete") == 1, "free pages are zeroed"
    await propose(server, ada, TITLE, STORY, anonymous=True)
    queued = where_found(harness, TITLE, STORY)
    assert queued[TITLE] and queued[STORY], "the grep finds the case while it is meant to be stored"

    await _present(server, leader, ada)
    presenting = where_found(harness, TITLE, STORY, *RELAYED)
    assert presenting[TITLE] and presenting[STORY]
    relays = [m.content for m in server.text.history() if m.content.startswith("**Presenter:**")]
    assert len(relays) == 3
    # Relayed words are posted, never stored: the database keeps only the bot's message ids.
    assert all(presenting[words] == [] for words in RELAYED), presenting
    assert harness.rows("SELECT count(*) FROM relays") == [(3,)]
    assert [c[1] for c in harness.rows("PRAGMA table_info(relays)")] == ["message_id", "channel_id", "session_id"]

    await leader.click(session_panel(server), label="Next")
    await leader.click(session_panel(server), label="End")
    assert harness.rows("SELECT count(*) FROM cases") == [(0,)]
    live = where_found(harness, TITLE, STORY, *RELAYED)
    assert live == {text: [] for text in (TITLE, STORY, *RELAYED)}, f"left in the live files: {live}"

    # A clean stop, as SIGTERM makes it: the gateway goes, then the database is closed.
    await harness.env.shutdown()
    await harness.bot.close()
    stopped = where_found(harness, TITLE, STORY, *RELAYED)
    assert stopped == {text: [] for text in (TITLE, STORY, *RELAYED)}, f"left in the stopped files: {stopped}"
    assert "balint.db" in database_files(harness)


async def test_a_whole_anonymous_session_logged_at_debug_shows_no_case_text_words_or_author(
        harness: Harness, server: Server) -> None:
    """The bot's own loggers at DEBUG: no title, story, relayed words, or the author's id or names."""
    leader, ada = await ready_group(server)
    scan = LeakScan.start(harness.env, server.guild, ada, "Dr Ada", [server.admin, *server.members])
    try:
        await propose(server, ada, TITLE, STORY, anonymous=True)
        await _present(server, leader, ada)
        harness.env.inject_error("POST", f"/channels/{server.text.id}/messages", status=500)
        failed = await ada.send_dm("Fernhollow, can you hear me?")
        assert failed is not None
        await leader.click(session_panel(server), label="Next")
        await leader.click(session_panel(server), label="End")
    finally:
        scan.stop()
    output = "\n".join(scan.log)
    # The capture is live, at DEBUG for the bot's loggers: the purge's own debug line and the relay's retry
    # after Discord's fault are in it (by ids only).
    assert "purged: the WAL is checkpointed and emptied" in output
    assert "session 1: relay: HTTP 500, trying again" in output
    for text in (TITLE, STORY, *RELAYED, "Fernhollow"):
        assert text not in output, text
    scan.assert_clean()
