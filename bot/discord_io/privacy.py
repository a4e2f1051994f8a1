"""Privacy in Discord: the notice, the export, forget-me with its confirm button, and the retention jobs.

Two kinds of job keep the bot's promises, each rebuilt from the database at start-up and looked
at again by the sweep, like every other job: the bot's own session messages leave the channel
`message_retention_hours` after the session ends, and a server the bot was removed from loses
its data `server_grace_days` later unless the bot is added back. A Discord refusal never stops
either: it is told to the leaders once per session, and the job goes on.

Nothing here names an anonymous author: they are recognised through the seal only to act on
their own data, and every answer to them is private.

Each text is in its reader's language: the notice, the export and the forget-me answers in the
caller's (their Discord's), the notice to the admins of a group left with no leader and the
reports to its leaders in the group's.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.core.cases import CaseState
from bot.core.errors import Refusal
from bot.core.groups import Group
from bot.core.privacy import (
    ExportData,
    Forgotten,
    Orphan,
    Place,
    RetentionPolicy,
    cases_by,
    counted_record,
    export_document,
    marks_by,
    privacy_notice,
)
from bot.core.text import N_, Lang
from bot.discord_io.components import CustomId, PersistentButton
from bot.discord_io.groups import BRAND
from bot.discord_io.leaders import dm_user, tell_leaders
from bot.discord_io.replies import NO_MENTIONS, answer_privately
from bot.i18n import Translator, lang_of, translator
from bot.storage.privacy import PostedMessage, SqlitePrivacyStore

if TYPE_CHECKING:
    from bot.app import BalintBot

log = logging.getLogger(__name__)

MESSAGES_TIMER = "session-messages"
# Discord deletes in bulk only messages younger than two weeks, at most 100 at a time.
BULK_MAX_AGE = timedelta(days=14) - timedelta(minutes=5)
BULK_MAX = 100
UNKNOWN_CHANNEL = 10003
# Translators: the reason the server's audit log shows for the session messages the bot removes.
DELETE_REASON = N_("balint-bot: session messages are kept only for the retention time")
EXPORT_NAME = "balint-bot-export.json"

# Translators: the buttons under the /privacy forget-me question.
FORGET_LABELS = {"yes": N_("Forget me"), "no": N_("Keep my data")}


def notice_embed(lang: Lang, policy: RetentionPolicy) -> discord.Embed:
    """Render the privacy notice in `lang`, one field per section."""
    t = translator(lang)
    notice = privacy_notice(policy)
    embed = discord.Embed(title=t.render(notice.title), description=t.render(notice.intro), colour=BRAND)
    for heading, body in notice.sections:
        embed.add_field(name=t.render(heading), value=t.render(body), inline=False)
    return embed


def export_file(data: ExportData, lang: Lang, bot: BalintBot) -> discord.File:
    """Write the export as a JSON file, its notes in `lang`: no id or name of the person, only what is stored."""
    document = export_document(data, bot.clock.now(), translator(lang).render)
    raw = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    return discord.File(io.BytesIO(raw), filename=EXPORT_NAME)


def forgotten_text(forgotten: Forgotten, t: Translator) -> str:
    """Say what forget-me did, privately, to the person forgotten: what is left, if anything."""
    sentences = [t.gettext("Done: balint-bot no longer stores anything about you. /privacy export shows it.")]
    if forgotten.orphans:
        sentences.append(t.gettext(
            "These groups, which you alone led, stay with no leader, and their servers' admins are told: {names}.",
            names=t.join(discord.utils.escape_markdown(o.name) for o in forgotten.orphans)))
    if forgotten.mutes_kept:
        sentences.append(t.gettext(
            "The bot lifts the server mute it put on you when you next join voice in that server; until then it"
            " keeps only that it muted you there."))
    return " ".join(sentences)


def orphan_text(orphan: Orphan) -> str:
    """Tell a server's admins, in the group's language, that a group has no leader any more, naming nobody."""
    return translator(orphan.language).gettext(
        "**{group}** has no leader any more. Server admins (Manage Server): add one with `/group coleader`; until"
        " then nobody can start its sessions or schedule its meetings.",
        group=discord.utils.escape_markdown(orphan.name))


class ForgetButton(PersistentButton, custom=CustomId("balint:forget:{choice}", choice="yes|no")):
    """Forget me, or keep my data: under the private /privacy forget-me answer, so only its caller clicks it.

    The custom id carries no id: the button acts on whoever clicks, who is the caller.
    """

    def __init__(self, *, choice: str, lang: Lang = Lang.EN) -> None:
        confirm = choice == "yes"
        super().__init__(
            label=translator(lang).gettext(FORGET_LABELS[choice]),
            style=discord.ButtonStyle.danger if confirm else discord.ButtonStyle.secondary, choice=choice,
        )
        self.confirm = confirm

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Forget the clicker, or say nothing was deleted."""
        bot = cast("BalintBot", interaction.client)
        if not self.confirm:
            t = translator(lang_of(interaction.locale))
            await interaction.response.edit_message(content=t.gettext("Nothing was deleted."), view=None)
            return
        await bot.privacy.forget(interaction)


