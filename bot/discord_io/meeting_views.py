"""What meetings look like in Discord: reminders with their RSVP buttons, notices, and the bot's answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.core.groups import Group
from bot.core.meetings.models import Meeting, Series
from bot.discord_io.components import CustomId, PersistentButton

if TYPE_CHECKING:
    from bot.app import BalintBot

CHOICES = ("going", "cant", "case")
LABELS = {"going": "Going", "cant": "Can't come", "case": "I have a case"}
COUNT_WORDS = {"going": "Going", "cant": "Can't come", "case": "With a case"}
NOTED = {
    "going": "Noted: you are going. See you there.",
    "cant": "Noted: you can't come. Thank you for telling the group.",
}


def stamp(instant: datetime, style: str) -> str:
    """Write an instant as a Discord timestamp, which each reader sees in their own time."""
    return discord.utils.format_dt(instant, cast(Any, style))


def name_of(group: Group) -> str:
    """Return the group's name, safe inside Markdown."""
    return discord.utils.escape_markdown(group.name)


def span_text(minutes: int) -> str:
    """Say a number of minutes the way people do: 1 hour, 2 days, 15 minutes."""
    if minutes % 1440 == 0 and minutes >= 2880:
        return f"{minutes // 1440} days"
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def scheduled_text(group: Group, series: Series, *, count: int | None, until: datetime | None, first: datetime,
                   offsets: Sequence[int]) -> str:
    """Confirm a schedule: when the series meets, how long, its size, the first meeting and the reminders."""
    rec = series.recurrence
    if rec.rule is None:
        size = ""
    elif count is not None:
        size = f", {count} meeting{'s' if count != 1 else ''}"
    elif until is not None:
        size = f", until {until.astimezone(rec.zone):%Y-%m-%d}"
    else:
        size = ", with no end date"
    reminders = " and ".join(span_text(m) for m in offsets)
    told = f" Reminders come in <#{group.text_channel_id}> {reminders} before." if reminders else ""
    return (
        f"Scheduled **{name_of(group)}** {rec.describe()}, {rec.duration_minutes} minutes{size}: the first is"
        f" {stamp(first, 'F')}. Each coming meeting is an event of the server.{told}"
    )


def coming_text(group: Group, coming: Sequence[tuple[datetime, Series]], now: datetime) -> str:
    """List the group's coming meetings, as timestamps each reader sees in their own time."""
    if not coming:
        return f"**{name_of(group)}** has no coming meetings; a leader schedules them with /meeting schedule."
    lines = [f"Coming meetings of **{name_of(group)}**:"]
    for start, series in coming:
        now_on = " (now)" if start <= now else ""
        lines.append(
            f"• {stamp(start, 'F')}{now_on} · {series.recurrence.duration_minutes} min ·"
            f" {series.recurrence.describe()}"
        )
    return "\n".join(lines)


def counts_line(counts: dict[str, int]) -> str:
    """Show the RSVP counts, e.g. "Going: 2 · Can't come: 1 · With a case: 1"."""
    return " · ".join(f"{COUNT_WORDS[choice]}: {counts.get(choice, 0)}" for choice in CHOICES)


def reminder_text(group: Group, meeting: Meeting, counts: dict[str, int]) -> str:
    """Render a reminder with its RSVP counts."""
    minutes = round((meeting.ends_at - meeting.starts_at).total_seconds() / 60)
    return (
        f"📅 **{name_of(group)}** meets {stamp(meeting.starts_at, 'F')} ({stamp(meeting.starts_at, 'R')}) in"
        f" <#{group.voice_channel_id}>, for {minutes} minutes. Will you come?\n{counts_line(counts)}"
    )


def cancelled_text(group: Group, meeting: Meeting) -> str:
    """Render a reminder whose meeting was cancelled."""
    return f"~~**{name_of(group)}** meets {stamp(meeting.starts_at, 'F')}~~ This meeting is cancelled."


def start_text(group: Group, meeting: Meeting) -> str:
    """Render the notice that a meeting starts, with the link to the voice channel."""
    return (
        f"🟢 **{name_of(group)}** starts now, until {stamp(meeting.ends_at, 't')}: join <#{group.voice_channel_id}>."
    )


class RsvpButton(PersistentButton, custom=CustomId("balint:rsvp:{meeting}:{choice}", meeting=int,
                                                   choice="|".join(CHOICES))):
    """An answer on a reminder; the meeting and the answer live in the custom id."""

    def __init__(self, *, meeting: int, choice: str) -> None:
        styles = {"going": discord.ButtonStyle.success, "cant": discord.ButtonStyle.secondary,
                  "case": discord.ButtonStyle.primary}
        super().__init__(label=LABELS[choice], style=styles[choice], meeting=meeting, choice=choice)
        self.meeting_id = meeting
        self.choice = choice

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Record the member's answer and update the counts."""
        bot = cast("BalintBot", interaction.client)
        await bot.meetings.rsvp(interaction, self.meeting_id, self.choice)


def rsvp_view(meeting_id: int) -> discord.ui.View:
    """Hold the three RSVP buttons of a meeting."""
    view = discord.ui.View(timeout=None)
    for choice in CHOICES:
        view.add_item(RsvpButton(meeting=meeting_id, choice=choice))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (RsvpButton,)
