"""Anonymous feedback after a session: members answer once; leaders see results from three answers."""

from __future__ import annotations

from tests.e2e.conftest import Harness, Server
from tests.support.sessions import ready_group


async def _closing(harness: Harness, server: Server):
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await leader.slash(server.text, "session end")
    return leader, server.text.last_message


async def test_members_answer_once_and_leaders_see_results_from_three(harness: Harness, server: Server) -> None:
    """Two answers are not enough to show; the third is; a second answer by the same member is refused."""
    leader, closing = await _closing(harness, server)
    early = await leader.click(closing, label="Results (leaders)")
    assert early.ephemeral and early.response.content.startswith("Results show once at least 3 members")

    for member, rating, comment in zip(server.members[:3], ("5", "4", "3"), ("Felt heard", "", "Too short"),
                                       strict=True):
        form = await member.click(closing, label="Give feedback (anonymous)")
        assert form.modal is not None and form.modal["title"] == "How was this session for you?"
        sent = await member.submit_modal(form, {"rating": [rating], "comment": comment})
        assert sent.ephemeral and sent.response.content == "Thank you. Your answer is anonymous."
        if member is server.members[1]:
            shown = await leader.click(closing, label="Results (leaders)")
            assert "(2 so far)" in shown.response.content

    again = await server.members[0].click(closing, label="Give feedback (anonymous)")
    refused = await server.members[0].submit_modal(again, {"rating": ["1"]})
    assert refused.response.content == "You already answered for this session; thank you."

    results = await leader.click(closing, label="Results (leaders)")
    embed = results.response.embeds[0]
    assert results.ephemeral and embed.title == "Session feedback"
    assert embed.description.startswith("3 answers · average 4.0 / 5")
    assert embed.fields[0].value == "• Felt heard\n• Too short"
    member_view = await server.members[4].click(closing, label="Results (leaders)")
    assert member_view.response.content == "Only the leaders of Alpha see the feedback."
    # Who answered and what they answered are stored apart, with nothing to join them.
    assert harness.rows("SELECT count(*) FROM feedback_voters") == [(3,)]
    columns = [row[1] for row in harness.rows("PRAGMA table_info(feedback)")]
    assert columns == ["id", "session_id", "rating", "comment"]


async def test_outsiders_cannot_answer(harness: Harness, server: Server) -> None:
    """Someone outside the group gets a private refusal and no form."""
    _, closing = await _closing(harness, server)
    outsider = server.guild.add_member(harness.env.create_user("visitor"))
    result = await outsider.click(closing, label="Give feedback (anonymous)")
    assert result.modal is None
    assert result.response.content == "Only members of Alpha give feedback on its sessions."
