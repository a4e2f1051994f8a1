"""Dropout waits and the debrief's records in the database: one transaction with the change they bring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.groups import GroupSettings, NewGroup
from bot.core.notices import DebriefKind, DropoutKind, Notice, debrief_nonce, dropout_nonce
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.presence import LeaderRole
from bot.core.session import PhaseClock, Session, Status
from bot.storage import Database, SqliteGroupStore
from bot.storage.debriefs import SqliteDebriefStore
from bot.storage.dropouts import SqliteDropoutStore, WaitSettled
from bot.storage.outbox import SqliteOutbox
from bot.storage.sessions import SqliteSessionStore

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
PHASES = BUILTIN_TEMPLATES["classic"].phases
CLOCK = PhaseClock(PHASES, timedelta(minutes=2))
GUILD, TEXT, LEADER, PRESENTER = 1, 10, 100, 500


async def _session(db: Database) -> tuple[SqliteSessionStore, Session]:
    group = await SqliteGroupStore(db).insert_group(NewGroup(
        GUILD, "Alpha", TEXT, 11, GroupSettings("UTC", "classic"), leader_id=LEADER, created_at=NOW))
    store = SqliteSessionStore(db)
    session = await store.insert(group_id=group.id, case_id=None, template="classic", phases=PHASES, title=None,
                                 presenter_id=PRESENTER, anonymous=False, state=CLOCK.start(NOW), started_at=NOW,
                                 leaders={LEADER: LeaderRole.LED})
    return store, session


def _awaited(wait_id: int, session: Session) -> Notice:
    return Notice(dropout_nonce(wait_id, DropoutKind.AWAITED), TEXT, GUILD, "Paused: …", NOW, session_id=session.id)


async def test_a_pause_and_its_notice_and_the_wait_told_are_one_change(db: Database) -> None:
    """Stored together; a wait settled meanwhile undoes the pause, and claims nothing."""
    sessions, session = await _session(db)
    waits = SqliteDropoutStore(db)
    wait = await waits.start(session.id, PRESENTER, NOW)
    assert wait is not None and await waits.start(session.id, PRESENTER, NOW + timedelta(seconds=5)) == wait
    due = NOW + timedelta(minutes=1)
    paused = CLOCK.pause(session.state, due)
    saved = await sessions.save_state(session, paused, due, [_awaited(wait.id, session)],
                                      waits.announcing(wait.id, due))
    assert saved is not None and saved.state.status is Status.PAUSED
    told = await waits.get(wait.id)
    assert told is not None and told.announced_at == due
    assert [n.nonce for n in await SqliteOutbox(db).unsent()] == ["d1.a"]

    # Told already: a second pause for it (another process) is undone whole.
    resumed = await sessions.save_state(saved, CLOCK.resume(saved.state, due), due)
    assert resumed is not None
    with pytest.raises(WaitSettled):
        await sessions.save_state(resumed, CLOCK.pause(resumed.state, due), due,
                                  [Notice("d1.x", TEXT, GUILD, "again", due)], waits.announcing(wait.id, due))
    fresh = await sessions.get(session.id)
    assert fresh is not None and fresh.state.status is Status.RUNNING and fresh.version == resumed.version
    assert [n.nonce for n in await SqliteOutbox(db).unsent()] == ["d1.a"]
    assert len(await SqliteDebriefStore(db).changes(session.id)) == 3, "the undone change is not logged"


async def test_the_end_forgets_waits_and_owes_each_leader_a_debrief(db: Database) -> None:
    """Ending a session (one transaction) drops its waits and records the debriefs owed; each part claimed once."""
    sessions, session = await _session(db)
    waits, debriefs = SqliteDropoutStore(db), SqliteDebriefStore(db)
    await waits.start(session.id, PRESENTER, NOW)
    ended = await sessions.save_state(session, CLOCK.end(session.state, NOW), NOW)
    assert ended is not None
    assert await waits.of_session(session.id) == []
    assert await waits.start(session.id, LEADER, NOW) is None, "no wait in an ended session"
    assert await debriefs.reports_owed() == [(session.id, LEADER)]
    report = Notice(debrief_nonce(session.id, LEADER, DebriefKind.REPORT), 99, GUILD, "**Debrief**", NOW)
    assert await debriefs.claim(session.id, LEADER, "report_at", NOW, [report])
    assert not await debriefs.claim(session.id, LEADER, "report_at", NOW, [report])
    assert await debriefs.reports_owed() == []
    assert await debriefs.feedback_owed(3) == []
    for user in (1, 2, 3):
        await sessions.add_feedback(session.id, user, 4, None)
    assert await debriefs.feedback_owed(3) == [(session.id, LEADER)]
    assert [c.status for c in await debriefs.changes(session.id)] == [Status.RUNNING, Status.ENDED]


async def test_the_report_and_the_channels_word_are_claimed_together_or_not_at_all(db: Database) -> None:
    """Direct messages closed: both parts and the word in one transaction; a part already taken claims nothing."""
    sessions, session = await _session(db)
    debriefs, outbox = SqliteDebriefStore(db), SqliteOutbox(db)
    ended = await sessions.save_state(session, CLOCK.end(session.state, NOW), NOW)
    assert ended is not None
    word = Notice(debrief_nonce(session.id, LEADER, DebriefKind.CLOSED), TEXT, GUILD, "<@100>, read it here", NOW,
                  session_id=session.id)
    assert await debriefs.claim(session.id, LEADER, ("report_at", "closed_at"), NOW, [word])
    assert await debriefs.reports_owed() == []
    assert [n.nonce for n in await outbox.unsent()] == [word.nonce]
    assert not await debriefs.claim(session.id, LEADER, "closed_at", NOW, [word])

    # A second leader whose report went by direct message: the pair is refused whole, nothing is claimed.
    other = 101
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO session_debriefs (session_id, user_id) VALUES (?, ?)", (session.id, other))
    assert await debriefs.claim(session.id, other, "report_at", NOW)
    late = Notice(debrief_nonce(session.id, other, DebriefKind.CLOSED), TEXT, GUILD, "<@101>, read it here", NOW)
    assert not await debriefs.claim(session.id, other, ("report_at", "closed_at"), NOW, [late])
    rows = await db.fetch_all("SELECT closed_at FROM session_debriefs WHERE user_id = ?", (other,))
    assert [tuple(r) for r in rows] == [(None,)]
    assert [n.nonce for n in await outbox.unsent()] == [word.nonce]
    with pytest.raises(ValueError):
        await debriefs.claim(session.id, LEADER, (), NOW)


async def test_the_restores_reads_give_every_live_sessions_roll_and_waits_at_once(db: Database) -> None:
    """Who is in voice now (not who left, not an ended session's people) and every wait, by session."""
    sessions, live = await _session(db)
    await sessions.arrive(live.id, 7, NOW)
    await sessions.arrive(live.id, 8, NOW)
    await sessions.depart(live.id, 8, NOW + timedelta(minutes=1))
    waits = SqliteDropoutStore(db)
    first = await waits.start(live.id, PRESENTER, NOW)
    second = await waits.start(live.id, LEADER, NOW + timedelta(minutes=1))
    assert await sessions.in_voice_of_live() == {live.id: frozenset({7})}
    assert await waits.by_session() == {live.id: [first, second]}

    ended = await sessions.save_state(live, CLOCK.end(live.state, NOW + timedelta(minutes=2)),
                                      NOW + timedelta(minutes=2))
    assert ended is not None
    assert await sessions.in_voice_of_live() == {}
    assert await waits.by_session() == {}, "an end drops its waits"
