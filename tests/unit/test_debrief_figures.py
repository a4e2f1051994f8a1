"""The debrief's figures from a session's log: checked against a plain model of every control and clock move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.debrief import Change, figures, whole_minutes
from bot.core.errors import Refusal
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.session import ControlAction, Moment, PhaseClock, Status

START = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
PHASES = BUILTIN_TEMPLATES["classic"].phases

ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.integers(min_value=0, max_value=1800)),
        st.tuples(st.sampled_from(["pause", "resume", "next", "back", "notices", "advance"]), st.just(0)),
        st.tuples(st.just("extend"), st.integers(min_value=1, max_value=30)),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(ACTIONS)
def test_the_figures_add_up_to_what_happened(actions: list[tuple[str, int]]) -> None:
    """Per phase, the time run and paused, the pauses and the extensions are exactly what the controls did."""
    clock = PhaseClock(PHASES, timedelta(minutes=2))
    now = START
    state = clock.start(now)
    log = [Change.of(state, now)]
    ran = [0.0] * len(PHASES)
    paused = [0.0] * len(PHASES)
    pauses = [0] * len(PHASES)
    extended = [0] * len(PHASES)
    extensions = [0] * len(PHASES)
    reached = {0}
    for action, amount in actions:
        if action == "wait":
            (ran if state.status is Status.RUNNING else paused)[state.phase_index] += amount
            now += timedelta(seconds=amount)
            continue
        try:
            if action == "notices":
                moment = clock.due(state, now)
                if moment is None:
                    continue
                state = clock.mark(state, moment)
            elif action == "advance":
                if clock.due(state, now) is not Moment.TIME_UP:
                    continue
                state = clock.advance(clock.mark(state, Moment.TIME_UP), now)  # time-up with auto-advance
            elif action == "extend":
                state = clock.extend(state, amount, now)
                extensions[state.phase_index] += 1
                extended[state.phase_index] += amount * 60
            else:
                state = clock.control(ControlAction[action.upper()], state, now)
        except Refusal:
            continue
        if action == "pause":
            pauses[state.phase_index] += 1
        if state.status is not Status.ENDED:
            reached.add(state.phase_index)
        log.append(Change.of(state, now))
        if state.status is Status.ENDED:
            break
    if state.status is not Status.ENDED:
        state = clock.end(state, now)
        log.append(Change.of(state, now))

    result = figures(PHASES, log, in_voice=4, relays=2)
    assert [p.ran.total_seconds() for p in result.phases] == ran
    assert [p.paused.total_seconds() for p in result.phases] == paused
    assert [p.pauses for p in result.phases] == pauses
    assert [p.extensions for p in result.phases] == extensions
    assert [p.extended.total_seconds() for p in result.phases] == extended
    assert {i for i, p in enumerate(result.phases) if p.reached} == reached
    assert (result.ended_at - result.started_at).total_seconds() == sum(ran) + sum(paused)
    assert result.pauses == sum(pauses) and result.extended == timedelta(seconds=sum(extended))
    assert (result.in_voice, result.relays) == (4, 2)


def test_a_session_paused_extended_and_sent_back() -> None:
    """A worked example: 3 min, a 2-minute pause, +2 min, Next, Back, then End."""
    clock = PhaseClock(PHASES, timedelta(minutes=2))
    at = START
    state = clock.start(at)
    log = [Change.of(state, at)]

    def step(minutes: float, change: str, *args: int) -> None:
        nonlocal at, state
        at += timedelta(minutes=minutes)
        state = getattr(clock, change)(state, *args, at) if args else getattr(clock, change)(state, at)
        log.append(Change.of(state, at))

    step(3, "pause")
    step(2, "resume")
    step(0, "extend", 2)
    step(4, "next")
    step(1, "back")
    step(5, "end")
    result = figures(PHASES, log, in_voice=1, relays=0)
    first, second = result.phases[0], result.phases[1]
    assert (whole_minutes(first.ran), whole_minutes(first.paused), first.pauses) == (12, 2, 1)
    assert (first.extensions, whole_minutes(first.extended)) == (1, 2)
    assert (whole_minutes(second.ran), second.pauses, second.extensions) == (1, 0, 0)
    assert [p.reached for p in result.phases] == [True, True, False, False, False, False]
    assert whole_minutes(result.ended_at - result.started_at) == 15


def test_a_log_begins_with_the_start() -> None:
    """No figures from nothing."""
    with pytest.raises(ValueError, match="begins with its start"):
        figures(PHASES, [], in_voice=0, relays=0)


def test_minutes_round_half_up() -> None:
    """29 seconds are 0 minutes, 30 are 1."""
    assert whole_minutes(timedelta(seconds=29)) == 0
    assert whole_minutes(timedelta(seconds=30)) == 1
    assert whole_minutes(timedelta(minutes=24, seconds=40)) == 25
