"""The dropout protocol in Discord: voice events start and end waits, their verdicts come on time, the group is told.

When someone who may count (bot/core/dropout.py) leaves the group's voice channel during a
session, their wait is stored (who, since when) and a timer set for the end of the grace. The
timer only says "look again": the verdict is made from the database and the voice channel as they
are then, so a wait rebuilt at a restart (`restore`) comes to the same verdict at the same
instant, or to none if they came back while the bot was down. Each thing said is an outbox
notice claimed with the change that makes it owed, under a nonce named after the wait: a pause
and its notice are one transaction, and nothing is said twice.

Logs name sessions and waits, never people: an anonymous presenter's comings and goings are
recorded only as anyone's stay in the roll, and no wait is ever made for them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.core.dropout import Return, Situation, Verdict, Wait, may_count, on_return, rule
from bot.core.groups import Group
from bot.core.notices import DropoutKind, Notice, dropout_nonce
from bot.core.presence import LeaderRole
from bot.core.session import ControlAction, Session
from bot.core.text import N_, Lang
from bot.discord_io.direct import NoDirectMessages, direct_channel
from bot.i18n import translator
from bot.storage.dropouts import SqliteDropoutStore, WaitSettled

if TYPE_CHECKING:
    from bot.app import BalintBot
    from bot.discord_io.session_runner import SessionRunner

log = logging.getLogger(__name__)

AWAITED_PAUSED = N_("Paused: the group waits for {who} to reconnect.")
AWAITED = N_("The group waits for {who} to reconnect.")
BACK = N_("{who} is back.")
BACK_RESUME = N_("{who} is back; the leader can resume the session with Resume.")
COLEADER = N_(
    "{leader}, who leads the session of {group}, left the voice channel and is not back. You are in voice: the"
    " session's controls are yours too, on its panel and with /session."
)


def _who(user_id: int) -> str:
    # A mention shows each reader the person's current name; the bot's notices ping nobody.
    return f"<@{user_id}>"


def awaited_message(user_id: int, *, paused: bool, lang: Lang) -> str:
    """Tell the group whom it waits for (and that the session is paused for them, if it was)."""
    return translator(lang).gettext(AWAITED_PAUSED if paused else AWAITED, who=_who(user_id))


def back_message(user_id: int, kind: Return, lang: Lang) -> str:
    """Tell the group someone it waited for is back (and that the leader can resume, if nobody else is awaited)."""
    return translator(lang).gettext(BACK_RESUME if kind is Return.BACK_RESUME else BACK, who=_who(user_id))


def coleader_message(leader_id: int, group: Group) -> str:
    """Tell a co-leader in voice, privately, that the session's leader dropped out."""
    return translator(group.settings.language).gettext(COLEADER, leader=_who(leader_id),
                                                       group=discord.utils.escape_markdown(group.name))


def _key(wait_id: int) -> str:
    return f"dropout:{wait_id}"


