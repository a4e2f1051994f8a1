"""Runs sessions in Discord: applies the core's transitions and turns them into messages and mutes.

Every change follows one path: read the session, let `PhaseClock` compute the next state,
store it only if nobody changed the session meanwhile (its version), with the notices it
owes claimed in the same transaction, then carry out what changed: the panel, the phase's
guidance, the closing, the presenter's mute, the next wake-up. Notices and mutes go to
Discord in the background (`Courier`, `PresenterMutes`), retried through passing faults, so
that a leader's button is answered at once whatever Discord does. A Discord call that fails
for a permission never undoes the change: it is reported to the leaders, once per session.

After a start, no control acts on a session before `restore` has reconciled it with what a
stopped process left behind (`reconciled`): discord.py hands over button presses before
`on_ready`, where the restore runs because mutes need the voice states of the member cache.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import discord

from bot.core.cases import Case
from bot.core.errors import Refusal
from bot.core.groups import CONTROL_SESSIONS, Group, Pushback, require_leader, require_presenter_member
from bot.core.notices import Notice, NoticeKind, panel_nonce, session_nonce
from bot.core.presence import leader_roles
from bot.core.session import ControlAction, Moment, PhaseClock, Session, SessionState, Status
from bot.core.text import N_
from bot.discord_io.debriefs import Debriefs
from bot.discord_io.dropouts import DropoutWatch
from bot.discord_io.leaders import dm_leaders, tell_leaders
from bot.discord_io.members import voice_channel_of
from bot.discord_io.mutes import PresenterMutes
from bot.discord_io.outbox import FEEDBACK, view_name
from bot.discord_io.presence import SessionRoll
from bot.discord_io.replies import answer_privately
from bot.discord_io.sessions import (
    after_time_up,
    closing_message,
    done_message,
    panel_embed,
    panel_view,
    phase_message,
    time_up_message,
    warning_message,
)
from bot.discord_io.transient import StillFailing, Ticket, persist
from bot.i18n import lang_of, translator, translator_for
from bot.storage.db import Transaction
from bot.storage.sessions import CaseNotQueued, MuteRecord, SessionAlreadyLive, SqliteSessionStore

if TYPE_CHECKING:
    from bot.app import BalintBot

log = logging.getLogger(__name__)

LEADS = CONTROL_SESSIONS
# How long a control waits, after a start, for the restore to reconcile the sessions.
RECONCILE_WAIT_SECONDS = 30.0
# How long the panel (posted while the leader waits on a deferred answer) and its edits are retried.
PANEL_PATIENCE = timedelta(seconds=30)
# A mute is retried until the phase ends; this long when the session is paused.
MUTE_PATIENCE = timedelta(minutes=10)
STILL_CATCHING_UP = N_("I am still catching up after a restart; try again in a minute.")


class SessionRunner:
    """The sessions of every group this process serves."""

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot
        self.store = SqliteSessionStore(bot.db)
        # One change at a time per session inside this process; across processes the
        # version check in the database decides.
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.mutes = PresenterMutes(bot, self.store, self.report)
        self.roll = SessionRoll(bot)
        # The online group's own tools (bot/discord_io/dropouts.py, debriefs.py).
        self.dropouts = DropoutWatch(bot, self)
        self.debriefs = Debriefs(bot, self)
        # Set once `restore` has reconciled the sessions a stopped process left.
        self.reconciled = asyncio.Event()

    @property
    def warning(self) -> timedelta:
        """How long before a phase ends the warning comes."""
        return timedelta(minutes=self.bot.settings.warning_minutes)

    def phase_clock(self, session: Session) -> PhaseClock:
        """Return the transitions for this session's phases."""
        return PhaseClock(session.phases, self.warning)

    async def _group(self, session: Session) -> Group:
        group = await self.bot.group_store.group_by_id(session.group_id)
        if group is None:
            raise Refusal("This session's group no longer exists.")
        return group

    # ---------------------------------------------------------------- starting

    async def start(self, interaction: discord.Interaction[Any], group: Group, *,
                    presenter: discord.Member | None, template: str | None, case: Case | None = None) -> None:
        """Start a session for the group (on a queued case, if given) and post its panel."""
        require_leader(group, interaction.user.id, LEADS)
        if case is not None and presenter is not None:
            raise Refusal("A case brings its own presenter; leave the presenter option out.")
        name = self.bot.groups.check_template(template) if template else group.settings.template
        chosen = self.bot.templates.get(name)
        if chosen is None:
            raise Refusal("The template {name} is no longer configured; choose another with the template option.",
                          name=name)
        if presenter is not None:
            if presenter.bot:
                raise Refusal("A bot cannot present a case; choose a member of the group.")
            require_presenter_member(group, presenter.id, presenter.mention)
        now = self.bot.clock.now()
        clock = PhaseClock(chosen.phases, self.warning)
        busy = Refusal("{group} already has a session running; end it before starting another.", group=group.name)
        if await self.store.live_for_group(group.id) is not None:
            raise busy
        if case is not None:
            self.bot.cases.rules.may_take_up(group, case)
        presenter_id = presenter.id if presenter else (case.author_id if case else None)
        state = clock.start(now)
        owed: list[Notice] = []

        def first_phase(session_id: int) -> list[Notice]:
            # Claimed with the session itself: a start is never stored without its first phase's notice.
            owed.append(self._notice(group, session_id, 0, NoticeKind.PHASE,
                                     phase_message(chosen.phases, state, group.settings.language), now))
            return owed

        try:
            session = await self.store.insert(
                group_id=group.id, case_id=case.id if case else None, template=chosen.name,
                phases=chosen.phases, title=case.title if case else None,
                presenter_id=presenter_id, anonymous=case.anonymous if case else False,
                state=state, started_at=now, notices=first_phase,
                leaders=leader_roles(interaction.user.id, group.leader_ids), in_voice=self.roll.present_now(group),
            )
        except SessionAlreadyLive:
            raise busy from None
        except CaseNotQueued:
            raise Refusal("This case was just taken up or withdrawn; look at /case list.") from None
        channel = self.bot.get_partial_messageable(group.text_channel_id, guild_id=group.guild_id)
        lists = await self.bot.hands.lists(session, group)

        async def post_panel(ticket: Ticket) -> discord.Message | None:
            async def send() -> discord.Message:
                return await channel.send(embed=panel_embed(session, group, now, lists=lists),
                                          view=panel_view(session, group.settings.language) or discord.utils.MISSING,
                                          nonce=panel_nonce(session.id))

            try:
                return await persist(send, clock=self.bot.clock, until=self.bot.after_real(PANEL_PATIENCE),
                                     what=f"session {session.id}: panel", ticket=ticket)
            except (discord.HTTPException, StillFailing) as error:
                status = error.status if isinstance(error, discord.HTTPException) else 0
                log.warning("session %d: panel not posted (HTTP %d)", session.id, status)
                return None

        # The panel, then the first phase, in the channel's lane: whatever a timer or the sweep
        # claims for the session meanwhile comes after them, even if Discord is slow to take the panel.
        posted = self.bot.lanes.push(self.bot.courier.lane(group.text_channel_id), post_panel)
        self._post(group, owed, session)
        await interaction.response.defer(ephemeral=True, thinking=True)
        panel = await posted
        t = translator_for(interaction.locale)
        if panel is None:
            await interaction.followup.send(
                t.gettext("The session started, but I could not post its panel in {channel}: I need View Channel,"
                          " Send Messages and Embed Links there. Here is the panel meanwhile.",
                          channel=f"<#{group.text_channel_id}>"),
                embed=panel_embed(session, group, now, lang_of(interaction.locale), lists=lists),
                view=panel_view(session, lang_of(interaction.locale)) or discord.utils.MISSING,
                ephemeral=True,
            )
        else:
            await self.store.set_panel(session.id, panel.channel.id, panel.id)
            await self.bot.privacy.messages.record(session.id, group.guild_id, panel)
            await interaction.followup.send(
                t.gettext("The session started; its panel is in {channel}.", channel=f"<#{group.text_channel_id}>"),
                ephemeral=True,
            )
        await self._reconcile_presenter(session, group)
        self._schedule(session)

    # ---------------------------------------------------------------- controls

    async def session_for(self, interaction: discord.Interaction[Any]) -> tuple[Session, Group]:
        """Find the session a slash command is about: its channel's group, else the one the user leads."""
        guild_id = interaction.guild_id
        assert guild_id is not None
        group = await self.bot.group_store.group_using_channel(guild_id, interaction.channel_id or 0)
        if group is not None:
            session = await self.store.live_for_group(group.id)
            if session is None:
                raise Refusal("{group} has no session running; a leader starts one with /session start.",
                              group=group.name)
            return session, group
        led = [g for g in await self.bot.group_store.groups_in_guild(guild_id) if g.is_leader(interaction.user.id)]
        live = [(s, g) for g in led if (s := await self.store.live_for_group(g.id)) is not None]
        if len(live) == 1:
            return live[0]
        raise Refusal("Run this in the text channel of the group whose session you mean.")

    async def session_by_id(self, session_id: int) -> tuple[Session, Group]:
        """Return a session a panel's button names, with its group, or refuse if it is gone."""
        session = await self.store.get(session_id)
        if session is None:
            raise Refusal("This session no longer exists.")
        return session, await self._group(session)

    async def _wait_reconciled(self, interaction: discord.Interaction[Any]) -> None:
        """Hold a control that came before the restore reconciled the sessions, answering Discord meanwhile."""
        if self.reconciled.is_set():
            return
        if not interaction.response.is_done():
            # Discord wants an answer within three seconds; the restore may take longer.
            if interaction.type is discord.InteractionType.component:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            await asyncio.wait_for(self.reconciled.wait(), RECONCILE_WAIT_SECONDS)
        except TimeoutError:
            raise Refusal(STILL_CATCHING_UP) from None

    async def control(self, interaction: discord.Interaction[Any], session: Session, group: Group,
                      action: ControlAction, *, minutes: int | None = None) -> None:
        """Apply a leader's control to a session read once by the caller."""
        require_leader(group, interaction.user.id, LEADS)
        if not self.reconciled.is_set():
            await self._wait_reconciled(interaction)
            # The restore may have moved it on (a time-up due while the bot was down).
            session, group = await self.session_by_id(session.id)
        async with self._locks[session.id]:
            now = self.bot.clock.now()
            state = self.phase_clock(session).control(action, session.state, now, minutes=minutes)
            owed = self._owed(session, state, group, now)
            changed = await self.store.save_state(session, state, now, owed)
            if changed is None:
                # A notice or another leader changed it meanwhile: apply the control to what it is now.
                fresh = await self.store.get(session.id)
                if fresh is None:
                    raise Refusal("This session no longer exists.")
                session = fresh
                state = self.phase_clock(session).control(action, session.state, now, minutes=minutes)
                owed = self._owed(session, state, group, now)
                changed = await self._save(session, state, owed)
            await self._show(changed, group, interaction, action)
            await self._after(session, changed, group, owed)

    async def end_now(self, session_id: int) -> None:
        """End a session with no leader's click (its presenter asked to be forgotten), as End does."""
        async with self._locks[session_id]:
            session = await self.store.get(session_id)
            if session is None or session.state.status is Status.ENDED:
                return
            group = await self._group(session)
            now = self.bot.clock.now()
            state = self.phase_clock(session).control(ControlAction.END, session.state, now)
            owed = self._owed(session, state, group, now)
            ended = await self._save(session, state, owed)
            self._edit_panel(ended, group)
            await self._after(session, ended, group, owed)

    async def act_alone(self, session_id: int, action: ControlAction, *, notices: Sequence[Notice] = (),
                        also: Callable[[Transaction], Awaitable[None]] | None = None) -> Session | None:
        """Apply a control nobody clicked (a dropout's pause), as the panel does, with the notices it brings.

        `also` runs in the change's transaction (see `save_state`). None if the control does not
        apply to the session as it is now (ended, already paused), or another process changed it.
        """
        async with self._locks[session_id]:
            session = await self.store.get(session_id)
            if session is None or session.state.status is Status.ENDED:
                return None
            group = await self._group(session)
            now = self.bot.clock.now()
            try:
                state = self.phase_clock(session).control(action, session.state, now)
            except Refusal:
                return None
            owed = [*self._owed(session, state, group, now), *notices]
            changed = await self.store.save_state(session, state, now, owed, also)
            if changed is None:
                return None
            self._edit_panel(changed, group)
            await self._after(session, changed, group, owed)
            return changed

    async def _save(self, session: Session, state: SessionState, owed: list[Notice]) -> Session:
        changed = await self.store.save_state(session, state, self.bot.clock.now(), owed)
        if changed is None:
            raise Refusal("The session changed at the same moment; look at the panel and try again.")
        return changed

    async def _show(self, session: Session, group: Group, interaction: discord.Interaction[Any],
                    action: ControlAction) -> None:
        """Update the panel: through the click itself when it came from the panel, else by an edit."""
        now = self.bot.clock.now()
        embed = panel_embed(session, group, now, lists=await self.bot.hands.lists(session, group))
        view = panel_view(session, group.settings.language)
        from_panel = (
            interaction.type is discord.InteractionType.component and interaction.message is not None
            and interaction.message.id == session.panel_message_id
        )
        if from_panel:
            if interaction.response.is_done():
                await interaction.edit_original_response(embed=embed, view=view)  # deferred while reconciling
            else:
                await interaction.response.edit_message(embed=embed, view=view)
            return
        await answer_privately(interaction, done_message(action, session, lang_of(interaction.locale)))
        self._edit_panel(session, group)

    def _edit_panel(self, session: Session, group: Group, *, paced: bool = False) -> None:
        """Show the session's state on its panel, in the background; a newer edit replaces an older one.

        `paced` (a raised hand): first wait for the panel's turn, within Discord's rate limits (pacing.py).
        """
        if session.panel_message_id is None or session.panel_channel_id is None:
            return
        channel = self.bot.get_partial_messageable(session.panel_channel_id, guild_id=group.guild_id)
        message = channel.get_partial_message(session.panel_message_id)

        async def edit(ticket: Ticket) -> None:
            if paced and not await self.bot.hands.pacer.wait_turn(message.id, ticket):
                return  # a newer edit replaced this one while it waited

            async def call() -> None:
                # The session as it is now: an edit that replaced older ones shows what they would have.
                shown = await self.store.get(session.id) or session
                await message.edit(embed=panel_embed(shown, group, self.bot.clock.now(),
                                                     lists=await self.bot.hands.lists(shown, group)),
                                   view=panel_view(shown, group.settings.language))
                self.bot.hands.pacer.edited(message.id)

            try:
                await persist(call, clock=self.bot.clock, until=self.bot.after_real(PANEL_PATIENCE),
                              what=f"session {session.id}: panel edit", ticket=ticket)
            except StillFailing as failure:
                if not failure.superseded:
                    log.warning("session %d: panel not updated (%s)", session.id, failure)
            except discord.HTTPException as error:
                log.warning("session %d: panel not updated (HTTP %d)", session.id, error.status)

        self.bot.lanes.push(("panel", session.panel_message_id), edit, replaces=True)

    def _owed(self, before: Session, state: SessionState, group: Group, now: datetime) -> list[Notice]:
        """Return the notices a change owes the group: the new phase's guidance, or the closing."""
        version = before.version + 1
        if state.status is Status.ENDED:
            if before.state.status is Status.ENDED:
                return []
            return [self._notice(group, before.id, version, NoticeKind.CLOSING,
                                 closing_message(group.settings.language), now,
                                 view=view_name(FEEDBACK, before.id, group.settings.language))]
        if state.phase_index != before.state.phase_index:
            return [self._notice(group, before.id, version, NoticeKind.PHASE,
                                 phase_message(before.phases, state, group.settings.language),
                                 now)]
        return []

    async def _after(self, before: Session, after: Session, group: Group, owed: list[Notice]) -> None:
        """Carry out what a change means beyond the panel."""
        self._post(group, owed, after)
        if after.state.status is Status.ENDED and before.state.status is not Status.ENDED:
            ended_at = self.bot.clock.now()
            self._schedule_purge(after.id, ended_at + timedelta(hours=group.settings.retention_hours))
            self.debriefs.session_ended(after.id)
        await self._reconcile_presenter(after, group)
        self._schedule(after)

    # ---------------------------------------------------------------- time

    def _schedule(self, session: Session) -> None:
        key = f"session:{session.id}"
        at = self.phase_clock(session).next_wakeup(session.state)
        if at is None:
            self.bot.timers.cancel(key)
            return
        session_id = session.id

        async def wake() -> None:
            await self.wake(session_id)

        self.bot.timers.schedule(key, at, wake)

    async def wake(self, session_id: int) -> None:
        """Send what is due in a session (once: claimed in the database with the change), then sleep again."""
        async with self._locks[session_id]:
            session = await self.store.get(session_id)
            if session is None or session.state.status is not Status.RUNNING:
                return
            group = await self._group(session)
            clock = self.phase_clock(session)
            now = self.bot.clock.now()
            moment = clock.due(session.state, now)
            while moment is not None:
                phase = session.current_phase
                marked = clock.mark(session.state, moment)
                if moment is Moment.WARNING:
                    text = warning_message(phase, self.bot.settings.warning_minutes, group.settings.language)
                    kind, state = NoticeKind.WARNING, marked
                else:
                    moved = clock.advance(marked, now)
                    auto = group.settings.auto_advance
                    text = time_up_message(phase, auto=auto, closes=moved.status is Status.ENDED,
                                           lang=group.settings.language)
                    kind, state = NoticeKind.TIME_UP, moved if auto else marked
                # With auto-advance, the time-up and the move it makes are one change: a process stopped
                # between the two can no longer leave a session timed up that never moves on. They are
                # one message too: the time-up, then the next phase's guidance (or the closing).
                notice = self._notice(group, session.id, session.version + 1, kind, text, now)
                owed = [after_time_up(notice, then) for then in self._owed(session, state, group, now)] or [notice]
                claimed = await self.store.save_state(session, state, now, owed)
                if claimed is None:
                    return  # another process or control got there first; it schedules the rest
                if claimed.state.phase_index != session.state.phase_index or claimed.state.status is Status.ENDED:
                    self._edit_panel(claimed, group)
                    await self._after(session, claimed, group, owed)
                    return
                self._post(group, owed, claimed)
                session = claimed
                moment = clock.due(session.state, now)
            self._schedule(session)

    def _schedule_purge(self, session_id: int, at: datetime) -> None:
        async def purge() -> None:
            await self.bot.cases.purge(session_id)

        self.bot.timers.schedule(f"purge:{session_id}", at, purge)

    async def _purges(self) -> None:
        now = self.bot.clock.now()
        for session_id, ended_at, hours in await self.store.to_purge():
            at = ended_at + timedelta(hours=hours)
            if at <= now:
                await self.bot.cases.purge(session_id)
            else:
                self._schedule_purge(session_id, at)

    async def sweep(self) -> None:
        """Look again at sessions owing a notice (a timer may have overslept), at mutes in doubt, at case material.

        One query finds the sessions with something due; the others, most of them, are not woken.
        """
        if not self.reconciled.is_set():
            return  # the restore does all of this first
        for session in await self.store.due(self.bot.clock.now(), self.warning):
            await self.wake(session.id)
        await self._settle_mutes(in_doubt_only=True)
        await self._purges()
        await self.dropouts.sweep()
        await self.debriefs.sweep()

    async def restore(self) -> None:
        """Rebuild every timer from the database and settle the mutes a stopped process left; then open controls.

        A few queries for everything (the live sessions, their groups, the mutes); only the
        sessions owing a notice that fell due while the bot was down are woken, one by one.
        """
        try:
            live = await self.store.live()
            groups = await self.bot.group_store.groups_by_id(s.group_id for s in live)
            # Read once for every session: the mutes, who is in voice, who is awaited.
            mutes = {(m.guild_id, m.user_id): m for m in await self.store.mutes()}
            in_voice = await self.store.in_voice_of_live()
            waits = await self.dropouts.store.by_session()
            touched: set[tuple[int, int]] = set()
            now = self.bot.clock.now()
            sessions: dict[int, Session] = {}
            for session in live:
                woken = self.phase_clock(session).due(session.state, now) is not None
                if woken:
                    await self.wake(session.id)  # sends what fell due while down, and sets the next wake-up
                    fresh = await self.store.get(session.id)
                    if fresh is None:
                        continue
                    session = fresh
                else:
                    self._schedule(session)
                sessions[session.id] = session
                group = groups.get(session.group_id)
                if group is not None:
                    # A wake-up (or an earlier session of the same presenter) may have changed the mute since.
                    key = (group.guild_id, session.presenter_id or 0)
                    await self._reconcile_presenter(session, group,
                                                    mutes=None if woken or key in touched else mutes)
                    touched.add(key)
                    if session.state.status is not Status.ENDED:
                        departed = await self.roll.reconcile(session, group, in_voice.get(session.id, frozenset()))
                        await self.dropouts.restore(session, group, departed, waits.get(session.id, []))
            await self._settle_mutes(in_doubt_only=False, known=sessions, groups=groups)
        finally:
            # Even a failed restore opens the controls: a leader can still act, and the sweep retries.
            self.reconciled.set()
        await self._purges()
        await self.debriefs.restore()

    # ---------------------------------------------------------------- voice

    def _presenter_silenced(self, session: Session, group: Group) -> bool:
        return (
            session.presenter_id is not None
            and not session.anonymous
            and group.settings.pushback is Pushback.MUTE
            and session.state.status is not Status.ENDED
            and session.current_phase.pushback
        )

    def _mute_until(self, session: Session) -> datetime:
        """Return until when a mute is worth retrying: the end of the push-back phase."""
        deadline = session.state.deadline
        return deadline if deadline is not None else self.bot.clock.now() + MUTE_PATIENCE

    async def _reconcile_presenter(self, session: Session, group: Group, *,
                                   mutes: Mapping[tuple[int, int], MuteRecord] | None = None) -> None:
        """Mute the presenter during the push-back and unmute them after, as far as voice allows.

        `mutes`: the mutes by (server, member), if the caller has just read them all (the restore).
        """
        if session.presenter_id is None:
            return
        key = (group.guild_id, session.presenter_id)
        record = mutes.get(key) if mutes is not None else await self.store.mute_of(*key)
        if self._presenter_silenced(session, group):
            if record is not None and record.pending is None:
                return  # muted already
            guild = self.bot.get_guild(group.guild_id)
            if guild is None or voice_channel_of(guild, session.presenter_id) != group.voice_channel_id:
                return  # not in the group's voice: muted when they join it
            await self.mutes.mute(guild, session.presenter_id, session, group, self._mute_until(session))
        elif record is not None:
            await self._unmute(group.guild_id, session.presenter_id, session)

    async def _unmute(self, guild_id: int, user_id: int, session: Session | None) -> None:
        guild = self.bot.get_guild(guild_id)
        if guild is None or voice_channel_of(guild, user_id) is None:
            return  # a server mute can only be lifted in voice: done when they next join
        group = await self._group(session) if session is not None else None
        await self.mutes.unmute(guild, user_id, session, group)

    async def _settle_mutes(self, *, in_doubt_only: bool, known: dict[int, Session] | None = None,
                            groups: dict[int, Group] | None = None) -> None:
        """Finish the mutes a stopped process (or a long outage) left half done, and lift those that are over.

        `known` and `groups`: sessions and groups the caller has just read, not read again.
        """
        known = known or {}
        groups = groups or {}
        for record in await self.store.mutes(in_doubt_only=in_doubt_only):
            if self.mutes.busy(record.guild_id, record.user_id):
                continue  # under way in this process
            owner = None
            if record.session_id is not None:
                owner = known.get(record.session_id) or await self.store.get(record.session_id)
            if owner is not None and owner.presenter_id == record.user_id and owner.state.status is not Status.ENDED:
                group = groups.get(owner.group_id) or await self._group(owner)
                await self._reconcile_presenter(owner, group)
            else:
                await self._unmute(record.guild_id, record.user_id, owner)

    async def on_voice_join(self, member: discord.Member) -> None:
        """Settle a member who just joined voice: lift a mute of ours that is over, or apply one that is due."""
        record = await self.store.mute_of(member.guild.id, member.id)
        if record is not None:
            for session in [s for s in await self.store.live() if s.presenter_id == member.id]:
                group = await self._group(session)
                if group.guild_id == member.guild.id and self._presenter_silenced(session, group):
                    if record.pending is not None:
                        await self._reconcile_presenter(session, group)
                    return
            await self.mutes.unmute(member.guild, member.id, None, None)
            return
        for session in await self.store.live():
            if session.presenter_id == member.id:
                group = await self._group(session)
                if group.guild_id == member.guild.id:
                    await self._reconcile_presenter(session, group)

    # ---------------------------------------------------------------- messages

    def _notice(self, group: Group, session_id: int, version: int, kind: NoticeKind, content: str, now: datetime,
                *, view: str | None = None) -> Notice:
        return Notice(nonce=session_nonce(session_id, version, kind), channel_id=group.text_channel_id,
                      guild_id=group.guild_id, content=content, claimed_at=now, view=view, session_id=session_id)

    def post_notices(self, group: Group, notices: Sequence[Notice], session: Session) -> None:
        """Send claimed notices of a session (a dropout's, a debrief's word) in the background, as the runner's own."""
        self._post(group, list(notices), session)

    def _post(self, group: Group, notices: list[Notice], session: Session) -> None:
        """Send claimed notices in the background, in order; without the right to, tell the leaders (once)."""
        for notice in notices:
            self.bot.courier.post(notice, refused=partial(self._cannot_post, session, group))

    async def notice_refused(self, session_id: int) -> None:
        """Tell the leaders, as a first send would, that a notice sent again after a restart was refused."""
        session = await self.store.get(session_id)
        group = None if session is None else await self.bot.group_store.group_by_id(session.group_id)
        if session is not None and group is not None:
            await self._cannot_post(session, group)

    async def _cannot_post(self, session: Session, group: Group) -> None:
        if await self.store.claim_report(session.id, "send_messages"):
            await dm_leaders(self.bot, group, translator(group.settings.language).gettext(
                "I cannot post in {channel} for {group}: I need View Channel and Send Messages there. The session"
                " goes on.", channel=f"<#{group.text_channel_id}>", group=group.name))

    async def report(self, session: Session, group: Group, what: str, text: str) -> None:
        """Tell the leaders about a problem, once per session (`text` in the group's language)."""
        await tell_leaders(self.bot, group, what, text, claim=partial(self.store.claim_report, session.id))

    async def status(self, interaction: discord.Interaction[Any]) -> None:
        """Show anyone the session's panel, privately."""
        session, group = await self.session_for(interaction)
        await answer_privately(interaction, embed=panel_embed(session, group, self.bot.clock.now(),
                                                              lang_of(interaction.locale),
                                                              lists=await self.bot.hands.lists(session, group)))

