"""Sending each leader the debrief of a session that ended: claimed in the database, then sent by direct message.

When a session ends, the transaction that ends it records a debrief owed to each of its leaders
and co-leaders (`session_leaders`). Each part (the report at once, the feedback once enough
members answered) is claimed with the message that carries it, under a nonce named after the
session, the leader and the part, so that it is sent once whatever restarts: the Courier sends
it, and sends again what a stopped process claimed. A leader whose direct messages Discord
refuses is told once in the group's channel, with a button that shows them the report privately;
nothing of it is shown there.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

import discord

from bot.core.debrief import Figures, figures
from bot.core.errors import Refusal
from bot.core.groups import Group
from bot.core.notices import DebriefKind, Notice, debrief_nonce
from bot.core.presence import present
from bot.core.session import Session, Status
from bot.core.text import Lang
from bot.discord_io.debrief import closed_text, feedback_text, report_text
from bot.discord_io.direct import NoDirectMessages, direct_channel
from bot.discord_io.feedback import RESULTS_FROM
from bot.discord_io.outbox import DEBRIEF, view_name
from bot.discord_io.replies import answer_privately
from bot.storage.debriefs import Part, SqliteDebriefStore

if TYPE_CHECKING:
    from bot.app import BalintBot
    from bot.discord_io.session_runner import SessionRunner

log = logging.getLogger(__name__)


class Debriefs:
    """The leaders' debriefs of every session this process serves."""

    def __init__(self, bot: BalintBot, runner: SessionRunner) -> None:
        self.bot = bot
        self.runner = runner
        self.store = SqliteDebriefStore(bot.db)

    def session_ended(self, session_id: int) -> None:
        """Send the reports of a session that just ended, in the background."""
        self.bot.lanes.push(("debrief", session_id), lambda _ticket: self._reports(session_id))

    def answered(self, session_id: int) -> None:
        """Send the feedback of a session to its leaders if this answer made it due, in the background."""
        self.bot.lanes.push(("debrief", session_id), lambda _ticket: self._feedback(session_id))

    async def restore(self) -> None:
        """Send what a stopped process owed and never claimed: reports, and feedback that became due."""
        await self._reports(None)
        await self._feedback(None)

    async def sweep(self) -> None:
        """Look again at the reports owed (a direct message Discord could not open a while ago).

        Not at the feedback: most sessions keep waiting for their third answer, and looking at them
        all every minute would cost; a feedback that could not go when it became due goes with the
        next answer, or at the next start.
        """
        await self._reports(None)

    async def _read(self, session_id: int) -> tuple[Session, Group] | None:
        session = await self.runner.store.get(session_id)
        if session is None or session.state.status is not Status.ENDED:
            return None
        group = await self.bot.group_store.group_by_id(session.group_id)
        return None if group is None else (session, group)

    async def figures(self, session: Session) -> Figures:
        """Return a session's figures from its log, its roll and its relays' count."""
        stays = await self.runner.store.stays(session.id)
        return figures(session.phases, await self.store.changes(session.id), in_voice=len(present(stays)),
                       relays=await self.store.relays(session.id))

    async def _report_text(self, session: Session, group: Group, lang: Lang, *, direct: bool) -> str:
        return report_text(await self.figures(session), group=group.name, template=session.template,
                           answers=await self.runner.store.feedback(session.id), lang=lang, direct=direct)

    async def _reports(self, session_id: int | None) -> None:
        for owed_session, leader in await self.store.reports_owed(session_id):
            read = await self._read(owed_session)
            if read is not None:
                await self._report(*read, leader)

    async def _report(self, session: Session, group: Group, leader: int) -> None:
        text = await self._report_text(session, group, group.settings.language, direct=True)
        now = self.bot.clock.now()
        try:
            channel = await direct_channel(self.bot, leader)
        except NoDirectMessages:
            # The report and the channel's word are claimed together: a process stopping between two
            # claims would leave the report taken and the word never said.
            await self._closed(session, group, leader, ("report_at", "closed_at"))
            return
        if channel is None:
            return  # Discord kept failing: the sweep tries again, the report still unclaimed
        notice = Notice(nonce=debrief_nonce(session.id, leader, DebriefKind.REPORT), channel_id=channel.id,
                        guild_id=group.guild_id, content=text, claimed_at=now)
        if await self.store.claim(session.id, leader, "report_at", now, [notice]):
            log.debug("session %d: a debrief claimed", session.id)
            self.bot.courier.post(notice, refused=partial(self._closed, session, group, leader))

    async def report_refused(self, session_id: int, leader: int) -> None:
        """Tell the leader in the channel, as a first send would, that their report was refused after a restart."""
        read = await self._read(session_id)
        if read is not None:
            await self._closed(*read, leader)

    async def _closed(self, session: Session, group: Group, leader: int,
                      parts: tuple[Part, ...] = ("closed_at",)) -> None:
        """Tell a leader whose direct messages are refused, once, in the channel, how to read their debrief."""
        lang = group.settings.language
        notice = Notice(nonce=debrief_nonce(session.id, leader, DebriefKind.CLOSED), channel_id=group.text_channel_id,
                        guild_id=group.guild_id, content=closed_text(leader, lang), claimed_at=self.bot.clock.now(),
                        view=view_name(DEBRIEF, session.id, lang), session_id=session.id)
        if await self.store.claim(session.id, leader, parts, notice.claimed_at, [notice]):
            self.runner.post_notices(group, [notice], session)

    async def _feedback(self, session_id: int | None) -> None:
        for owed_session, leader in await self.store.feedback_owed(RESULTS_FROM, session_id):
            read = await self._read(owed_session)
            if read is None:
                continue
            session, group = read
            text = feedback_text(group=group.name, started_at=session.started_at,
                                 answers=await self.runner.store.feedback(session.id), lang=group.settings.language)
            now = self.bot.clock.now()
            try:
                channel = await direct_channel(self.bot, leader)
            except NoDirectMessages:
                await self.store.claim(session.id, leader, "feedback_at", now)
                continue
            if channel is None:
                continue
            notice = Notice(nonce=debrief_nonce(session.id, leader, DebriefKind.FEEDBACK), channel_id=channel.id,
                            guild_id=group.guild_id, content=text, claimed_at=now)
            if await self.store.claim(session.id, leader, "feedback_at", now, [notice]):
                self.bot.courier.post(notice)

    async def show(self, interaction: discord.Interaction[Any], session_id: int, lang: Lang) -> None:
        """Show a leader of the session its debrief privately, in their language; refuse anyone else."""
        read = await self._read(session_id)
        if read is None or read[1].guild_id != interaction.guild_id:
            raise Refusal("This session no longer exists.")
        session, group = read
        if interaction.user.id not in await self.store.leaders(session_id):
            raise Refusal("Only the leaders of this session can read its debrief.")
        await answer_privately(interaction, await self._report_text(session, group, lang, direct=False))
