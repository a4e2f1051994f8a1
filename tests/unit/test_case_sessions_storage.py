"""A case leaves the queue with the session that presents it, and is presented with its end: one transaction each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.cases import Case, CaseState, NewCase
from bot.core.groups import GroupSettings, NewGroup
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.presence import LeaderRole
from bot.core.session import PhaseClock, Session
from bot.storage import Database, SqliteGroupStore
from bot.storage.cases import SqliteCaseStore
from bot.storage.sessions import CaseNotQueued, SessionAlreadyLive, SqliteSessionStore

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
PHASES = BUILTIN_TEMPLATES["classic"].phases
CLOCK = PhaseClock(PHASES, timedelta(minutes=2))
LEADER, ADA = 100, 500


async def _world(db: Database) -> tuple[int, SqliteCaseStore, SqliteSessionStore]:
    group = await SqliteGroupStore(db).insert_group(NewGroup(
        1, "Alpha", 10, 11, GroupSettings("UTC", "classic"), leader_id=LEADER, created_at=NOW))
    return group.id, SqliteCaseStore(db), SqliteSessionStore(db)


async def _start(sessions: SqliteSessionStore, group_id: int, case: Case) -> Session:
    return await sessions.insert(group_id=group_id, case_id=case.id, template="classic", phases=PHASES,
                                 title=case.title, presenter_id=ADA, anonymous=False, state=CLOCK.start(NOW),
                                 started_at=NOW, leaders={LEADER: LeaderRole.LED})


async def _state(cases: SqliteCaseStore, case: Case) -> CaseState | None:
    found = await cases.case_by_id(case.id)
    return None if found is None else found.state


async def test_the_case_is_presenting_with_its_session_and_presented_with_its_end(db: Database) -> None:
    """No moment exists, for a process to stop at, where the session is stored and its case still queued, or
    the session ended and its case still presenting."""
    group_id, cases, sessions = await _world(db)
    case = await cases.insert_case(NewCase(group_id, "A case", None, False, ADA, None, None))
    session = await _start(sessions, group_id, case)
    assert await _state(cases, case) is CaseState.PRESENTING
    ended = await sessions.save_state(session, CLOCK.end(session.state, NOW + timedelta(minutes=40)),
                                      NOW + timedelta(minutes=40))
    assert ended is not None
    assert await _state(cases, case) is CaseState.PRESENTED


async def test_a_case_taken_or_withdrawn_meanwhile_starts_no_session(db: Database) -> None:
    """The move is conditional: a stale "queued" copy stores nothing at all, neither session nor move."""
    group_id, cases, sessions = await _world(db)
    withdrawn = await cases.insert_case(NewCase(group_id, "Gone", None, False, ADA, None, None))
    assert await cases.move_case(withdrawn.id, CaseState.QUEUED, CaseState.WITHDRAWN)
    with pytest.raises(CaseNotQueued):
        await _start(sessions, group_id, withdrawn)
    assert await sessions.live_for_group(group_id) is None
    assert await _state(cases, withdrawn) is CaseState.WITHDRAWN


async def test_a_second_live_session_leaves_its_case_in_the_queue(db: Database) -> None:
    """The group already runs a session: the refused start rolls back its case's move too."""
    group_id, cases, sessions = await _world(db)
    first = await cases.insert_case(NewCase(group_id, "First", None, False, ADA, None, None))
    second = await cases.insert_case(NewCase(group_id, "Second", None, False, ADA, None, None))
    await _start(sessions, group_id, first)
    with pytest.raises(SessionAlreadyLive):
        await _start(sessions, group_id, second)
    assert await _state(cases, second) is CaseState.QUEUED
