"""Sending the outbox's notices: each with its nonce, in order per channel, marked sent once Discord has it.

A notice reaches this module already claimed in the database. It is sent with its nonce, so
that Discord answers a second send (a retry after a timeout, or a new process re-sending after a
crash) with the message it already made. Passing faults are retried while Discord's nonce window
still holds; after it, a re-send could make a second copy, so the notice is given up and logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

import discord

from bot.core.notices import NONCE_WINDOW, DebriefKind, Notice, cancel_of, debrief_of, still_resendable
from bot.core.text import Lang
from bot.discord_io.debrief import debrief_view
from bot.discord_io.feedback import feedback_view
from bot.discord_io.meeting_views import rsvp_view
from bot.discord_io.replies import NO_MENTIONS
from bot.discord_io.transient import StillFailing, Ticket, persist
from bot.storage.outbox import SqliteOutbox

if TYPE_CHECKING:
    from bot.app import BalintBot

log = logging.getLogger(__name__)

# What to do when Discord refuses a notice for a permission: tell the leaders, once.
Refused = Callable[[], Awaitable[None]]

FEEDBACK = "feedback"
RSVP = "rsvp"
DEBRIEF = "debrief"


def view_name(kind: str, owner_id: int, lang: Lang = Lang.EN) -> str:
    """Name the buttons under a notice, and their labels' language, so that a re-send after a restart rebuilds them."""
    return f"{kind}:{owner_id}:{lang.value}"


def _view(name: str | None) -> discord.ui.View | None:
    if name is None:
        return None
    kind, owner, code = [*name.split(":"), "en"][:3]  # names stored before the language have none
    lang = Lang(code)
    if kind == FEEDBACK:
        return feedback_view(int(owner), lang)
    if kind == RSVP:
        return rsvp_view(int(owner), lang)
    if kind == DEBRIEF:
        return debrief_view(int(owner), lang)
    raise ValueError(f"no buttons are named {name!r}")


class Courier:
    """Posts claimed notices: one lane per channel, so that they arrive in the order they were claimed."""

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot
        self.store = SqliteOutbox(bot.db)

    @property
    def window(self) -> timedelta:
        """Return Discord's nonce window on the bot's clock.

        The window is real time at Discord, while the bot's clock may run `time_scale` times faster.
        """
        return NONCE_WINDOW * self.bot.settings.time_scale

    def deadline(self, notice: Notice) -> datetime:
        """Return the last instant at which the notice may still be sent without risking a second copy."""
        return notice.claimed_at + self.window

    @staticmethod
    def lane(channel_id: int) -> tuple[str, int]:
        """Name a channel's lane: whatever else must reach the channel in order with the notices goes there."""
        return ("channel", channel_id)

    def post(self, notice: Notice, refused: Refused | None = None) -> asyncio.Future[discord.Message | None]:
        """Send a claimed notice in the background; the future gives the message, or None."""
        return self.bot.lanes.push(self.lane(notice.channel_id), lambda ticket: self._deliver(notice, refused, ticket))

    async def resume(self) -> int:
        """At start-up, send again what a stopped process claimed and did not mark sent; return how many."""
        now = self.bot.clock.now()
        again = 0
        for notice in await self.store.unsent():
            if still_resendable(notice.claimed_at, now, self.window):
                self.post(notice, refused=partial(self._refused_again, notice))
                again += 1
            else:
                log.warning("notice %s (claimed %s) was never marked sent and is past Discord's nonce window:"
                            " not sent again, so that it cannot appear twice", notice.nonce,
                            notice.claimed_at.isoformat())
                await self.store.give_up(notice.nonce, now)
        if again:
            log.info("sending again %d notice(s) claimed before the restart", again)
        return again

    async def _refused_again(self, notice: Notice) -> None:
        """Tell whom a first send would have told that a notice a stopped process claimed is refused now."""
        debrief = debrief_of(notice.nonce)
        if notice.reminder_id is not None:
            await self.bot.meetings.reminder_refused(notice.reminder_id)
        elif notice.session_id is not None:
            await self.bot.sessions.notice_refused(notice.session_id)
        elif debrief is not None and debrief[2] is DebriefKind.REPORT:
            await self.bot.sessions.debriefs.report_refused(debrief[0], debrief[1])
        elif (cancelled := cancel_of(notice.nonce)) is not None:
            await self.bot.meetings.cancel_refused(*cancelled)
        else:
            log.warning("notice %s: refused (HTTP 403)", notice.nonce)

    async def _deliver(self, notice: Notice, refused: Refused | None, ticket: Ticket) -> discord.Message | None:
        now = self.bot.clock.now()
        if not still_resendable(notice.claimed_at, now, self.window):
            log.warning("notice %s: still unsent past Discord's nonce window; given up", notice.nonce)
            await self.store.give_up(notice.nonce, now)
            return None
        channel = self.bot.get_partial_messageable(notice.channel_id, guild_id=notice.guild_id)
        view = _view(notice.view)

        # Nobody is pinged, but the one member a notice names for it (the floor goes to them).
        mentions = NO_MENTIONS if notice.ping is None else discord.AllowedMentions(
            everyone=False, roles=False, replied_user=False, users=[discord.Object(id=notice.ping)])

        async def send() -> discord.Message:
            return await channel.send(notice.content, view=view or discord.utils.MISSING, nonce=notice.nonce,
                                      allowed_mentions=mentions)

        try:
            message = await persist(send, clock=self.bot.clock, until=self.deadline(notice),
                                    what=f"notice {notice.nonce}", ticket=ticket)
        except StillFailing as failure:
            log.warning("notice %s: %s until Discord's nonce window closed; given up", notice.nonce, failure)
            await self.store.give_up(notice.nonce, self.bot.clock.now())
            return None
        except discord.Forbidden:
            # What follows a refusal is claimed before the notice is let go: a process that stops in
            # between leaves the notice owed, and the next one is refused again and tells (once).
            if refused is not None:
                await refused()
            else:
                log.warning("notice %s: refused (HTTP 403)", notice.nonce)
            await self.store.give_up(notice.nonce, self.bot.clock.now())
            return None
        except discord.HTTPException as error:
            log.warning("notice %s: not posted (HTTP %d)", notice.nonce, error.status)
            await self.store.give_up(notice.nonce, self.bot.clock.now())
            return None
        await self.store.mark_sent(notice.nonce, message.channel.id, message.id, self.bot.clock.now(),
                                   reminder=notice.reminder_id is not None)
        if notice.session_id is not None:
            # A session's notices leave the channel with its other messages (message_retention_hours).
            await self.bot.privacy.messages.record(notice.session_id, notice.guild_id, message)
        return message
