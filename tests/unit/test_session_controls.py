"""The leaders' controls and the auto-advance rule, in the core."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.errors import Refusal
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.session import ControlAction, PhaseClock, Status

NOW = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
PHASES = BUILTIN_TEMPLATES["classic"].phases


def clock() -> PhaseClock:
    return PhaseClock(PHASES, timedelta(minutes=2))


def test_advance_moves_on_and_closes_after_the_last_phase() -> None:
    c = clock()
    state = c.start(NOW)
    for index in range(1, len(PHASES)):
        state = c.advance(state, NOW)
        assert (state.phase_index, state.status) == (index, Status.RUNNING)
        assert state.deadline == NOW + timedelta(minutes=PHASES[index].minutes)
    ended = c.advance(state, NOW)
    assert ended.status is Status.ENDED and ended.phase_index == len(PHASES) - 1
    with pytest.raises(Refusal, match="has ended"):
        c.advance(ended, NOW)


@pytest.mark.parametrize("action", list(ControlAction))
def test_control_is_the_named_transition(action: ControlAction) -> None:
    c = clock()
    running = c.next(c.start(NOW), NOW)
    state = c.pause(running, NOW) if action is ControlAction.RESUME else running
    later = NOW + timedelta(seconds=30)
    expected = {
        ControlAction.PAUSE: lambda: c.pause(state, later),
        ControlAction.RESUME: lambda: c.resume(state, later),
        ControlAction.EXTEND: lambda: c.extend(state, 3, later),
        ControlAction.NEXT: lambda: c.next(state, later),
        ControlAction.BACK: lambda: c.back(state, later),
        ControlAction.END: lambda: c.end(state, later),
    }[action]()
    assert c.control(action, state, later, minutes=3) == expected


def test_extend_without_minutes_is_refused() -> None:
    c = clock()
    with pytest.raises(Refusal, match="1 to 30 minutes"):
        c.control(ControlAction.EXTEND, c.start(NOW), NOW)


def test_action_values_are_the_panel_ids() -> None:
    # The values are written into buttons already posted: changing one breaks old panels.
    assert [a.value for a in ControlAction] == ["pause", "resume", "extend", "next", "back", "end"]
