"""The opening, end to end: who has a case? The panel lists the cases waiting; the leader skips it with Next."""

from __future__ import annotations

from pathlib import Path

from bot.core.phases import build_template
from tests.e2e.conftest import Harness, Server, running
from tests.e2e.leaks import LeakScan
from tests.support.cases import case_id, propose
from tests.support.hands import field
from tests.support.locales import speak
from tests.support.sessions import MIN, count_messages, now_field, ready_group, session_panel

NONE_WAITING = "No case is waiting; a member proposes one with /case propose."


def _phases(server: Server) -> list[str]:
    return str(field(session_panel(server), "Phases")).splitlines()


async def test_the_opening_lists_the_cases_waiting_and_the_leader_skips_it(harness: Harness, server: Server) -> None:
    """By title, a named one with its author, an anonymous one without; kept up as cases come and go; Next skips."""
    leader, _ = await ready_group(server)
    ben, chloe = server.members[1], server.members[2]
    await propose(server, ben, "The night caller", "She phones at 3 am.")
    await leader.slash(server.text, "session start", group="Alpha")
    panel = session_panel(server)
    assert "**Presenter:** chosen in the opening" in panel.embeds[0].description
    assert _phases(server)[0] == "▶ **Opening** · 3 min"
    assert now_field(panel).startswith("**Opening** ends <t:")
    assert field(panel, "Cases waiting") == f"• **The night caller** · {ben.mention}"
    assert str(field(panel, "Guidance")).startswith("Who has a case today? The leader asks")
    assert server.text.last_message.content.startswith("**Phase 1 of 6: Opening** · 3 min, ends <t:")

    # Who has a case? Chloe proposes hers, anonymously, there and then: the panel shows it, without her.
    await propose(server, chloe, "The patient I dread", anonymous=True)
    await harness.env.advance_time(2)
    assert field(session_panel(server), "Cases waiting") == (
        f"• **The night caller** · {ben.mention}\n• **The patient I dread** · anonymous")
    withdrawn = await ben.slash(server.text, "case withdraw", case=await _own_case(server, ben))
    assert withdrawn.response.content == "Your case “The night caller” is withdrawn, and deleted."
    await harness.env.advance_time(2)
    assert field(session_panel(server), "Cases waiting") == "• **The patient I dread** · anonymous"

    skipped = await leader.click(session_panel(server), label="Next")
    assert skipped.acknowledged and not skipped.ephemeral
    assert field(session_panel(server), "Cases waiting") is None, "the list belongs to the opening"
    assert _phases(server)[:2] == ["✓ Opening · 3 min", "▶ **Presentation** · 5 min"]
    assert count_messages(server, "⏰") == 0
    back = await leader.slash(server.text, "session back")
    assert back.response.content == "Back to Opening."
    assert field(session_panel(server), "Cases waiting") == "• **The patient I dread** · anonymous"


async def _own_case(server: Server, member: object) -> str:
    (choice,) = await member.autocomplete(server.text, "case withdraw", "case", "")  # type: ignore[attr-defined]
    return str(choice["value"])


