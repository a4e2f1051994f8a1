"""What the privacy tests share: the raw bytes of the database's files."""

from __future__ import annotations

from tests.e2e.conftest import Harness


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
