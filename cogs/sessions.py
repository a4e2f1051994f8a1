"""/session: run a case through its timed phases; leaders control, everyone can look."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.app import BalintBot
from bot.core.cases import CaseState
from bot.core.session import ControlAction
from bot.discord_io import debrief, feedback, sessions
from bot.discord_io.groups import group_named
from cogs.groups import Groups


class Sessions(commands.Cog):
    """The /session commands and the voice events the push-back needs."""

    session = app_commands.Group(name="session", description=locale_str("Balint sessions"), guild_only=True)

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot

    @session.command(name="start", description=locale_str("Start a case in timed phases and post the panel (leaders)"))
    @app_commands.describe(
        group=locale_str("The group"),
        case=locale_str("A queued case of the group"),
        template=locale_str("Phase template (the group's own if left out)"),
        presenter=locale_str("Who presents, without a queued case (muted in voice during the discussion)"),
    )
    @app_commands.autocomplete(group=Groups.group_autocomplete, template=Groups.template_autocomplete)
    async def start(self, interaction: discord.Interaction[BalintBot], group: str, case: str | None = None,
                    template: str | None = None, presenter: discord.Member | None = None) -> None:
        """Start a session for the group."""
        found = await group_named(interaction, group)
        chosen = await self.bot.cases.case_picked(interaction.guild_id or 0, case) if case is not None else None
        await self.bot.sessions.start(interaction, found, presenter=presenter, template=template, case=chosen)

    @start.autocomplete("case")
    async def case_autocomplete(self, interaction: discord.Interaction[BalintBot],
                                current: str) -> list[app_commands.Choice[str]]:
        """Offer the chosen group's queued cases by title (never by author)."""
        if interaction.guild_id is None:
            return []
        name = getattr(interaction.namespace, "group", None) or ""
        group = await self.bot.group_store.group_by_name(interaction.guild_id, str(name))
        if group is None:
            return []
        queued = await self.bot.cases.store.cases_of_group(group.id, (CaseState.QUEUED,))
        needle = current.casefold().strip()
        return [app_commands.Choice(name=c.title[:100], value=str(c.id))
                for c in queued if needle in c.title.casefold()][:25]

    async def _control(self, interaction: discord.Interaction[BalintBot], action: ControlAction,
                       minutes: int | None = None) -> None:
        session, group = await self.bot.sessions.session_for(interaction)
        await self.bot.sessions.control(interaction, session, group, action, minutes=minutes)

    @session.command(name="pause", description=locale_str("Stop the phase's clock (leaders)"))
    async def pause(self, interaction: discord.Interaction[BalintBot]) -> None:
        """Pause the session of this channel's group."""
        await self._control(interaction, ControlAction.PAUSE)

    @session.command(name="resume", description=locale_str("Start the phase's clock again (leaders)"))
    async def resume(self, interaction: discord.Interaction[BalintBot]) -> None:
        """Resume the session."""
        await self._control(interaction, ControlAction.RESUME)

    @session.command(name="next", description=locale_str("Move to the next phase (leaders)"))
    async def next(self, interaction: discord.Interaction[BalintBot]) -> None:
        """Move on."""
        await self._control(interaction, ControlAction.NEXT)

    @session.command(name="back", description=locale_str("Go back to the previous phase (leaders)"))
    async def back(self, interaction: discord.Interaction[BalintBot]) -> None:
        """Go back."""
        await self._control(interaction, ControlAction.BACK)

    @session.command(name="end", description=locale_str("Close the session (leaders)"))
    async def end(self, interaction: discord.Interaction[BalintBot]) -> None:
        """End the session."""
        await self._control(interaction, ControlAction.END)

    @session.command(name="extend", description=locale_str("Give the current phase more minutes (leaders)"))
    @app_commands.describe(minutes=locale_str("1 to 30"))
    async def extend(self, interaction: discord.Interaction[BalintBot], minutes: int) -> None:
        """Extend the current phase."""
        await self._control(interaction, ControlAction.EXTEND, minutes)

    @session.command(name="status", description=locale_str("See where the session is"))
    async def status(self, interaction: discord.Interaction[BalintBot]) -> None:
        """Show the panel privately."""
        await self.bot.sessions.status(interaction)

    @commands.Cog.listener()
    async def on_voice_state_update(self, member: discord.Member, before: discord.VoiceState,
                                    after: discord.VoiceState) -> None:
        """Keep the session's roll and its dropout waits, and settle the push-back mute of someone who joins voice."""
        left, joined = before.channel.id if before.channel else None, after.channel.id if after.channel else None
        await self.bot.sessions.roll.on_voice(member, left, joined)
        await self.bot.sessions.dropouts.on_voice(member, left, joined)
        if after.channel is not None and after.channel != before.channel:
            await self.bot.sessions.on_voice_join(member)


async def setup(bot: BalintBot) -> None:
    """Add the cog and the session buttons (they answer after a restart too)."""
    bot.add_dynamic_items(*sessions.DYNAMIC_ITEMS, *feedback.DYNAMIC_ITEMS, *debrief.DYNAMIC_ITEMS)
    await bot.add_cog(Sessions(bot))
