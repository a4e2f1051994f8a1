"""A database of many groups, running sessions and scheduled meetings, written directly, fast.

The rows are what the bot itself would have stored (the schema of bot/storage/migrations.py,
instants through bot/storage/instants.py, phases as bot/storage/sessions.py writes them), as
of one instant `now`: every session is running, started at a time spread evenly over the last
45 minutes (so their notices fall due evenly over time, as many groups meeting at their own
hours make them), with auto-advance on; every notice owed before `now` was sent.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from stand_in import Server

from bot.core.phases import BUILTIN_TEMPLATES, Template
from bot.storage import Database
from bot.storage.instants import to_text
from bot.storage.sessions import _phases_json

TEMPLATE: Template = BUILTIN_TEMPLATES["classic"]
WARNING = timedelta(minutes=2)
GUILD_BASE = 1_200_000_000_000_000_000
CHANNEL_BASE = 1_210_000_000_000_000_000
USER_BASE = 1_220_000_000_000_000_000
MESSAGE_BASE = 1_230_000_000_000_000_000
EVENT_BASE = 1_240_000_000_000_000_000
MEMBERS = 5


@dataclass(frozen=True)
class Due:
    """A notice a session owes after `now`: what it is and when."""

    session_id: int
    kind: str  # "warning", "time-up", "phase" (the new phase's guidance), "closing"
    phase: int
    at: datetime


@dataclass(frozen=True)
class Planned:
    """One running session as written: where it posts and when its phases end."""

    session_id: int
    group_id: int
    guild_id: int
    text_channel_id: int
    voice_channel_id: int
    presenter_id: int
    started_at: datetime
    ends: tuple[datetime, ...]  # each phase's end

    def phase_at(self, now: datetime) -> int:
        """Return the phase running at an instant."""
        return next(n for n, end in enumerate(self.ends) if now < end)

    def owed_after(self, now: datetime) -> list[Due]:
        """Return every notice due after `now`, in order (auto-advance on)."""
        owed: list[Due] = []
        last = len(self.ends) - 1
        for n, end in enumerate(self.ends):
            if end <= now:
                continue
            if warned(n) and end - WARNING > now:
                owed.append(Due(self.session_id, "warning", n, end - WARNING))
            owed.append(Due(self.session_id, "time-up", n, end))
            owed.append(Due(self.session_id, "closing", n, end) if n == last else
                        Due(self.session_id, "phase", n + 1, end))
        return owed


def warned(n: int) -> bool:
    """Whether the template's phase n gets a warning, as PhaseClock._warns says: longer than it, not an opening."""
    phase = TEMPLATE.phases[n]
    return not phase.opening and phase.minutes * 60 > WARNING.total_seconds()


def group_channels(group: int) -> tuple[int, int]:
    """Return a group's text and voice channels."""
    return CHANNEL_BASE + 2 * group, CHANNEL_BASE + 2 * group + 1


def servers(plans: list[Planned], groups: int) -> list[Server]:
    """Return the servers to cache: one per group, its leader and members, the presenters in voice."""
    presenting = {p.group_id: p for p in plans}
    found = []
    for g in range(1, groups + 1):
        people = tuple(USER_BASE + g * 10 + k for k in range(MEMBERS + 1))
        plan = presenting.get(g)
        in_voice = {plan.presenter_id: plan.voice_channel_id} if plan is not None else {}
        found.append(Server(GUILD_BASE + g, (group_channels(g),), people, in_voice))
    return found


def _ends(started: datetime) -> tuple[datetime, ...]:
    ends, at = [], started
    for phase in TEMPLATE.phases:
        at += timedelta(minutes=phase.minutes)
        ends.append(at)
    return tuple(ends)


def plan_sessions(count: int, now: datetime, seed: int = 9) -> list[Planned]:
    """Plan `count` sessions, one per group (groups 1..count), started evenly over the template's length."""
    rng = random.Random(seed)
    length = TEMPLATE.total_minutes * 60
    plans = []
    for n in range(count):
        # Evenly spread, jittered, so that no two sessions owe a notice at the very same instant.
        started = now - timedelta(seconds=(n + rng.random()) * length / count)
        group = n + 1
        text, voice = group_channels(group)
        plans.append(Planned(n + 1, group, GUILD_BASE + group, text, voice, USER_BASE + group * 10 + 1, started,
                             _ends(started)))
    return plans


