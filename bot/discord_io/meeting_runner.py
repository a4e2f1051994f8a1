"""Runs meetings in Discord: scheduled events, reminders with RSVP buttons, start notices, attendance.

The database is the truth and one pass, `process`, does whatever is due: lay out the coming
meetings of each series, give each an event, send (or skip) reminders, and count who is in the
voice channel from start to end. A timer wakes it at the next due instant; the bot's sweep runs
it every minute as well, and `restore` runs it at start-up, so a timer lost with a stopped
process costs nothing. Each reminder is claimed in the database before it is sent: whoever
claims it sends it, once. A Discord call refused for a permission never undoes the schedule: the
leaders are told, once per series.

Answers to a leader are in the leader's Discord language; what the group and its server see
(notices, reports to the leaders, the Discord events and their audit-log reasons) in the group's.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord

from bot.core.errors import Refusal
from bot.core.groups import (
    ANSWER_MEETINGS,
    CANCEL_MEETINGS,
    SCHEDULE_MEETINGS,
    SEE_ATTENDANCE,
    Group,
    require_leader,
    require_member,
)
from bot.core.meetings.attendance import (
    attendance_end,
    attendance_since,
    seconds_present,
    still_counting,
    whole_minutes,
)
from bot.core.meetings.exports import AttendanceRow, CalendarEntry, attendance_csv, calendar_ics, member_labels
from bot.core.meetings.models import Meeting, Reminder, Series
from bot.core.meetings.recurrence import Repeat, plan_series
from bot.core.meetings.reminders import ReminderAction, reminder_action
from bot.core.meetings.window import coming_meetings, plan_window, window_ahead
from bot.core.notices import CancelKind, Notice, cancel_nonce, reminder_nonce
from bot.core.privacy import meeting_mark_context
from bot.core.text import N_, Lang
from bot.core.typed import picked_id
from bot.discord_io.leaders import dm_leaders, tell_leaders
from bot.discord_io.meeting_views import (
    cancelled_text,
    coming_text,
    name_of,
    noted_text,
    reminder_text,
    rsvp_view,
    scheduled_text,
    stamp,
    start_text,
)
from bot.discord_io.members import find_member
from bot.discord_io.outbox import RSVP, view_name
from bot.discord_io.replies import NO_MENTIONS, answer_privately
from bot.discord_io.transient import StillFailing, Ticket, persist
from bot.i18n import Translator, lang_of, translator, translator_for
from bot.storage.meetings import SqliteMeetingStore

if TYPE_CHECKING:
    from bot.app import BalintBot

log = logging.getLogger(__name__)

# Meetings are laid out (and get their Discord event) this many days ahead, and always the next one.
WINDOW_DAYS = 14
LIST_LIMIT = 10
TIMER_KEY = "meetings"
OVERRUN_CHECK = timedelta(minutes=1)
# How long an event's creation or removal, or a reminder's edit, is retried through passing
# faults before the next pass (at most a minute later) takes it up again.
EVENT_PATIENCE = timedelta(seconds=20)
EDIT_PATIENCE = timedelta(seconds=30)
# Translators: a series' repeat, at the end of a meeting's line in /meeting cancel's list.
REPEATS = {Repeat.WEEKLY: N_("weekly"), Repeat.BIWEEKLY: N_("biweekly"), Repeat.MONTHLY: N_("monthly")}


class MeetingRunner:
    """The meetings of every group this process serves."""

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot
        self.store = SqliteMeetingStore(bot.db)
        # One pass at a time in this process; across processes the claims in the database decide.
        self._lock = asyncio.Lock()
        # Meetings whose event this process is creating now: any other claimed one was left by a
        # stopped process (or by a creation that met only faults), to adopt or create again.
        self._creating: set[int] = set()

    @property
    def offsets(self) -> tuple[int, ...]:
        """Return the reminders' minutes before a meeting."""
        return self.bot.settings.meeting_reminders

    @property
    def grace(self) -> timedelta:
        """Return how late a missed reminder may still go out."""
        return timedelta(minutes=self.bot.settings.meeting_grace_minutes)

    @property
    def ahead(self) -> timedelta:
        """Return how far ahead meetings are laid out."""
        return window_ahead(self.offsets, WINDOW_DAYS)

    async def _group(self, group_id: int) -> Group | None:
        return await self.bot.group_store.group_by_id(group_id)

    # ---------------------------------------------------------------- commands

    async def schedule(self, interaction: discord.Interaction[Any], group: Group, *, start: str, duration: int,
                       repeat: str, count: int | None, until: str | None) -> None:
        """Schedule a meeting or a series for a group, with its Discord events."""
        require_leader(group, interaction.user.id, SCHEDULE_MEETINGS)
        now = self.bot.clock.now()
        plan = plan_series(start, timezone=group.settings.timezone, now=now, duration=duration, repeat=repeat,
                           count=count, until=until)
        window = plan_window(plan.recurrence, plan.first_start - timedelta(microseconds=1), now, self.ahead)
        series = await self.store.create_series(
            group_id=group.id, uid=f"{uuid.uuid4()}@balint-bot", plan=plan, window=window,
            offsets=self.offsets, created_by=interaction.user.id, now=now,
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self._lock:
            await self._events(now)
        meetings = await self.store.meetings_of_series(series.id)
        t = translator_for(interaction.locale)
        lines = [scheduled_text(group, series, count=plan.count, until=plan.until, first=plan.first_start,
                                offsets=self.offsets, lang=t.lang)]
        if any(m.event_state == "failed" for m in meetings):
            lines.append(t.gettext("I could not add them to the server's events: I need the Manage Events permission."))
        await interaction.followup.send(" ".join(lines), ephemeral=True, allowed_mentions=NO_MENTIONS)
        await self._arm(now)

    async def _meeting_for(self, interaction: discord.Interaction[Any], text: str) -> tuple[Meeting, Group]:
        """Find the meeting a leader picked in this server, or refuse."""
        meeting_id = picked_id(text)
        meeting = await self.store.meeting(meeting_id) if meeting_id is not None else None
        group = await self._group(meeting.group_id) if meeting is not None else None
        if meeting is None or group is None:
            raise Refusal("There is no such meeting; pick one from the list that appears as you type.")
        if group.guild_id != interaction.guild_id:
            raise Refusal("That meeting belongs to another server; pick one of this server's meetings from the list.")
        require_leader(group, interaction.user.id, CANCEL_MEETINGS)
        return meeting, group

    async def cancel(self, interaction: discord.Interaction[Any], text: str, scope: str) -> None:
        """Cancel one meeting or the rest of its series, with their Discord events."""
        meeting, group = await self._meeting_for(interaction, text)
        series = await self.store.series(meeting.series_id)
        assert series is not None
        now = self.bot.clock.now()
        # The answer for the leader who cancels, the notice for the group.
        t, told = translator_for(interaction.locale), translator(group.settings.language)
        channel = f"<#{group.text_channel_id}>"
        if scope == "series" and series.recurrence.rule is not None:
            if series.cancelled_at is not None:
                raise Refusal("That series is already cancelled; there is nothing left to cancel.")
            coming = [m.id for m in await self.store.meetings_of_series(series.id)
                      if not m.cancelled and m.starts_at > now]
            notice = self._cancel_notice(group, CancelKind.SERIES, series.id, now, told.gettext(
                "The meetings of **{group}** {when} are cancelled from now on.", group=name_of(group),
                when=series.recurrence.description()))
            cancelled = await self.store.cancel_meetings(coming, now, series_id=series.id, notice=notice)
            answer = t.ngettext(
                "Cancelled the meetings of **{group}** {when} from now on ({count} laid out, with its event); the"
                " group is told in {channel}.",
                "Cancelled the meetings of **{group}** {when} from now on ({count} laid out, with their events); the"
                " group is told in {channel}.",
                len(cancelled), group=name_of(group), when=series.recurrence.description(), count=len(cancelled),
                channel=channel,
            )
        else:
            if meeting.cancelled:
                raise Refusal("That meeting is already cancelled; there is nothing to do.")
            if meeting.starts_at <= now:
                raise Refusal("That meeting has already begun, so it can no longer be cancelled; it ends by itself.")
            single = series.recurrence.rule is None
            notice = self._cancel_notice(group, CancelKind.MEETING, meeting.id, now, told.gettext(
                "The meeting of **{group}** on {start} is cancelled.", group=name_of(group),
                start=stamp(meeting.starts_at, "F")))
            cancelled = await self.store.cancel_meetings([meeting.id], now, series_id=series.id if single else None,
                                                         notice=notice)
            if not cancelled:
                raise Refusal("That meeting is already cancelled; there is nothing to do.")
            answer = t.gettext("Cancelled the meeting of {start} and its event; the group is told in {channel}.",
                               start=stamp(meeting.starts_at, "F"), channel=channel)
        # Claimed with the cancellation: sent through Discord's passing faults, and again after a restart.
        self.bot.courier.post(notice, refused=partial(self._cannot_post_about, series.id, group))
        await answer_privately(interaction, answer)
        for meeting_id in cancelled:
            gone = await self.store.meeting(meeting_id)
            if gone is not None:
                await self._remove_event(gone, group)
                await self._show_cancelled(gone, group)
        await self.store.refresh_next_start(series.id, now)
        await self._arm(now)

    async def coming_choices(self, guild_id: int, user_id: int, typed: str,
                             lang: Lang = Lang.EN) -> list[tuple[str, str]]:
        """Offer the coming meetings of the groups the user leads: (label in their language, meeting id)."""
        t = translator(lang)
        needle = typed.casefold().strip()
        choices: list[tuple[str, str]] = []
        series_cache: dict[int, Series | None] = {}
        for meeting, group_name in await self.store.coming_for_leader(guild_id, user_id, self.bot.clock.now()):
            if meeting.series_id not in series_cache:
                series_cache[meeting.series_id] = await self.store.series(meeting.series_id)
            series = series_cache[meeting.series_id]
            if series is None:
                continue
            rec = series.recurrence
            local = meeting.starts_at.astimezone(rec.zone)
            repeat = REPEATS.get(rec.repeat) if rec.rule is not None else None
            # Translators: a coming meeting in /meeting cancel's list: "Alpha · Fri 09 Jan 2026 19:00 (Europe/Paris)".
            label = (t.gettext("{group} · {moment} ({zone}) · {repeat}", group=group_name, moment=t.moment(local),
                               zone=rec.timezone, repeat=t.gettext(repeat)) if repeat is not None
                     else t.gettext("{group} · {moment} ({zone})", group=group_name, moment=t.moment(local),
                                    zone=rec.timezone))[:100]
            if needle in label.casefold() or needle == str(meeting.id):
                choices.append((label, str(meeting.id)))
            if len(choices) == 25:
                break
        return choices

    async def _cancelled_starts(self, series: Series) -> tuple[datetime, ...]:
        """Return the starts of the series' meetings that were cancelled."""
        return tuple(m.starts_at for m in await self.store.meetings_of_series(series.id) if m.cancelled)

    async def list_text(self, group: Group, lang: Lang = Lang.EN) -> str:
        """Say when the group meets next, as timestamps each reader sees in their own time."""
        now = self.bot.clock.now()
        series = await self.store.series_of_group(group.id)
        cancelled = {one.id: await self._cancelled_starts(one) for one in series}
        return coming_text(group, coming_meetings(series, cancelled, now, LIST_LIMIT), now, lang)

    async def calendar(self, group: Group, lang: Lang = Lang.EN) -> bytes:
        """Return the group's meetings as an .ics file, or refuse when there are none."""
        entries = [CalendarEntry(series, await self._cancelled_starts(series))
                   for series in await self.store.series_of_group(group.id)]
        data = calendar_ics(group.name, entries, self.bot.clock.now(), translator(lang).render)
        if data is None:
            raise Refusal("{group} has no meetings scheduled; a leader schedules them with /meeting schedule.",
                          group=group.name)
        return data

    async def attendance(self, interaction: discord.Interaction[Any], group: Group, since: str | None) -> str:
        """Return the attendance CSV of a group for its leaders, or refuse."""
        require_leader(group, interaction.user.id, SEE_ATTENDANCE)
        zone = ZoneInfo(group.settings.timezone)
        now = self.bot.clock.now()
        start = attendance_since(since, now, zone)
        data = await self.store.attendance(group.id, start, now)
        if not data.meetings:
            if since:
                raise Refusal("{group} has had no meetings since {since} yet, so there is no attendance to give.",
                              group=group.name, since=since.strip())
            raise Refusal("{group} has had no meetings yet, so there is no attendance to give.", group=group.name)
        people = set(group.member_ids) | set(group.leader_ids)
        people |= {user for (_, user) in data.stays} | {user for (_, user) in data.rsvps}
        records = await self.bot.records.of_group(group, start, people)
        people |= set(records)
        t = translator_for(interaction.locale)
        names = member_labels({user: await self._display_name(group, user, t) for user in people})
        rows = []
        for meeting in data.meetings:
            end = await self._end_of(meeting, now) or now
            for user in people:
                seconds = seconds_present(data.stays.get((meeting.id, user), []), meeting.starts_at, end)
                rows.append(AttendanceRow(meeting.starts_at, names[user], whole_minutes(seconds),
                                          data.rsvps.get((meeting.id, user), "")))
        return attendance_csv(rows, zone, t.render, {names[user]: record for user, record in records.items()})

    async def _display_name(self, group: Group, user_id: int, t: Translator) -> str:
        guild = self.bot.get_guild(group.guild_id)
        try:
            member = await find_member(guild, user_id) if guild is not None else None
        except discord.HTTPException:
            member = None
        # Translators: a member the server no longer knows, in the attendance file (the id as it is).
        return member.display_name if member is not None else t.gettext("user {id}", id=str(user_id))

    # ---------------------------------------------------------------- RSVP

    async def rsvp(self, interaction: discord.Interaction[Any], meeting_id: int, choice: str) -> None:
        """Record an answer from a reminder's button, and show the new counts on every reminder."""
        meeting = await self.store.meeting(meeting_id)
        group = await self._group(meeting.group_id) if meeting is not None else None
        if meeting is None or group is None:
            raise Refusal("This meeting no longer exists; look at /meeting list for the coming ones.")
        user = interaction.user.id
        require_member(group, user, ANSWER_MEETINGS)
        if meeting.cancelled:
            raise Refusal("This meeting was cancelled, so there is nothing to answer; see /meeting list.")
        now = self.bot.clock.now()
        if now >= meeting.ends_at:
            raise Refusal("This meeting is over; answer the reminder of the next one.")
        # "I have a case" is recorded as going, and the case only under a seal: who brings
        # a case may be who presents anonymously.
        await self.store.set_rsvp(meeting.id, user, "going" if choice == "case" else choice, now)
        if choice != "going":
            mark = self.bot.cases.rules.seal.mark(meeting_mark_context(meeting.id), user)
            await self.store.set_case_mark(meeting.id, mark, present=choice == "case")
        content = reminder_text(group, meeting, await self.store.rsvp_counts(meeting.id))
        reminders = await self.store.reminders_of(meeting.id)
        clicked = interaction.message.id if interaction.message is not None else None
        ours = any(r.message_id == clicked for r in reminders)
        if choice == "case":
            # The answer is recorded whatever happens to the form: proposing may wait for later.
            await self.bot.cases.open_propose_modal(interaction, group)
            await self._edit_reminders(reminders, group, content, view=rsvp_view(meeting.id, group.settings.language))
            return
        if ours:
            await interaction.response.edit_message(content=content,
                                                    view=rsvp_view(meeting.id, group.settings.language))
            await interaction.followup.send(noted_text(choice, lang_of(interaction.locale)), ephemeral=True)
        else:
            await answer_privately(interaction, noted_text(choice, lang_of(interaction.locale)))
        await self._edit_reminders([r for r in reminders if r.message_id != clicked or not ours], group,
                                   content, view=rsvp_view(meeting.id, group.settings.language))

    async def refresh_counts(self, meeting_ids: Iterable[int]) -> None:
        """Show the counts as stored on every reminder of these meetings (after answers went with their author)."""
        for meeting_id in meeting_ids:
            meeting = await self.store.meeting(meeting_id)
            group = await self._group(meeting.group_id) if meeting is not None else None
            if meeting is None or group is None or meeting.cancelled:
                continue
            content = reminder_text(group, meeting, await self.store.rsvp_counts(meeting.id))
            await self._edit_reminders(await self.store.reminders_of(meeting.id), group, content,
                                       view=rsvp_view(meeting.id, group.settings.language))

    async def _edit_reminders(self, reminders: list[Reminder], group: Group, content: str,
                              view: discord.ui.View | None) -> None:
        for reminder in reminders:
            if reminder.message_id is None or reminder.channel_id is None or reminder.offset_minutes == 0:
                continue
            channel = self.bot.get_partial_messageable(reminder.channel_id, guild_id=group.guild_id)
            self._edit_in_background(reminder.id, channel.get_partial_message(reminder.message_id), content, view)

    def _edit_in_background(self, reminder_id: int, message: discord.PartialMessage, content: str,
                            view: discord.ui.View | None) -> None:
        """Edit a reminder, retried through passing faults; a newer edit of it replaces an older one."""
        async def edit(ticket: Ticket) -> None:
            async def call() -> None:
                await message.edit(content=content, view=view, allowed_mentions=NO_MENTIONS)

            try:
                await persist(call, clock=self.bot.clock, until=self.bot.after_real(EDIT_PATIENCE),
                              what=f"reminder {reminder_id}: edit", ticket=ticket)
            except StillFailing as failure:
                if not failure.superseded:
                    log.warning("reminder %d: not updated (%s)", reminder_id, failure)
            except discord.HTTPException as error:
                log.warning("reminder %d: not updated (HTTP %d)", reminder_id, error.status)

        self.bot.lanes.push(("reminder", message.id), edit, replaces=True)

    async def _show_cancelled(self, meeting: Meeting, group: Group) -> None:
        await self._edit_reminders(await self.store.reminders_of(meeting.id), group, cancelled_text(group, meeting),
                                   view=None)

    # ---------------------------------------------------------------- the pass

    async def sweep(self) -> None:
        """Do whatever is due about meetings: the periodic safety net behind the timers."""
        await self.process()

    async def restore(self) -> None:
        """Catch up after a start: what fell due while down (within the grace), and who is in voice now."""
        await self.process()
        now = self.bot.clock.now()
        for meeting in await self.store.counting():
            group = await self._group(meeting.group_id)
            if group is None:
                continue
            here = set(self._in_voice(group))
            counted = set(await self.store.present(meeting.id))
            # Whoever left while the bot was down is counted until now: the bot cannot know better.
            await self.store.depart(meeting.id, counted - here, now)
            await self.store.arrive(meeting.id, here - counted, now)

    async def process(self) -> None:
        """Lay out, create events, send reminders, count attendance: everything due now; then sleep."""
        async with self._lock:
            now = self.bot.clock.now()
            await self._plan(now)
            await self._reminders(now)
            await self._open(now)
            await self._close(now)
            # Last: an event met with faults is retried for a while, and nothing else waits for it.
            await self._events(now)
        await self._arm(now)

    async def _arm(self, now: datetime) -> None:
        at = await self.store.next_due(now)
        if await self.store.to_close(now):
            # A session ran past a meeting's end: look again soon rather than at the next sweep.
            at = min(at or now + OVERRUN_CHECK, now + OVERRUN_CHECK)
        if at is None:
            self.bot.timers.cancel(TIMER_KEY)
        else:
            self.bot.timers.schedule(TIMER_KEY, at, self.process)

    async def _plan(self, now: datetime) -> None:
        for series in await self.store.series_to_plan(now):
            window = plan_window(series.recurrence, series.planned_until, now, self.ahead)
            await self.store.apply_window(series, window, self.offsets)

    async def _events(self, now: datetime) -> None:
        for meeting in await self.store.stale_events():
            group = await self._group(meeting.group_id)
            if group is not None:
                await self._remove_event(meeting, group)
        for meeting in await self.store.claimed_events(now):
            if meeting.id not in self._creating:
                await self._create_event_of(meeting, adopt=True)
        for meeting in await self.store.needing_events(now):
            if await self.store.claim_event(meeting.id):
                await self._create_event_of(meeting, adopt=False)

    async def _create_event_of(self, meeting: Meeting, *, adopt: bool) -> None:
        group = await self._group(meeting.group_id)
        if group is None:
            await self.store.set_event(meeting.id, "none")
            return
        self._creating.add(meeting.id)
        try:
            await self._create_event(meeting, group, adopt=adopt)
        finally:
            self._creating.discard(meeting.id)

    def _event_name(self, group: Group, lang: Lang) -> str:
        """Name a meeting's Discord event, in the group's language."""
        return translator(lang).gettext("{group} · Balint group", group=group.name)[:100]

    async def _existing_event(self, guild: discord.Guild, meeting: Meeting,
                              group: Group) -> discord.ScheduledEvent | None:
        """Find the event an earlier attempt made after all (its answer lost to a fault or a crash)."""
        me = self.bot.user.id if self.bot.user is not None else None
        # In any language: the group's may have changed since the attempt.
        names = {self._event_name(group, lang) for lang in Lang}
        for event in await guild.fetch_scheduled_events(with_counts=False):
            if (event.creator_id == me and event.start_time == meeting.starts_at
                    and event.channel_id == group.voice_channel_id and event.name in names):
                return event
        return None

    async def _create_event(self, meeting: Meeting, group: Group, *, adopt: bool) -> None:
        """Create a meeting's event; `adopt`: an earlier attempt may have made it, so look first."""
        minutes = round((meeting.ends_at - meeting.starts_at).total_seconds() / 60)
        guild = self.bot.get_guild(group.guild_id)
        if guild is None:
            # Not in the cache (unavailable, or just left): like a failed request, tried again later.
            log.warning("meeting %d: event not created (server %d not available); tried again later", meeting.id,
                        group.guild_id)
            await self.store.set_event(meeting.id, "none")
            return
        uncertain = adopt
        t = translator(group.settings.language)

        async def create() -> discord.ScheduledEvent:
            nonlocal uncertain
            if uncertain:
                found = await self._existing_event(guild, meeting, group)
                if found is not None:
                    return found
            # From here a fault leaves it unknown whether Discord made the event: look before trying again.
            uncertain = True
            return await guild.create_scheduled_event(
                name=self._event_name(group, t.lang),
                start_time=meeting.starts_at,
                end_time=meeting.ends_at,
                channel=discord.Object(group.voice_channel_id),
                privacy_level=discord.PrivacyLevel.guild_only,
                entity_type=discord.EntityType.voice,
                description=t.gettext("Balint group meeting, {minutes} minutes. Reminders and RSVP in the group's"
                                      " channel.", minutes=minutes),
                # Translators: the reasons the server's audit log shows for a meeting's event and its removal.
                reason=t.gettext("balint-bot: a scheduled meeting"),
            )

        until = self.bot.after_real(EVENT_PATIENCE)
        try:
            event = await persist(create, clock=self.bot.clock, until=until, what=f"meeting {meeting.id}: event")
        except StillFailing as failure:
            # Left claimed: the next pass looks for it, and creates it only if it is not there.
            log.warning("meeting %d: event not created (%s); tried again later", meeting.id, failure)
            return
        except discord.Forbidden:
            await self.store.set_event(meeting.id, "failed")
            await self.report(
                meeting.series_id, group, "manage_events",
                t.gettext("I cannot add the meetings of {group} to the server's events: I need the Manage Events"
                          " permission. The meetings and their reminders go on.", group=name_of(group)),
            )
        except discord.HTTPException as error:
            log.warning("meeting %d: event not created (HTTP %d); tried again later", meeting.id, error.status)
            await self.store.set_event(meeting.id, "none")
        else:
            await self.store.set_event(meeting.id, "created", event.id)
            fresh = await self.store.meeting(meeting.id)
            if fresh is not None and fresh.cancelled:
                await self._remove_event(fresh, group)  # cancelled while the event was being made

    async def forget_group(self, group: Group) -> None:
        """Remove the group's events from Discord before the group (and its rows) are deleted."""
        for series in await self.store.series_of_group(group.id):
            for meeting in await self.store.meetings_of_series(series.id):
                if meeting.event_state == "created":
                    await self._remove_event(meeting, group)

    async def _remove_event(self, meeting: Meeting, group: Group) -> None:
        if meeting.event_state != "created" or meeting.event_id is None:
            if meeting.event_state == "none":
                await self.store.set_event(meeting.id, "removed")
            return
        guild = self.bot.get_guild(group.guild_id)
        if guild is None:
            return
        event_id = meeting.event_id
        t = translator(group.settings.language)

        async def delete() -> None:
            event = guild.get_scheduled_event(event_id) or await guild.fetch_scheduled_event(event_id)
            await event.delete(reason=t.gettext("balint-bot: the meeting is cancelled"))

        until = self.bot.after_real(EVENT_PATIENCE)
        try:
            await persist(delete, clock=self.bot.clock, until=until, what=f"meeting {meeting.id}: event removal")
        except StillFailing as failure:
            log.warning("meeting %d: event not removed (%s); tried again later", meeting.id, failure)
            return
        except discord.NotFound:
            pass  # removed by hand already (or by an attempt whose answer was lost)
        except discord.Forbidden:
            await self.report(
                meeting.series_id, group, "manage_events",
                t.gettext("I cannot remove cancelled meetings of {group} from the server's events: I need the Manage"
                          " Events permission. Please delete them by hand.", group=name_of(group)),
            )
            await self.store.set_event(meeting.id, "failed")
            return
        except discord.HTTPException as error:
            log.warning("meeting %d: event not removed (HTTP %d); tried again later", meeting.id, error.status)
            return
        await self.store.set_event(meeting.id, "removed")

    async def _reminders(self, now: datetime) -> None:
        for reminder in await self.store.due_reminders(now):
            meeting = await self.store.meeting(reminder.meeting_id)
            if meeting is None:
                continue
            action = ReminderAction.SKIP if meeting.cancelled else reminder_action(
                due=reminder.due_at, start=meeting.starts_at, end=meeting.ends_at,
                offset_minutes=reminder.offset_minutes, now=now, grace=self.grace,
            )
            if action is ReminderAction.WAIT:
                continue
            if action is ReminderAction.SKIP:
                if await self.store.skip_reminder(reminder.id, now) and not meeting.cancelled:
                    log.warning("meeting %d: the reminder due at %s is %s late: skipped, not sent",
                                meeting.id, reminder.due_at.isoformat(), now - reminder.due_at)
                continue
            group = await self._group(meeting.group_id)
            notice = await self._reminder_notice(reminder, meeting, group, now) if group is not None else None
            # Claimed with its notice in one transaction; sent in the background (marked sent there).
            if await self.store.claim_reminder(reminder.id, now, notice) and notice is not None and group is not None:
                self.bot.courier.post(notice, refused=partial(self._cannot_post_reminders, meeting.series_id, group))

    async def _reminder_notice(self, reminder: Reminder, meeting: Meeting, group: Group, now: datetime) -> Notice:
        if reminder.offset_minutes == 0:
            content, view = start_text(group, meeting), None
        else:
            content = reminder_text(group, meeting, await self.store.rsvp_counts(meeting.id))
            view = view_name(RSVP, meeting.id, group.settings.language)
        return Notice(nonce=reminder_nonce(reminder.id), channel_id=group.text_channel_id, guild_id=group.guild_id,
                      content=content, claimed_at=now, view=view, reminder_id=reminder.id)

    async def reminder_refused(self, reminder_id: int) -> None:
        """Tell the leaders, as a first send would, that a reminder sent again after a restart was refused."""
        reminder = await self.store.reminder(reminder_id)
        meeting = None if reminder is None else await self.store.meeting(reminder.meeting_id)
        group = None if meeting is None else await self._group(meeting.group_id)
        if meeting is not None and group is not None:
            await self._cannot_post_reminders(meeting.series_id, group)

    async def _cannot_post_reminders(self, series_id: int, group: Group) -> None:
        if await self.store.claim_report(series_id, "send_messages"):
            await dm_leaders(self.bot, group, translator(group.settings.language).gettext(
                "I cannot post the meeting reminders of {group} in {channel}: I need View Channel and Send Messages"
                " there.", group=group.name, channel=f"<#{group.text_channel_id}>"))

    # ---------------------------------------------------------------- attendance

    def _in_voice(self, group: Group) -> list[int]:
        """Return the people (not bots) in the group's voice channel, from the voice states."""
        guild = self.bot.get_guild(group.guild_id)
        channel = guild.get_channel(group.voice_channel_id) if guild is not None else None
        if guild is None or not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            return []
        people = []
        for user_id in channel.voice_states:
            member = guild.get_member(user_id)
            if member is None or not member.bot:
                people.append(user_id)
        return people

    async def _open(self, now: datetime) -> None:
        for meeting in await self.store.to_open(now):
            if not await self.store.claim_open(meeting.id, now):
                continue
            group = await self._group(meeting.group_id)
            if group is not None and now < meeting.ends_at:
                await self.store.arrive(meeting.id, self._in_voice(group), now)
            await self.store.refresh_next_start(meeting.series_id, now)

    async def _live_session(self, meeting: Meeting) -> bool:
        """Whether a session of the meeting's group that began before its end still runs."""
        return await self.bot.sessions.store.live_session_since(meeting.group_id, meeting.ends_at)

    async def _end_of(self, meeting: Meeting, now: datetime) -> datetime | None:
        """Return when a meeting's attendance ends, or None while it still runs."""
        return attendance_end(meeting, now, live_session=await self._live_session(meeting),
                              overrun_end=await self.bot.sessions.store.overrun_end(meeting.group_id, meeting.ends_at))

    async def _counting_now(self, group: Group, now: datetime) -> Meeting | None:
        """Return the group's meeting whose attendance is being counted now, if any."""
        for meeting in await self.store.begun_not_closed(group.id, now):
            if still_counting(meeting, now, live_session=await self._live_session(meeting)):
                return meeting
        return None

    async def _close(self, now: datetime) -> None:
        for meeting in await self.store.to_close(now):
            end = await self._end_of(meeting, now)
            if end is not None:
                await self.store.close_meeting(meeting.id, end)

    async def on_voice(self, member: discord.Member, before: int | None, after: int | None) -> None:
        """Count a member's time in a group's voice channel while one of its meetings runs."""
        if member.bot or before == after:
            return
        now = self.bot.clock.now()
        for channel_id, arriving in ((before, False), (after, True)):
            if channel_id is None:
                continue
            group = await self.bot.group_store.group_using_channel(member.guild.id, channel_id)
            if group is None or group.voice_channel_id != channel_id:
                continue
            meeting = await self._counting_now(group, now)
            if meeting is None:
                continue
            if arriving:
                await self.store.arrive(meeting.id, [member.id], now)
            else:
                await self.store.depart(meeting.id, [member.id], now)

    # ---------------------------------------------------------------- telling the leaders

    @staticmethod
    def _cancel_notice(group: Group, kind: CancelKind, owner_id: int, now: datetime, content: str) -> Notice:
        return Notice(nonce=cancel_nonce(kind, owner_id), channel_id=group.text_channel_id, guild_id=group.guild_id,
                      content=content, claimed_at=now)

    async def _cannot_post_about(self, series_id: int, group: Group) -> None:
        if await self.store.claim_report(series_id, "send_messages"):
            await dm_leaders(self.bot, group, translator(group.settings.language).gettext(
                "I cannot post about the meetings of {group} in {channel}: I need View Channel and Send Messages"
                " there.", group=group.name, channel=f"<#{group.text_channel_id}>"))

    async def cancel_refused(self, kind: CancelKind, owner_id: int) -> None:
        """Tell the leaders, as a first send would, that a cancellation's notice was refused after a restart."""
        series_id: int | None = owner_id
        if kind is CancelKind.MEETING:
            meeting = await self.store.meeting(owner_id)
            series_id = None if meeting is None else meeting.series_id
        series = None if series_id is None else await self.store.series(series_id)
        group = None if series is None else await self._group(series.group_id)
        if series is not None and group is not None:
            await self._cannot_post_about(series.id, group)

    async def report(self, series_id: int, group: Group, what: str, text: str) -> None:
        """Tell the leaders about a problem, once per series (`text` in the group's language)."""
        await tell_leaders(self.bot, group, what, text, claim=partial(self.store.claim_report, series_id))