class DropoutWatch:
    """The dropout waits of every session this process serves."""

    def __init__(self, bot: BalintBot, runner: SessionRunner) -> None:
        self.bot = bot
        self.runner = runner
        self.store = SqliteDropoutStore(bot.db)
        # One decision at a time per session inside this process: a return and a verdict never cross.
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def grace(self) -> timedelta:
        """Return how long the group waits before a dropout is one."""
        return timedelta(seconds=self.bot.settings.dropout_grace_seconds)

    async def _read(self, session_id: int) -> tuple[Session, Group] | None:
        session = await self.runner.store.get(session_id)
        if session is None:
            return None
        group = await self.bot.group_store.group_by_id(session.group_id)
        return None if group is None else (session, group)

    async def _situation(self, session: Session, group: Group) -> Situation:
        roles = await self.runner.store.leaders_of(session.id)
        led_by = next((user for user, role in roles.items() if role is LeaderRole.LED), None)
        return Situation.of(presenter_id=session.presenter_id, anonymous=session.anonymous, led_by=led_by,
                            leader_ids=group.leader_ids, in_voice=self.runner.roll.present_now(group),
                            status=session.state.status, mode=group.settings.dropout)

    # ---------------------------------------------------------------- voice

    async def on_voice(self, member: discord.Member, before: int | None, after: int | None) -> None:
        """Start a wait when someone who may count leaves a session's voice channel; settle it when they are back."""
        if member.bot or before == after:
            return
        sessions = self.runner.store
        if before is not None and (session_id := await sessions.live_in_voice(member.guild.id, before)) is not None:
            await self._left(session_id, member.id, self.bot.clock.now())
        if after is not None and (session_id := await sessions.live_in_voice(member.guild.id, after)) is not None:
            await self._back(session_id, member.id)

    async def _left(self, session_id: int, user_id: int, at: datetime) -> None:
        async with self._locks[session_id]:
            read = await self._read(session_id)
            if read is None or not may_count(user_id, await self._situation(*read)):
                return
            wait = await self.store.start(session_id, user_id, at)
        if wait is not None and wait.announced_at is None:
            log.debug("session %d: wait %d begins", session_id, wait.id)
            self._schedule(wait)

    async def _back(self, session_id: int, user_id: int) -> None:
        async with self._locks[session_id]:
            wait = await self.store.wait_of(session_id, user_id)
            if wait is None:
                return
            self.bot.timers.cancel(_key(wait.id))
            read = await self._read(session_id)
            if read is None:
                return
            session, group = read
            still = [w for w in await self.store.of_session(session_id) if w.id != wait.id and w.announced_at]
            kind = on_return(wait, status=session.state.status, still_awaited=len(still))
            notices = [] if kind is Return.QUIET else [
                self._notice(group, session, wait, DropoutKind.BACK,
                             back_message(user_id, kind, group.settings.language))]
            if await self.store.settle(wait.id, notices) is not None:
                log.debug("session %d: wait %d over (%s)", session_id, wait.id, kind.value)
                self.runner.post_notices(group, notices, session)

    # ---------------------------------------------------------------- time

    def _schedule(self, wait: Wait) -> None:
        wait_id = wait.id

        async def due() -> None:
            await self.due(wait_id)

        self.bot.timers.schedule(_key(wait_id), wait.due_at(self.grace), due)

    async def due(self, wait_id: int) -> None:
        """Bring a wait to its verdict, from the database and the voice channel as they are now."""
        first = await self.store.get(wait_id)
        if first is None:
            return
        async with self._locks[first.session_id]:
            wait = await self.store.get(wait_id)
            read = await self._read(first.session_id)
            if wait is None or read is None:
                return
            session, group = read
            if self.bot.get_guild(group.guild_id) is None:
                return  # who is in voice is unknown until the server is available: the sweep looks again
            now = self.bot.clock.now()
            ruling = rule(wait, now, self.grace, await self._situation(session, group))
            log.debug("session %d: wait %d: %s", session.id, wait.id, ruling.verdict.value)
            if ruling.verdict is Verdict.NOT_YET:
                self._schedule(wait)
            elif ruling.verdict is Verdict.NOTHING:
                await self.store.settle(wait.id)
            elif ruling.verdict is Verdict.TELL_COLEADERS:
                await self._tell(wait, group, ruling.tell, now)
            elif ruling.verdict is not Verdict.AWAITED:
                paused = ruling.verdict is Verdict.PAUSE and await self._pause(wait, session, group, now)
                if not paused:
                    await self._notify(wait, session, group, now)

    async def _pause(self, wait: Wait, session: Session, group: Group, now: datetime) -> bool:
        """Pause the session as Pause does, the group told in the same transaction; False if it is not running now."""
        notice = self._notice(group, session, wait, DropoutKind.AWAITED,
                              awaited_message(wait.user_id, paused=True, lang=group.settings.language))
        try:
            paused = await self.runner.act_alone(session.id, ControlAction.PAUSE, notices=[notice],
                                                 also=self.store.announcing(wait.id, now))
        except WaitSettled:
            return True  # settled meanwhile by another process: nothing left to do
        return paused is not None

    async def _notify(self, wait: Wait, session: Session, group: Group, now: datetime) -> None:
        notice = self._notice(group, session, wait, DropoutKind.AWAITED,
                              awaited_message(wait.user_id, paused=False, lang=group.settings.language))
        if await self.store.announce(wait.id, now, [notice]):
            self.runner.post_notices(group, [notice], session)

    async def _tell(self, wait: Wait, group: Group, coleaders: frozenset[int], now: datetime) -> None:
        """Tell the co-leaders in voice, privately, that the session's leader dropped; the wait is then over."""
        notices = []
        for coleader in sorted(coleaders):
            try:
                channel = await direct_channel(self.bot, coleader)
            except NoDirectMessages:
                channel = None
            if channel is None:
                log.warning("session %d: a co-leader could not be told of a dropout", wait.session_id)
                continue
            notices.append(Notice(nonce=dropout_nonce(wait.id, DropoutKind.COLEADER, coleader), channel_id=channel.id,
                                  guild_id=group.guild_id, content=coleader_message(wait.user_id, group),
                                  claimed_at=now))
        if await self.store.settle(wait.id, notices) is not None:
            for notice in notices:
                self.bot.courier.post(notice)

    def _notice(self, group: Group, session: Session, wait: Wait, kind: DropoutKind, content: str) -> Notice:
        return Notice(nonce=dropout_nonce(wait.id, kind), channel_id=group.text_channel_id, guild_id=group.guild_id,
                      content=content, claimed_at=self.bot.clock.now(), session_id=session.id)

    # ---------------------------------------------------------------- restarts

    async def restore(self, session: Session, group: Group, departed: frozenset[int],
                      waits: list[Wait] | None = None) -> None:
        """After a start-up: settle who came back while the bot was down, rebuild the others' timers, begin new ones.

        Those who left while it was down are awaited from now: when they left is unknown. `waits`:
        the session's waits, if the caller read them already (the restore reads all at once).
        """
        if waits is None:
            waits = await self.store.of_session(session.id)
        if self.bot.get_guild(group.guild_id) is None:
            for wait in waits:
                if wait.announced_at is None:
                    self._schedule(wait)
            return  # who is in voice is unknown: the verdicts will look when they fall due
        present = set(self.runner.roll.present_now(group))
        for wait in waits:
            if wait.user_id in present:
                await self._back(session.id, wait.user_id)
            elif wait.announced_at is None:
                self._schedule(wait)  # at once if its grace ended while the bot was down
        now = self.bot.clock.now()
        for user_id in sorted(departed):
            await self._left(session.id, user_id, now)

    async def sweep(self) -> None:
        """Bring to a verdict every wait whose grace is over (a timer may have overslept)."""
        now = self.bot.clock.now()
        for wait in await self.store.pending():
            if wait.due_at(self.grace) <= now:
                await self.due(wait.id)
