"""The storage's short ways: reads on the loop's thread, one-statement writes, batched reads for the sweep."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.groups import GroupSettings, NewGroup
from bot.core.notices import Notice, NoticeKind, session_nonce
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.session import Moment, PhaseClock, Session
from bot.storage import Database, SqliteGroupStore
from bot.storage.outbox import SqliteOutbox
from bot.storage.privacy import SqlitePrivacyStore
from bot.storage.sessions import SqliteSessionStore

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
# The case work without the opening: a 5-minute presentation first, warned at 3:00.
PHASES = BUILTIN_TEMPLATES["classic"].phases[1:]
WARNING = timedelta(minutes=2)
GUILD, TEXT = 1, 10


def _group(name: str, text: int) -> NewGroup:
    return NewGroup(GUILD, name, text, text + 1, GroupSettings("UTC", "classic"), leader_id=100, created_at=NOW)


async def _session(db: Database, name: str = "Alpha", text: int = TEXT, presenter: int | None = None) -> Session:
    group = await SqliteGroupStore(db).insert_group(_group(name, text))
    return await SqliteSessionStore(db).insert(
        group_id=group.id, case_id=None, template="classic", phases=PHASES, title=None, presenter_id=presenter,
        anonymous=False, state=PhaseClock(PHASES, WARNING).start(NOW), started_at=NOW)


async def test_a_lone_write_waits_for_another_process_then_returns_its_rows(tmp_path: Path) -> None:
    """write_alone waits while another process holds the write lock, and gives RETURNING's rows."""
    path = tmp_path / "busy.db"
    db = await Database.open(path)
    try:
        await SqliteGroupStore(db).insert_group(_group("Alpha", TEXT))
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")

        async def let_go() -> None:
            await asyncio.sleep(0.6)
            other.execute("COMMIT")

        releasing = asyncio.create_task(let_go())
        rows = await db.write_alone("UPDATE groups SET timezone = 'Europe/Paris' WHERE id = 1 RETURNING timezone")
        await releasing
        other.close()
        assert [tuple(r) for r in rows] == [("Europe/Paris",)]
    finally:
        await db.close()


async def test_a_change_that_owes_nothing_is_stored_and_returned_as_stored(db: Database) -> None:
    """A pause is one statement: the session comes back at its new version; a stale version stores nothing."""
    session = await _session(db)
    store = SqliteSessionStore(db)
    clock = PhaseClock(PHASES, WARNING)
    paused = clock.pause(session.state, NOW + timedelta(minutes=1))
    saved = await store.save_state(session, paused, NOW + timedelta(minutes=1))
    assert saved is not None and saved.version == session.version + 1 and saved.state == paused
    assert await store.get(session.id) == saved
    assert await store.save_state(session, paused, NOW + timedelta(minutes=2)) is None


async def test_the_sweep_finds_only_the_sessions_owing_a_notice(db: Database) -> None:
    """Due: within the warning of its deadline and not warned, or past it and not timed up."""
    first = await _session(db)
    later = await _session(db, "Beta", 20)
    store = SqliteSessionStore(db)
    clock = PhaseClock(PHASES, WARNING)
    await store.save_state(later, clock.start(NOW + timedelta(minutes=4)), NOW + timedelta(minutes=4))
    assert await store.due(NOW + timedelta(minutes=2), WARNING) == []
    assert [s.id for s in await store.due(NOW + timedelta(minutes=3), WARNING)] == [first.id]
    warned = await store.save_state(first, PhaseClock.mark(first.state, Moment.WARNING), NOW + timedelta(minutes=3))
    assert warned is not None
    assert await store.due(NOW + timedelta(minutes=4), WARNING) == []
    assert [s.id for s in await store.due(NOW + timedelta(minutes=9), WARNING)] == [first.id, later.id]


async def test_many_groups_are_read_in_one_query(db: Database) -> None:
    """groups_by_id gives each existing group by id, and leaves out the missing."""
    store = SqliteGroupStore(db)
    alpha = await store.insert_group(_group("Alpha", TEXT))
    beta = await store.insert_group(_group("Beta", 20))
    found = await store.groups_by_id([beta.id, alpha.id, 999, alpha.id])
    assert found == {alpha.id: alpha, beta.id: beta}
    assert await store.groups_by_id([]) == {}


async def test_only_the_mutes_in_doubt_are_read_when_asked(db: Database) -> None:
    """mutes(in_doubt_only=True) leaves out the settled ones."""
    session = await _session(db, presenter=500)
    store = SqliteSessionStore(db)
    await store.intend_mute(GUILD, 500, session.id, NOW)
    await store.mute_done(GUILD, 500)
    await store.intend_mute(GUILD, 501, session.id, NOW)
    assert [m.user_id for m in await store.mutes()] == [500, 501]
    assert [m.user_id for m in await store.mutes(in_doubt_only=True)] == [501]


async def test_a_session_notice_is_marked_sent_in_one_statement(db: Database) -> None:
    """mark_sent with no reminder to tell still records the message and drops the text."""
    session = await _session(db)
    outbox = SqliteOutbox(db)
    nonce = session_nonce(session.id, 1, NoticeKind.WARNING)
    warned = PhaseClock.mark(session.state, Moment.WARNING)
    await SqliteSessionStore(db).save_state(session, warned, NOW, [Notice(nonce, TEXT, GUILD, "2 left", NOW,
                                                                          session_id=session.id)])
    await outbox.mark_sent(nonce, TEXT, 777, NOW, reminder=False)
    assert await outbox.is_sent(nonce)
    assert [tuple(r) for r in await db.fetch_all("SELECT content, message_id FROM outbox WHERE nonce = ?",
                                                 (nonce,))] == [(None, 777)]


async def test_a_session_s_messages_are_due_once_it_has_ended_or_is_gone(db: Database) -> None:
    """settled_since: not while it runs; from its end once ended; from the posting for a session that is gone."""
    session = await _session(db)
    privacy = SqlitePrivacyStore(db)
    later = NOW + timedelta(minutes=5)
    assert await privacy.settled_since(session.id, later) is None
    ended = PhaseClock(PHASES, WARNING).end(session.state, NOW)
    await SqliteSessionStore(db).save_state(session, ended, NOW)
    assert await privacy.settled_since(session.id, later) == NOW
    assert await privacy.settled_since(999, later) == later


async def test_a_scrub_empties_the_wal_while_the_loop_reads(tmp_path: Path) -> None:
    """The copy made beside the connection, then the TRUNCATE: nothing left in the WAL, the reader unharmed."""
    path = tmp_path / "scrub.db"
    db = await Database.open(path)
    try:
        store = SqliteGroupStore(db)
        for n in range(20):
            await store.insert_group(_group(f"Group {n}", 100 + 10 * n))
        assert path.with_name("scrub.db-wal").stat().st_size > 0
        await asyncio.gather(db.scrub(), db.scrub(), store.group_by_id(1))
        assert path.with_name("scrub.db-wal").stat().st_size == 0
        assert (await store.group_by_id(20)).name == "Group 19"  # type: ignore[union-attr]
    finally:
        await db.close()
