"""The outbox and the mute intents in the database."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from bot.core.groups import GroupSettings, NewGroup
from bot.core.notices import Notice, NoticeKind, session_nonce
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.session import Moment, PhaseClock, Session
from bot.storage import Database, SqliteGroupStore
from bot.storage.outbox import SqliteOutbox
from bot.storage.sessions import SqliteSessionStore

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
PHASES = BUILTIN_TEMPLATES["classic"].phases
GUILD, TEXT, USER = 1, 10, 500


async def _session(db: Database) -> tuple[SqliteSessionStore, Session]:
    group = await SqliteGroupStore(db).insert_group(NewGroup(
        GUILD, "Alpha", TEXT, 11, GroupSettings("UTC", "classic"), leader_id=100, created_at=NOW))
    store = SqliteSessionStore(db)
    clock = PhaseClock(PHASES, timedelta(minutes=2))

    def first(session_id: int) -> list[Notice]:
        return [Notice(session_nonce(session_id, 0, NoticeKind.PHASE), TEXT, GUILD, "Phase 1", NOW,
                       session_id=session_id)]

    session = await store.insert(group_id=group.id, case_id=None, template="classic", phases=PHASES, title=None,
                                 presenter_id=USER, anonymous=False, state=clock.start(NOW), started_at=NOW,
                                 notices=first)
    return store, session


def _warning(session: Session, at: datetime) -> Notice:
    return Notice(session_nonce(session.id, session.version + 1, NoticeKind.WARNING), TEXT, GUILD, "2 left", at,
                  session_id=session.id)


async def test_a_notice_is_claimed_with_its_change_or_not_at_all(db: Database) -> None:
    """A change stored with its notice; a change that loses the version check claims nothing."""
    store, session = await _session(db)
    outbox = SqliteOutbox(db)
    assert [n.nonce for n in await outbox.unsent()] == ["s1.0p"]
    warned = PhaseClock.mark(session.state, Moment.WARNING)
    later = NOW + timedelta(minutes=3)
    saved = await store.save_state(session, warned, later, [_warning(session, later)])
    assert saved is not None and saved.version == session.version + 1
    stale = await store.save_state(session, warned, later, [Notice("s1.9w", TEXT, GUILD, "again", later)])
    assert stale is None
    assert [n.nonce for n in await outbox.unsent()] == ["s1.0p", "s1.1w"]


async def test_a_sent_notice_keeps_where_it_went_and_not_its_text(db: Database) -> None:
    """Marked sent: the message id stays, the text goes; given up: never sent again."""
    await _session(db)
    outbox = SqliteOutbox(db)
    await outbox.mark_sent("s1.0p", TEXT, 777, NOW)
    assert await outbox.is_sent("s1.0p")
    with sqlite3.connect(db.path) as conn:
        assert conn.execute("SELECT content, message_id FROM outbox").fetchall() == [(None, 777)]
    await outbox.give_up("s1.0p", NOW)  # too late: it was sent
    assert await outbox.unsent() == []
    with sqlite3.connect(db.path) as conn:
        assert conn.execute("SELECT given_up_at FROM outbox").fetchall() == [(None,)]


async def test_a_mute_is_intended_before_it_is_asked_and_settled_after(db: Database) -> None:
    """The intent is there before Discord is asked; a late answer never undoes a newer intent."""
    store, session = await _session(db)
    assert await store.intend_mute(GUILD, USER, session.id, NOW) is True
    assert (await store.mute_of(GUILD, USER)).pending == "mute"  # type: ignore[union-attr]
    await store.mute_done(GUILD, USER)
    assert (await store.mute_of(GUILD, USER)).pending is None  # type: ignore[union-attr]
    assert await store.intend_unmute(GUILD, USER) is True
    await store.mute_done(GUILD, USER)  # an old mute's answer, arriving after the unmute was asked
    assert (await store.mute_of(GUILD, USER)).pending == "unmute"  # type: ignore[union-attr]
    await store.unmute_done(GUILD, USER)
    assert await store.mute_of(GUILD, USER) is None
    assert await store.intend_unmute(GUILD, USER) is False, "nothing of ours to lift"


async def test_a_refused_mute_goes_unless_an_earlier_one_may_still_be_on(db: Database) -> None:
    """Refused on a fresh intent: forgotten. Refused on top of a mute of ours: kept, to be lifted later."""
    store, session = await _session(db)
    await store.intend_mute(GUILD, USER, session.id, NOW)
    await store.mute_refused(GUILD, USER, fresh=True)
    assert await store.mute_of(GUILD, USER) is None
    await store.intend_mute(GUILD, USER, session.id, NOW)
    await store.mute_done(GUILD, USER)
    assert await store.intend_mute(GUILD, USER, session.id, NOW) is False
    await store.mute_refused(GUILD, USER, fresh=False)
    record = await store.mute_of(GUILD, USER)
    assert record is not None and record.pending is None
