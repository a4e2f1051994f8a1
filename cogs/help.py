"""/balint: help (the method, the phases and the commands), record (for accreditation), check (permissions)."""

from __future__ import annotations

from functools import lru_cache

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str
from discord.ext import commands

from bot.app import BalintBot
from bot.core.errors import Refusal
from bot.core.help import help_page
from bot.core.permissions import Place
from bot.core.text import Lang
from bot.discord_io import records
from bot.discord_io.groups import BRAND, LANGUAGE_CHOICES
from bot.discord_io.permissions import missing_for, missing_in
from bot.discord_io.replies import answer_privately
from bot.i18n import lang_of, translator, translator_for


class Help(commands.Cog):
    """The /balint command group."""

    balint = app_commands.Group(name="balint", description=locale_str("About balint-bot"))

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot
        self._available: frozenset[str] | None = None

    @balint.command(name="help", description=locale_str("The Balint method, the phases and the commands"))
    @app_commands.describe(language=locale_str("English or French (your Discord language if left out)"))
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def help(self, interaction: discord.Interaction[BalintBot], language: Choice[str] | None = None) -> None:
        """Show the help privately, in the chosen language or the user's own."""
        lang = Lang(language.value) if language else lang_of(interaction.locale)
        if self._available is None:
            # The tree is complete once the bot runs, and walking it costs more than the rest of the answer.
            self._available = frozenset(command.qualified_name for command in self.bot.tree.walk_commands())
        title, fields = _rendered(lang, self._available)
        embed = discord.Embed(title=title, colour=BRAND)
        for name, value in fields:
            embed.add_field(name=name, value=value, inline=False)
        await answer_privately(interaction, embed=embed)

    @balint.command(name="record",
                    description=locale_str("Your record for accreditation; leaders: a member's, in their groups"))
    @app_commands.describe(member=locale_str("A member of a group you lead (leaders); yourself if left out"))
    async def record(self, interaction: discord.Interaction[BalintBot], member: discord.User | None = None) -> None:
        """Show a record privately: one's own (in DMs too), or a member's to the leaders of their groups."""
        await self.bot.records.show(interaction, member)

    @balint.command(name="check",
                    description=locale_str("Check the bot's permissions for every group (server admins)"))
    async def check(self, interaction: discord.Interaction[BalintBot]) -> None:
        """Name, per group, each permission the bot lacks and where to grant it, privately."""
        guild = interaction.guild
        if guild is None:
            raise Refusal("/balint check looks at a server's channels; run it in the server.")
        if not interaction.permissions.manage_guild:
            raise Refusal("Only a server admin (Manage Server) can run /balint check; ask one of them.")
        t = translator_for(interaction.locale)
        groups = await self.bot.group_store.groups_in_guild(guild.id)
        embed = discord.Embed(title=t.gettext("balint-bot's permissions"), colour=BRAND)
        if not groups:
            missing = missing_in(guild, None, None)
            server = [m for m in missing if m.place is Place.SERVER]
            embed.description = t.gettext("This server has no group yet; create one with /group create.")
            if server:
                embed.add_field(name=t.gettext("Server"), value="\n".join(f"• {m.line(t)}" for m in server)[:1024],
                                inline=False)
        for group in groups[:25]:
            missing = missing_for(guild, group)
            value = "\n".join(f"• {m.line(t)}" for m in missing) if missing else t.gettext("✅ Nothing missing.")
            embed.add_field(name=group.name, value=value[:1024], inline=False)
        await answer_privately(interaction, embed=embed)


@lru_cache(maxsize=16)
def _rendered(lang: Lang, available: frozenset[str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Write the help page in a language: its title and its fields (name, value), once per language and commands."""
    t = translator(lang)
    page = help_page(set(available))
    fields: list[tuple[str, str]] = []
    for heading_text, lines in page.sections:
        heading = t.render(heading_text)
        body = "\n".join(t.render(line) for line in lines)
        for number, chunk in enumerate(_chunks(body)):
            fields.append((heading if number == 0 else f"{heading} ({number + 1})", chunk))
    return t.render(page.title), tuple(fields)


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
    """Add the cog and the records' CSV buttons (they answer after a restart too)."""
    bot.add_dynamic_items(*records.DYNAMIC_ITEMS)
    await bot.add_cog(Help(bot))
