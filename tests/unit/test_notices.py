"""Nonces name what a notice is: deterministic, distinct, within Discord's 25 characters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.core.notices import (
    NONCE_MAX,
    NONCE_WINDOW,
    NoticeKind,
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
