"""Cases end to end: proposing (with the identifier check), the queue, withdrawing, presenting, purging."""

from __future__ import annotations

from tests.e2e.conftest import Harness, Server
from tests.support.cases import case_id, propose
from tests.support.sessions import ready_group, session_panel

HOUR = 3600


async def test_propose_a_named_case_and_present_it(harness: Harness, server: Server) -> None:
    """A member's case is queued, listed with its author, presented with them as presenter, then purged."""
    leader, ada = await ready_group(server)
    saved = await propose(server, ada, "The patient who keeps coming back", "She brings me flowers.")
    assert saved.ephemeral
    assert saved.response.content == "Your case “The patient who keeps coming back” is queued in Alpha."
    listed = await server.members[1].slash(server.text, "case list", group="Alpha")
    assert listed.ephemeral
    assert f"**The patient who keeps coming back** · {ada.mention}" in listed.response.content

    value = await case_id(server, leader, "The patient who keeps coming back")
    await leader.slash(server.text, "session start", group="Alpha", case=value)
    panel = session_panel(server).embeds[0]
    assert "**Case:** The patient who keeps coming back" in panel.description
    assert f"**Presenter:** {ada.mention}" in panel.description
    assert harness.rows("SELECT state FROM cases") == [("presenting",)]
    assert "(being presented)" in (await ada.slash(server.text, "case list", group="Alpha")).response.content

    await leader.slash(server.text, "session end")
    # retention_hours is 0: the case's words are gone at once; the session keeps only its frame.
    assert harness.rows("SELECT count(*) FROM cases") == [(0,)]
    assert harness.rows("SELECT case_id, title FROM sessions") == [(None, None)]


