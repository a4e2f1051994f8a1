"""What meetings look like in Discord: reminders with their RSVP buttons, notices, and the bot's answers.

What is posted in the group's channel (reminders, notices, the buttons) is in the group's
language; the bot's private answers take the reader's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.core.groups import Group
from bot.core.meetings.models import Meeting, Series
from bot.core.text import N_, Lang
from bot.discord_io.components import CustomId, PersistentButton
from bot.i18n import Translator, translator

if TYPE_CHECKING:
    from bot.app import BalintBot

CHOICES = ("going", "cant", "case")
LABELS = {"going": N_("Going"), "cant": N_("Can't come"), "case": N_("I have a case")}
COUNTS = {
    "going": N_("Going: {count}"), "cant": N_("Can't come: {count}"), "case": N_("With a case: {count}"),
}
NOTED = {
    "going": N_("Noted: you are going. See you there."),
    "cant": N_("Noted: you can't come. Thank you for telling the group."),
}


def stamp(instant: datetime, style: str) -> str:
    """Write an instant as a Discord timestamp, which each reader sees in their own time."""
    return discord.utils.format_dt(instant, cast(Any, style))


def name_of(group: Group) -> str:
    """Return the group's name, safe inside Markdown."""
    return discord.utils.escape_markdown(group.name)


def span_text(minutes: int, t: Translator) -> str:
    """Say a number of minutes the way people do: 1 hour, 2 days, 15 minutes."""
    if minutes % 1440 == 0 and minutes >= 2880:
        return t.ngettext("{count} day", "{count} days", minutes // 1440, count=minutes // 1440)
    if minutes % 60 == 0 and minutes >= 60:
        return t.ngettext("{count} hour", "{count} hours", minutes // 60, count=minutes // 60)
    return t.ngettext("{count} minute", "{count} minutes", minutes, count=minutes)


def scheduled_text(group: Group, series: Series, *, count: int | None, until: datetime | None, first: datetime,
                   offsets: Sequence[int], lang: Lang = Lang.EN) -> str:
    """Confirm a schedule: when the series meets, how long, its size, the first meeting and the reminders."""
    t = translator(lang)
    rec = series.recurrence
    if rec.rule is None:
        size = ""
    elif count is not None:
        size = t.ngettext(", {count} meeting", ", {count} meetings", count, count=count)
    elif until is not None:
        size = t.gettext(", until {day}", day=f"{until.astimezone(rec.zone):%Y-%m-%d}")
    else:
        size = t.gettext(", with no end date")
    text = t.gettext(
        "Scheduled **{group}** {when}, {minutes} minutes{size}: the first is {first}. Each coming meeting is an"
        " event of the server.", group=name_of(group), when=rec.description(), minutes=rec.duration_minutes,
        size=size, first=stamp(first, "F"),
    )
    if offsets:
        reminders = t.join(span_text(m, t) for m in offsets)
        text += " " + t.gettext("Reminders come in {channel} {reminders} before.",
                                channel=f"<#{group.text_channel_id}>", reminders=reminders)
    return text


def coming_text(group: Group, coming: Sequence[tuple[datetime, Series]], now: datetime, lang: Lang = Lang.EN) -> str:
    """List the group's coming meetings, as timestamps each reader sees in their own time."""
    t = translator(lang)
    if not coming:
        return t.gettext("**{group}** has no coming meetings; a leader schedules them with /meeting schedule.",
                         group=name_of(group))
    lines = [t.gettext("Coming meetings of **{group}**:", group=name_of(group))]
    for start, series in coming:
        line = N_("• {start} (now) · {minutes} min · {when}") if start <= now else N_(
            "• {start} · {minutes} min · {when}")
        lines.append(t.gettext(line, start=stamp(start, "F"), minutes=series.recurrence.duration_minutes,
                               when=series.recurrence.description()))
    return "\n".join(lines)


def counts_line(counts: dict[str, int], t: Translator) -> str:
    """Show the RSVP counts, e.g. "Going: 2 · Can't come: 1 · With a case: 1"."""
    return " · ".join(t.gettext(COUNTS[choice], count=counts.get(choice, 0)) for choice in CHOICES)


def reminder_text(group: Group, meeting: Meeting, counts: dict[str, int]) -> str:
    """Render a reminder with its RSVP counts, in the group's language."""
    t = translator(group.settings.language)
    minutes = round((meeting.ends_at - meeting.starts_at).total_seconds() / 60)
    return t.gettext(
        "📅 **{group}** meets {start} ({relative}) in {voice}, for {minutes} minutes. Will you come?",
        group=name_of(group), start=stamp(meeting.starts_at, "F"), relative=stamp(meeting.starts_at, "R"),
        voice=f"<#{group.voice_channel_id}>", minutes=minutes,
    ) + "\n" + counts_line(counts, t)


def cancelled_text(group: Group, meeting: Meeting) -> str:
    """Render a reminder whose meeting was cancelled, in the group's language."""
    return translator(group.settings.language).gettext(
        "~~**{group}** meets {start}~~ This meeting is cancelled.", group=name_of(group),
        start=stamp(meeting.starts_at, "F"),
    )


def start_text(group: Group, meeting: Meeting) -> str:
    """Render the notice that a meeting starts, with the link to the voice channel, in the group's language."""
    return translator(group.settings.language).gettext(
        "🟢 **{group}** starts now, until {end}: join {voice}.", group=name_of(group),
        end=stamp(meeting.ends_at, "t"), voice=f"<#{group.voice_channel_id}>",
    )


def noted_text(choice: str, lang: Lang) -> str:
    """Confirm an RSVP privately, in the member's language."""
    return translator(lang).gettext(NOTED[choice])


class RsvpButton(PersistentButton, custom=CustomId("balint:rsvp:{meeting}:{choice}", meeting=int,
                                                   choice="|".join(CHOICES))):
    """An answer on a reminder; the meeting and the answer live in the custom id."""

    def __init__(self, *, meeting: int, choice: str, lang: Lang = Lang.EN) -> None:
        styles = {"going": discord.ButtonStyle.success, "cant": discord.ButtonStyle.secondary,
                  "case": discord.ButtonStyle.primary}
        super().__init__(label=translator(lang).gettext(LABELS[choice]), style=styles[choice], meeting=meeting,
                         choice=choice)
        self.meeting_id = meeting
        self.choice = choice

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Record the member's answer and update the counts."""
        bot = cast("BalintBot", interaction.client)
        await bot.meetings.rsvp(interaction, self.meeting_id, self.choice)


def rsvp_view(meeting_id: int, lang: Lang = Lang.EN) -> discord.ui.View:
    """Hold the three RSVP buttons of a meeting, labelled in the group's language."""
    view = discord.ui.View(timeout=None)
    for choice in CHOICES:
        view.add_item(RsvpButton(meeting=meeting_id, choice=choice, lang=lang))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (RsvpButton,)
