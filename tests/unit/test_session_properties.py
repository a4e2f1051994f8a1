"""Property tests: no sequence of controls and clock moves breaks the session's time or order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from bot.core.errors import Refusal
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.session import Moment, PhaseClock, SessionState, Status

START = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


class SessionMachine(RuleBasedStateMachine):
    """Drive a PhaseClock against a plain model: a phase budget and the running time spent in it."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = PhaseClock(BUILTIN_TEMPLATES["psychodrama"].phases, timedelta(minutes=2))
        self.now = START
        self.state = self.clock.start(self.now)
        self.index = 0
        self.budget = self.clock.phases[0].minutes * 60.0
        self.spent = 0.0
        self.visit = 0
        self.notices: set[tuple[int, Moment]] = set()

    def _enter(self, index: int) -> None:
        self.visit += 1
        self.index = index
        self.budget = self.clock.phases[index].minutes * 60.0
        self.spent = 0.0

    @rule(seconds=st.integers(min_value=0, max_value=3600))
    def time_passes(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)
        if self.state.status is Status.RUNNING:
            self.spent += seconds

    @rule()
    def notices_are_sent(self) -> None:
        moment = self.clock.due(self.state, self.now)
        while moment is not None:
            left = self.budget - self.spent
            if moment is Moment.TIME_UP:
                assert left <= 0
            else:
                assert 0 < left <= 120
            assert (self.visit, moment) not in self.notices, "a notice came twice"
            self.notices.add((self.visit, moment))
            self.state = self.clock.mark(self.state, moment)
            moment = self.clock.due(self.state, self.now)

    @precondition(lambda self: self.state.status is Status.RUNNING)
    @rule()
    def pause(self) -> None:
        self.state = self.clock.pause(self.state, self.now)

    @precondition(lambda self: self.state.status is Status.PAUSED)
    @rule()
    def resume(self) -> None:
        self.state = self.clock.resume(self.state, self.now)

    @precondition(lambda self: self.state.status is not Status.ENDED)
    @rule(minutes=st.integers(min_value=-5, max_value=40))
    def extend(self, minutes: int) -> None:
        try:
            self.state = self.clock.extend(self.state, minutes, self.now)
        except Refusal:
            assert not 1 <= minutes <= 30
            return
        assert 1 <= minutes <= 30
        self.budget = max(self.budget, self.spent) + minutes * 60
        # An extension owes the time-up again (and the warning, if the phase is long enough now).
        self.notices = {(v, m) for v, m in self.notices if v != self.visit or
                        (m is Moment.WARNING and self.budget - self.spent <= 120)}

    @precondition(lambda self: self.state.status is not Status.ENDED)
    @rule()
    def next(self) -> None:
        try:
            self.state = self.clock.next(self.state, self.now)
        except Refusal:
            assert self.index == len(self.clock.phases) - 1
            return
        self._enter(self.index + 1)

    @precondition(lambda self: self.state.status is not Status.ENDED)
    @rule()
    def back(self) -> None:
        try:
            self.state = self.clock.back(self.state, self.now)
        except Refusal:
            assert self.index == 0
            return
        self._enter(self.index - 1)

    @precondition(lambda self: self.state.status is not Status.ENDED)
    @rule()
    def end(self) -> None:
        self.state = self.clock.end(self.state, self.now)

    @precondition(lambda self: self.state.status is Status.ENDED)
    @rule(action=st.sampled_from(["pause", "resume", "next", "back", "end"]))
    def ended_refuses_everything(self, action: str) -> None:
        try:
            getattr(self.clock, action)(self.state, self.now)
        except Refusal:
            return
        raise AssertionError(f"{action} was accepted after the end")

    @invariant()
    def remaining_is_never_negative(self) -> None:
        assert self.clock.remaining(self.state, self.now) >= 0

    @invariant()
    def phase_moves_only_one_step_at_a_time(self) -> None:
        assert self.state.phase_index == self.index

    @invariant()
    def no_time_is_lost_or_gained(self) -> None:
        if self.state.status is not Status.ENDED:
            expected = max(0.0, self.budget - self.spent)
            assert abs(self.clock.remaining(self.state, self.now) - expected) < 1e-6

    @invariant()
    def the_next_wakeup_is_when_a_notice_falls_due(self) -> None:
        wake = self.clock.next_wakeup(self.state)
        if self.state.status is not Status.RUNNING:
            assert wake is None
        elif wake is not None and self.clock.due(self.state, self.now) is None:
            assert wake > self.now
            assert self.clock.due(self.state, wake) is not None

    @invariant()
    def a_stored_state_round_trips(self) -> None:
        copy = SessionState(self.state.phase_index, self.state.status, self.state.deadline,
                            self.state.remaining, self.state.warned, self.state.timed_up)
        assert copy == self.state


TestSessionMachine = SessionMachine.TestCase
TestSessionMachine.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


def test_a_time_up_is_owed_once_until_extended() -> None:
    """Marking a time-up settles the phase; extending owes it again."""
    clock = PhaseClock(BUILTIN_TEMPLATES["classic"].phases, timedelta(minutes=2))
    state = clock.start(START)
    late = START + timedelta(minutes=6)
    assert clock.due(state, late) is Moment.TIME_UP
    state = clock.mark(state, Moment.TIME_UP)
    assert clock.due(state, late) is None and clock.next_wakeup(state) is None
    state = clock.extend(state, 1, late)
    assert clock.next_wakeup(state) == late + timedelta(minutes=1)
    assert clock.due(state, late + timedelta(minutes=1)) is Moment.TIME_UP


def test_a_short_phase_gets_no_warning() -> None:
    """A phase no longer than the warning window is not warned about at its start."""
    clock = PhaseClock(BUILTIN_TEMPLATES["classic"].phases, timedelta(minutes=5))
    state = clock.start(START)
    first = clock.phases[0]
    assert first.opening and first.minutes <= 5, "the opening: no longer than the window"
    assert clock.due(state, START) is None
    assert clock.next_wakeup(state) == START + timedelta(minutes=first.minutes)
