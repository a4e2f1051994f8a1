"""/case: propose, list and withdraw cases; the anonymous presenter's DMs; removing a relayed message."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.app import BalintBot
from bot.core.cases import CaseState
from bot.core.groups import SEE_CASES, require_member
from bot.discord_io import cases
from bot.discord_io.groups import group_named
from bot.discord_io.replies import answer_privately
from bot.i18n import lang_of, translator_for
from cogs.groups import Groups


class Cases(commands.Cog):
    """The /case commands."""

    case = app_commands.Group(name="case", description=locale_str("Cases to present"), guild_only=True)

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot
        self.remove_menu = app_commands.ContextMenu(name="Remove relayed message", callback=self.remove_relayed)
        self.remove_menu.guild_only = True

    async def cog_load(self) -> None:
        """Register the message menu, which cannot live in a cog's class body."""
        self.bot.tree.add_command(self.remove_menu)

    async def cog_unload(self) -> None:
        """Unregister the message menu."""
        self.bot.tree.remove_command(self.remove_menu.name, type=self.remove_menu.type)

    async def own_case_autocomplete(self, interaction: discord.Interaction[BalintBot],
                                    current: str) -> list[app_commands.Choice[str]]:
        """Offer the caller's own queued cases in this server, and nobody else's."""
        if interaction.guild_id is None:
            return []
        groups = await self.bot.group_store.group_ids(interaction.guild_id)
        queued = await self.bot.cases.store.cases_in_groups(sorted(groups), (CaseState.QUEUED,))
        needle = current.casefold().strip()
        seal = self.bot.cases.rules.seal
        return [
            app_commands.Choice(name=c.title[:100], value=str(c.id))
            for c in queued if seal.is_author(c, interaction.user.id) and needle in c.title.casefold()
        ][:25]

    @case.command(name="propose", description=locale_str("Propose a case to present, anonymously if you wish"))
    @app_commands.describe(group=locale_str("Your group"),
                           anonymous=locale_str("Present without anyone knowing it is you"))
    @app_commands.autocomplete(group=Groups.group_autocomplete)
    async def propose(self, interaction: discord.Interaction[BalintBot], group: str,
                      anonymous: bool = False) -> None:
        """Open the case form."""
        found = await group_named(interaction, group)
        await self.bot.cases.open_propose_modal(interaction, found, anonymous)

    @case.command(name="list", description=locale_str("See a group's queued cases"))
    @app_commands.describe(group=locale_str("The group"))
    @app_commands.autocomplete(group=Groups.group_autocomplete)
    async def list(self, interaction: discord.Interaction[BalintBot], group: str) -> None:
        """List the queue privately; anonymous cases show no author."""
        found = await group_named(interaction, group)
        require_member(found, interaction.user.id, SEE_CASES)
        await answer_privately(interaction, await self.bot.cases.queue_text(found, lang_of(interaction.locale)))

    @case.command(name="withdraw", description=locale_str("Withdraw one of your queued cases"))
    @app_commands.describe(case=locale_str("Your case"))
    @app_commands.autocomplete(case=own_case_autocomplete)
    async def withdraw(self, interaction: discord.Interaction[BalintBot], case: str) -> None:
        """Withdraw the caller's own case."""
        found = await self.bot.cases.case_picked(interaction.guild_id or 0, case)
        await self.bot.cases.rules.withdraw(found, interaction.user.id)
        await self.bot.privacy.purge_withdrawn()
        await self.bot.hands.cases_changed(found.group_id)
        await answer_privately(interaction, translator_for(interaction.locale).gettext(
            "Your case “{title}” is withdrawn, and deleted.", title=found.title))

    async def remove_relayed(self, interaction: discord.Interaction[BalintBot], message: discord.Message) -> None:
        """Remove a relayed presenter message (leaders)."""
        await self.bot.cases.remove_relay(interaction, message)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Relay an anonymous presenter's direct message."""
        if message.guild is None and not message.author.bot:
            await self.bot.cases.on_direct_message(message)


async def setup(bot: BalintBot) -> None:
    """Add the cog and its persistent buttons."""
    bot.add_dynamic_items(*cases.DYNAMIC_ITEMS)
    await bot.add_cog(Cases(bot))
