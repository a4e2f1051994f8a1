"""The one stored form of an instant, for every table: fixed-width UTC text with microseconds.

Every instant column holds text such as "2026-12-01T19:00:00.000000+00:00": always UTC, always
six fraction digits. Fixed width and one offset make text order the same as time order, so SQL
may compare and sort instants as text (`due_at <= ?`, `ORDER BY muted_at`).
"""

from __future__ import annotations

from datetime import UTC, datetime


def to_text(instant: datetime) -> str:
    """Write an instant in the stored form; a naive datetime is refused (it is not an instant)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant!r} is naive: an instant needs a time zone")
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    """Read an instant written by `to_text` (or any aware ISO text), as an aware UTC datetime."""
    instant = datetime.fromisoformat(text)
    if instant.utcoffset() is None:
        raise ValueError(f"{text!r} has no offset: it is not a stored instant")
    return instant.astimezone(UTC)


def to_text_or_none(instant: datetime | None) -> str | None:
    """Write an optional instant: NULL stays NULL."""
    return None if instant is None else to_text(instant)


def from_text_or_none(text: str | None) -> datetime | None:
    """Read an optional instant: NULL stays None."""
    return None if text is None else from_text(text)
