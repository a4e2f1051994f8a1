"""/group, end to end: what admins, leaders and members see, and what the database holds."""

from __future__ import annotations

import discord

from bot.discord_io.replies import UNEXPECTED
from tests.e2e.conftest import Harness, Server


async def test_admin_creates_a_group_announced_in_its_channel(harness: Harness, server: Server) -> None:
    """The admin gets a private confirmation; the channel gets the announcement with a join button."""
    result = await server.create_group("Tuesday Balint", timezone="europe/paris", template="residency")

    assert result.ephemeral
    assert "Created **Tuesday Balint**" in result.response.content
    assert server.admin.mention in result.response.content
    announcement = server.text.last_message
    assert "Tuesday Balint" in announcement.content
    button = announcement.components[0].children[0]
    assert button.label == "Read the agreement and join"
    assert harness.rows(
        "SELECT name, guild_id, text_channel_id, voice_channel_id, timezone, template FROM groups"
    ) == [("Tuesday Balint", server.guild.id, server.text.id, server.voice.id, "Europe/Paris", "residency")]
    assert harness.rows("SELECT user_id FROM leaders") == [(server.admin.id,)]


async def test_create_with_another_leader(harness: Harness, server: Server) -> None:
    """The leader option names who leads; the admin does not."""
    leader = server.members[0]
    await server.create_group(leader=leader)
    assert harness.rows("SELECT user_id FROM leaders") == [(leader.id,)]


async def test_join_through_agreement_and_leave(harness: Harness, server: Server) -> None:
    """/group join shows the agreement privately; "I agree" makes a member; /group leave undoes it."""
    await server.create_group()
    ada = server.members[0]

    shown = await ada.slash(server.text, "group join", group="Alpha")
    assert shown.ephemeral
    agreement = shown.response.embeds[0]
    assert "Confidentiality" in agreement.description and "No patient names" in agreement.description
    agreed = await ada.click(shown.response.message, label="I agree")
    assert agreed.response.content == f"Welcome to Alpha. Its sessions run in {server.text.mention}."
    assert agreed.response.components == []
    assert harness.rows("SELECT user_id FROM members") == [(ada.id,)]

    again = await ada.slash(server.text, "group join", group="Alpha")
    assert again.ephemeral and again.response.content == "You are already a member of Alpha."

    left = await ada.slash(server.text, "group leave", group="alpha")
    assert left.ephemeral and left.response.content == "You left **Alpha**."
    assert harness.rows("SELECT user_id FROM members") == []
    not_member = await ada.slash(server.text, "group leave", group="Alpha")
    assert not_member.response.content == "You are not a member of Alpha; nothing to leave."


async def test_join_button_on_the_announcement(harness: Harness, server: Server) -> None:
    """Anyone can open the agreement from the channel's announcement."""
    await server.create_group()
    ben = server.members[1]
    shown = await ben.click(server.text.last_message, label="Read the agreement and join")
    assert shown.ephemeral
    await ben.click(shown.response.message, label="I agree")
    assert harness.rows("SELECT user_id FROM members") == [(ben.id,)]


async def test_old_buttons_answer_after_a_restart(harness: Harness, server: Server) -> None:
    """A new bot on the same database answers the buttons the old one posted."""
    await server.create_group()
    chloe = server.members[2]
    shown = await chloe.click(server.text.last_message, label="Read the agreement and join")

    await harness.restart()

    agreed = await chloe.click(shown.response.message, label="I agree")
    assert agreed.response.content.startswith("Welcome to Alpha")
    reopened = await server.members[3].click(server.text.last_message, label="Read the agreement and join")
    assert reopened.response.embeds[0].title == "Joining Alpha"
    info = await chloe.slash(server.text, "group info", group="Alpha")
    assert _field(info.response.embeds[0], "Members") == "1"
    assert harness.rows("SELECT user_id FROM members") == [(chloe.id,)]


def _field(embed: discord.Embed, name: str) -> str:
    return next(str(f.value) for f in embed.fields if f.name == name)


