"""The secret key that seals anonymous authors, kept in a file of its own, outside the database."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_BYTES = 32


def load_or_create_key(path: Path) -> bytes:
    """Read the key, or create it (readable by this user only) on first start."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(KEY_BYTES)
        # O_EXCL: two processes starting at once must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_or_create_key(path)
        with os.fdopen(fd, "wb") as sink:
            sink.write(key)
        return key
    if len(key) != KEY_BYTES:
        raise RuntimeError(f"the key file {path} is damaged ({len(key)} bytes, expected {KEY_BYTES})")
    return key
