"""/balint check: each permission the bot lacks for a group, by name and where to grant it."""

from __future__ import annotations

import discord

from tests.e2e.conftest import Harness, Server


async def _remove_from_bot_role(harness: Harness, server: Server, **flags: bool) -> None:
    # SimCord has no builder to edit a role: its backend edits it and tells the bot (GUILD_ROLE_UPDATE).
    backend = harness.env.backend
    guild = backend.get_guild(server.guild.id)
    bot_role = next(r for r in guild.roles.values() if r.managed)
    kept = bot_role.permissions & ~discord.Permissions(**flags).value
    backend.edit_role(guild.id, bot_role.id, {"permissions": kept})
    await harness.env.advance_time(0)


def _group_field(result: object, name: str) -> str:
    embed = result.response.embeds[0]  # type: ignore[attr-defined]
    return next(str(f.value) for f in embed.fields if f.name == name)


async def test_check_names_a_missing_permission_and_where(harness: Harness, server: Server) -> None:
    """With everything granted the group is fine; without Mute Members, that one is named with its channel."""
    await server.create_group()
    fine = await server.admin.slash(server.text, "balint check")
    assert fine.ephemeral
    assert _group_field(fine, "Alpha") == "✅ Nothing missing."
    await _remove_from_bot_role(harness, server, mute_members=True, manage_events=True)
    lacking = await server.admin.slash(server.text, "balint check")
    lines = _group_field(lacking, "Alpha").splitlines()
    assert lines == [
        f"• **Mute Members** (to mute the presenter during the discussion): Edit Channel → Permissions on"
        f" {server.voice.mention}, for the bot's role",
        "• **Manage Events** (to put the meetings in the server's events): Server Settings → Roles → the"
        " bot's role",
    ]


async def test_check_is_for_server_admins(server: Server) -> None:
    """A member who is not an admin gets a private refusal, even a group's leader."""
    await server.create_group(leader=server.members[0])
    for who in (server.members[0], server.members[1]):
        refused = await who.slash(server.text, "balint check")
        assert refused.ephemeral
        assert refused.response.content == "Only a server admin (Manage Server) can run /balint check; ask one of them."


async def test_check_without_groups_says_so(server: Server) -> None:
    """A server with no group yet: the answer says how to make one."""
    result = await server.admin.slash(server.text, "balint check")
    assert result.response.embeds[0].description == "This server has no group yet; create one with /group create."


async def test_check_sees_a_channel_that_denies_the_bot(harness: Harness, server: Server) -> None:
    """A text channel whose overwrites deny the bot Embed Links and Attach Files: both named, with that channel."""
    assert harness.bot.user is not None
    closed = server.guild.create_text_channel("closed", overwrites={
        harness.bot.user: discord.PermissionOverwrite(embed_links=False, attach_files=False),
    })
    voice = server.guild.create_voice_channel("Closed Room")
    await server.admin.slash(server.text, "group create", name="Beta", text_channel=closed, voice_channel=voice)
    result = await server.admin.slash(server.text, "balint check")
    assert _group_field(result, "Beta").splitlines() == [
        f"• **Embed Links** (to show the session panel): Edit Channel → Permissions on {closed.mention},"
        " for the bot's role",
        f"• **Attach Files** (to send calendar and attendance files): Edit Channel → Permissions on"
        f" {closed.mention}, for the bot's role",
    ]
