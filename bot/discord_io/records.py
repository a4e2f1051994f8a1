"""/balint record in Discord: one's own record or, for a leader, a member's; its CSV button; /attendance's columns.

Who sees what, decided here and nowhere else:

- Anyone sees their own record, privately: in a server, of that server's groups; in direct
  messages, of every server's (so a member who left a server still has theirs). Only this view
  recognises, through the seal, the sessions they presented anonymously.
- A leader sees a member's record of the groups they lead in the server, never with an
  anonymous presentation: no seal is even read for it, so it takes the same work whatever the
  member did. Anyone else asking for another member is refused privately.
- The CSV button asks again at each press: "me" is whoever presses; a member's id is shown to
  the presser only if they lead one of that member's groups now.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

import discord

from bot.core.errors import Refusal
from bot.core.groups import Group
from bot.core.record_files import RecordSheet, record_csv
from bot.core.records import GroupRecord, count_record, presented_by, records_of_group
from bot.core.schemes import SchemeProgress, part_text, progress, span_text
from bot.core.text import Amount, Lang
from bot.discord_io.components import CustomId, PersistentButton
from bot.discord_io.groups import BRAND
from bot.discord_io.replies import NO_MENTIONS, answer_privately
from bot.i18n import Translator, lang_of, translator
from bot.storage.records import SqliteRecordStore

if TYPE_CHECKING:
    from bot.app import BalintBot

RECORD_FILE = "balint-record.csv"
FIELD_MAX = 1024
# Room left in an embed (6,000 characters in all) for the groups' fields, after title and description.
FIELDS_BUDGET = 5000
EVERY_SERVER = 0


class RecordDesk:
    """Records: who may see whose, counted from the sessions' roll with the rules of `bot.core.records`."""

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot
        self.store = SqliteRecordStore(bot.db)

    @property
    def min_percent(self) -> int:
        """The share of a session one must be in voice for it to count as attended."""
        return self.bot.settings.attendance_min_percent

    # ---------------------------------------------------------------- the views

    async def own(self, user_id: int, guild_id: int | None) -> list[RecordSheet]:
        """Return someone's own record (one server's groups, or every server's), anonymous presentations included."""
        sealed = await self.store.sealed_sessions(guild_id)
        mine = presented_by(self.bot.cases.rules.seal, sealed, user_id)
        groups = set(await self.store.groups_of(user_id, guild_id))
        groups |= {s.group_id for s in sealed if s.session_id in mine}
        return await self._sheets(user_id, groups, anonymous=mine)

    async def presented_anonymously(self, user_id: int) -> frozenset[int]:
        """Return the ended sessions someone presented anonymously, in every server (for export and forget-me)."""
        return presented_by(self.bot.cases.rules.seal, await self.store.sealed_sessions(), user_id)

    async def of_member(self, asker_id: int, member_id: int, guild_id: int) -> list[RecordSheet]:
        """Return a member's record of the groups the asker leads in the server, or refuse anyone who leads none."""
        led = {g.id for g in await self.bot.group_store.groups_in_guild(guild_id) if g.is_leader(asker_id)}
        if not led:
            raise Refusal("Only a group's leaders can see another member's record, for the groups they lead;"
                          " /balint record without a member shows your own.")
        theirs = set(await self.store.groups_of(member_id, guild_id))
        return await self._sheets(member_id, led & theirs, anonymous=frozenset())

    async def _sheets(self, user_id: int, group_ids: Iterable[int], *, anonymous: frozenset[int]) -> list[RecordSheet]:
        groups = [g for gid in sorted(set(group_ids)) if (g := await self.bot.group_store.group_by_id(gid)) is not None]
        sessions = await self.store.ended_sessions([g.id for g in groups], users=[user_id])
        sheets = []
        for group in groups:
            record = count_record(user_id, group.id, sessions, ZoneInfo(group.settings.timezone),
                                  min_percent=self.min_percent, anonymous=anonymous)
            sheets.append(RecordSheet(self._server_name(group.guild_id), group.name, record,
                                      tuple(progress(s, record) for s in self.bot.settings.schemes),
                                      server_id=group.guild_id))
        return sorted(sheets, key=lambda s: (s.server.casefold(), s.group.casefold()))

    def _server_name(self, guild_id: int) -> str:
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild is not None else str(guild_id)

    async def of_group(self, group: Group, since: datetime, people: Iterable[int]) -> dict[int, GroupRecord]:
        """Return everyone's record of a group since an instant, as its leaders see them (for /attendance)."""
        sessions = await self.store.ended_sessions([group.id], since=since)
        return records_of_group(group.id, sessions, ZoneInfo(group.settings.timezone), people,
                                min_percent=self.min_percent)

    # ---------------------------------------------------------------- /balint record

    async def show(self, interaction: discord.Interaction[Any], member: discord.User | discord.Member | None) -> None:
        """Answer /balint record privately: the caller's own record, or a member's for a leader."""
        t = translator(lang_of(interaction.locale))
        caller = interaction.user.id
        guild_id = interaction.guild_id
        if member is None or member.id == caller:
            sheets = await self.own(caller, guild_id)
            if not sheets:
                await answer_privately(interaction, t.gettext(
                    "You have no record yet: a session counts once it has ended, for whoever was in the group's"
                    " voice channel."))
                return
            scope = (t.gettext("Your record in this server's groups.") if guild_id is not None
                     else t.gettext("Your record in every server's groups."))
            embed = record_embed(sheets, t, title=t.gettext("Your record"), scope=scope, own=True,
                                 percent=self.min_percent, servers=guild_id is None)
            await answer_privately(interaction, embed=embed, view=csv_view("me", guild_id or EVERY_SERVER, t.lang))
            return
        if guild_id is None:
            raise Refusal("In direct messages you can see only your own record; ask for a member's record in the"
                          " server of a group you lead.")
        sheets = await self.of_member(caller, member.id, guild_id)
        name = discord.utils.escape_markdown(member.display_name)
        if not sheets:
            await answer_privately(interaction, t.gettext(
                "{member} has no record in the groups you lead: nothing counts for them there yet.", member=name))
            return
        embed = record_embed(sheets, t, title=t.gettext("Record of {member}", member=name),
                             scope=t.gettext("In the groups you lead."), own=False, percent=self.min_percent,
                             servers=False)
        await answer_privately(interaction, embed=embed, view=csv_view(str(member.id), guild_id, t.lang))

    async def send_csv(self, interaction: discord.Interaction[Any], subject: str, scope: int) -> None:
        """Send the record behind a CSV button as a private file, after checking again who presses."""
        t = translator(lang_of(interaction.locale))
        caller = interaction.user.id
        guild_id = scope or None
        if subject == "me" or int(subject) == caller:
            sheets = await self.own(caller, guild_id)
            text = t.gettext("Your record as a CSV file: a summary per group, the progress per scheme, and every"
                             " session that counted. Only you see it.")
            own = True
        else:
            if guild_id is None:
                raise Refusal("In direct messages you can see only your own record; ask for a member's record in the"
                              " server of a group you lead.")
            sheets = await self.of_member(caller, int(subject), guild_id)
            mention = f"<@{subject}>"
            text = t.gettext("The record of {member} in the groups you lead, as a CSV file.", member=mention)
            own = False
        if not sheets:
            raise Refusal("There is nothing in this record any more; run /balint record again.")
        data = record_csv(sheets, t.render, own=own).encode("utf-8")
        await interaction.response.send_message(text, file=discord.File(io.BytesIO(data), filename=RECORD_FILE),
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)


