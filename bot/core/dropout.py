"""The dropout protocol: whom a group waits for when they leave its voice channel, and what is due when.

Online groups keep a rule of their own: when someone the session cannot go on without loses
the connection, the group waits a little, and then for them. Two people count: the presenter
when named (an anonymous presenter has no id on the session, so the bot cannot tell them from
anyone, and never shows their comings and goings), and the last leader in voice. The leader who
started the session leaving while a co-leader is still in voice is no dropout (the co-leader has
the controls), but that co-leader is told privately.

A wait is stored as who left and since when; the rules below decide, from that and from what is
true now (who is in voice, the session's status, the group's setting), what the end of the grace
brings and what the return brings. Nothing here remembers a timer: the database is the truth, so
a wait rebuilt after a restart comes to the same verdict at the same instant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot.core.groups import Dropout
from bot.core.session import Status

DEFAULT_GRACE_SECONDS = 60
GRACE_MAX_SECONDS = 600


@dataclass(frozen=True, slots=True)
class Wait:
    """Someone who left the group's voice channel during a session: who, since when, and whether the group was told."""

    id: int
    session_id: int
    user_id: int
    left_at: datetime
    announced_at: datetime | None = None

    def due_at(self, grace: timedelta) -> datetime:
        """Return when the grace is over and the wait comes to a verdict."""
        return self.left_at + grace


@dataclass(frozen=True)
class Situation:
    """What the rules look at, as it is now."""

    # The session's presenter, only when named: an anonymous presenter is nobody to these rules.
    presenter_id: int | None
    # Who started the session (its leader); None if not known.
    led_by: int | None
    # The group's leaders and co-leaders now: any of them in voice holds the controls.
    leader_ids: frozenset[int]
    in_voice: frozenset[int]
    status: Status
    mode: Dropout

    @classmethod
    def of(cls, *, presenter_id: int | None, anonymous: bool, led_by: int | None, leader_ids: Iterable[int],
           in_voice: Iterable[int], status: Status, mode: Dropout) -> Situation:
        """Build the situation of a session; an anonymous session's presenter is never looked at."""
        return cls(presenter_id=None if anonymous else presenter_id, led_by=led_by, leader_ids=frozenset(leader_ids),
                   in_voice=frozenset(in_voice), status=status, mode=mode)

    def leaders_in_voice(self, *, besides: int) -> frozenset[int]:
        """Return the leaders in voice other than someone."""
        return (self.leader_ids & self.in_voice) - {besides}


def may_count(user_id: int, situation: Situation) -> bool:
    """Whether someone leaving voice starts a wait: the named presenter or a leader, in a live session, unless off.

    Whether a leader is the last one in voice is settled at the end of the grace, when it matters:
    a co-leader may leave, or come, meanwhile.
    """
    if situation.mode is Dropout.OFF or situation.status is Status.ENDED:
        return False
    return user_id == situation.presenter_id or user_id in situation.leader_ids


class Verdict(Enum):
    """What a wait comes to."""

    # The grace is not over yet: look again at its end.
    NOT_YET = "not yet"
    # The group was told already: keep the wait, for the notice of the return.
    AWAITED = "awaited"
    # They do not count (any more): forget the wait.
    NOTHING = "nothing"
    # Pause the session and tell the group it waits for them.
    PAUSE = "pause"
    # Tell the group it waits for them (the setting says so, or the session is paused already).
    NOTIFY = "notify"
    # The session's leader dropped while co-leaders are in voice: tell those privately.
    TELL_COLEADERS = "tell co-leaders"


@dataclass(frozen=True)
class Ruling:
    """A verdict, and whom it concerns privately (the co-leaders to tell)."""

    verdict: Verdict
    tell: frozenset[int] = frozenset()


def rule(wait: Wait, now: datetime, grace: timedelta, situation: Situation) -> Ruling:
    """Decide what a wait comes to now: never before the end of its grace, and once only (then it is awaited)."""
    if wait.announced_at is not None:
        return Ruling(Verdict.AWAITED)
    if now < wait.due_at(grace):
        return Ruling(Verdict.NOT_YET)
    user = wait.user_id
    if situation.mode is Dropout.OFF or situation.status is Status.ENDED or user in situation.in_voice:
        return Ruling(Verdict.NOTHING)
    others = situation.leaders_in_voice(besides=user)
    if user == situation.presenter_id or (user in situation.leader_ids and not others):
        if situation.mode is Dropout.PAUSE and situation.status is Status.RUNNING:
            return Ruling(Verdict.PAUSE)
        return Ruling(Verdict.NOTIFY)
    if user == situation.led_by and others:
        return Ruling(Verdict.TELL_COLEADERS, others)
    return Ruling(Verdict.NOTHING)


class Return(Enum):
    """What someone's coming back to voice brings."""

    # The group was never told: nothing to say.
    QUIET = "quiet"
    # The group is told they are back.
    BACK = "back"
    # The group is told they are back, and that the leader can resume: nobody else is awaited.
    BACK_RESUME = "back, resume"


def on_return(wait: Wait, *, status: Status, still_awaited: int) -> Return:
    """Decide what a return brings; `still_awaited`: how many others the group was told it waits for, still gone."""
    if wait.announced_at is None or status is Status.ENDED:
        return Return.QUIET
    if status is Status.PAUSED and still_awaited == 0:
        return Return.BACK_RESUME
    return Return.BACK
