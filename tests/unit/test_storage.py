"""The database: pragmas, migrations, transactions, the group tables, and purges that leave no bytes."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.groups import GroupSettings, NewGroup
from bot.storage import Database, SqliteGroupStore
from bot.storage.db import BUSY_TIMEOUT_MS
from bot.storage.migrations import MIGRATIONS

AT = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def _new(name: str = "Alpha", guild: int = 1, text: int = 10, voice: int = 11) -> NewGroup:
    return NewGroup(guild, name, text, voice, GroupSettings("UTC", "classic"), leader_id=100, created_at=AT)


async def test_pragmas_hold_on_the_connection(db: Database) -> None:
    """WAL, foreign keys, secure delete and a busy timeout are on."""
    assert await db.pragma("journal_mode") == "wal"
    assert await db.pragma("foreign_keys") == 1
    assert await db.pragma("secure_delete") == 1
    assert await db.pragma("busy_timeout") == BUSY_TIMEOUT_MS


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