async def _migrate(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


async def write(path: Path, now: datetime, plans: list[Planned], *, groups: int, meetings_per_group: int = 0,
                ended_per_group: int = 0, presenters: bool = True) -> None:
    """Write the groups, the running sessions of `plans`, past sessions and coming meetings, as of `now`."""
    await _migrate(path)
    t = to_text
    phases = _phases_json(TEMPLATE.phases)
    created = t(now - timedelta(days=60))
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO groups (id, guild_id, name, name_key, text_channel_id, voice_channel_id, timezone, template,"
            " auto_advance, pushback, retention_hours, created_at, language)"
            " VALUES (?, ?, ?, ?, ?, ?, 'Europe/Paris', 'classic', 1, 'mute', 0, ?, 'en')",
            [(g, GUILD_BASE + g, f"Group {g}", f"group {g}", *group_channels(g), created)
             for g in range(1, groups + 1)],
        )
        conn.executemany("INSERT INTO leaders (group_id, user_id, added_at) VALUES (?, ?, ?)",
                         [(g, USER_BASE + g * 10, created) for g in range(1, groups + 1)])
        conn.executemany("INSERT INTO members (group_id, user_id, agreed_at) VALUES (?, ?, ?)",
                         [(g, USER_BASE + g * 10 + k, created) for g in range(1, groups + 1)
                          for k in range(1, MEMBERS + 1)])
        rows = []
        mutes = []
        for p in plans:
            k = p.phase_at(now)
            end = p.ends[k]
            warned = end - now <= WARNING
            presenter = p.presenter_id if presenters else None
            rows.append((p.session_id, p.group_id, phases, f"Case {p.session_id}", presenter, k, t(end), int(warned),
                         2 * k + int(warned), p.text_channel_id, MESSAGE_BASE + p.session_id, t(p.started_at)))
            if presenter is not None and TEMPLATE.phases[k].pushback:
                mutes.append((p.guild_id, presenter, p.session_id, t(p.ends[k - 1])))
        conn.executemany(
            "INSERT INTO sessions (id, group_id, template, phases, title, presenter_id, status, phase_index,"
            " deadline, warned, timed_up, version, panel_channel_id, panel_message_id, started_at)"
            " VALUES (?, ?, 'classic', ?, ?, ?, 'running', ?, ?, ?, 0, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany("INSERT INTO voice_mutes (guild_id, user_id, session_id, muted_at) VALUES (?, ?, ?, ?)",
                         mutes)
        # The voice roll the stopped process kept: the presenter, in voice since the start (as `servers` caches
        # them). Without it every restore would find each of them newly arrived and write it down.
        conn.executemany("INSERT INTO session_presence (session_id, user_id, joined_at) VALUES (?, ?, ?)",
                         [(p.session_id, p.presenter_id, t(p.started_at)) for p in plans if presenters])
        conn.executemany(
            "INSERT INTO session_messages (message_id, channel_id, guild_id, session_id, posted_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(MESSAGE_BASE + p.session_id, p.text_channel_id, p.guild_id, p.session_id, t(p.started_at))
             for p in plans],
        )
        # Past sessions, over with nothing left to purge: the history a group builds up.
        past = []
        for g in range(1, groups + 1):
            for n in range(ended_per_group):
                started = now - timedelta(days=7 * (n + 1))
                past.append((g, phases, len(TEMPLATE.phases) - 1, 2 * len(TEMPLATE.phases), t(started),
                             t(started + timedelta(minutes=TEMPLATE.total_minutes))))
        conn.executemany(
            "INSERT INTO sessions (group_id, template, phases, status, phase_index, version, started_at, ended_at)"
            " VALUES (?, 'classic', ?, 'ended', ?, ?, ?, ?)",
            past,
        )
        _meetings(conn, now, groups, meetings_per_group)


def _meetings(conn: sqlite3.Connection, now: datetime, groups: int, per_group: int) -> None:
    """Write single meetings over the coming two weeks, each with its event made and its reminders to come."""
    t = to_text
    series, meetings, reminders = [], [], []
    number = 0
    for g in range(1, groups + 1):
        for k in range(per_group):
            number += 1
            # Between one and fourteen days ahead, on the hour, so that every reminder is still to come.
            start = (now + timedelta(days=1 + (13 * k) / max(1, per_group), hours=2)).replace(minute=0, second=0,
                                                                                              microsecond=0)
            series.append((number, g, f"bench-{number}@balint-bot", start.replace(tzinfo=None).isoformat(), t(start),
                           t(start), USER_BASE + g * 10, t(now - timedelta(days=1))))
            meetings.append((number, number, t(start), t(start + timedelta(minutes=90)), EVENT_BASE + number))
            for offset in (24 * 60, 15, 0):
                reminders.append((number, offset, t(start - timedelta(minutes=offset))))
    conn.executemany(
        "INSERT INTO meeting_series (id, group_id, uid, rrule, local_start, timezone, duration_minutes, planned_until,"
        " replan_at, next_start, created_by, created_at) VALUES (?, ?, ?, NULL, ?, 'UTC', 90, ?, NULL, ?, ?, ?)",
        series,
    )
    conn.executemany(
        "INSERT INTO meetings (id, series_id, starts_at, ends_at, event_state, event_id)"
        " VALUES (?, ?, ?, ?, 'created', ?)",
        meetings,
    )
    conn.executemany("INSERT INTO meeting_reminders (meeting_id, offset_minutes, due_at) VALUES (?, ?, ?)",
                     reminders)
