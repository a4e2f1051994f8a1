"""Nonces name what a notice is: deterministic, distinct, within Discord's 25 characters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.core.notices import (
    NONCE_MAX,
    NONCE_WINDOW,
    CancelKind,
    DebriefKind,
    DropoutKind,
    NoticeKind,
    cancel_nonce,
    cancel_of,
    debrief_nonce,
    debrief_of,
    dropout_nonce,
    floor_nonce,
    panel_nonce,
    relay_nonce,
    reminder_nonce,
    session_nonce,
    still_resendable,
)

IDS = st.integers(min_value=0, max_value=2**63 - 1)


def test_a_session_notice_reads_as_what_it_is() -> None:
    """Session 12's change to version 7, a warning: short and readable in a log."""
    assert session_nonce(12, 7, NoticeKind.WARNING) == "sc.7w"
    assert reminder_nonce(35) == "rz"
    assert panel_nonce(12) == "scP"


@given(IDS, IDS, st.sampled_from(list(NoticeKind)))
def test_every_nonce_fits_and_is_stable(session: int, version: int, kind: NoticeKind) -> None:
    """Whatever the ids, a nonce has at most 25 characters and is the same every time it is derived."""
    nonce = session_nonce(session, version, kind)
    assert 1 <= len(nonce) <= NONCE_MAX
    assert nonce == session_nonce(session, version, kind)
    assert len(relay_nonce(session)) <= NONCE_MAX and len(reminder_nonce(version)) <= NONCE_MAX


@given(IDS, IDS, IDS, IDS)
def test_different_notices_have_different_nonces(a: int, b: int, c: int, d: int) -> None:
    """Two notices differ in their nonce unless they are the same notice (the same session, change and kind)."""
    if (a, b) != (c, d):
        assert session_nonce(a, b, NoticeKind.TIME_UP) != session_nonce(c, d, NoticeKind.TIME_UP)
    assert session_nonce(a, b, NoticeKind.PHASE) != session_nonce(a, b, NoticeKind.CLOSING)
    assert reminder_nonce(a) != relay_nonce(a) != panel_nonce(a)


def test_a_claim_may_be_sent_again_only_inside_the_window() -> None:
    """Within the window a re-send is safe; at its end, no longer."""
    claimed = datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert still_resendable(claimed, claimed + NONCE_WINDOW - timedelta(seconds=1), NONCE_WINDOW)
    assert not still_resendable(claimed, claimed + NONCE_WINDOW, NONCE_WINDOW)


# Snowflakes and row ids: a debrief's nonce stays readable (under 25 characters) across them.
SESSIONS = st.integers(min_value=0, max_value=36**6)
SNOWFLAKES = st.integers(min_value=0, max_value=2**63 - 1)


@given(SESSIONS, SNOWFLAKES, st.sampled_from(list(DebriefKind)))
def test_a_debriefs_nonce_reads_back_as_its_session_leader_and_part(session: int, leader: int,
                                                                    kind: DebriefKind) -> None:
    """A restart names whom a refused debrief was for from its nonce alone: the inverse of `debrief_nonce`."""
    assert debrief_of(debrief_nonce(session, leader, kind)) == (session, leader, kind)


@given(SNOWFLAKES, SNOWFLAKES, st.sampled_from(list(NoticeKind)))
def test_no_other_nonce_reads_as_a_debrief(a: int, b: int, kind: NoticeKind) -> None:
    """Session notices, reminders, relays, floors, panels and dropouts are never taken for a debrief."""
    others = [session_nonce(a, b, kind), reminder_nonce(a), relay_nonce(a), floor_nonce(a), panel_nonce(a),
              *(dropout_nonce(a, k, b) for k in DropoutKind)]
    assert [debrief_of(n) for n in others] == [None] * len(others)
    assert [cancel_of(n) for n in others] == [None] * len(others)
    debriefs = [debrief_nonce(a % 36**6, b, k) for k in DebriefKind]
    assert [cancel_of(n) for n in debriefs] == [None] * len(debriefs)
    cancels = [cancel_nonce(k, a) for k in CancelKind]
    assert [debrief_of(n) for n in cancels] == [None] * len(cancels)


@given(SNOWFLAKES, st.sampled_from(list(CancelKind)))
def test_a_cancellations_nonce_reads_back_as_what_it_cancels(owner: int, kind: CancelKind) -> None:
    """A restart names the series whose leaders to tell from a refused cancellation's nonce alone."""
    nonce = cancel_nonce(kind, owner)
    assert len(nonce) <= NONCE_MAX and cancel_of(nonce) == (kind, owner)
    assert cancel_of("xm01") is None and cancel_of("xq1") is None and cancel_of("x") is None


@given(st.text(max_size=30))
def test_any_text_reads_as_a_debrief_or_nothing_without_raising(text: str) -> None:
    """A stored nonce of any shape (a digest, leading zeros) gives None, or the debrief that writes exactly it."""
    found = debrief_of(text)
    assert found is None or debrief_nonce(*found) == text
    assert debrief_of("b01.1r") is None and debrief_of("b1.r") is None and debrief_of("b1.1x") is None
