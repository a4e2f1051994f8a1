"""What the privacy tests share: a harness where days pass, and the raw bytes of the database's files.

A test module uses the `daily` and `clinic` fixtures by importing them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Harness, Server, running

DAY = 86400
HOUR = 3600


@pytest.fixture
async def daily(tmp_path: Path) -> AsyncIterator[Harness]:
    """The standard harness with the safety sweep once a day: days pass in these tests."""
    async for h in running(Harness(tmp_path, sweep_seconds=DAY)):
        yield h


@pytest.fixture
async def clinic(daily: Harness) -> Server:
    return daily.server()


def database_files(h: Harness) -> dict[str, bytes]:
    """The raw bytes of the database's files as they lie on disk now: the main file, its WAL and its index."""
    found = {}
    for suffix in ("", "-wal", "-shm"):
        path = h.db_path.with_name(h.db_path.name + suffix)
        if path.exists():
            found[path.name] = path.read_bytes()
    return found


def where_found(h: Harness, *texts: str) -> dict[str, list[str]]:
    """For each text, the database files whose bytes hold it (UTF-8, as SQLite stores text)."""
    files = database_files(h)
    return {text: [name for name, raw in files.items() if text.encode() in raw] for text in texts}
