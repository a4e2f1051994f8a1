"""Every refusal of the /group commands, end to end: a private sentence, and nothing half-written."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Harness, Server


def _refused(result: object, expected: str) -> None:
    assert result.ephemeral, "a refusal is private"  # type: ignore[attr-defined]
    assert result.response.content == expected  # type: ignore[attr-defined]


async def test_only_admins_create(harness: Harness, server: Server) -> None:
    """A member without Manage Server is refused."""
    result = await server.members[0].slash(
        server.text, "group create", name="Alpha", text_channel=server.text, voice_channel=server.voice
    )
    _refused(result, "Only a server admin (Manage Server) can create a group; ask one to run /group create.")
    assert harness.rows("SELECT count(*) FROM groups") == [(0,)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("   ", "A group name needs at least one visible character; choose a short name."),
        ("x" * 51, "A group name can have at most 50 characters; this one has 51."),
        ("Tues\u200bday", "A group name cannot contain control or invisible characters; type it plainly."),
    ],
)
async def test_bad_names(harness: Harness, server: Server, name: str, expected: str) -> None:
    """Empty, too long and invisible-character names are refused."""
    result = await server.admin.slash(
        server.text, "group create", name=name, text_channel=server.text, voice_channel=server.voice
    )
    _refused(result, expected)
    assert harness.rows("SELECT count(*) FROM groups") == [(0,)]


async def test_duplicate_name_ignoring_case(harness: Harness, server: Server) -> None:
    """Names are unique in a server whatever their case."""
    await server.create_group("Alpha")
    other_text = server.guild.create_text_channel("second")
    other_voice = server.guild.create_voice_channel("Second Room")
    result = await server.admin.slash(
        server.text, "group create", name="ALPHA", text_channel=other_text, voice_channel=other_voice
    )
    _refused(result, "This server already has a group called ALPHA; choose another name.")


async def test_same_name_in_another_server_is_fine(harness: Harness, server: Server) -> None:
    """Two servers may each have an Alpha."""
    await server.create_group("Alpha")
    await harness.server("Other").create_group("Alpha")
    assert harness.rows("SELECT count(*) FROM groups") == [(2,)]


async def test_channel_already_used(harness: Harness, server: Server) -> None:
    """A channel serves one group only."""
    await server.create_group("Alpha")
    other_voice = server.guild.create_voice_channel("Second Room")
    result = await server.admin.slash(
        server.text, "group create", name="Beta", text_channel=server.text, voice_channel=other_voice
    )
    _refused(result, f"{server.text.mention} already belongs to the group Alpha; "
                     "give each group its own text and voice channel.")


async def test_bad_timezone_gets_suggestions(harness: Harness, server: Server) -> None:
    """A misspelt zone is refused with close IANA names, at create and at config."""
    result = await server.admin.slash(
        server.text, "group create", name="Alpha", text_channel=server.text, voice_channel=server.voice,
        timezone="Europe/Pari",
    )
    assert result.ephemeral
    assert result.response.content.startswith(
        "'Europe/Pari' is not an IANA timezone name. Did you mean Europe/Paris,"
    )
    assert result.response.content.endswith("Use a name like Europe/Paris or America/Toronto.")
    city = await server.admin.slash(
        server.text, "group create", name="Alpha", text_channel=server.text, voice_channel=server.voice,
        timezone="Toronto",
    )
    assert "Did you mean America/Toronto?" in city.response.content
    await server.create_group()
    config = await server.admin.slash(server.text, "group config", group="Alpha", timezone="Mars/Olympus")
    assert config.ephemeral and config.response.content.startswith("'Mars/Olympus' is not an IANA timezone")
    assert harness.rows("SELECT timezone FROM groups") == [("UTC",)]


async def test_unknown_template(harness: Harness, server: Server) -> None:
    """Only known templates are accepted."""
    result = await server.admin.slash(
        server.text, "group create", name="Alpha", text_channel=server.text, voice_channel=server.voice,
        template="marathon",
    )
    _refused(result, "There is no template called 'marathon'; choose one of: "
                     "classic, double, psychodrama, residency.")


async def test_config_is_all_or_nothing(harness: Harness, server: Server) -> None:
    """One bad option refuses the whole change: nothing half-written."""
    await server.create_group()
    result = await server.admin.slash(
        server.text, "group config", group="Alpha", template="double", retention_hours=500
    )
    _refused(result, "retention_hours must be between 0 and 168 (a week); "
                     "0 deletes case material as soon as the session ends.")
    negative = await server.admin.slash(server.text, "group config", group="Alpha", retention_hours=-1)
    assert negative.response.content.startswith("retention_hours must be between 0 and 168")
    assert harness.rows("SELECT template, retention_hours FROM groups") == [("classic", 0)]


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("group config", {"template": "double"}),
        ("group coleader", {"member": None}),
        ("group delete", {}),
    ],
)
async def test_leader_only_commands_refuse_others(
    harness: Harness, server: Server, command: str, options: dict[str, object]
) -> None:
    """Members who neither lead nor administer are refused, privately."""
    await server.create_group()
    ada = server.members[0]
    await server.join(ada)
    filled = {k: (server.members[1] if k == "member" else v) for k, v in options.items()}
    result = await ada.slash(server.text, command, group="Alpha", **filled)
    _refused(result, "Only the leaders of Alpha or a server admin (Manage Server) can do that; ask one of them.")
    assert harness.rows("SELECT template FROM groups") == [("classic",)]
    assert harness.rows("SELECT user_id FROM leaders") == [(server.admin.id,)]


async def test_delete_confirm_rechecks_the_clicker(harness: Harness, server: Server) -> None:
    """A leader removed after asking can no longer confirm the deletion."""
    leader = server.members[0]
    await server.create_group(leader=leader)
    await server.admin.slash(server.text, "group coleader", group="Alpha", member=server.members[1])
    asked = await leader.slash(server.text, "group delete", group="Alpha")
    await server.members[1].slash(server.text, "group coleader", group="Alpha", member=leader, remove=True)
    clicked = await leader.click(asked.response.message, label="Delete the group")
    _refused(clicked, "Only the leaders of Alpha or a server admin (Manage Server) can do that; ask one of them.")
    assert harness.rows("SELECT count(*) FROM groups") == [(1,)]


async def test_group_of_another_server(harness: Harness, server: Server) -> None:
    """A group is reachable only from its own server."""
    other = harness.server("Other")
    await other.create_group("Hidden")
    for command in ("group info", "group join", "group leave", "group config", "group delete"):
        result = await server.admin.slash(server.text, command, group="Hidden")
        _refused(result, "There is no group called 'Hidden' in this server; "
                         "pick one from the list that appears as you type.")


async def test_a_bot_cannot_lead(harness: Harness, server: Server) -> None:
    """Leaders are people."""
    robot = server.guild.add_member(harness.env.create_user("robot", bot=True))
    result = await server.admin.slash(
        server.text, "group create", name="Alpha", text_channel=server.text, voice_channel=server.voice,
        leader=robot,
    )
    _refused(result, "A bot cannot lead a group; choose a person as leader.")
    await server.create_group()
    coleader = await server.admin.slash(server.text, "group coleader", group="Alpha", member=robot)
    _refused(coleader, "A bot cannot lead a group; choose a person.")
