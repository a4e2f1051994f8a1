"""The bot: a `commands.Bot` whose `setup_hook` opens storage, loads the cogs and syncs once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.core.clock import Clock, ScaledClock, SystemClock
from bot.core.groups import GroupRules
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.timers import Timers
from bot.discord_io.cases import CaseDesk
from bot.discord_io.hands import HandDesk
from bot.discord_io.meeting_runner import MeetingRunner
from bot.discord_io.outbox import Courier
from bot.discord_io.permissions import invite_url
from bot.discord_io.privacy import PrivacyDesk
from bot.discord_io.records import RecordDesk
from bot.discord_io.replies import NO_MENTIONS, answer_failure, answer_privately
from bot.discord_io.session_runner import SessionRunner
from bot.discord_io.transient import Lanes
from bot.i18n import CommandTranslator, translator_for
from bot.scheduling import SchedulerTimers
from bot.storage import Database, SqliteGroupStore
from bot.storage.keys import load_or_create_key

log = logging.getLogger(__name__)

# Loaded in this order by setup_hook; an explicit list, so that a stray file in cogs/
# never becomes a command by accident.
EXTENSIONS: Sequence[str] = (
    "cogs.groups",
    "cogs.sessions",
    "cogs.cases",
    "cogs.meetings",
    "cogs.privacy",
    "cogs.help",
)


def default_clock(settings: Settings) -> Clock:
    """Return the wall clock, sped up by BALINT_TIME_SCALE for rehearsals (from BALINT_TIME_ORIGIN, if set)."""
    if settings.time_scale == 1:
        return SystemClock()
    return ScaledClock(settings.time_scale, since=settings.time_origin)


def intents() -> discord.Intents:
    """Return what the bot needs to see: servers, members, voice states and DMs (no message content)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.members = True
    wanted.voice_states = True
    wanted.dm_messages = True
    wanted.guild_scheduled_events = True
    return wanted


class BalintTree(app_commands.CommandTree["BalintBot"]):
    """The command tree: answers every refusal privately and never shows a traceback to a user."""

    async def on_error(self, interaction: discord.Interaction[BalintBot],
                       error: app_commands.AppCommandError) -> None:
        """Answer a refusal with its sentence; log anything else without its arguments, and apologise."""
        if isinstance(error, app_commands.NoPrivateMessage):
            await answer_privately(interaction, translator_for(interaction.locale).gettext(
                "This command works in a server, not in direct messages."))
            return
        if await answer_failure(interaction, error):
            return
        command = interaction.command.qualified_name if interaction.command else "?"
        # Only the command name and the exception: never the options, which may hold case text.
        log.error("command /%s failed", command, exc_info=error)


class BalintBot(commands.Bot):
    """balint-bot's client."""

    db: Database
    groups: GroupRules
    group_store: SqliteGroupStore
    sessions: SessionRunner
    meetings: MeetingRunner
    cases: CaseDesk
    hands: HandDesk
    privacy: PrivacyDesk
    records: RecordDesk
    courier: Courier

    def __init__(self, settings: Settings, *, clock: Clock | None = None, timers: Timers | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(),
            tree_cls=BalintTree,
            # User text reaches messages (group names, later case titles): nothing the bot
            # posts may ping anyone unless a message asks for it explicitly.
            allowed_mentions=NO_MENTIONS,
        )
        self.settings = settings
        self.clock = clock or default_clock(settings)
        # APScheduler in production; tests and the sandbox pass timers on the event loop,
        # which SimCord's virtual clock moves.
        self.timers = timers or SchedulerTimers(self.clock, settings.time_scale)
        # The bot's calls to Discord that outlive the handler that asked for them (notices, mutes).
        self.lanes = Lanes()
        self._restored = False
        self.templates = {**BUILTIN_TEMPLATES, **{t.name: t for t in settings.templates}}

    def after_real(self, span: timedelta) -> datetime:
        """Return the instant on the bot's clock once `span` of real time has passed (the clock may run faster).

        For deadlines that Discord or a waiting person sets in real time: a retry's patience.
        """
        return self.clock.now() + span * self.settings.time_scale

    async def setup_hook(self) -> None:
        """Open storage, load the cogs and sync the command tree (translated), once per start."""
        self.db = await Database.open(self.settings.database)
        self.group_store = SqliteGroupStore(self.db)
        self.courier = Courier(self)
        self.groups = GroupRules(
            self.group_store, self.clock, self.templates,
            default_timezone=self.settings.default_timezone,
            default_template=self.settings.default_template,
            default_language=self.settings.default_language,
        )
        self.sessions = SessionRunner(self)
        self.hands = HandDesk(self)
        self.meetings = MeetingRunner(self)
        self.cases = CaseDesk(self, load_or_create_key(self.settings.secret_key_path))
        self.privacy = PrivacyDesk(self)
        self.records = RecordDesk(self)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        # Before the sync: the commands are registered with their descriptions in every language.
        await self.tree.set_translator(CommandTranslator())
        await self.sync_commands()
        if self.application_id is not None:
            # The link to add the bot to a server with exactly what it needs, and its commands.
            log.info("invite link: %s", invite_url(self.application_id))
        self.timers.start(self._sweep)

    async def _sweep(self) -> None:
        """Look again at everything due, whatever the timers did: sessions, meetings, then retention."""
        # Not `finally`: a sweep cancelled by the shutdown must not go on to the next, whose
        # database may be closed by then; a sweep that failed still lets the next look.
        for sweep in (self.sessions.sweep, self.meetings.sweep, self.privacy.sweep):
            try:
                await sweep()
            except Exception:
                log.exception("a sweep failed; the next goes on")

    async def sync_commands(self) -> None:
        """Register the slash commands: to the development server if configured, else globally."""
        guild_id = self.settings.sync_guild_id
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to server %d", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d commands globally", len(synced))

    async def on_ready(self) -> None:
        """Rebuild every job (sessions, mutes, meetings, retention) from the database, once the caches are there.

        Here rather than in `setup_hook`: a mute can only be settled knowing who is in voice. Until
        it is done, controls wait (`SessionRunner.reconciled`), since discord.py hands over button
        presses before this event. Nothing is synced here: READY comes again on every reconnect.
        Restoring again after a reconnect is harmless (every step re-reads the database), but once
        is enough.
        """
        log.info("connected as %s to %d servers", self.user, len(self.guilds))
        if not self._restored:
            self._restored = True
            # Each step even if the one before failed (logged), but none after a cancellation.
            # First what a stopped process claimed and did not send, so that it comes before
            # anything the sessions owe now.
            for step in (self.courier.resume, self.sessions.restore, self.meetings.restore, self.privacy.restore):
                try:
                    await step()
                except Exception:
                    log.exception("a step of the restore failed; the next goes on")
            log.info("restored: sessions, meetings and retention reconciled with the database")

    async def close(self) -> None:
        """Stop Discord first, then close the database so the process can exit."""
        try:
            self.timers.shutdown()
            await self.lanes.close()
            await super().close()
        finally:
            db = getattr(self, "db", None)
            if db is not None:
                await db.close()
