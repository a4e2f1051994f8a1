"""Privacy in Discord: the retention job that deletes the bot's own session messages.

The bot's session messages leave the channel `message_retention_hours` after the session ends,
by a job rebuilt from the database at start-up and looked at again by the sweep, like every
other job. A Discord refusal never stops it: it is told to the leaders once per session, and
the job goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

import discord

from bot.core.groups import Group
from bot.core.privacy import RetentionPolicy
from bot.discord_io.leaders import tell_leaders
from bot.storage.privacy import PostedMessage, SqlitePrivacyStore

if TYPE_CHECKING:
    from bot.app import BalintBot

log = logging.getLogger(__name__)

MESSAGES_TIMER = "session-messages"
# Discord deletes in bulk only messages younger than two weeks, at most 100 at a time.
BULK_MAX_AGE = timedelta(days=14) - timedelta(minutes=5)
BULK_MAX = 100
UNKNOWN_CHANNEL = 10003
DELETE_REASON = "balint-bot: session messages are kept only for the retention time"


class PrivacyDesk:
    """The privacy features of the bot: for now, the retention of the bot's session messages."""

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot
        self.store = SqlitePrivacyStore(bot.db)
        self.messages = MessageRetention(bot, self.store)

    @property
    def policy(self) -> RetentionPolicy:
        """Return the retention the purges apply and the notice states."""
        return policy_of(self.bot)

    async def restore(self) -> None:
        """Rebuild the retention job from the database at start-up."""
        await self.messages.process()

    async def sweep(self) -> None:
        """Look again at the retention job, whatever the timer did."""
        await self.messages.process()


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

    async def record(self, session_id: int, guild_id: int, message: discord.Message) -> None:
        """Remember a message the bot posted for a session (panel, notice, relay, closing)."""
        await self.store.record_message(session_id=session_id, guild_id=guild_id, channel_id=message.channel.id,
                                        message_id=message.id, at=self.bot.clock.now())
        # The closing is recorded once its session has ended: this arms the job for it. A closing
        # that could not be posted leaves the job to the sweep.
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
                await self.bot.http.delete_messages(channel_id, [str(i) for i in chunk], reason=DELETE_REASON)
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
                await self.bot.http.delete_message(channel_id, message_id, reason=DELETE_REASON)
            except discord.NotFound as error:
                if error.code == UNKNOWN_CHANNEL:
                    await self._channel_gone(session_id, group, channel_id)
                    return ids
                gone.append(message_id)  # removed by hand already
            except discord.Forbidden:
                await self._report(session_id, group, "delete_messages",
                                   f"I cannot remove this session's messages from <#{channel_id}>: Discord refused (I"
                                   " need View Channel there). They stay until someone removes them.")
                return ids
            except discord.HTTPException as error:
                log.warning("session %d: a message not removed (HTTP %d); tried again later", session_id, error.status)
            else:
                gone.append(message_id)
        if bulk_refused:
            await self._report(session_id, group, "manage_messages",
                               f"I removed this session's messages from <#{channel_id}> one at a time: with the"
                               " Manage Messages permission there, I remove them in one go.")
        return gone

    async def _channel_gone(self, session_id: int, group: Group | None, channel_id: int) -> None:
        name = f" of {group.name}" if group is not None else ""
        await self._report(session_id, group, "channel_gone",
                           f"The channel{name} (<#{channel_id}>) no longer exists: the session's messages went with"
                           " it, so there is nothing left for me to remove.")

    async def _report(self, session_id: int, group: Group | None, what: str, text: str) -> None:
        """Tell the group's leaders once per session; a deleted group has nobody to tell."""
        if group is None:
            log.warning("session %d: its messages could not be removed (%s), and its group is gone", session_id, what)
            return
        await tell_leaders(self.bot, group, what, text, claim=partial(self.bot.sessions.store.claim_report, session_id))