def forget_view(lang: Lang) -> discord.ui.View:
    """Hold the confirm and cancel buttons of /privacy forget-me."""
    view = discord.ui.View(timeout=None)
    view.add_item(ForgetButton(choice="yes", lang=lang))
    view.add_item(ForgetButton(choice="no", lang=lang))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (ForgetButton,)


class PrivacyDesk:
    """The privacy features of the bot: the notice, export, forget-me, leaving, and the retention jobs."""

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot
        self.store = SqlitePrivacyStore(bot.db)
        self.messages = MessageRetention(bot, self.store)
        self.servers = ServerDepartures(bot, self.store)

    @property
    def policy(self) -> RetentionPolicy:
        """Return the retention the purges apply and the notice states."""
        return policy_of(self.bot)

    # ---------------------------------------------------------------- export

    async def gather(self, user_id: int) -> ExportData:
        """Collect everything stored about someone, anonymous cases and "I have a case" seals recognised."""
        seal = self.bot.cases.rules.seal
        cases = cases_by(seal, await self.store.anonymous_cases(), user_id)
        marks = marks_by(seal, await self.store.case_marks(), user_id)
        presented = await self.bot.records.presented_anonymously(user_id)
        data = await self.store.export(user_id, cases, sorted({m.meeting_id for m in marks}), sorted(presented))
        records = [counted_record(Place(sheet.server_id, sheet.record.group_id, sheet.group), sheet.record)
                   for sheet in await self.bot.records.own(user_id, None) if not sheet.record.is_empty]
        return replace(data, records=records)

    async def export(self, interaction: discord.Interaction[Any]) -> None:
        """Send the caller, privately, the JSON file of everything stored about them."""
        lang = lang_of(interaction.locale)
        t = translator(lang)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.gather(interaction.user.id)
        if data.is_empty():
            text = t.gettext("balint-bot stores nothing about you, in any server. The file says so too.")
        else:
            text = t.gettext("Everything balint-bot stores about you, in every server: only you see this file.")
        await interaction.followup.send(text, file=export_file(data, lang, self.bot), ephemeral=True,
                                        allowed_mentions=NO_MENTIONS)

    # ---------------------------------------------------------------- forget-me

    async def ask_to_forget(self, interaction: discord.Interaction[Any]) -> None:
        """Say what forget-me deletes, privately, with its confirm button."""
        lang = lang_of(interaction.locale)
        ask = translator(lang).gettext(
            "This deletes everything balint-bot stores about you, in every server: memberships, co-leaderships,"
            " your cases (anonymous ones too) and their relayed messages, your meeting answers, attendance and"
            " mutes, and the record that you answered feedback. A session in which you present ends first. A group"
            " you alone lead stays, with no leader, and its server's admins are told. Anonymous feedback is not"
            " linked to you, so it stays. This cannot be undone.")
        await answer_privately(interaction, ask, view=forget_view(lang))

    async def forget(self, interaction: discord.Interaction[Any]) -> None:
        """Forget whoever confirmed, then tell them what is left (a group without leader, a mute to lift)."""
        t = translator(lang_of(interaction.locale))
        # Acknowledged first: ending a session and deleting messages may take more than Discord's 3
        # seconds. The prompt stays as it is until it is done, so that a refusal leaves it to retry.
        await interaction.response.defer()
        forgotten = await self.forget_user(interaction.user.id)
        await interaction.edit_original_response(content=forgotten_text(forgotten, t), view=None)

    async def forget_user(self, user_id: int) -> Forgotten:
        """Delete everything about someone in every server; end first any session in which they present."""
        seal = self.bot.cases.rules.seal
        for session_id in await self._presenting(user_id):
            await self.bot.sessions.end_now(session_id)
        if await self._presenting(user_id):
            raise Refusal("A session you present in changed at that moment; nothing was deleted. Try again.")
        anonymous = cases_by(seal, await self.store.anonymous_cases(), user_id)
        # The panels name them, or show their case's title: gone now, not at the retention time.
        panels = await self.store.panels_about(user_id, anonymous)
        for session_id in await self.store.sessions_of_cases(user_id, anonymous):
            await self.bot.cases.purge(session_id)  # the case, and its relayed words in the channel
        await self.messages.remove(panels)
        still_muted = sorted({m.guild_id for m in await self.bot.sessions.store.mutes() if m.user_id == user_id})
        marks = marks_by(seal, await self.store.case_marks(), user_id)
        presented = await self.bot.records.presented_anonymously(user_id)
        answered = await self.bot.meetings.store.answered_by(user_id, self.bot.clock.now())
        orphans = await self.store.forget(user_id, anonymous, marks, still_muted, sorted(presented))
        self.bot.cases.forget_drafts(user_id)
        await self.bot.meetings.refresh_counts(answered)  # the reminders no longer count their answers
        log.info("a user was forgotten; %d groups left without a leader", len(orphans))
        await self.tell_admins(orphans)
        return Forgotten(orphans, still_muted)

    async def _presenting(self, user_id: int) -> list[int]:
        """Return the running sessions in which someone presents, by name or anonymously."""
        found = []
        for session in await self.bot.sessions.store.live():
            if session.presenter_id == user_id or await self.bot.cases.presenting(session, user_id) is not None:
                found.append(session.id)
        return found

    # ---------------------------------------------------------------- leaving

    async def member_left(self, guild_id: int, user_id: int) -> None:
        """Take someone who left a server out of its groups, with their queued cases and coming answers."""
        seal = self.bot.cases.rules.seal
        now = self.bot.clock.now()
        queued = cases_by(seal, await self.store.anonymous_cases(guild_id, (CaseState.QUEUED,)), user_id)
        marks = marks_by(seal, await self.store.case_marks(guild_id, after=now), user_id)
        answered = await self.bot.meetings.store.answered_by(user_id, now, guild_id)
        orphans = await self.store.leave_server(guild_id, user_id, queued, marks, now)
        await self.bot.meetings.refresh_counts(answered)
        await self.tell_admins(orphans)

    async def tell_admins(self, orphans: list[Orphan]) -> None:
        """Tell each leaderless group's server admins, in the group's channel, or the owner by DM if that fails."""
        for orphan in orphans:
            text = orphan_text(orphan)
            channel = self.bot.get_partial_messageable(orphan.text_channel_id, guild_id=orphan.server_id)
            try:
                await channel.send(text, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                await self._tell_owner(orphan, text)

    async def _tell_owner(self, orphan: Orphan, text: str) -> None:
        guild = self.bot.get_guild(orphan.server_id)
        if guild is None or guild.owner_id is None:
            log.warning("group %d: nobody could be told that it has no leader", orphan.group_id)
            return
        told = translator(orphan.language).gettext("In {server}: {notice}",
                                                    server=discord.utils.escape_markdown(guild.name), notice=text)
        if not await dm_user(self.bot, guild.owner_id, told):
            log.warning("group %d: nobody could be told that it has no leader", orphan.group_id)

    # ---------------------------------------------------------------- jobs

    async def purge_withdrawn(self) -> None:
        """Delete withdrawn cases at once: nothing needs their text any more."""
        await self.store.delete_withdrawn()

    async def restore(self) -> None:
        """Rebuild the retention jobs from the database at start-up."""
        try:
            await self.servers.restore()
        finally:
            await self.messages.process()
            await self.purge_withdrawn()

    async def sweep(self) -> None:
        """Look again at every retention job, whatever the timers did."""
        try:
            await self.servers.sweep()
        finally:
            await self.messages.process()
            await self.purge_withdrawn()


def policy_of(bot: BalintBot) -> RetentionPolicy:
    """Return the retention this bot's settings give."""
    return RetentionPolicy(message_retention_hours=bot.settings.message_retention_hours,
                           server_grace_days=bot.settings.server_grace_days)


class MessageRetention:
    """Deletes the bot's own session messages from the channel once their retention is over."""

    def __init__(self, bot: BalintBot, store: SqlitePrivacyStore) -> None:
        self.bot = bot
        self.store = store
        # One pass at a time in this process; a second pass finds the rows the first forgot.
        self._lock = asyncio.Lock()
        # The wake-up this process set last (None: none, or not known yet).
        self._armed_at: datetime | None = None

    async def record(self, session_id: int, guild_id: int, message: discord.Message) -> None:
        """Remember a message the bot posted for a session (panel, notice, relay, closing)."""
        now = self.bot.clock.now()
        await self.store.record_message(session_id=session_id, guild_id=guild_id, channel_id=message.channel.id,
                                        message_id=message.id, at=now)
        # Messages fall due from their session's end, so one of a running session changes no
        # wake-up. The closing is recorded once its session has ended: this arms the job for it.
        # A closing that could not be posted leaves the job to the sweep.
        since = await self.store.settled_since(session_id, now)
        due = policy_of(self.bot).messages_deleted_at(since) if since is not None else None
        # A wake-up set at or before this message's is kept: looking for the earliest among every
        # message still up (a scan) at each session's end would grow with the messages kept.
        if due is not None and (self._armed_at is None or due < self._armed_at):
            await self.arm()

    async def arm(self) -> None:
        """Set the wake-up at the next instant some session's messages are due."""
        policy = policy_of(self.bot)
        now = self.bot.clock.now()
        since = None
        if policy.message_retention_hours:
            # Rows already due are not counted: one a transient error left is tried by the sweep,
            # not again at once in a loop.
            since = await self.store.next_messages_since(policy.messages_due_for(now))
        at = policy.messages_deleted_at(since) if since is not None else None
        self._armed_at = at
        if at is None:
            self.bot.timers.cancel(MESSAGES_TIMER)
        else:
            self.bot.timers.schedule(MESSAGES_TIMER, at, self.process)

    async def process(self) -> None:
        """Delete every session's messages whose time is up, then sleep until the next ones are."""
        policy = policy_of(self.bot)
        if policy.message_retention_hours:
            async with self._lock:
                await self.remove(await self.store.messages_due(policy.messages_due_for(self.bot.clock.now())))
        await self.arm()

    async def remove(self, messages: list[PostedMessage]) -> None:
        """Delete messages now, session by session and channel by channel; forget those gone."""
        by_session: defaultdict[tuple[int, int | None], defaultdict[int, list[int]]] = defaultdict(
            lambda: defaultdict(list))
        for message in messages:
            if self.bot.get_guild(message.guild_id) is None:
                # The bot was removed from that server: nothing can be deleted there now. The ids
                # stay, for when it is added back, or go with the server's data after the grace.
                continue
            by_session[(message.session_id, message.group_id)][message.channel_id].append(message.message_id)
        for (session_id, group_id), channels in by_session.items():
            group = await self.bot.group_store.group_by_id(group_id) if group_id is not None else None
            for channel_id, ids in channels.items():
                gone = await self._delete(channel_id, ids, session_id, group)
                await self.store.forget_messages(gone)
                log.debug("session %d: %d of its messages removed from their channel", session_id, len(gone))

    async def _delete(self, channel_id: int, ids: list[int], session_id: int, group: Group | None) -> list[int]:
        """Delete messages of one channel; return those that are gone (or can never be removed)."""
        now = self.bot.clock.now()
        reason = translator(group.settings.language if group is not None else Lang.EN).gettext(DELETE_REASON)
        young = [i for i in ids if now - discord.utils.snowflake_time(i) < BULK_MAX_AGE]
        one_by_one = [i for i in ids if i not in young]
        gone: list[int] = []
        bulk_refused = False
        for start in range(0, len(young), BULK_MAX):
            chunk = young[start:start + BULK_MAX]
            if len(chunk) == 1:
                one_by_one += chunk
                continue
            try:
                # Ids as strings, as Discord's API spec (which the tests hold every request to) types them.
                await self.bot.http.delete_messages(channel_id, [str(i) for i in chunk], reason=reason)
            except discord.Forbidden:
                # Bulk deletion needs Manage Messages; the bot's own messages can still go one by one.
                bulk_refused = True
                one_by_one += chunk
            except discord.NotFound:
                await self._channel_gone(session_id, group, channel_id)
                return ids
            except discord.HTTPException as error:
                log.warning("session %d: messages not removed (HTTP %d); tried again later", session_id, error.status)
            else:
                gone += chunk
        for message_id in one_by_one:
            try:
                await self.bot.http.delete_message(channel_id, message_id, reason=reason)
            except discord.NotFound as error:
                if error.code == UNKNOWN_CHANNEL:
                    await self._channel_gone(session_id, group, channel_id)
                    return ids
                gone.append(message_id)  # removed by hand already
            except discord.Forbidden:
                await self._report(session_id, group, "delete_messages", lambda t: t.gettext(
                    "I cannot remove this session's messages from {channel}: Discord refused (I need View Channel"
                    " there). They stay until someone removes them.", channel=f"<#{channel_id}>"))
                return ids
            except discord.HTTPException as error:
                log.warning("session %d: a message not removed (HTTP %d); tried again later", session_id, error.status)
            else:
                gone.append(message_id)
        if bulk_refused:
            await self._report(session_id, group, "manage_messages", lambda t: t.gettext(
                "I removed this session's messages from {channel} one at a time: with the Manage Messages"
                " permission there, I remove them in one go.", channel=f"<#{channel_id}>"))
        return gone

    async def _channel_gone(self, session_id: int, group: Group | None, channel_id: int) -> None:
        name = discord.utils.escape_markdown(group.name) if group is not None else ""
        await self._report(session_id, group, "channel_gone", lambda t: t.gettext(
            "The channel of {group} ({channel}) no longer exists: the session's messages went with it, so there is"
            " nothing left for me to remove.", group=name, channel=f"<#{channel_id}>"))

    async def _report(self, session_id: int, group: Group | None, what: str, text: Callable[[Translator], str]) -> None:
        """Tell the group's leaders once per session, in the group's language; a deleted group has nobody to tell."""
        if group is None:
            log.warning("session %d: its messages could not be removed (%s), and its group is gone", session_id, what)
            return
        await tell_leaders(self.bot, group, what, text(translator(group.settings.language)),
                           claim=partial(self.bot.sessions.store.claim_report, session_id))


class ServerDepartures:
    """Deletes a server's data `server_grace_days` after the bot was removed, unless it is added back."""

    def __init__(self, bot: BalintBot, store: SqlitePrivacyStore) -> None:
        self.bot = bot
        self.store = store

    @staticmethod
    def _key(guild_id: int) -> str:
        return f"server:{guild_id}"

    async def left(self, guild_id: int) -> None:
        """Note that the bot was removed from a server: its data goes after the grace, unless the bot comes back."""
        left_at = await self.store.record_departure(guild_id, self.bot.clock.now())
        log.info("server %d: the bot was removed; its data goes in %d days unless it is added back",
                 guild_id, policy_of(self.bot).server_grace_days)
        await self._arm(guild_id, left_at)

    async def back(self, guild_id: int) -> None:
        """Note that the bot was added (back) to a server: nothing of it is to be deleted."""
        self.bot.timers.cancel(self._key(guild_id))
        if await self.store.cancel_departure(guild_id):
            log.info("server %d: the bot was added back; its data stays", guild_id)

    async def _arm(self, guild_id: int, left_at: datetime) -> None:
        at = policy_of(self.bot).server_deleted_at(left_at)
        if at <= self.bot.clock.now():
            await self._delete(guild_id)
            return

        async def due() -> None:
            await self._delete(guild_id)

        self.bot.timers.schedule(self._key(guild_id), at, due)

    async def _delete(self, guild_id: int) -> None:
        if self.bot.get_guild(guild_id) is not None:
            await self.back(guild_id)  # added back while the event was missed: keep everything
            return
        await self.store.delete_server(guild_id)
        log.info("server %d: its data was deleted, the grace after the bot's removal being over", guild_id)

    async def restore(self) -> None:
        """Rebuild the jobs; a server that has data but no bot any more was left while the bot was down."""
        here = {guild.id for guild in self.bot.guilds}
        departed = {guild_id for guild_id, _ in await self.store.departures()}
        for guild_id in sorted(await self.store.servers_with_data() - here - departed):
            await self.store.record_departure(guild_id, self.bot.clock.now())
            log.info("server %d: the bot is no longer in it; its data goes after the grace", guild_id)
        await self.sweep()

    async def sweep(self) -> None:
        """Delete what is due, and set a wake-up for the rest."""
        for guild_id, left_at in await self.store.departures():
            await self._arm(guild_id, left_at)

