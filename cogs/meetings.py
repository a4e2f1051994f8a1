"""/meeting and /attendance: schedule a group's meetings, list, cancel, export them, and who came."""

from __future__ import annotations

import io
import re

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str
from discord.ext import commands

from bot.app import BalintBot
from bot.core.meetings.recurrence import DURATION_DEFAULT
from bot.discord_io import meeting_views
from bot.discord_io.groups import group_named
from bot.discord_io.replies import NO_MENTIONS, answer_privately
from bot.i18n import lang_of, translator_for
from cogs.groups import Groups

# Translators: a series' repeat, as the /meeting schedule option offers it.
REPEAT_CHOICES = [
    Choice(name=locale_str("none"), value="none"),
    Choice(name=locale_str("weekly"), value="weekly"),
    Choice(name=locale_str("biweekly"), value="biweekly"),
    Choice(name=locale_str("monthly"), value="monthly"),
]
# Translators: what /meeting cancel cancels.
SCOPE_CHOICES = [
    Choice(name=locale_str("this meeting"), value="this"),
    Choice(name=locale_str("the whole series"), value="series"),
]


def _file_name(group: str, suffix: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", group).strip("-").lower() or "group"
    return f"{stem[:40]}-{suffix}"


class Meetings(commands.Cog):
    """The /meeting commands, /attendance, and the voice events attendance is counted from."""

    meeting = app_commands.Group(name="meeting", description=locale_str("Meetings of Balint groups"), guild_only=True)

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot

    async def meeting_autocomplete(self, interaction: discord.Interaction[BalintBot],
                                   current: str) -> list[app_commands.Choice[str]]:
        """Offer the coming meetings of the groups the user leads in this server."""
        if interaction.guild_id is None:
            return []
        found = await self.bot.meetings.coming_choices(interaction.guild_id, interaction.user.id, current,
                                                       lang_of(interaction.locale))
        return [app_commands.Choice(name=label, value=value) for label, value in found]

    @meeting.command(name="schedule", description=locale_str("Schedule a meeting or a repeating series (leaders)"))
    @app_commands.describe(
        group=locale_str("The group"),
        start=locale_str("In the group's timezone: 2026-12-01 19:00, tomorrow 19:00, next tuesday 19:00"),
        duration=locale_str("Minutes, 15 to 240 (90 if left out)"),
        repeat=locale_str("none, weekly, biweekly (every other week) or monthly (same weekday, e.g. 2nd Tuesday)"),
        count=locale_str("How many meetings in the series (1-52)"),
        until=locale_str("The last day of the series, like 2026-12-31"),
    )
    @app_commands.choices(repeat=REPEAT_CHOICES)
    @app_commands.autocomplete(group=Groups.group_autocomplete)
    async def schedule(self, interaction: discord.Interaction[BalintBot], group: str, start: str,
                       duration: int = DURATION_DEFAULT, repeat: Choice[str] | None = None,
                       count: int | None = None, until: str | None = None) -> None:
        """Schedule meetings for the group (a single one unless a repeat is chosen)."""
        found = await group_named(interaction, group)
        await self.bot.meetings.schedule(interaction, found, start=start, duration=duration,
                                         repeat=repeat.value if repeat else "none", count=count, until=until)

    @meeting.command(name="list", description=locale_str("See a group's coming meetings"))
    @app_commands.describe(group=locale_str("The group"))
    @app_commands.autocomplete(group=Groups.group_autocomplete)
    async def list_meetings(self, interaction: discord.Interaction[BalintBot], group: str) -> None:
        """Show the coming meetings privately."""
        found = await group_named(interaction, group)
        await answer_privately(interaction, await self.bot.meetings.list_text(found, lang_of(interaction.locale)))

    @meeting.command(name="cancel", description=locale_str("Cancel a meeting, or the rest of its series (leaders)"))
    @app_commands.describe(meeting=locale_str("The meeting (pick from the list)"),
                           scope=locale_str("this meeting, or the whole series"))
    @app_commands.choices(scope=SCOPE_CHOICES)
    @app_commands.autocomplete(meeting=meeting_autocomplete)
    async def cancel(self, interaction: discord.Interaction[BalintBot], meeting: str,
                     scope: Choice[str] | None = None) -> None:
        """Cancel a meeting (if no scope is chosen) or its series."""
        await self.bot.meetings.cancel(interaction, meeting, scope.value if scope else "this")

    @meeting.command(name="calendar", description=locale_str("Get a group's meetings as a calendar file (.ics)"))
    @app_commands.describe(group=locale_str("The group"))
    @app_commands.autocomplete(group=Groups.group_autocomplete)
    async def calendar(self, interaction: discord.Interaction[BalintBot], group: str) -> None:
        """Send the .ics file privately."""
        found = await group_named(interaction, group)
        data = await self.bot.meetings.calendar(found, lang_of(interaction.locale))
        await interaction.response.send_message(
            translator_for(interaction.locale).gettext(
                "The meetings of **{group}**: open the file with your calendar program to add them at your local"
                " times.", group=discord.utils.escape_markdown(found.name)),
            file=discord.File(io.BytesIO(data), filename=_file_name(found.name, "meetings.ics")),
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="attendance",
                          description=locale_str("Who came to a group's meetings, as a CSV file (leaders)"))
    @app_commands.describe(group=locale_str("The group"),
                           since=locale_str("The first day to include, like 2026-01-01 (all if left out)"))
    @app_commands.autocomplete(group=Groups.group_autocomplete)
    @app_commands.guild_only()
    async def attendance(self, interaction: discord.Interaction[BalintBot], group: str,
                         since: str | None = None) -> None:
        """Send the attendance CSV privately."""
        found = await group_named(interaction, group)
        text = await self.bot.meetings.attendance(interaction, found, since)
        name = _file_name(found.name, "attendance.csv")
        await interaction.response.send_message(
            translator_for(interaction.locale).gettext(
                "Attendance of **{group}**: minutes in the voice channel per member and meeting, with their answer,"
                " and a total per member.", group=discord.utils.escape_markdown(found.name)),
            file=discord.File(io.BytesIO(text.encode("utf-8")), filename=name),
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )

    @commands.Cog.listener()
    async def on_voice_state_update(self, member: discord.Member, before: discord.VoiceState,
                                    after: discord.VoiceState) -> None:
        """Count time in a group's voice channel during its meetings."""
        await self.bot.meetings.on_voice(
            member, before.channel.id if before.channel else None, after.channel.id if after.channel else None
        )


async def setup(bot: BalintBot) -> None:
    """Add the cog and the RSVP buttons (they answer after a restart too)."""
    bot.add_dynamic_items(*meeting_views.DYNAMIC_ITEMS)
    await bot.add_cog(Meetings(bot))
