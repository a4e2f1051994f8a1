"""The database: pragmas, migrations, transactions, the group tables, and purges that leave no bytes."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.cases import NewCase
from bot.core.groups import GroupSettings, NewGroup
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.session import PhaseClock
from bot.storage import Database, SqliteGroupStore
from bot.storage.cases import SqliteCaseStore
from bot.storage.migrations import MIGRATIONS
from bot.storage.sessions import SqliteSessionStore

AT = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def _new(name: str = "Alpha", guild: int = 1, text: int = 10, voice: int = 11) -> NewGroup:
    return NewGroup(guild, name, text, voice, GroupSettings("UTC", "classic"), leader_id=100, created_at=AT)


async def test_pragmas_hold_on_the_connection(db: Database) -> None:
    """WAL, foreign keys, secure delete and a busy timeout are on."""
    assert await db.pragma("journal_mode") == "wal"
    assert await db.pragma("foreign_keys") == 1
    assert await db.pragma("secure_delete") == 1
    assert await db.pragma("busy_timeout") == 5000


async def test_migrations_set_user_version_and_reopen_is_idempotent(tmp_path: Path) -> None:
    """A fresh file is migrated to the latest version; opening it again changes nothing."""
    path = tmp_path / "m.db"
    first = await Database.open(path)
    assert await first.pragma("user_version") == len(MIGRATIONS)
    await SqliteGroupStore(first).insert_group(_new())
    await first.close()
    second = await Database.open(path)
    assert await second.pragma("user_version") == len(MIGRATIONS)
    assert [g.name for g in await SqliteGroupStore(second).groups_in_guild(1)] == ["Alpha"]
    await second.close()


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    """A database written by a newer bot is not touched."""
    path = tmp_path / "new.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer than this bot"):
        await Database.open(path)


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    """Nothing of a failed transaction stays."""
    with pytest.raises(ZeroDivisionError):
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO groups (guild_id, name, name_key, text_channel_id, voice_channel_id, timezone,"
                " template, created_at) VALUES (1, 'A', 'a', 1, 2, 'UTC', 'classic', 'now')"
            )
            _ = 1 / 0
    assert await db.fetch_all("SELECT * FROM groups") == []


async def test_deleting_a_group_cascades(db: Database) -> None:
    """Leaders and members go with their group."""
    store = SqliteGroupStore(db)
    group = await store.insert_group(_new())
    assert await store.add_member(group.id, 200, AT)
    assert not await store.add_member(group.id, 200, AT)
    assert await store.delete_group(group.id)
    assert await db.fetch_all("SELECT * FROM leaders") == []
    assert await db.fetch_all("SELECT * FROM members") == []
    assert not await store.add_member(group.id, 201, AT)


async def test_two_leaders_removing_each_other_at_once_leave_one(db: Database) -> None:
    """The last-leader rule holds under concurrency."""
    store = SqliteGroupStore(db)
    group = await store.insert_group(_new())
    await store.add_leader(group.id, 101, AT)
    results = await asyncio.gather(store.remove_leader(group.id, 100), store.remove_leader(group.id, 101))
    assert sorted(results) == [False, True]
    assert len(await db.fetch_all("SELECT * FROM leaders WHERE group_id = ?", (group.id,))) == 1


async def test_names_unique_per_server_ignoring_case(db: Database) -> None:
    """The schema itself refuses a second Alpha in one server."""
    store = SqliteGroupStore(db)
    await store.insert_group(_new("Alpha"))
    with pytest.raises(sqlite3.IntegrityError):
        await store.insert_group(_new("ALPHA", text=20, voice=21))
    await store.insert_group(_new("ALPHA", guild=2))
    assert (await store.group_by_name(1, "alpha")).name == "Alpha"  # type: ignore[union-attr]
    assert await store.group_names(2) == ["ALPHA"]


async def test_deleted_rows_do_not_linger_in_the_file(tmp_path: Path) -> None:
    """secure_delete overwrites deleted text instead of leaving it in free pages."""
    path = tmp_path / "s.db"
    db = await Database.open(path)
    try:
        store = SqliteGroupStore(db)
        marker = "Zebracorn-unique-name"
        group = await store.insert_group(_new(marker))
        await store.delete_group(group.id)
        # The WAL still holds the page as it was when the row was written; a checkpoint
        # (as SQLite runs on its own, and at close) moves the overwritten page home.
        await db.fetch_one("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await db.close()
    raw = path.read_bytes() + (path.with_name("s.db-wal").read_bytes() if path.with_name("s.db-wal").exists()
                               else b"")
    assert marker.encode() not in raw


def _raw(path: Path) -> bytes:
    """The main file and its WAL as they lie on disk, with the connection still open."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def _insert_group(db: Database, name: str, guild: int, leader: int, text: int) -> int:
    group = await SqliteGroupStore(db).insert_group(
        NewGroup(guild, name, text, text + 1, GroupSettings("UTC", "classic"), leader_id=leader, created_at=AT))
    return group.id


async def test_purges_leave_no_text_in_the_live_files_nor_in_free_pages(tmp_path: Path) -> None:
    """Case material purged, a group deleted: with the connection open, no byte of either file holds their text."""
    path = tmp_path / "p.db"
    db = await Database.open(path)
    try:
        cases = SqliteCaseStore(db)
        alpha = await _insert_group(db, "Alpha", 1, 100, 10)
        beta = await _insert_group(db, "Beta", 1, 100, 20)
        markers = [f"Zanzibarquill{n:03d} " * 70 for n in range(30)]  # 30 stories of 1,400 characters
        for n, story in enumerate(markers):
            await cases.insert_case(NewCase(alpha if n < 15 else beta, f"Title{n:03d}xq", story, False, 100,
                                            None, None))
        sessions = SqliteSessionStore(db)
        classic = BUILTIN_TEMPLATES["classic"]
        first = await cases.case_by_id(1)
        assert first is not None
        session = await sessions.insert(group_id=alpha, case_id=first.id, template="classic", phases=classic.phases,
                                        title=first.title, presenter_id=100, anonymous=False,
                                        state=PhaseClock(classic.phases, timedelta(0)).start(AT), started_at=AT)
        assert b"Zanzibarquill000" in _raw(path), "the text is there while it is meant to be"
        await cases.purge_case_material(session.id)
        assert b"Zanzibarquill000" not in _raw(path) and b"Title000xq" not in _raw(path)
        await SqliteGroupStore(db).delete_group(beta)
        assert await db.pragma("freelist_count") > 0, "the deleted stories left free pages behind"
        raw = _raw(path)
        assert not [m for m in markers[15:] if m[:16].encode() in raw]
        assert b"Zanzibarquill001" in raw, "Alpha's other cases are still stored"
        await SqliteGroupStore(db).delete_group(alpha)
        assert b"Zanzibarquill" not in _raw(path)
    finally:
        await db.close()