async def test_case_material_is_kept_for_the_retention_time(harness: Harness, server: Server) -> None:
    """With retention_hours = 2 the case goes two hours after the end, also across a restart."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "group config", group="Alpha", retention_hours=2)
    await propose(server, ada, "Night calls", "Too many.")
    await leader.slash(server.text, "session start", group="Alpha", case=await case_id(server, leader, "Night calls"))
    await leader.slash(server.text, "session end")
    assert harness.rows("SELECT state, story FROM cases") == [("presented", "Too many.")]
    await harness.env.advance_time(HOUR)
    await harness.restart()
    assert harness.rows("SELECT count(*) FROM cases") == [(1,)]
    await harness.env.advance_time(HOUR)
    assert harness.rows("SELECT count(*) FROM cases") == [(0,)]


async def test_identifier_warning_with_edit_and_keep(harness: Harness, server: Server) -> None:
    """Likely identifiers get a private warning naming them; Edit reopens the text, Keep saves it."""
    _, ada = await ready_group(server)
    warned = await propose(server, ada, "Mrs Patel", "Born 12/03/1954, she calls me on 07700 900123.")
    assert warned.ephemeral
    text = warned.response.content
    assert text.startswith("Before it is saved: this looks like it may identify a patient:")
    assert "date of birth" in text and "phone number" in text and "Mrs Patel" in text
    assert harness.rows("SELECT count(*) FROM cases") == [(0,)], "nothing is saved before the choice"

    edit = await ada.click(warned.response.message, label="Edit")
    assert edit.modal is not None
    defaults = {c["component"]["custom_id"] if "component" in c else c["components"][0]["custom_id"]:
                (c.get("component") or c["components"][0]).get("value") for c in edit.modal["components"]}
    assert defaults == {"title": "Mrs Patel", "story": "Born 12/03/1954, she calls me on 07700 900123."}
    fixed = await ada.submit_modal(edit, {"title": "The lonely widow", "story": "She calls me every week."})
    assert fixed.response.content == "Your case “The lonely widow” is queued in Alpha."

    again = await propose(server, ada, "The teacher", "First seen on 3 March 2024.")
    kept = await ada.click(again.response.message, label="Keep as it is")
    assert kept.ephemeral and kept.response.content == "Your case “The teacher” is queued in Alpha."
    assert harness.rows("SELECT title FROM cases ORDER BY id") == [("The lonely widow",), ("The teacher",)]


async def test_a_story_over_1500_characters_is_refused_and_kept_for_editing(
    harness: Harness, server: Server
) -> None:
    """Too long: refused with the count, and Edit gives the text back."""
    _, ada = await ready_group(server)
    result = await propose(server, ada, "Long one", "x" * 1501)
    assert result.ephemeral
    assert result.response.content.startswith("A story can have at most 1,500 characters; this one has 1,501.")
    assert [c["label"] for c in result.response.components[0]["components"]] == ["Edit"]
    edit = await ada.click(result.response.message, label="Edit")
    assert edit.modal is not None
    assert harness.rows("SELECT count(*) FROM cases") == [(0,)]


async def test_withdraw_only_ones_own_queued_case(harness: Harness, server: Server) -> None:
    """Autocomplete offers only one's own cases; others', withdrawn and foreign ones are refused."""
    leader, ada = await ready_group(server)
    ben = server.members[1]
    await propose(server, ada, "Ada's case")
    await propose(server, ben, "Ben's case", anonymous=True)
    mine = await ben.autocomplete(server.text, "case withdraw", "case", "")
    assert [c["name"] for c in mine] == ["Ben's case"]
    adas = (await ada.autocomplete(server.text, "case withdraw", "case", ""))[0]["value"]

    theirs = await ben.slash(server.text, "case withdraw", case=adas)
    assert theirs.response.content == "You can withdraw only your own cases; the list as you type shows yours."
    done = await ben.slash(server.text, "case withdraw", case=mine[0]["value"])
    assert done.ephemeral and done.response.content == "Your case “Ben's case” is withdrawn, and deleted."
    twice = await ben.slash(server.text, "case withdraw", case=mine[0]["value"])
    assert twice.response.content.startswith("There is no such case in this server")
    for junk_value in ("not-a-case", "9" * 25):
        junk = await ben.slash(server.text, "case withdraw", case=junk_value)
        assert junk.response.content == "Pick the case from the list that appears as you type."

    other = harness.server("Other")
    await other.create_group("Alpha")
    await other.join(other.members[0])
    foreign = await other.members[0].slash(other.text, "case withdraw", case=adas)
    assert foreign.response.content.startswith("There is no such case in this server")
    started = await other.admin.slash(other.text, "session start", group="Alpha", case=adas)
    assert started.response.content.startswith("There is no such case in this server")
    assert harness.rows("SELECT title, state FROM cases ORDER BY id") == [("Ada's case", "queued")], \
        "a withdrawn case is deleted at once: nothing needs its text any more"
    withdrawn = await leader.slash(server.text, "session start", group="Alpha", case=mine[0]["value"])
    assert withdrawn.response.content.startswith("There is no such case in this server")


async def test_case_refusals(harness: Harness, server: Server) -> None:
    """Non-members cannot propose or list; a case and a presenter together are refused."""
    leader, ada = await ready_group(server)
    outsider = server.guild.add_member(harness.env.create_user("visitor"))
    refused = await outsider.slash(server.text, "case propose", group="Alpha")
    assert refused.modal is None
    assert refused.response.content == "Only members of Alpha propose cases there; join with /group join first."
    listed = await outsider.slash(server.text, "case list", group="Alpha")
    assert listed.response.content == "Only members of Alpha see its cases; join with /group join first."
    blank = await propose(server, ada, "   ")
    assert blank.response.content.startswith("A case needs a title; a few words are enough, with no patient names.")
    await propose(server, ada, "A case")
    both = await leader.slash(server.text, "session start", group="Alpha",
                              case=await case_id(server, leader, "A case"), presenter=ada)
    assert both.response.content == "A case brings its own presenter; leave the presenter option out."
    empty = await server.members[2].slash(server.text, "case list", group="Alpha")
    assert "A case" in empty.response.content
