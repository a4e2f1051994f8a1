"""/privacy: what is stored, an export of it, and forget-me; and what leaving a server does to the data.

The commands concern the person, not a server: they work in servers and in DMs alike.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.app import BalintBot
from bot.discord_io import privacy
from bot.discord_io.replies import answer_privately
from bot.i18n import lang_of


class Privacy(commands.Cog):
    """The /privacy commands and the server events that end what the bot stores."""

    privacy = app_commands.Group(
        name="privacy", description=locale_str("What balint-bot stores about you"),
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False),
    )

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot

    @privacy.command(name="info", description=locale_str("What is stored, why, and for how long"))
    async def info(self, interaction: discord.Interaction[BalintBot]) -> None:
        """Show the notice privately, in the caller's language."""
        embed = privacy.notice_embed(lang_of(interaction.locale), self.bot.privacy.policy)
        await answer_privately(interaction, embed=embed)

    @privacy.command(name="export", description=locale_str("A file of everything stored about you, in every server"))
    async def export(self, interaction: discord.Interaction[BalintBot]) -> None:
        """Send the caller their data as a private JSON file."""
        await self.bot.privacy.export(interaction)

    @privacy.command(name="forget-me", description=locale_str("Delete everything stored about you (asks to confirm)"))
    async def forget_me(self, interaction: discord.Interaction[BalintBot]) -> None:
        """Ask to confirm before forgetting the caller."""
        await self.bot.privacy.ask_to_forget(interaction)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """Take a member who left a server out of its groups."""
        if not payload.user.bot:
            await self.bot.privacy.member_left(payload.guild_id, payload.user.id)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Start the grace after which a server that removed the bot loses its data."""
        await self.bot.privacy.servers.left(guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Keep the data of a server that added the bot (back)."""
        await self.bot.privacy.servers.back(guild.id)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Keep the data of a server the bot turns out to be in (its GUILD_CREATE may say "available")."""
        await self.bot.privacy.servers.back(guild.id)


async def setup(bot: BalintBot) -> None:
    """Add the cog and the forget-me buttons (they answer after a restart too)."""
    bot.add_dynamic_items(*privacy.DYNAMIC_ITEMS)
    await bot.add_cog(Privacy(bot))
