"""Raised hands in the database: raised in the phase seen, cleared with the phase, given the floor with its notice."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.groups import GroupSettings, NewGroup
from bot.core.hands import Hand
from bot.core.notices import Notice, floor_nonce
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.session import PhaseClock, Session
from bot.storage import Database, SqliteGroupStore
from bot.storage.hands import SqliteHandStore
from bot.storage.migrations import MIGRATIONS
from bot.storage.outbox import SqliteOutbox
from bot.storage.privacy import SqlitePrivacyStore
from bot.storage.sessions import SqliteSessionStore

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
PHASES = BUILTIN_TEMPLATES["classic"].phases
GUILD, TEXT, ADA, BEN, CHLOE = 1, 10, 500, 501, 502
CLOCK = PhaseClock(PHASES, timedelta(minutes=2))


async def _session(db: Database) -> tuple[SqliteSessionStore, Session]:
    group = await SqliteGroupStore(db).insert_group(NewGroup(
        GUILD, "Alpha", TEXT, 11, GroupSettings("UTC", "classic"), leader_id=100, created_at=NOW))
    store = SqliteSessionStore(db)
    session = await store.insert(group_id=group.id, case_id=None, template="classic", phases=PHASES, title=None,
                                 presenter_id=ADA, anonymous=False, state=CLOCK.start(NOW), started_at=NOW)
    return store, session


def _floor(session: Session, hand: Hand) -> Notice:
    return Notice(floor_nonce(hand.number), TEXT, GUILD, f"<@{hand.user_id}>, you have the floor.", NOW,
                  session_id=session.id, ping=hand.user_id)


async def test_a_hand_is_raised_once_in_the_phase_seen_and_lowered(db: Database) -> None:
    """A second raise changes nothing; a raise for a phase the session left is refused; lowering is once."""
    _, session = await _session(db)
    hands = SqliteHandStore(db)
    assert await hands.raise_hand(session.id, 0, BEN, NOW)
    assert not await hands.raise_hand(session.id, 0, BEN, NOW), "raised already"
    assert not await hands.raise_hand(session.id, 1, CHLOE, NOW), "the session is not in that phase"
    assert await hands.raise_hand(session.id, 0, CHLOE, NOW)
    assert [h.user_id for h in await hands.hands(session.id)] == [BEN, CHLOE]
    assert await hands.lower_hand(session.id, BEN)
    assert not await hands.lower_hand(session.id, BEN)
    assert [h.user_id for h in await hands.hands(session.id)] == [CHLOE]


async def test_hands_go_with_the_phase_in_the_same_change_and_stay_through_a_pause(db: Database) -> None:
    """Pause and extend keep them; Next clears them with the state it stores; an ended session keeps none."""
    store, session = await _session(db)
    hands = SqliteHandStore(db)
    await hands.raise_hand(session.id, 0, BEN, NOW)
    paused = await store.save_state(session, CLOCK.pause(session.state, NOW), NOW)
    assert paused is not None and [h.user_id for h in await hands.hands(session.id)] == [BEN]
    stale = await store.save_state(session, CLOCK.next(session.state, NOW), NOW)
    assert stale is None and [h.user_id for h in await hands.hands(session.id)] == [BEN], \
        "a change that loses the version check clears nothing"
    moved = await store.save_state(paused, CLOCK.next(paused.state, NOW), NOW)
    assert moved is not None and await hands.hands(session.id) == []
    await hands.raise_hand(session.id, 1, CHLOE, NOW)
    ended = await store.save_state(moved, CLOCK.end(moved.state, NOW), NOW)
    assert ended is not None and await hands.hands(session.id) == []
    assert not await hands.raise_hand(session.id, 1, BEN, NOW), "no hand in an ended session"


async def test_the_floor_takes_the_hand_and_claims_its_notice_together(db: Database) -> None:
    """Given once: a second leader pressing at the same moment finds the hand gone and claims nothing."""
    _, session = await _session(db)
    hands, outbox = SqliteHandStore(db), SqliteOutbox(db)
    await hands.raise_hand(session.id, 0, BEN, NOW)
    (first,) = await hands.hands(session.id)
    assert await hands.give_floor(session.id, first, _floor(session, first))
    assert not await hands.give_floor(session.id, first, _floor(session, first))
    (notice,) = await outbox.unsent()
    assert (notice.nonce, notice.ping, notice.content) == (floor_nonce(first.number), BEN,
                                                           f"<@{BEN}>, you have the floor.")
    await outbox.mark_sent(notice.nonce, TEXT, 900, NOW)
    with sqlite3.connect(db.path) as conn:
        assert conn.execute("SELECT content, ping FROM outbox").fetchall() == [(None, None)], \
            "once sent, neither the text nor whom it pinged is kept"


async def test_a_hand_number_is_never_used_twice(db: Database) -> None:
    """The newest hand given the floor, then a new one: a new number, so a new notice and nonce."""
    _, session = await _session(db)
    hands = SqliteHandStore(db)
    await hands.raise_hand(session.id, 0, BEN, NOW)
    (ben,) = await hands.hands(session.id)
    await hands.give_floor(session.id, ben, _floor(session, ben))
    await hands.raise_hand(session.id, 0, BEN, NOW)
    (again,) = await hands.hands(session.id)
    assert again.number > ben.number


async def test_forget_me_and_leaving_the_server_take_the_hands(db: Database) -> None:
    """A raised hand is in the export, and goes with forget-me or with leaving the server."""
    _, session = await _session(db)
    hands, privacy = SqliteHandStore(db), SqlitePrivacyStore(db)
    await hands.raise_hand(session.id, 0, BEN, NOW)
    await hands.raise_hand(session.id, 0, CHLOE, NOW)
    exported = await privacy.export(BEN, [], [])
    assert [(h.server_id, h.session_id, h.raised_at) for h in exported.raised_hands] == [(GUILD, session.id, NOW)]
    await privacy.forget(BEN, [], [], keep_mutes_in=[])
    await privacy.leave_server(GUILD, CHLOE, [], [], NOW)
    assert await hands.hands(session.id) == []


async def test_the_hands_migration_on_a_database_of_schema_8(tmp_path: Path) -> None:
    """A database of schema 8 gains the hands and the ping column; an outbox row it had pings nobody."""
    path = tmp_path / "m.db"
    with sqlite3.connect(path) as conn:
        for script in MIGRATIONS[:8]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 8")
        conn.execute("INSERT INTO outbox (nonce, guild_id, channel_id, content, claimed_at)"
                     " VALUES ('r1', 1, 10, 'a reminder', '2026-01-05T09:00:00.000000+00:00')")
    db = await Database.open(path)
    try:
        assert await db.pragma("user_version") == len(MIGRATIONS)
        (notice,) = await SqliteOutbox(db).unsent()
        assert (notice.nonce, notice.ping) == ("r1", None)
    finally:
        await db.close()
    with sqlite3.connect(path) as conn:
        assert [row[1] for row in conn.execute("PRAGMA table_info(raised_hands)")] == [
            "id", "session_id", "phase_index", "user_id", "raised_at"]
