"""/balint help: the method, the phases and the commands, in English or French."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import BalintBot
from bot.core.help import help_page
from bot.discord_io.groups import BRAND
from bot.discord_io.replies import answer_privately


class Help(commands.Cog):
    """The /balint command group."""

    balint = app_commands.Group(name="balint", description="About balint-bot")

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot

    @balint.command(name="help", description="The Balint method, the phases and the commands")
    @app_commands.describe(language="en or fr (your Discord language if left out)")
    async def help(self, interaction: discord.Interaction[BalintBot],
                   language: Literal["en", "fr"] | None = None) -> None:
        """Show the help privately, in the chosen language or the user's own."""
        lang = language or ("fr" if interaction.locale is discord.Locale.french else "en")
        available = {command.qualified_name for command in self.bot.tree.walk_commands()}
        page = help_page(lang, available)
        embed = discord.Embed(title=page.title, colour=BRAND)
        for heading, body in page.sections:
            embed.add_field(name=heading, value=body, inline=False)
        await answer_privately(interaction, embed=embed)


async def setup(bot: BalintBot) -> None:
    """Add the cog."""
    await bot.add_cog(Help(bot))
