"""Core and storage against a temporary database file, with a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.core.groups import GroupRules
from bot.core.phases import BUILTIN_TEMPLATES
from bot.storage import Database, SqliteGroupStore


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "unit.db")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))


@pytest.fixture
def rules(db: Database, clock: FakeClock) -> GroupRules:
    return GroupRules(SqliteGroupStore(db), clock, BUILTIN_TEMPLATES,
                      default_timezone="UTC", default_template="classic")
