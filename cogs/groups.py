"""/group: create, configure and join Balint groups."""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import BalintBot
from bot.core.errors import Refusal
from bot.core.groups import Group, Pushback
from bot.core.timezones import complete_timezone
from bot.discord_io.groups import (
    DYNAMIC_ITEMS,
    actor_of,
    agreement_embed,
    agreement_view,
    check_no_live_session,
    delete_view,
    group_embed,
    group_named,
    join_view,
)
from bot.discord_io.permissions import missing_in
from bot.discord_io.replies import answer_privately

log = logging.getLogger(__name__)

class Groups(commands.Cog):
    """The /group commands."""

    group = app_commands.Group(name="group", description="Balint groups of this server", guild_only=True)

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot

    async def group_autocomplete(self, interaction: discord.Interaction[BalintBot],
                                 current: str) -> list[app_commands.Choice[str]]:
        """Offer this server's groups whose name contains what was typed."""
        if interaction.guild_id is None:
            return []
        needle = current.casefold().strip()
        names = await self.bot.group_store.group_names(interaction.guild_id)
        return [app_commands.Choice(name=n, value=n) for n in names if needle in n.casefold()][:25]

    async def timezone_autocomplete(self, interaction: discord.Interaction[BalintBot],
                                    current: str) -> list[app_commands.Choice[str]]:
        """Offer IANA zone names containing what was typed."""
        return [app_commands.Choice(name=z, value=z) for z in complete_timezone(current)]

    async def template_autocomplete(self, interaction: discord.Interaction[BalintBot],
                                    current: str) -> list[app_commands.Choice[str]]:
        """Offer the known templates."""
        needle = current.casefold().strip()
        return [
            app_commands.Choice(name=f"{t.name}: {t.title} ({t.total_minutes} min)", value=t.name)
            for t in self.bot.templates.values() if needle in t.name
        ][:25]

    @group.command(name="create", description="Create a Balint group (server admins)")
    @app_commands.describe(
        name="The group's name (1-50 characters, unique in this server)",
        text_channel="Where the bot posts the session panel and reminders",
        voice_channel="Where the group meets",
        leader="Who leads it (you, if left out)",
        timezone="An IANA timezone such as Europe/Paris (server default if left out)",
        template="The phase template for sessions (classic if left out)",
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete, template=template_autocomplete)
    async def create(self, interaction: discord.Interaction[BalintBot], name: str,
                     text_channel: discord.TextChannel, voice_channel: discord.VoiceChannel,
                     leader: discord.Member | None = None, timezone: str | None = None,
                     template: str | None = None) -> None:
        """Create a group and announce it in its text channel."""
        assert interaction.guild is not None
        if leader is not None and leader.bot:
            raise Refusal("A bot cannot lead a group; choose a person as leader.")
        group = await self.bot.groups.create(
            actor_of(interaction), interaction.guild.id, name, text_channel.id, voice_channel.id,
            leader_id=leader.id if leader else None, timezone=timezone, template=template,
        )
        missing = missing_in(interaction.guild, text_channel, voice_channel)
        lines = [
            f"Created **{discord.utils.escape_markdown(group.name)}**: sessions in {text_channel.mention},"
            f" meetings in {voice_channel.mention}, led by <@{group.leader_ids[0]}>."
            f" Members join with `/group join`.",
        ]
        if missing:
            lines.append("The bot still needs: " + ", ".join(m.short() for m in missing)
                         + ". Grant them so the group works; /balint check says where.")
        await interaction.response.send_message("\n".join(lines), ephemeral=True)
        await self._announce(group, text_channel)

    async def _announce(self, group: Group, channel: discord.TextChannel) -> None:
        try:
            await channel.send(
                f"This channel now hosts the Balint group **{discord.utils.escape_markdown(group.name)}**."
                " Members read the group's agreement and join here.",
                view=join_view(group),
            )
        except discord.HTTPException as error:
            # The group exists either way: a missing permission was already reported to the
            # admin in the create answer, and an outage must not undo what was created.
            log.warning("could not announce group %d in its text channel: HTTP %d", group.id, error.status)

    @group.command(name="config", description="Show or change a group's settings (leaders)")
    @app_commands.describe(
        group="The group",
        template="Phase template for its sessions",
        timezone="IANA timezone of its meetings, such as Europe/Paris",
        auto_advance="Move to the next phase by itself at time-up",
        pushback="mute: server-mute the presenter during the discussion; off: only remind",
        retention_hours="Hours case material is kept after a session (0-168)",
    )
    @app_commands.autocomplete(
        group=group_autocomplete, template=template_autocomplete, timezone=timezone_autocomplete
    )
    async def config(self, interaction: discord.Interaction[BalintBot], group: str,
                     template: str | None = None, timezone: str | None = None,
                     auto_advance: bool | None = None, pushback: Literal["mute", "off"] | None = None,
                     retention_hours: int | None = None) -> None:
        """Change the settings given (all checked first), and show the result."""
        found = await group_named(interaction, group)
        changed = await self.bot.groups.configure(
            actor_of(interaction), found, template=template, timezone=timezone,
            auto_advance=auto_advance, pushback=Pushback(pushback) if pushback else None,
            retention_hours=retention_hours,
        )
        what = "Updated" if changed.settings != found.settings else "Settings of"
        await answer_privately(
            interaction, f"{what} **{discord.utils.escape_markdown(changed.name)}**.",
            embed=group_embed(changed, self.bot.templates),
        )

    @group.command(name="coleader", description="Add or remove a co-leader (leaders)")
    @app_commands.describe(group="The group", member="Who", remove="Remove them instead of adding")
    @app_commands.autocomplete(group=group_autocomplete)
    async def coleader(self, interaction: discord.Interaction[BalintBot], group: str,
                       member: discord.Member, remove: bool = False) -> None:
        """Add a co-leader, or remove one (never the last leader)."""
        found = await group_named(interaction, group)
        if member.bot:
            raise Refusal("A bot cannot lead a group; choose a person.")
        actor = actor_of(interaction)
        if remove:
            await self.bot.groups.remove_coleader(actor, found, member.id)
            text = f"{member.mention} no longer leads **{discord.utils.escape_markdown(found.name)}**."
        else:
            await self.bot.groups.add_coleader(actor, found, member.id)
            text = f"{member.mention} now co-leads **{discord.utils.escape_markdown(found.name)}**."
        await answer_privately(interaction, text)

    @group.command(name="info", description="See a group's channels, leaders and settings")
    @app_commands.describe(group="The group")
    @app_commands.autocomplete(group=group_autocomplete)
    async def info(self, interaction: discord.Interaction[BalintBot], group: str) -> None:
        """Show the group."""
        found = await group_named(interaction, group)
        await answer_privately(interaction, embed=group_embed(found, self.bot.templates))

    @group.command(name="delete", description="Delete a group (leaders; asks to confirm)")
    @app_commands.describe(group="The group")
    @app_commands.autocomplete(group=group_autocomplete)
    async def delete(self, interaction: discord.Interaction[BalintBot], group: str) -> None:
        """Ask to confirm before deleting."""
        found = await group_named(interaction, group)
        self.bot.groups.require_admin_or_leader(actor_of(interaction), found)
        await check_no_live_session(self.bot, found)
        await answer_privately(
            interaction,
            f"Delete **{discord.utils.escape_markdown(found.name)}** with its {len(found.member_ids)}"
            " members, its leaders and its settings? This cannot be undone.",
            view=delete_view(found),
        )

    @group.command(name="join", description="Read a group's agreement and join it")
    @app_commands.describe(group="The group")
    @app_commands.autocomplete(group=group_autocomplete)
    async def join(self, interaction: discord.Interaction[BalintBot], group: str) -> None:
        """Show the agreement with its "I agree" button."""
        found = await group_named(interaction, group)
        self.bot.groups.check_can_join(interaction.user.id, found)
        await answer_privately(interaction, embed=agreement_embed(found), view=agreement_view(found))

    @group.command(name="leave", description="Leave a group")
    @app_commands.describe(group="The group")
    @app_commands.autocomplete(group=group_autocomplete)
    async def leave(self, interaction: discord.Interaction[BalintBot], group: str) -> None:
        """Leave the group (a leader steps down too)."""
        found = await group_named(interaction, group)
        await self.bot.groups.leave(interaction.user.id, found)
        also = " and no longer lead it" if found.is_leader(interaction.user.id) else ""
        await answer_privately(
            interaction, f"You left **{discord.utils.escape_markdown(found.name)}**{also}."
        )



async def setup(bot: BalintBot) -> None:
    """Add the cog and its persistent buttons (they answer after a restart too)."""
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await bot.add_cog(Groups(bot))
