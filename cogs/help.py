"""/balint help: the method, the phases and the commands, in English or French."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import BalintBot
from bot.core.help import help_page
from bot.core.language import language_of
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
        lang = language or language_of(str(interaction.locale))
        available = {command.qualified_name for command in self.bot.tree.walk_commands()}
        page = help_page(lang, available)
        embed = discord.Embed(title=page.title, colour=BRAND)
        for heading, body in page.sections:
            for number, chunk in enumerate(_chunks(body)):
                embed.add_field(name=heading if number == 0 else f"{heading} ({number + 1})", value=chunk, inline=False)
        await answer_privately(interaction, embed=embed)


def _chunks(body: str, limit: int = 1024) -> list[str]:
    """Split a section at line ends into pieces Discord accepts as one embed field each."""
    chunks: list[str] = []
    for line in body.splitlines():
        if chunks and len(chunks[-1]) + 1 + len(line) <= limit:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line[:limit])
    return chunks or [body[:limit]]


async def setup(bot: BalintBot) -> None:
    """Add the cog."""
    await bot.add_cog(Help(bot))
