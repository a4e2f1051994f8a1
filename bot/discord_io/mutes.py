"""The presenter's server mute: the intent in the database first, then Discord, then the intent settled.

A process stopped between Discord's mute and its record used to leave a mute the bot did not
know about, which only a moderator could lift. Now the intent ('mute' or 'unmute') is written
before the call, so whatever stops the bot, the next start finds it and settles it. Calls run in
one lane per member: an unmute asked while a mute is still being retried replaces it, and never
overtakes it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.core.groups import Group
from bot.core.session import Session
from bot.core.text import N_
from bot.discord_io.members import find_member
from bot.discord_io.transient import StillFailing, Ticket, persist
from bot.i18n import translator
from bot.storage.sessions import SqliteSessionStore

if TYPE_CHECKING:
    from bot.app import BalintBot

log = logging.getLogger(__name__)

# Discord's error code for editing the voice state of a member who is not in voice.
NOT_IN_VOICE = 40032
UNKNOWN_MEMBER = 10007
# How long (in real time) an unmute is retried through passing faults before the sweep takes over.
UNMUTE_PATIENCE = timedelta(minutes=10)

# Translators: the reasons the server's audit log shows for the presenter's server mute and its end.
MUTED = N_("Balint session: the presenter listens during the discussion")
UNMUTED = N_("Balint session: the discussion is over")
# What the leaders are told (once per session) when Discord refuses the mute or its end.
CANNOT_MUTE = N_("I cannot mute the presenter: I need the Mute Members permission in {channel}. The session goes on.")
CANNOT_UNMUTE = N_(
    "I cannot unmute the presenter: I need the Mute Members permission in {channel}. The session goes on."
)

# Tells the leaders once that a permission is missing: (session, group, what, text).
Report = Callable[[Session, Group, str, str], Awaitable[None]]


class PresenterMutes:
    """Server mutes of presenters, made and lifted in the background, recorded before they are asked."""

    def __init__(self, bot: BalintBot, store: SqliteSessionStore, report: Report) -> None:
        self.bot = bot
        self.store = store
        self.report = report

    @staticmethod
    def _lane(guild_id: int, user_id: int) -> tuple[str, int, int]:
        return ("voice", guild_id, user_id)

    def busy(self, guild_id: int, user_id: int) -> bool:
        """Whether a mute or unmute of this member is queued or under way in this process."""
        return self.bot.lanes.busy(self._lane(guild_id, user_id))

    async def mute(self, guild: discord.Guild, user_id: int, session: Session, group: Group, until: datetime) -> None:
        """Mute the presenter for the push-back: recorded now, asked of Discord (retried until `until`) next."""
        fresh = await self.store.intend_mute(guild.id, user_id, session.id, self.bot.clock.now())
        self._push(guild, user_id, True, session, group, until, fresh=fresh)

    async def unmute(self, guild: discord.Guild, user_id: int, session: Session | None, group: Group | None) -> None:
        """Lift the bot's own mute of a member, if it has one."""
        if not await self.store.intend_unmute(guild.id, user_id):
            return
        self._push(guild, user_id, False, session, group, self.bot.after_real(UNMUTE_PATIENCE), fresh=False)

    def _push(self, guild: discord.Guild, user_id: int, mute: bool, session: Session | None, group: Group | None,
              until: datetime, *, fresh: bool) -> None:
        async def apply(ticket: Ticket) -> None:
            await self._apply(guild, user_id, mute, session, group, until, ticket, fresh=fresh)

        self.bot.lanes.push(self._lane(guild.id, user_id), apply, replaces=True)

    async def _apply(self, guild: discord.Guild, user_id: int, mute: bool, session: Session | None,
                     group: Group | None, until: datetime, ticket: Ticket, *, fresh: bool) -> None:
        guild_id = guild.id
        what = f"{'mute' if mute else 'unmute'} of member {user_id}"
        t = translator(group.settings.language if group is not None else self.bot.settings.default_language)
        reason = t.gettext(MUTED if mute else UNMUTED)

        async def call() -> bool:
            # Looked up here, inside the retries: a member missing from the cache is fetched from Discord.
            member = await find_member(guild, user_id)
            if member is None:
                return False
            await member.edit(mute=mute, reason=reason)
            return True

        try:
            if not await persist(call, clock=self.bot.clock, until=until, what=what, ticket=ticket):
                await self.store.forget_mute(guild_id, user_id)  # left the server: nothing to do or undo
                return
        except StillFailing as failure:
            if not failure.superseded:
                # The intent stays pending: the sweep and the next start settle it.
                log.warning("%s: %s; left to the sweep", what, failure)
            return
        except discord.Forbidden:
            if mute:
                await self.store.mute_refused(guild_id, user_id, fresh=fresh)
            else:
                await self.store.unmute_owed(guild_id, user_id)
            if session is not None and group is not None:
                told = CANNOT_MUTE if mute else CANNOT_UNMUTE
                await self.report(session, group, "mute_members",
                                  t.gettext(told, channel=f"<#{group.voice_channel_id}>"))
            return
        except discord.HTTPException as error:
            if error.code == UNKNOWN_MEMBER:
                # Left the server: nothing to undo, and nothing to mute.
                await self.store.forget_mute(guild_id, user_id)
            elif mute:
                # Not in voice (40032) or refused otherwise: not muted now; muted when they join, if still due.
                await self.store.mute_refused(guild_id, user_id, fresh=fresh)
            else:
                # A server mute can only be lifted in voice: lifted when they next join.
                await self.store.unmute_owed(guild_id, user_id)
            if error.code not in (NOT_IN_VOICE, UNKNOWN_MEMBER):
                log.warning("%s: refused (HTTP %d, code %d)", what, error.status, error.code)
            return
        if mute:
            await self.store.mute_done(guild_id, user_id)
        else:
            await self.store.unmute_done(guild_id, user_id)