async def test_info_shows_channels_leaders_and_settings(harness: Harness, server: Server) -> None:
    """Anyone in the server sees the group's frame, privately."""
    await server.create_group(timezone="America/Toronto")
    await server.join(server.members[0])
    info = await server.members[4].slash(server.text, "group info", group="ALPHA")
    embed = info.response.embeds[0]
    assert info.ephemeral and embed.title == "Alpha"
    assert _field(embed, "Text channel") == server.text.mention
    assert _field(embed, "Voice channel") == server.voice.mention
    assert _field(embed, "Leaders") == server.admin.mention
    assert _field(embed, "Members") == "1"
    assert _field(embed, "Timezone") == "America/Toronto"
    assert _field(embed, "Template") == "classic (45 min + 3 min opening)"


async def test_leader_configures_the_group(harness: Harness, server: Server) -> None:
    """A leader who is not an admin changes several settings at once."""
    leader = server.members[0]
    await server.create_group(leader=leader)
    result = await leader.slash(
        server.text, "group config", group="Alpha", template="double", timezone="Australia/Sydney",
        auto_advance=True, pushback="off", retention_hours=24,
    )
    assert result.ephemeral and result.response.content == "Updated **Alpha**."
    assert harness.rows(
        "SELECT template, timezone, auto_advance, pushback, retention_hours FROM groups"
    ) == [("double", "Australia/Sydney", 1, "off", 24)]
    shown = await leader.slash(server.text, "group config", group="Alpha")
    assert shown.response.content == "Settings of **Alpha**."
    assert _field(shown.response.embeds[0], "Case material kept") == "24 h after the session"


async def test_coleaders_added_and_removed_never_the_last(harness: Harness, server: Server) -> None:
    """Leaders share the frame; the last leader cannot be removed or leave."""
    await server.create_group()
    ada, ben = server.members[0], server.members[1]
    added = await server.admin.slash(server.text, "group coleader", group="Alpha", member=ada)
    assert added.response.content == f"{ada.mention} now co-leads **Alpha**."
    # The new co-leader may now configure, and add another.
    await ada.slash(server.text, "group coleader", group="Alpha", member=ben)
    assert {r[0] for r in harness.rows("SELECT user_id FROM leaders")} == {server.admin.id, ada.id, ben.id}

    twice = await ada.slash(server.text, "group coleader", group="Alpha", member=ben)
    assert twice.response.content == f"{ben.mention} already leads Alpha; nothing to change."
    await ada.slash(server.text, "group coleader", group="Alpha", member=server.admin, remove=True)
    stepped = await ada.slash(server.text, "group leave", group="Alpha")
    assert stepped.response.content == "You left **Alpha** and no longer lead it."
    last = await ben.slash(server.text, "group coleader", group="Alpha", member=ben, remove=True)
    assert last.response.content == f"{ben.mention} is the only leader of Alpha; add another co-leader first."
    cannot_leave = await ben.slash(server.text, "group leave", group="Alpha")
    assert "only leader of Alpha" in cannot_leave.response.content
    assert harness.rows("SELECT user_id FROM leaders") == [(ben.id,)]
    not_leader = await ben.slash(server.text, "group coleader", group="Alpha", member=ada, remove=True)
    assert not_leader.response.content == f"{ada.mention} is not a leader of Alpha; nothing to remove."


async def test_delete_asks_to_confirm(harness: Harness, server: Server) -> None:
    """Delete shows Delete/Keep; Keep keeps, Delete removes the group with its members."""
    await server.create_group()
    await server.join(server.members[0])
    asked = await server.admin.slash(server.text, "group delete", group="Alpha")
    assert asked.ephemeral and "cannot be undone" in asked.response.content
    kept = await server.admin.click(asked.response.message, label="Keep it")
    assert kept.response.content == "Alpha was kept."
    assert harness.rows("SELECT count(*) FROM groups") == [(1,)]

    asked = await server.admin.slash(server.text, "group delete", group="Alpha")
    await harness.restart()
    deleted = await server.admin.click(asked.response.message, label="Delete the group")
    assert deleted.response.content.startswith("Alpha was deleted")
    assert harness.rows("SELECT count(*) FROM groups") == [(0,)]
    assert harness.rows("SELECT count(*) FROM members") == [(0,)]
    assert harness.rows("SELECT count(*) FROM leaders") == [(0,)]
    gone = await server.members[0].click(server.text.last_message, label="Read the agreement and join")
    assert gone.ephemeral and gone.response.content.startswith("That group no longer exists")