async def test_an_opening_with_nothing_waiting_says_how_to_propose(harness: Harness, server: Server) -> None:
    """No case queued: the list says how one is proposed; no warning, and the time-up leaves the move to the leader."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    assert field(session_panel(server), "Cases waiting") == NONE_WAITING
    await harness.env.advance_time(1 * MIN)
    assert not server.text.last_message.content.startswith("⏳"), "an opening is not warned"
    await harness.env.advance_time(2 * MIN)
    assert server.text.last_message.content == "⏰ Time is up for **Opening**. The leader moves on with Next."
    assert _phases(server)[0].startswith("▶ **Opening**")


async def test_a_session_on_an_anonymous_case_lists_it_as_presented_and_names_no_one(
        harness: Harness, server: Server) -> None:
    """The case taken up shows as being presented, anonymous; the other queued cases as /case list has them."""
    leader, ada = await ready_group(server)
    ben = server.members[1]
    scan = LeakScan.start(harness.env, server.guild, ada, "Dr Ada", [server.admin, *server.members],
                          database=harness.db_path)
    try:
        await propose(server, ada, "The patient I dread", anonymous=True)
        await propose(server, ben, "The night caller")
        await leader.slash(server.text, "session start", group="Alpha",
                           case=await case_id(server, leader, "The patient I dread"))
        assert field(session_panel(server), "Cases waiting") == (
            f"• **The patient I dread** · anonymous (being presented)\n• **The night caller** · {ben.mention}")
        listed = await server.members[3].slash(server.text, "case list", group="Alpha")
        assert "**The patient I dread** · anonymous (being presented)" in listed.response.content
        await leader.click(session_panel(server), label="Next")
        assert field(session_panel(server), "Cases waiting") is None
    finally:
        scan.stop()
    scan.assert_clean()


async def test_the_opening_in_a_french_group(harness: Harness, server: Server) -> None:
    """Its name, guidance and list in the group's language."""
    leader, ada = await ready_group(server)
    speak(harness.env, leader, "fr")
    await leader.slash(server.text, "group config", group="Alpha", language="fr")
    await propose(server, server.members[2], "Le patient du lundi", anonymous=True)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    panel = session_panel(server)
    assert _phases(server)[0] == "▶ **Ouverture** · 3 min"
    assert field(panel, "Cas en attente") == "• **Le patient du lundi** · anonyme"
    assert str(field(panel, "Consignes")).startswith("Qui a un cas aujourd'hui ?")
    assert server.text.last_message.content.startswith("**Phase 1 sur 6 : Ouverture** · 3 min")
    info = await leader.slash(server.text, "group info", group="Alpha")
    template = next(str(f.value) for f in info.response.embeds[0].fields if f.name == "Modèle")
    assert template == "classic (45 min + 3 min d'ouverture)"


async def test_a_restart_in_the_opening_keeps_its_list(harness: Harness, server: Server) -> None:
    """After a restart the opening's panel still lists the cases, and a case proposed then joins them."""
    leader, ada = await ready_group(server)
    await propose(server, server.members[1], "The night caller")
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await harness.restart()
    await propose(server, server.members[2], "The quiet one", anonymous=True)
    await harness.env.advance_time(2)
    assert field(session_panel(server), "Cases waiting") == (
        f"• **The night caller** · {server.members[1].mention}\n• **The quiet one** · anonymous")
    paused = await leader.click(session_panel(server), label="Pause")
    assert paused.acknowledged
    assert str(field(session_panel(server), "Cases waiting")).endswith("• **The quiet one** · anonymous")


async def test_custom_templates_have_an_opening_only_if_they_say_so(tmp_path: Path) -> None:
    """With `opening = true` first, a custom template lists the cases; without, it starts with its first phase."""
    opened = build_template("opened", {"title": "Opened case", "phases": [
        {"name": "Who has one", "minutes": 2, "speaker": "group-and-presenter", "opening": True, "guidance": "Ask."},
        {"name": "Story", "minutes": 4, "speaker": "presenter", "guidance": "Tell it."},
        {"name": "Talk", "minutes": 6, "speaker": "group", "pushback": True, "guidance": "Listen."},
    ]})
    plain = build_template("plain", {"title": "Plain case", "phases": [
        {"name": "Story", "minutes": 4, "speaker": "presenter", "guidance": "Tell it."},
        {"name": "Talk", "minutes": 6, "speaker": "group", "pushback": True, "guidance": "Listen."},
    ]})
    async for harness in running(Harness(tmp_path, settings={"templates": (opened, plain)})):
        server = harness.server()
        leader, ada = await ready_group(server)
        offered = await leader.autocomplete(server.text, "session start", "template", "", group="Alpha")
        names = {c["value"]: c["name"] for c in offered}
        assert names["opened"] == "opened: Opened case (10 min + 2 min opening)"
        assert names["plain"] == "plain: Plain case (10 min)"
        assert names["classic"] == "classic: Classic 45-minute case (UK) (45 min + 3 min opening)"
        await propose(server, server.members[1], "The night caller")
        await leader.slash(server.text, "session start", group="Alpha", template="opened", presenter=ada)
        assert _phases(server) == ["▶ **Who has one** · 2 min", "· Story · 4 min", "· Talk · 6 min"]
        assert field(session_panel(server), "Cases waiting") == (
            f"• **The night caller** · {server.members[1].mention}")
        await leader.slash(server.text, "session end")
        await leader.slash(server.text, "session start", group="Alpha", template="plain", presenter=ada)
        panels = [m for m in server.text.history() if m.embeds and m.embeds[0].title.startswith("Balint session")]
        fields = [f.name for f in panels[-1].embeds[0].fields]
        assert "Cases waiting" not in fields and "Raised hands" not in fields, "a presentation first"