# ---------------------------------------------------------------- the embed


def progress_line(item: SchemeProgress, t: Translator) -> str:
    """One scheme's progress: "⏳ German chambers: 22.5 of 30 hours, over 4 of at least 6 months"."""
    parts = t.join(t.render(part_text(part)) for part in item.parts)
    span = span_text(item)
    if span is not None:
        parts = t.gettext("{progress}, {span}", progress=parts, span=t.render(span))
    mark = "✅" if item.met else "⏳"
    # Translators: one scheme's progress in a record; {scheme} is the scheme's name as the bot's operator wrote it.
    return f"{mark} " + t.gettext("{scheme}: {progress}", scheme=discord.utils.escape_markdown(item.scheme.name),
                                  progress=parts)


def sheet_lines(sheet: RecordSheet, t: Translator, *, own: bool) -> list[str]:
    """Write the lines of one group's record: counts, hours, cases, dates, then each scheme's progress."""
    record = sheet.record
    lines = [
        t.gettext("Sessions attended: **{attended}** · led: **{led}** · co-led: **{coled}**",
                  attended=record.attended, led=record.led, coled=record.coled),
        t.gettext("Hours: **{hours}**", hours=Amount(record.hours)),
    ]
    if own and record.presented_anonymously:
        lines.append(t.gettext("Cases presented: **{count}**, {anonymous} of them anonymously (only you see this)",
                               count=record.presented, anonymous=record.presented_anonymously))
    else:
        lines.append(t.gettext("Cases presented: **{count}**", count=record.presented))
    if record.first is not None and record.last is not None:
        lines.append(t.gettext("From {first} to {last}", first=t.day(record.first, weekday=False),
                               last=t.day(record.last, weekday=False)))
    else:
        lines.append(t.gettext("No session attended yet."))
    lines += [progress_line(item, t) for item in sheet.progress]
    return lines