async def test_autocomplete_lists_only_this_servers_groups(harness: Harness, server: Server) -> None:
    """Typing a group name offers this server's groups, never another server's."""
    await server.create_group("Alpha")
    other = harness.server("Elsewhere")
    await other.create_group("Alpine")
    choices = await server.members[0].autocomplete(server.text, "group info", "group", "al")
    assert choices == [{"name": "Alpha", "value": "Alpha"}]
    zones = await server.admin.autocomplete(
        server.text, "group create", "timezone", "paris",
        name="x", text_channel=server.text, voice_channel=server.voice,
    )
    assert {"name": "Europe/Paris", "value": "Europe/Paris"} in zones


async def test_create_reports_missing_bot_permissions(harness: Harness, server: Server) -> None:
    """A channel where the bot cannot post still gets its group; the admin is told what to grant."""
    guild = server.guild
    bot_member = guild.me
    assert bot_member is not None
    hidden = guild.create_text_channel(
        "locked", overwrites={bot_member: discord.PermissionOverwrite(send_messages=False)}
    )
    result = await server.admin.slash(
        server.text, "group create", name="Locked", text_channel=hidden, voice_channel=server.voice
    )
    assert result.response.content.startswith("Created **Locked**")
    assert f"Send Messages in {hidden.mention}" in result.response.content
    assert hidden.last_message is None
    assert harness.rows("SELECT name FROM groups") == [("Locked",)]


async def test_a_failing_announcement_does_not_undo_the_group(harness: Harness, server: Server) -> None:
    """Discord failing to take the announcement leaves the group created and the bot running."""
    harness.env.inject_error("POST", "/channels/*/messages", status=500)
    result = await server.create_group()
    assert result.ephemeral
    assert harness.rows("SELECT name FROM groups") == [("Alpha",)]
    info = await server.members[0].slash(server.text, "group info", group="Alpha")
    assert info.response.embeds[0].title == "Alpha"


async def test_an_unexpected_error_reaches_the_user_without_a_traceback(
    harness: Harness, server: Server
) -> None:
    """A bug gives a short private apology, is logged, and the next command works."""
    await server.create_group()

    async def broken(guild_id: int, name: str) -> None:
        raise RuntimeError("boom")

    rules = harness.bot.groups
    original = rules.find
    rules.find = broken  # type: ignore[method-assign,assignment]
    result = await server.members[0].slash(server.text, "group info", group="Alpha")
    assert result.ephemeral and result.response.content == UNEXPECTED
    assert "Traceback" not in result.response.content
    errors = harness.env.errors
    assert len(errors) == 1 and "boom" in repr(errors[0].__cause__ or errors[0])
    rules.find = original  # type: ignore[method-assign]
    again = await server.members[0].slash(server.text, "group info", group="Alpha")
    assert again.response.embeds[0].title == "Alpha"


async def test_help_in_english_and_french(harness: Harness, server: Server) -> None:
    """/balint help explains the method, the phases and the commands the bot has."""
    en = await server.members[0].slash(server.text, "balint help")
    embed = en.response.embeds[0]
    assert en.ephemeral and embed.title == "Balint groups with balint-bot"
    assert "Presentation: 5 min" in embed.fields[1].value
    assert "`/group join`" in embed.fields[2].value
    fr = await server.members[0].slash(server.text, "balint help", language="fr")
    assert fr.response.embeds[0].title == "Les groupes Balint avec balint-bot"
    assert "Présentation : 5 min" in fr.response.embeds[0].fields[1].value or \
        "Présentation: 5 min" in fr.response.embeds[0].fields[1].value


async def test_a_failing_button_gets_one_private_apology(harness: Harness, server: Server) -> None:
    """A bug behind a button is answered privately once, logged, and the bot keeps going."""
    await server.create_group()
    shown = await server.members[0].click(server.text.last_message, label="Read the agreement and join")

    async def broken(user_id: int, group: object) -> None:
        raise RuntimeError("boom")

    rules = harness.bot.groups
    original = rules.join
    rules.join = broken  # type: ignore[method-assign,assignment]
    result = await server.members[0].click(shown.response.message, label="I agree")
    assert result.ephemeral
    answers = [result.response.content] + [f.content for f in result.followups]
    assert answers.count(UNEXPECTED) == 1
    harness.expect_logged_error("boom")
    rules.join = original  # type: ignore[method-assign]
    again = await server.members[0].click(shown.response.message, label="I agree")
    assert again.response.content.startswith("Welcome to Alpha")
