"""/group: create, configure and join Balint groups."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str
from discord.ext import commands

from bot.app import BalintBot
from bot.core.errors import Refusal
from bot.core.groups import Dropout, Group, Pushback
from bot.core.phases import BUILTIN_TEMPLATES, Template
from bot.core.text import Lang
from bot.core.timezones import complete_timezone
from bot.discord_io.groups import (
    DROPOUT_CHOICES,
    DYNAMIC_ITEMS,
    LANGUAGE_CHOICES,
    PUSHBACK_CHOICES,
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
from bot.i18n import translator, translator_for

log = logging.getLogger(__name__)

class Groups(commands.Cog):
    """The /group commands."""

    group = app_commands.Group(name="group", description=locale_str("Balint groups of this server"), guild_only=True)

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
        """Offer the known templates, a built-in one's title in the reader's language."""
        needle = current.casefold().strip()
        t = translator_for(interaction.locale)

        def title(template: Template) -> str:
            return t.gettext(template.title) if template.name in BUILTIN_TEMPLATES else template.title

        # Discord takes a choice's name of at most 100 characters; a custom title alone may be that long.
        return [
            app_commands.Choice(name=t.gettext("{template}: {title} ({length})", template=template.name,
                                               title=title(template), length=t.render(template.length))[:100],
                                value=template.name)
            for template in self.bot.templates.values() if needle in template.name
        ][:25]

    @group.command(name="create", description=locale_str("Create a Balint group (server admins)"))
    @app_commands.describe(
        name=locale_str("The group's name (1-50 characters, unique in this server)"),
        text_channel=locale_str("Where the bot posts the session panel and reminders"),
        voice_channel=locale_str("Where the group meets"),
        leader=locale_str("Who leads it (you, if left out)"),
        timezone=locale_str("An IANA timezone such as Europe/Paris (server default if left out)"),
        template=locale_str("The phase template for sessions (classic if left out)"),
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
        t = translator_for(interaction.locale)
        missing = missing_in(interaction.guild, text_channel, voice_channel)
        leads = f"<@{group.leader_ids[0]}>"
        lines = [t.gettext(
            "Created **{group}**: sessions in {text}, meetings in {voice}, led by {leader}."
            " Members join with `/group join`.",
            group=discord.utils.escape_markdown(group.name), text=text_channel.mention, voice=voice_channel.mention,
            leader=leads,
        )]
        if missing:
            lines.append(t.gettext("The bot still needs: {missing}. Grant them so the group works; /balint check"
                                   " says where.", missing=t.join(m.short(t) for m in missing)))
        await interaction.response.send_message("\n".join(lines), ephemeral=True)
        await self._announce(group, text_channel)

    async def _announce(self, group: Group, channel: discord.TextChannel) -> None:
        t = translator(group.settings.language)
        try:
            await channel.send(
                t.gettext("This channel now hosts the Balint group **{group}**. Members read the group's agreement"
                          " and join here.", group=discord.utils.escape_markdown(group.name)),
                view=join_view(group),
            )
        except discord.HTTPException as error:
            # The group exists either way: a missing permission was already reported to the
            # admin in the create answer, and an outage must not undo what was created.
            log.warning("could not announce group %d in its text channel: HTTP %d", group.id, error.status)

    @group.command(name="config", description=locale_str("Show or change a group's settings (leaders)"))
    @app_commands.describe(
        group=locale_str("The group"),
        template=locale_str("Phase template for its sessions"),
        timezone=locale_str("IANA timezone of its meetings, such as Europe/Paris"),
        auto_advance=locale_str("Move to the next phase by itself at time-up"),
        pushback=locale_str("mute: server-mute the presenter during the discussion; off: only remind"),
        retention_hours=locale_str("Hours case material is kept after a session (0-168)"),
        language=locale_str("The language the bot posts in, in the group's channel"),
        dropout=locale_str("When the presenter or the last leader in voice drops out: pause, only tell, or off"),
    )
    @app_commands.choices(pushback=PUSHBACK_CHOICES, language=LANGUAGE_CHOICES, dropout=DROPOUT_CHOICES)
    @app_commands.autocomplete(
        group=group_autocomplete, template=template_autocomplete, timezone=timezone_autocomplete
    )
    async def config(self, interaction: discord.Interaction[BalintBot], group: str,
                     template: str | None = None, timezone: str | None = None,
                     auto_advance: bool | None = None, pushback: Choice[str] | None = None,
                     retention_hours: int | None = None, language: Choice[str] | None = None,
                     dropout: Choice[str] | None = None) -> None:
        """Change the settings given (all checked first), and show the result."""
        found = await group_named(interaction, group)
        changed = await self.bot.groups.configure(
            actor_of(interaction), found, template=template, timezone=timezone,
            auto_advance=auto_advance, pushback=Pushback(pushback.value) if pushback else None,
            retention_hours=retention_hours, language=Lang(language.value) if language else None,
            dropout=Dropout(dropout.value) if dropout else None,
        )
        t = translator_for(interaction.locale)
        name = discord.utils.escape_markdown(changed.name)
        text = (t.gettext("Updated **{group}**.", group=name) if changed.settings != found.settings
                else t.gettext("Settings of **{group}**.", group=name))
        await answer_privately(interaction, text, embed=group_embed(changed, self.bot.templates, t))

    @group.command(name="coleader", description=locale_str("Add or remove a co-leader (leaders)"))
    @app_commands.describe(group=locale_str("The group"), member=locale_str("Who"),
                           remove=locale_str("Remove them instead of adding"))
    @app_commands.autocomplete(group=group_autocomplete)
    async def coleader(self, interaction: discord.Interaction[BalintBot], group: str,
                       member: discord.Member, remove: bool = False) -> None:
        """Add a co-leader, or remove one (never the last leader)."""
        found = await group_named(interaction, group)
        if member.bot:
            raise Refusal("A bot cannot lead a group; choose a person.")
        actor = actor_of(interaction)
        t = translator_for(interaction.locale)
        name = discord.utils.escape_markdown(found.name)
        if remove:
            await self.bot.groups.remove_coleader(actor, found, member.id)
            text = t.gettext("{member} no longer leads **{group}**.", member=member.mention, group=name)
        else:
            await self.bot.groups.add_coleader(actor, found, member.id)
            text = t.gettext("{member} now co-leads **{group}**.", member=member.mention, group=name)
        await answer_privately(interaction, text)

    @group.command(name="info", description=locale_str("See a group's channels, leaders and settings"))
    @app_commands.describe(group=locale_str("The group"))
    @app_commands.autocomplete(group=group_autocomplete)
    async def info(self, interaction: discord.Interaction[BalintBot], group: str) -> None:
        """Show the group."""
        found = await group_named(interaction, group)
        await answer_privately(
            interaction, embed=group_embed(found, self.bot.templates, translator_for(interaction.locale))
        )

    @group.command(name="delete", description=locale_str("Delete a group (leaders; asks to confirm)"))
    @app_commands.describe(group=locale_str("The group"))
    @app_commands.autocomplete(group=group_autocomplete)
    async def delete(self, interaction: discord.Interaction[BalintBot], group: str) -> None:
        """Ask to confirm before deleting."""
        found = await group_named(interaction, group)
        self.bot.groups.require_admin_or_leader(actor_of(interaction), found)
        await check_no_live_session(self.bot, found)
        t = translator_for(interaction.locale)
        count = len(found.member_ids)
        await answer_privately(
            interaction,
            t.ngettext("Delete **{group}** with its {count} member, its leaders, its settings and everyone's"
                       " records of its sessions (each can keep theirs first: /balint record, CSV file)?"
                       " This cannot be undone.",
                       "Delete **{group}** with its {count} members, its leaders, its settings and everyone's"
                       " records of its sessions (each can keep theirs first: /balint record, CSV file)?"
                       " This cannot be undone.",
                       count, group=discord.utils.escape_markdown(found.name), count=count),
            view=delete_view(found, t.lang),
        )

    @group.command(name="join", description=locale_str("Read a group's agreement and join it"))
    @app_commands.describe(group=locale_str("The group"))
    @app_commands.autocomplete(group=group_autocomplete)
    async def join(self, interaction: discord.Interaction[BalintBot], group: str) -> None:
        """Show the agreement with its "I agree" button, in the caller's language."""
        found = await group_named(interaction, group)
        self.bot.groups.check_can_join(interaction.user.id, found)
        t = translator_for(interaction.locale)
        await answer_privately(interaction, embed=agreement_embed(found, t), view=agreement_view(found, t.lang))

    @group.command(name="leave", description=locale_str("Leave a group"))
    @app_commands.describe(group=locale_str("The group"))
    @app_commands.autocomplete(group=group_autocomplete)
    async def leave(self, interaction: discord.Interaction[BalintBot], group: str) -> None:
        """Leave the group (a leader steps down too)."""
        found = await group_named(interaction, group)
        await self.bot.groups.leave(interaction.user.id, found)
        t = translator_for(interaction.locale)
        name = discord.utils.escape_markdown(found.name)
        text = (t.gettext("You left **{group}** and no longer lead it.", group=name)
                if found.is_leader(interaction.user.id) else t.gettext("You left **{group}**.", group=name))
        await answer_privately(interaction, text)


async def setup(bot: BalintBot) -> None:
    """Add the cog and its persistent buttons (they answer after a restart too)."""
    bot.add_dynamic_items(*DYNAMIC_ITEMS)
    await bot.add_cog(Groups(bot))
