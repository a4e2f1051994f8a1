"""Records for accreditation: what one person attended, led, co-led and presented in a group, from what the bot saw.

The rules, in one place:

- Only ended sessions count.
- A session is *attended* by whoever was in the group's voice channel for at least
  `min_percent` of its real length (start to end, pauses included: the group sat together),
  overlapping stays counted once.
- Its *hours* are the real lengths of the sessions attended: what a CME certificate counts is
  the sessions one took part in, and a member who dropped out of voice for a few minutes still
  took part. The minutes in voice are kept beside them, per session, in the CSV.
- A leader *led* or *co-led* a session (as `bot.core.presence.leader_roles` recorded it) only
  if they attended it: a co-leader of the group who was not there did not co-lead it. Every
  session led or co-led is also a session attended.
- A *case presented* counts for a named presenter in every view; an anonymous presentation
  only in the presenter's own, recognised through the seal by the caller (`anonymous`): no
  other view, no count shown to anyone else, ever includes it.
- The *first and last dates* are those of the sessions attended, in the group's timezone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from bot.core.cases import AuthorSeal
from bot.core.presence import LeaderRole, Stay, time_in

ATTENDANCE_MIN_PERCENT = 50
_MICROSECOND = timedelta(microseconds=1)


class Presented(Enum):
    """How the person presented the session's case: under their name, or anonymously."""

    NAMED = "named"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class SessionFacts:
    """What the bot saw of one ended session: ids and instants only, nothing of the case."""

    session_id: int
    group_id: int
    started_at: datetime
    ended_at: datetime
    stays: tuple[Stay, ...] = ()
    leaders: Mapping[int, LeaderRole] = field(default_factory=dict)
    # Only a named presenter: an anonymous one is never in the facts.
    presenter_id: int | None = None

    @property
    def length(self) -> timedelta:
        """The session's real length, start to end."""
        return max(self.ended_at - self.started_at, timedelta())


def attended(facts: SessionFacts, user_id: int, min_percent: int) -> bool:
    """Whether the user was in voice for at least `min_percent` of the session (and at all)."""
    present = time_in(facts.stays, user_id, facts.started_at, facts.ended_at)
    # In whole microseconds: a float would make 50 % of an odd length fall either side.
    return present > timedelta() and present // _MICROSECOND * 100 >= facts.length // _MICROSECOND * min_percent


@dataclass(frozen=True)
class Involvement:
    """One session of a person's record: their time in voice, and what counted."""

    facts: SessionFacts
    in_voice: timedelta
    attended: bool
    role: LeaderRole | None = None
    presented: Presented | None = None


@dataclass(frozen=True)
class GroupRecord:
    """One person's record in one group."""

    group_id: int
    entries: tuple[Involvement, ...] = ()
    # Whether they attended each ended session of the group, in order: what "6 of 8" reads.
    held: tuple[bool, ...] = ()
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    @property
    def attended(self) -> int:
        """Sessions attended."""
        return sum(1 for e in self.entries if e.attended)

    @property
    def led(self) -> int:
        """Sessions led (and attended)."""
        return sum(1 for e in self.entries if e.role is LeaderRole.LED)

    @property
    def coled(self) -> int:
        """Sessions co-led (and attended)."""
        return sum(1 for e in self.entries if e.role is LeaderRole.COLED)

    @property
    def time(self) -> timedelta:
        """The real lengths of the sessions attended, added up."""
        return sum((e.facts.length for e in self.entries if e.attended), timedelta())

    @property
    def hours(self) -> float:
        """The same, in hours."""
        return self.time / timedelta(hours=1)

    @property
    def presented(self) -> int:
        """Cases presented that this view may show: named ones, and anonymous ones in the presenter's own view."""
        return sum(1 for e in self.entries if e.presented is not None)

    @property
    def presented_anonymously(self) -> int:
        """Of those, the anonymous ones (only ever non-zero in the presenter's own view)."""
        return sum(1 for e in self.entries if e.presented is Presented.ANONYMOUS)

    def local_day(self, instant: datetime) -> date:
        """Return the day an instant falls on in the group's timezone."""
        return instant.astimezone(self.zone).date()

    @property
    def first(self) -> date | None:
        """The day of the first session attended, in the group's timezone."""
        days = [self.local_day(e.facts.started_at) for e in self.entries if e.attended]
        return min(days) if days else None

    @property
    def last(self) -> date | None:
        """The day of the last session attended, in the group's timezone."""
        days = [self.local_day(e.facts.started_at) for e in self.entries if e.attended]
        return max(days) if days else None

    @property
    def is_empty(self) -> bool:
        """Whether nothing at all counts for the person in this group."""
        return not self.entries


def count_record(user_id: int, group_id: int, sessions: Iterable[SessionFacts], zone: ZoneInfo, *,
                 min_percent: int = ATTENDANCE_MIN_PERCENT, anonymous: Collection[int] = ()) -> GroupRecord:
    """Count one person's record in one group from its ended sessions (in any order).

    `anonymous`: the sessions this person presented anonymously, recognised through the seal;
    give it only for their own view. Sessions of other groups are left out.
    """
    ordered = sorted((s for s in sessions if s.group_id == group_id), key=lambda s: (s.started_at, s.session_id))
    entries: list[Involvement] = []
    held: list[bool] = []
    for facts in ordered:
        present = time_in(facts.stays, user_id, facts.started_at, facts.ended_at)
        sat = attended(facts, user_id, min_percent)
        held.append(sat)
        role = facts.leaders.get(user_id) if sat else None
        presented = (Presented.NAMED if facts.presenter_id == user_id
                     else Presented.ANONYMOUS if facts.session_id in anonymous else None)
        if present > timedelta() or presented is not None:
            entries.append(Involvement(facts, present, sat, role, presented))
    return GroupRecord(group_id, tuple(entries), tuple(held), zone)


def people_in(sessions: Iterable[SessionFacts]) -> frozenset[int]:
    """Everyone a record could count something for in these sessions: in voice, leading, or named presenter."""
    found: set[int] = set()
    for facts in sessions:
        found |= {stay.user_id for stay in facts.stays}
        found |= set(facts.leaders)
        if facts.presenter_id is not None:
            found.add(facts.presenter_id)
    return frozenset(found)


def records_of_group(group_id: int, sessions: Sequence[SessionFacts], zone: ZoneInfo, people: Iterable[int], *,
                     min_percent: int = ATTENDANCE_MIN_PERCENT) -> dict[int, GroupRecord]:
    """Count the records of several people in one group, as a leader sees them (no anonymous presentation)."""
    return {user_id: count_record(user_id, group_id, sessions, zone, min_percent=min_percent)
            for user_id in sorted(set(people) | people_in(sessions))}


@dataclass(frozen=True)
class SealedSession:
    """An ended session of an anonymous case, with the seal of its presenter that it keeps."""

    session_id: int
    group_id: int
    nonce: bytes
    tag: bytes


def presented_by(seal: AuthorSeal, sealed: Iterable[SealedSession], user_id: int) -> frozenset[int]:
    """Return the sessions this user presented anonymously, recognised through their seals (for them only)."""
    return frozenset(s.session_id for s in sealed if seal.matches(s.nonce, s.tag, user_id))
