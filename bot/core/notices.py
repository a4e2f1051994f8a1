"""Notices the bot posts on its own, each with a nonce derived from what it is, so that it is sent once.

Discord's Create Message takes a `nonce` of at most 25 characters; with `enforce_nonce`, a
second create with the same nonce by the same author within a few minutes returns the first
message instead of making another. A notice is claimed in the database (with its nonce, in the
transaction that decides it is owed), sent, then marked sent. A process that stopped in between
leaves a claimed notice, which the next one sends again with the same nonce: Discord either
makes it (it was never sent) or returns the one already made. After the window that guarantee is
gone, so a notice claimed longer ago is given up rather than risk a second copy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

NONCE_MAX = 25

# Discord documents the window only as "the past few minutes". Two minutes stays well inside any
# reading of that, so a re-send within it can never make a second copy; a notice that could not
# go out within two minutes of being due is stale for a live session anyway.
NONCE_WINDOW = timedelta(minutes=2)

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


class NoticeKind(Enum):
    """What a session's notice is; its letter ends the nonce."""

    PHASE = "p"
    WARNING = "w"
    TIME_UP = "t"
    CLOSING = "c"


def _base36(number: int) -> str:
    if number < 0:
        raise ValueError("ids are not negative")
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = _DIGITS[digit] + digits
        if number == 0:
            return digits


def _fit(key: str) -> str:
    """Keep a key as it is when it fits Discord's 25 characters, else use a digest of it (still deterministic)."""
    if len(key) <= NONCE_MAX:
        return key
    return "h" + hashlib.sha256(key.encode()).hexdigest()[: NONCE_MAX - 1]


def session_nonce(session_id: int, version: int, kind: NoticeKind) -> str:
    """Name a session's notice by the change that made it owed: its id, the version it created, its kind.

    The version, not the phase, tells notices apart: Back then Next enters a phase twice, and an
    extended phase warns twice; each is a new change of the session, so a new version.
    """
    # "." is no base-36 digit: the id ends there, and the kind is the last letter, so no two differ only in layout.
    return _fit(f"s{_base36(session_id)}.{_base36(version)}{kind.value}")


def reminder_nonce(reminder_id: int) -> str:
    """Name a meeting's reminder (or start notice): each row is sent once."""
    return _fit(f"r{_base36(reminder_id)}")


def relay_nonce(source_id: int) -> str:
    """Name a relay by the presenter's submission (an interaction or a DM), so that a retry of it is not a second."""
    return _fit(f"p{_base36(source_id)}")


def floor_nonce(hand_number: int) -> str:
    """Name the notice that gives a raised hand the floor: once per hand (a hand's number is never reused)."""
    return _fit(f"f{_base36(hand_number)}")


def panel_nonce(session_id: int) -> str:
    """Name a session's panel: one per session."""
    return _fit(f"s{_base36(session_id)}P")


class CancelKind(Enum):
    """What a cancellation's notice is about; its letter follows the "x"."""

    MEETING = "m"
    SERIES = "s"


def cancel_nonce(kind: CancelKind, owner_id: int) -> str:
    """Name the notice that tells the group a meeting, or the rest of a series, is cancelled: each is cancelled once."""
    return _fit(f"x{kind.value}{_base36(owner_id)}")


def cancel_of(nonce: str) -> tuple[CancelKind, int] | None:
    """Read back what a cancellation's nonce names; None for any other nonce."""
    kinds = {kind.value: kind for kind in CancelKind}
    if len(nonce) < 3 or nonce[0] != "x" or nonce[1] not in kinds or not all(c in _DIGITS for c in nonce[2:]):
        return None
    found = kinds[nonce[1]], int(nonce[2:], 36)
    return found if cancel_nonce(*found) == nonce else None


class DropoutKind(Enum):
    """What a dropout's notice is; its letter ends the nonce."""

    # In the group's channel: the group waits for them.
    AWAITED = "a"
    # In the group's channel: they are back.
    BACK = "b"
    # To a co-leader in voice, privately: the session's leader dropped.
    COLEADER = "c"


def dropout_nonce(wait_id: int, kind: DropoutKind, user_id: int | None = None) -> str:
    """Name a dropout's notice by its wait (each leaving voice is a wait of its own), and whom it tells privately."""
    # "d", then the wait, ".", the co-leader told (if any), and one kind letter: no two differ only in layout.
    whom = _base36(user_id) if user_id is not None else ""
    return _fit(f"d{_base36(wait_id)}.{whom}{kind.value}")


class DebriefKind(Enum):
    """What part of a leader's debrief a message is; its letter ends the nonce."""

    REPORT = "r"
    FEEDBACK = "f"
    # In the group's channel, when the direct message was refused: the button to read it there.
    CLOSED = "c"


def debrief_nonce(session_id: int, leader_id: int, kind: DebriefKind) -> str:
    """Name a part of the debrief of one session for one leader: each is sent once."""
    return _fit(f"b{_base36(session_id)}.{_base36(leader_id)}{kind.value}")


def debrief_of(nonce: str) -> tuple[int, int, DebriefKind] | None:
    """Read back (session, leader, part) from a debrief's nonce; None for any other nonce (or a digest)."""
    if not nonce.startswith("b") or "." not in nonce:
        return None
    session, _, rest = nonce[1:].partition(".")
    kinds = {kind.value: kind for kind in DebriefKind}
    if not session or len(rest) < 2 or rest[-1] not in kinds or not all(c in _DIGITS for c in session + rest[:-1]):
        return None
    found = int(session, 36), int(rest[:-1], 36), kinds[rest[-1]]
    return found if debrief_nonce(*found) == nonce else None  # only the one layout `debrief_nonce` writes


@dataclass(frozen=True)
class Notice:
    """A message owed to a channel, as claimed; `view` names the buttons to rebuild at a re-send."""

    nonce: str
    channel_id: int
    guild_id: int
    content: str
    claimed_at: datetime
    view: str | None = None
    session_id: int | None = None
    reminder_id: int | None = None
    # The one member the notice may ping (the one given the floor); nobody else ever is.
    ping: int | None = None


def still_resendable(claimed_at: datetime, now: datetime, window: timedelta) -> bool:
    """Whether a claimed notice may be sent (again) now without risking a second copy."""
    return now - claimed_at < window
