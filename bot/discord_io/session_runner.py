"""Runs sessions in Discord: applies the core's transitions and turns them into messages and mutes.

Every change follows one path: read the session, let `PhaseClock` compute the next state,
store it only if nobody changed the session meanwhile (its version), then carry out what
changed: the panel, the phase's guidance, the closing, the presenter's mute, the next
wake-up. A Discord call that fails for a permission never undoes the change: it is
reported to the leaders, once per session.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import discord

from bot.core.cases import Case, CaseState
from bot.core.errors import Refusal
from bot.core.groups import Group, Pushback, require_leader, require_presenter_member
from bot.core.session import ControlAction, Moment, PhaseClock, Session, SessionState, Status
from bot.discord_io.feedback import feedback_view
from bot.discord_io.leaders import post_in_group, tell_leaders
from bot.discord_io.members import find_member, voice_channel_of
from bot.discord_io.replies import answer_privately
from bot.discord_io.sessions import (
    CLOSING,
    done_message,
    panel_embed,
    panel_view,
    phase_message,
    time_up_message,
    warning_message,
)
from bot.storage.sessions import SessionAlreadyLive, SqliteSessionStore

if TYPE_CHECKING:
    from bot.app import BalintBot

log = logging.getLogger(__name__)

# Discord's error code for editing the voice state of a member who is not in voice.
NOT_IN_VOICE = 40032


LEADS = "control its sessions"


class SessionRunner:
    """The sessions of every group this process serves."""

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot
        self.store = SqliteSessionStore(bot.db)
        # One change at a time per session inside this process; across processes the
        # version check in the database decides.
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

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
            raise Refusal(f"The template {name} is no longer configured; choose another with the template option.")
        if presenter is not None:
            if presenter.bot:
                raise Refusal("A bot cannot present a case; choose a member of the group.")
            require_presenter_member(group, presenter.id, presenter.mention)
        now = self.bot.clock.now()
        clock = PhaseClock(chosen.phases, self.warning)
        busy = Refusal(f"{group.name} already has a session running; end it before starting another.")
        if await self.store.live_for_group(group.id) is not None:
            raise busy
        if case is not None:
            await self.bot.cases.rules.take_up(group, case)
        presenter_id = presenter.id if presenter else (case.author_id if case else None)
        try:
            session = await self.store.insert(
                group_id=group.id, case_id=case.id if case else None, template=chosen.name,
                phases=chosen.phases, title=case.title if case else None,
                presenter_id=presenter_id, anonymous=case.anonymous if case else False,
                state=clock.start(now), started_at=now,
            )
        except SessionAlreadyLive:
            if case is not None:
                await self.bot.cases.store.move_case(case.id, CaseState.PRESENTING, CaseState.QUEUED)
            raise busy from None
        await interaction.response.defer(ephemeral=True, thinking=True)
        channel = self.bot.get_partial_messageable(group.text_channel_id, guild_id=group.guild_id)
        try:
            panel = await channel.send(
                embed=panel_embed(session, group, now), view=panel_view(session) or discord.utils.MISSING
            )
        except discord.HTTPException as error:
            log.warning("session %d: panel not posted (HTTP %d)", session.id, error.status)
            await interaction.followup.send(
                f"The session started, but I could not post its panel in <#{group.text_channel_id}>: I need "
                "View Channel, Send Messages and Embed Links there. Here is the panel meanwhile.",
                embed=panel_embed(session, group, now), view=panel_view(session) or discord.utils.MISSING,
                ephemeral=True,
            )
        else:
            await self.store.set_panel(session.id, panel.channel.id, panel.id)
            await self.bot.privacy.messages.record(session.id, group.guild_id, panel)
            await interaction.followup.send(
                f"The session started; its panel is in <#{group.text_channel_id}>.", ephemeral=True
            )
        await self._post(group, phase_message(session), session)
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
                raise Refusal(f"{group.name} has no session running; a leader starts one with /session start.")
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

    async def control(self, interaction: discord.Interaction[Any], session: Session, group: Group,
                      action: ControlAction, *, minutes: int | None = None) -> None:
        """Apply a leader's control to a session read once by the caller."""
        require_leader(group, interaction.user.id, LEADS)
        async with self._locks[session.id]:
            now = self.bot.clock.now()
            changed = await self.store.save_state(
                session, self.phase_clock(session).control(action, session.state, now, minutes=minutes), now
            )
            if changed is None:
                # A notice or another leader changed it meanwhile: apply the control to what it is now.
                fresh = await self.store.get(session.id)
                if fresh is None:
                    raise Refusal("This session no longer exists.")
                session = fresh
                changed = await self._save(
                    session, self.phase_clock(session).control(action, session.state, now, minutes=minutes)
                )
            await self._show(changed, group, interaction, action)
            await self._after(session, changed, group)

    async def end_now(self, session_id: int) -> None:
        """End a session with no leader's click (its presenter asked to be forgotten), as End does."""
        async with self._locks[session_id]:
            session = await self.store.get(session_id)
            if session is None or session.state.status is Status.ENDED:
                return
            group = await self._group(session)
            ended = await self._save(session, self.phase_clock(session).control(
                ControlAction.END, session.state, self.bot.clock.now()))
            await self._edit_panel(ended, group)
            await self._after(session, ended, group)

    async def _save(self, session: Session, state: SessionState) -> Session:
        changed = await self.store.save_state(session, state, self.bot.clock.now())
        if changed is None:
            raise Refusal("The session changed at the same moment; look at the panel and try again.")
        return changed

    async def _show(self, session: Session, group: Group, interaction: discord.Interaction[Any],
                    action: ControlAction) -> None:
        """Update the panel: through the click itself when it came from the panel, else by an edit."""
        now = self.bot.clock.now()
        embed = panel_embed(session, group, now)
        view = panel_view(session)
        from_panel = (
            interaction.type is discord.InteractionType.component and interaction.message is not None
            and interaction.message.id == session.panel_message_id
        )
        if from_panel:
            await interaction.response.edit_message(embed=embed, view=view)
            return
        await answer_privately(interaction, done_message(action, session))
        await self._edit_panel(session, group)

    async def _edit_panel(self, session: Session, group: Group) -> None:
        if session.panel_message_id is None or session.panel_channel_id is None:
            return
        channel = self.bot.get_partial_messageable(session.panel_channel_id, guild_id=group.guild_id)
        try:
            await channel.get_partial_message(session.panel_message_id).edit(
                embed=panel_embed(session, group, self.bot.clock.now()), view=panel_view(session)
            )
        except discord.HTTPException as error:
            log.warning("session %d: panel not updated (HTTP %d)", session.id, error.status)

    async def _after(self, before: Session, after: Session, group: Group) -> None:
        """Carry out what a change means beyond the panel."""
        ended = after.state.status is Status.ENDED
        if not ended and after.state.phase_index != before.state.phase_index:
            await self._post(group, phase_message(after), after)
        if ended:
            await self._post(group, CLOSING, after, view=feedback_view(after))
            if after.case_id is not None:
                await self.bot.cases.store.move_case(after.case_id, CaseState.PRESENTING, CaseState.PRESENTED)
            ended_at = self.bot.clock.now()
            self._schedule_purge(after.id, ended_at + timedelta(hours=group.settings.retention_hours))
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
        """Send what is due in a session (once: claimed in the database first), then sleep again."""
        async with self._locks[session_id]:
            session = await self.store.get(session_id)
            if session is None or session.state.status is not Status.RUNNING:
                return
            group = await self._group(session)
            clock = self.phase_clock(session)
            now = self.bot.clock.now()
            moment = clock.due(session.state, now)
            while moment is not None:
                claimed = await self.store.save_state(session, clock.mark(session.state, moment), now)
                if claimed is None:
                    return  # another process or control got there first; it schedules the rest
                session = claimed
                phase = claimed.current_phase
                if moment is Moment.WARNING:
                    await self._post(group, warning_message(phase, self.bot.settings.warning_minutes), claimed)
                else:
                    moved = clock.advance(claimed.state, now)
                    auto = group.settings.auto_advance
                    await self._post(group, time_up_message(phase, auto=auto, closes=moved.status is Status.ENDED),
                                     claimed)
                    if auto:
                        advanced = await self.store.save_state(claimed, moved, now)
                        if advanced is None:
                            return
                        await self._edit_panel(advanced, group)
                        await self._after(claimed, advanced, group)
                        return
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
        """Look at every live session again (a timer may have overslept), and at case material due to go."""
        for session in await self.store.live():
            await self.wake(session.id)
        await self._purges()

    async def restore(self) -> None:
        """Rebuild every timer from the database and settle mutes left by a stopped process."""
        for session in await self.store.live():
            await self.wake(session.id)  # sends what fell due while down, and sets the next wake-up
            fresh = await self.store.get(session.id)
            if fresh is not None:
                await self._reconcile_presenter(fresh, await self._group(fresh))
        await self._purges()
        for guild_id, user_id, session_id in await self.store.mutes():
            owner = await self.store.get(session_id) if session_id is not None else None
            if owner is None or owner.state.status is Status.ENDED:
                await self._unmute(guild_id, user_id, owner)

    # ---------------------------------------------------------------- voice

    def _presenter_silenced(self, session: Session, group: Group) -> bool:
        return (
            session.presenter_id is not None
            and not session.anonymous
            and group.settings.pushback is Pushback.MUTE
            and session.state.status is not Status.ENDED
            and session.current_phase.pushback
        )

    async def _reconcile_presenter(self, session: Session, group: Group) -> None:
        """Mute the presenter during the push-back and unmute them after, as far as voice allows."""
        if session.presenter_id is None:
            return
        ours = await self.store.has_mute(group.guild_id, session.presenter_id)
        if self._presenter_silenced(session, group):
            guild = self.bot.get_guild(group.guild_id)
            if ours or guild is None or voice_channel_of(guild, session.presenter_id) != group.voice_channel_id:
                return  # muted already, or not in the group's voice: muted when they join it
            member = await find_member(guild, session.presenter_id)
            if member is not None:
                await self._set_mute(member, True, session, group)
        elif ours:
            await self._unmute(group.guild_id, session.presenter_id, session)

    async def _set_mute(self, member: discord.Member, mute: bool, session: Session | None,
                        group: Group | None) -> bool:
        """Server-mute or unmute; tell the leaders once if the permission is missing."""
        try:
            await member.edit(mute=mute, reason="Balint session: the presenter listens during the discussion"
                              if mute else "Balint session: the discussion is over")
        except discord.Forbidden:
            if session is not None and group is not None:
                await self.report(session, group, "mute_members",
                                  f"I cannot {'mute' if mute else 'unmute'} the presenter: I need the Mute Members"
                                  f" permission in <#{group.voice_channel_id}>. The session goes on.")
            return False
        except discord.HTTPException as error:
            if error.code == NOT_IN_VOICE:
                return False  # left voice meanwhile: settled when they next join
            raise
        if mute and session is not None:
            await self.store.record_mute(member.guild.id, member.id, session.id, self.bot.clock.now())
        elif not mute:
            await self.store.forget_mute(member.guild.id, member.id)
        return True

    async def _unmute(self, guild_id: int, user_id: int, session: Session | None) -> None:
        guild = self.bot.get_guild(guild_id)
        if guild is None or voice_channel_of(guild, user_id) is None:
            return  # a server mute can only be lifted in voice: done when they next join
        member = await find_member(guild, user_id)
        if member is None:
            await self.store.forget_mute(guild_id, user_id)  # left the server: nothing to undo
            return
        group = await self._group(session) if session is not None else None
        await self._set_mute(member, False, session, group)

    async def on_voice_join(self, member: discord.Member) -> None:
        """Settle a member who just joined voice: lift a mute of ours that is over, or apply one that is due."""
        if await self.store.has_mute(member.guild.id, member.id):
            sessions = [s for s in await self.store.live() if s.presenter_id == member.id]
            for session in sessions:
                group = await self._group(session)
                if group.guild_id == member.guild.id and self._presenter_silenced(session, group):
                    return
            await self._set_mute(member, False, None, None)
            return
        for session in await self.store.live():
            if session.presenter_id == member.id:
                group = await self._group(session)
                if group.guild_id == member.guild.id:
                    await self._reconcile_presenter(session, group)

    # ---------------------------------------------------------------- messages

    async def _post(self, group: Group, content: str, session: Session,
                    view: discord.ui.View | None = None) -> None:
        message = await post_in_group(
            self.bot, group, content, view=view, claim=partial(self.store.claim_report, session.id),
            cannot_post=f"I cannot post in <#{group.text_channel_id}> for {group.name}: I need View Channel and"
                        " Send Messages there. The session goes on.",
        )
        if message is not None:
            await self.bot.privacy.messages.record(session.id, group.guild_id, message)

    async def report(self, session: Session, group: Group, what: str, text: str) -> None:
        """Tell the leaders about a problem, once per session."""
        await tell_leaders(self.bot, group, what, text, claim=partial(self.store.claim_report, session.id))

    async def status(self, interaction: discord.Interaction[Any]) -> None:
        """Show anyone the session's panel, privately."""
        session, group = await self.session_for(interaction)
        await answer_privately(interaction, embed=panel_embed(session, group, self.bot.clock.now()))