def _fit(lines: Sequence[str], limit: int = FIELD_MAX) -> str:
    """Join lines into one field's value, leaving out the last ones (with "…") if they do not fit."""
    value = ""
    for line in lines:
        candidate = f"{value}\n{line}" if value else line
        if len(candidate) > limit - 2:
            return value + "\n…"
        value = candidate
    return value


def record_embed(sheets: Sequence[RecordSheet], t: Translator, *, title: str, scope: str, own: bool, percent: int,
                 servers: bool) -> discord.Embed:
    """Show a record, one field per group (with its server in direct messages), as many as one embed holds."""
    rule = t.gettext("A session counts as attended with at least {percent}% of it in the voice channel; its hours are"
                     " its real length. The CSV file button lists every session.", percent=percent)
    embed = discord.Embed(title=title, description=f"{scope}\n{rule}", colour=BRAND)
    used = 0
    shown = 0
    for sheet in sheets:
        name = (t.gettext("{group} ({server})", group=sheet.group, server=sheet.server) if servers else sheet.group)
        value = _fit(sheet_lines(sheet, t, own=own))
        if shown == 24 or used + len(name) + len(value) > FIELDS_BUDGET:
            break
        embed.add_field(name=name[:256], value=value, inline=False)
        used += len(name) + len(value)
        shown += 1
    if shown < len(sheets):
        rest = len(sheets) - shown
        embed.set_footer(text=t.ngettext("And {count} more group: the CSV file has it.",
                                         "And {count} more groups: the CSV file has them.", rest, count=rest))
    return embed


# ---------------------------------------------------------------- the CSV button


class RecordCsvButton(PersistentButton,
                      custom=CustomId("balint:record:{subject}:{scope}", subject=r"me|\d{1,20}", scope=int)):
    """The CSV button under a record: whose ("me" is whoever presses), and which server (0: every server)."""

    def __init__(self, *, subject: str, scope: int, lang: Lang = Lang.EN) -> None:
        # Translators: the button under a record that sends it as a CSV file.
        super().__init__(label=translator(lang).gettext("CSV file"), subject=subject, scope=scope)
        self.subject = subject
        self.scope = scope

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Send the record as a private CSV file, if the presser may see it now."""
        bot = cast("BalintBot", interaction.client)
        await bot.records.send_csv(interaction, self.subject, self.scope)


def csv_view(subject: str, scope: int, lang: Lang) -> discord.ui.View:
    """Hold the CSV button of a record."""
    view = discord.ui.View(timeout=None)
    view.add_item(RecordCsvButton(subject=subject, scope=scope, lang=lang))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (RecordCsvButton,)
