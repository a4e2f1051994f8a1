"""The leaders' debrief: a session's figures, read from the log of its states.

Every change of a session is stored with the instant it was made (`Change`), from its start to
its end. Between two changes the session was in one phase, running or paused, so the time each
phase ran and was paused adds up from the log alone, whatever Back and Next did. An extension
is what a change gave a phase beyond what its clock had left: a pause, a resume or a notice
leaves the time left as it was, +2 min adds two minutes to it, and time-up's +2 min adds two
minutes to none.

Nothing here knows who presented: the figures count the voice channel's people as one number,
everyone alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from bot.core.phases import Phase
from bot.core.session import PhaseClock, SessionState, Status

# Less than this between the time a phase had and the time it has is the rounding of stored
# instants, not an extension (the smallest extension is a minute).
_SLACK_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class Change:
    """A state of the session, stored with the instant it began."""

    at: datetime
    phase_index: int
    status: Status
    deadline: datetime | None = None
    remaining: float | None = None

    @classmethod
    def of(cls, state: SessionState, at: datetime) -> Change:
        """Return the log entry of a state stored at `at`."""
        return cls(at, state.phase_index, state.status, state.deadline, state.remaining)

    def left(self, at: datetime) -> float:
        """Return the seconds the phase has left at `at`, in this state."""
        return PhaseClock.remaining(SessionState(self.phase_index, self.status, self.deadline, self.remaining), at)


@dataclass
class PhaseFigures:
    """One phase as it went: planned minutes, and the time it ran, was paused and was extended."""

    phase: Phase
    reached: bool = False
    ran: timedelta = field(default_factory=timedelta)
    paused: timedelta = field(default_factory=timedelta)
    pauses: int = 0
    extended: timedelta = field(default_factory=timedelta)
    extensions: int = 0


@dataclass(frozen=True)
class Figures:
    """A session's figures for its leaders."""

    phases: tuple[PhaseFigures, ...]
    started_at: datetime
    ended_at: datetime
    # How many people were in the voice channel at some moment (the presenter like anyone).
    in_voice: int
    relays: int

    @property
    def pauses(self) -> int:
        """Return how many times the session was paused."""
        return sum(p.pauses for p in self.phases)

    @property
    def paused(self) -> timedelta:
        """Return how long the session was paused in all."""
        return sum((p.paused for p in self.phases), timedelta())

    @property
    def extensions(self) -> int:
        """Return how many times a phase was given more time."""
        return sum(p.extensions for p in self.phases)

    @property
    def extended(self) -> timedelta:
        """Return how much time the phases were given in all."""
        return sum((p.extended for p in self.phases), timedelta())


def figures(phases: Sequence[Phase], changes: Sequence[Change], *, in_voice: int, relays: int) -> Figures:
    """Add up a session's log (its changes in order, from the start) into its figures."""
    if not changes:
        raise ValueError("a session's log begins with its start")
    each = tuple(PhaseFigures(phase) for phase in phases)
    for before, after in pairwise(changes):
        spent = after.at - before.at
        current = each[before.phase_index]
        if before.status is Status.RUNNING:
            current.ran += spent
        elif before.status is Status.PAUSED:
            current.paused += spent
        if after.status is Status.ENDED or after.phase_index != before.phase_index:
            continue
        if after.status is Status.PAUSED and before.status is Status.RUNNING:
            current.pauses += 1
        given = after.left(after.at) - before.left(after.at)
        if given > _SLACK_SECONDS:
            current.extensions += 1
            current.extended += timedelta(seconds=round(given))
    for change in changes:
        if change.status is not Status.ENDED:
            each[change.phase_index].reached = True
    return Figures(phases=each, started_at=changes[0].at, ended_at=changes[-1].at, in_voice=in_voice,
                   relays=relays)


def whole_minutes(span: timedelta) -> int:
    """Return a span in whole minutes, half a minute and more rounding up."""
    return int(span.total_seconds() / 60 + 0.5)
