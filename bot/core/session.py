"""The session state machine: one case through the phases of a template, on an injectable clock.

Everything here is pure: a transition takes a state and the current time and returns the
next state, or refuses. Time left is always computed from a stored deadline (or, while
paused, the stored seconds left), never counted down, so that any process that reads the
state from the database knows exactly where the session is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from bot.core.errors import Refusal
from bot.core.phases import Phase

EXTEND_MIN = 1
EXTEND_MAX = 30


class Status(Enum):
    """Where a session stands."""

    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


class ControlAction(Enum):
    """What a leader can do to a running session, from the panel or a command."""

    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    NEXT = "next"
    BACK = "back"
    END = "end"


class Moment(Enum):
    """A notice due in the current phase."""

    WARNING = "warning"
    TIME_UP = "time-up"


@dataclass(frozen=True)
class SessionState:
    """What is persisted on every change: the phase, and its deadline or the seconds left."""

    phase_index: int
    status: Status
    deadline: datetime | None
    remaining: float | None
    warned: bool = False
    timed_up: bool = False

    def __post_init__(self) -> None:
        if self.status is Status.RUNNING and (self.deadline is None or self.deadline.tzinfo is None):
            raise ValueError("a running session needs an aware deadline")
        if self.status is Status.PAUSED and (self.remaining is None or self.remaining < 0):
            raise ValueError("a paused session needs its seconds left")


class PhaseClock:
    """The transitions of one session's phases, with the warning window before each time-up."""

    def __init__(self, phases: tuple[Phase, ...], warning: timedelta) -> None:
        if not phases:
            raise ValueError("a session needs at least one phase")
        self.phases = phases
        self.warning = warning

    def phase(self, state: SessionState) -> Phase:
        """Return the current phase."""
        return self.phases[state.phase_index]

    def is_last(self, state: SessionState) -> bool:
        """Whether the current phase is the last one."""
        return state.phase_index == len(self.phases) - 1

    def _enter(self, index: int, now: datetime) -> SessionState:
        return SessionState(
            phase_index=index,
            status=Status.RUNNING,
            deadline=now + timedelta(minutes=self.phases[index].minutes),
            remaining=None,
        )

    def start(self, now: datetime) -> SessionState:
        """Begin the first phase."""
        return self._enter(0, now)

    @staticmethod
    def remaining(state: SessionState, now: datetime) -> float:
        """Return the seconds left in the phase, never negative."""
        if state.status is Status.RUNNING:
            assert state.deadline is not None
            return max(0.0, (state.deadline - now).total_seconds())
        if state.status is Status.PAUSED:
            assert state.remaining is not None
            return state.remaining
        return 0.0

    @staticmethod
    def _require_live(state: SessionState) -> None:
        if state.status is Status.ENDED:
            raise Refusal("This session has ended; start a new one with /session start.")

    def pause(self, state: SessionState, now: datetime) -> SessionState:
        """Stop the phase's clock, keeping the seconds left."""
        self._require_live(state)
        if state.status is Status.PAUSED:
            raise Refusal("The session is already paused; press Resume to go on.")
        return replace(state, status=Status.PAUSED, deadline=None, remaining=self.remaining(state, now))

    def resume(self, state: SessionState, now: datetime) -> SessionState:
        """Start the phase's clock again with the seconds it had left."""
        self._require_live(state)
        if state.status is Status.RUNNING:
            raise Refusal("The session is already running; Pause stops its clock.")
        assert state.remaining is not None
        return replace(state, status=Status.RUNNING, deadline=now + timedelta(seconds=state.remaining),
                       remaining=None)

    def extend(self, state: SessionState, minutes: int, now: datetime) -> SessionState:
        """Give the current phase more minutes (from now, if its time was already up)."""
        self._require_live(state)
        if not EXTEND_MIN <= minutes <= EXTEND_MAX:
            raise Refusal("A phase can be extended by {least} to {most} minutes at a time.", least=EXTEND_MIN,
                          most=EXTEND_MAX)
        added = timedelta(minutes=minutes)
        if state.status is Status.RUNNING:
            assert state.deadline is not None
            extended = replace(state, deadline=max(state.deadline, now) + added)
        else:
            assert state.remaining is not None
            extended = replace(state, remaining=state.remaining + added.total_seconds())
        # The time-up is owed again; so is the warning if the phase is now longer than it.
        left = self.remaining(extended, now)
        return replace(extended, timed_up=False,
                       warned=state.warned and left <= self.warning.total_seconds())

    def next(self, state: SessionState, now: datetime) -> SessionState:
        """Move to the next phase, with its full time, running."""
        self._require_live(state)
        if self.is_last(state):
            raise Refusal("This is the last phase; use End to close the session.")
        return self._enter(state.phase_index + 1, now)

    def back(self, state: SessionState, now: datetime) -> SessionState:
        """Go back to the previous phase, with its full time, running."""
        self._require_live(state)
        if state.phase_index == 0:
            raise Refusal("This is the first phase; there is nothing to go back to.")
        return self._enter(state.phase_index - 1, now)

    def end(self, state: SessionState, now: datetime) -> SessionState:
        """Close the session."""
        self._require_live(state)
        return replace(state, status=Status.ENDED, deadline=None, remaining=None)

    def advance(self, state: SessionState, now: datetime) -> SessionState:
        """Move on as time-up does with auto-advance: to the next phase, or close after the last."""
        return self.end(state, now) if self.is_last(state) else self.next(state, now)

    def control(self, action: ControlAction, state: SessionState, now: datetime, *,
                minutes: int | None = None) -> SessionState:
        """Apply a leader's control; `minutes` is what EXTEND adds."""
        if action is ControlAction.PAUSE:
            return self.pause(state, now)
        if action is ControlAction.RESUME:
            return self.resume(state, now)
        if action is ControlAction.EXTEND:
            return self.extend(state, minutes or 0, now)
        if action is ControlAction.NEXT:
            return self.next(state, now)
        if action is ControlAction.BACK:
            return self.back(state, now)
        return self.end(state, now)

    def _warns(self, state: SessionState) -> bool:
        # A phase no longer than the warning window gets no warning: it would come at its start.
        # Nor does an opening: a few minutes of gathering that the leader ends when the group is
        # there, where "2 minutes left" would only be one more message before the case begins.
        phase = self.phase(state)
        return (self.warning > timedelta(0) and not phase.opening
                and timedelta(minutes=phase.minutes) > self.warning)

    def due(self, state: SessionState, now: datetime) -> Moment | None:
        """Return the notice owed now, if any (at most one: a late warning gives way to time-up)."""
        if state.status is not Status.RUNNING:
            return None
        left = self.remaining(state, now)
        if left <= 0 and not state.timed_up:
            return Moment.TIME_UP
        if not state.warned and not state.timed_up and self._warns(state) and left <= self.warning.total_seconds():
            return Moment.WARNING
        return None

    @staticmethod
    def mark(state: SessionState, moment: Moment) -> SessionState:
        """Record that a notice was sent (a time-up also settles the warning)."""
        if moment is Moment.TIME_UP:
            return replace(state, timed_up=True, warned=True)
        return replace(state, warned=True)

    def next_wakeup(self, state: SessionState) -> datetime | None:
        """Return when the next notice falls due, or None if nothing more is owed in this phase."""
        if state.status is not Status.RUNNING:
            return None
        assert state.deadline is not None
        if not state.warned and not state.timed_up and self._warns(state):
            return state.deadline - self.warning
        if not state.timed_up:
            return state.deadline
        return None


@dataclass(frozen=True)
class Session:
    """One case worked through the phases of a template, as stored."""

    id: int
    group_id: int
    # The case worked on; None once its material is purged, or for a session started without one.
    case_id: int | None
    template: str
    # A copy of the template's phases: a template edited in config while a session runs,
    # or a bot restarted with another config, never changes a session under way.
    phases: tuple[Phase, ...]
    title: str | None
    # Set only for a presenter who is not anonymous: needed to mute them in the push-back.
    presenter_id: int | None
    anonymous: bool
    state: SessionState
    version: int
    panel_channel_id: int | None
    panel_message_id: int | None
    reported: frozenset[str]
    started_at: datetime

    @property
    def current_phase(self) -> Phase:
        """Return the phase the session is in (the last one it was in, once ended)."""
        return self.phases[self.state.phase_index]
