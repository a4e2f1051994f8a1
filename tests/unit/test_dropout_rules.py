"""The dropout rules: who counts, what each setting does, and, as properties, what is due when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.dropout import Return, Situation, Verdict, Wait, may_count, on_return, rule
from bot.core.groups import Dropout
from bot.core.notices import DebriefKind, DropoutKind, NoticeKind, debrief_nonce, dropout_nonce, session_nonce
from bot.core.session import Status

START = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
GRACE = timedelta(seconds=60)
LEADER, COLEADER, PRESENTER, MEMBER = 1, 2, 3, 4


def situation(*, in_voice: set[int], mode: Dropout = Dropout.PAUSE, status: Status = Status.RUNNING,
              anonymous: bool = False, presenter: int | None = PRESENTER) -> Situation:
    return Situation.of(presenter_id=presenter, anonymous=anonymous, led_by=LEADER, leader_ids=(LEADER, COLEADER),
                        in_voice=in_voice, status=status, mode=mode)


def gone(user: int, *, since: datetime = START) -> Wait:
    return Wait(id=1, session_id=1, user_id=user, left_at=since)


def test_the_named_presenter_and_the_leaders_count_members_do_not() -> None:
    """A wait begins for the presenter and any leader, never for another member, nor when off or ended."""
    now = situation(in_voice=set())
    assert may_count(PRESENTER, now) and may_count(LEADER, now) and may_count(COLEADER, now)
    assert not may_count(MEMBER, now)
    assert not may_count(PRESENTER, situation(in_voice=set(), mode=Dropout.OFF))
    assert not may_count(PRESENTER, situation(in_voice=set(), status=Status.ENDED))
    assert may_count(PRESENTER, situation(in_voice=set(), status=Status.PAUSED))


@given(st.integers(min_value=5, max_value=2**63 - 1), st.sets(st.integers(min_value=1, max_value=9)),
       st.sampled_from(list(Dropout)), st.sampled_from([Status.RUNNING, Status.PAUSED]))
def test_an_anonymous_presenter_is_nobody_to_the_rules(user: int, voice: set[int], mode: Dropout,
                                                       status: Status) -> None:
    """Whoever presents anonymously, and whatever the setting, their leaving voice starts no wait and brings nothing."""
    now = situation(in_voice=voice - {user}, mode=mode, status=status, anonymous=True, presenter=user)
    assert now.presenter_id is None
    assert not may_count(user, now)
    assert rule(gone(user), START + GRACE, GRACE, now).verdict is Verdict.NOTHING


def test_the_last_leader_in_voice_is_awaited_a_leader_with_a_coleader_in_voice_is_not() -> None:
    """The leader gone with a co-leader in voice: the co-leader is told; gone with nobody: the group waits."""
    due = START + GRACE
    told = rule(gone(LEADER), due, GRACE, situation(in_voice={COLEADER, MEMBER}))
    assert told.verdict is Verdict.TELL_COLEADERS and told.tell == {COLEADER}
    assert rule(gone(LEADER), due, GRACE, situation(in_voice={MEMBER})).verdict is Verdict.PAUSE
    # A co-leader who is not the session's leader leaving the leader in voice: nothing at all.
    assert rule(gone(COLEADER), due, GRACE, situation(in_voice={LEADER})).verdict is Verdict.NOTHING
    assert rule(gone(COLEADER), due, GRACE, situation(in_voice={MEMBER})).verdict is Verdict.PAUSE
    # A leader who presents is awaited as the presenter, co-leader or not.
    both = Situation.of(presenter_id=LEADER, anonymous=False, led_by=LEADER, leader_ids=(LEADER, COLEADER),
                        in_voice={COLEADER}, status=Status.RUNNING, mode=Dropout.PAUSE)
    assert rule(gone(LEADER), due, GRACE, both).verdict is Verdict.PAUSE


def test_each_setting() -> None:
    """pause pauses a running session (a paused one is only told), notify only tells, off does nothing."""
    due = START + GRACE
    assert rule(gone(PRESENTER), due, GRACE, situation(in_voice=set())).verdict is Verdict.PAUSE
    assert rule(gone(PRESENTER), due, GRACE, situation(in_voice=set(), status=Status.PAUSED)).verdict is Verdict.NOTIFY
    assert rule(gone(PRESENTER), due, GRACE, situation(in_voice=set(), mode=Dropout.NOTIFY)).verdict is Verdict.NOTIFY
    assert rule(gone(PRESENTER), due, GRACE, situation(in_voice=set(), mode=Dropout.OFF)).verdict is Verdict.NOTHING
    assert rule(gone(PRESENTER), due, GRACE, situation(in_voice=set(), status=Status.ENDED)).verdict is Verdict.NOTHING
    assert rule(gone(PRESENTER), due, GRACE, situation(in_voice={PRESENTER})).verdict is Verdict.NOTHING


def test_what_a_return_brings() -> None:
    """Untold: nothing. Told: back; and the leader can resume when the session is paused and nobody else is awaited."""
    told = Wait(1, 1, PRESENTER, START, announced_at=START + GRACE)
    assert on_return(gone(PRESENTER), status=Status.PAUSED, still_awaited=0) is Return.QUIET
    assert on_return(told, status=Status.PAUSED, still_awaited=0) is Return.BACK_RESUME
    assert on_return(told, status=Status.PAUSED, still_awaited=1) is Return.BACK
    assert on_return(told, status=Status.RUNNING, still_awaited=0) is Return.BACK
    assert on_return(told, status=Status.ENDED, still_awaited=0) is Return.QUIET


# A person's comings and goings, and the moments the bot looks at their wait (its timer, a sweep,
# a restart): (what, seconds after the step before).
STEPS = st.lists(st.tuples(st.sampled_from(["leave", "return", "look"]), st.integers(min_value=0, max_value=200)),
                 max_size=40)


@settings(max_examples=300, deadline=None)
@given(STEPS, st.integers(min_value=0, max_value=120), st.sampled_from([Dropout.PAUSE, Dropout.NOTIFY]))
def test_a_dropout_is_told_once_on_time_and_only_after_the_grace(steps: list[tuple[str, int]], grace_seconds: int,
                                                                  mode: Dropout) -> None:
    """Run the rules as the bot does, looking at arbitrary moments (timers late or early, restarts).

    Each absence is told at most once, never before its grace is over, and at the first look after
    it if the person is still gone; its return is announced exactly when it was told; an absence
    shorter than the grace is never told.
    """
    grace = timedelta(seconds=grace_seconds)
    now, in_voice, status = START, True, Status.RUNNING
    wait: Wait | None = None
    told_at: list[datetime] = []
    backs = 0
    absences: list[tuple[datetime, datetime | None, bool]] = []  # (left, back, told)
    for what, seconds in steps:
        now += timedelta(seconds=seconds)
        present = {PRESENTER} if in_voice else set()
        if what == "leave" and in_voice:
            in_voice = False
            if may_count(PRESENTER, situation(in_voice=set(), mode=mode, status=status)):
                wait = Wait(1, 1, PRESENTER, now)
            absences.append((now, None, False))
        elif what == "return" and not in_voice:
            in_voice = True
            if wait is not None:
                if on_return(wait, status=status, still_awaited=0) is not Return.QUIET:
                    backs += 1
                wait = None
            left, _, told = absences[-1]
            absences[-1] = (left, now, told)
        elif what == "look" and wait is not None:
            ruling = rule(wait, now, grace, situation(in_voice=present, mode=mode, status=status))
            if now < wait.left_at + grace:
                assert ruling.verdict is Verdict.NOT_YET
            elif ruling.verdict in (Verdict.PAUSE, Verdict.NOTIFY):
                assert not in_voice
                assert ruling.verdict is (Verdict.PAUSE if mode is Dropout.PAUSE and status is Status.RUNNING
                                          else Verdict.NOTIFY)
                told_at.append(now)
                wait = Wait(1, 1, PRESENTER, wait.left_at, announced_at=now)
                if ruling.verdict is Verdict.PAUSE:
                    status = Status.PAUSED
                left, back, _ = absences[-1]
                absences[-1] = (left, back, True)
            else:
                assert ruling.verdict is Verdict.AWAITED and wait.announced_at is not None
    told = [a for a in absences if a[2]]
    assert len(told_at) == len(told), "each absence is told at most once"
    for (left, back, _), when in zip(told, told_at, strict=True):
        assert when >= left + grace and (back is None or when <= back)
    for left, back, was_told in absences:
        if back is not None and back - left < grace:
            assert not was_told, "an absence shorter than the grace is never told"
    assert backs == sum(1 for _, back, was_told in absences if was_told and back is not None)


def test_a_look_after_the_grace_tells_an_absence_still_going() -> None:
    """The first look at or after the end of the grace tells it; one before does not."""
    wait = gone(PRESENTER)
    assert rule(wait, START + GRACE - timedelta(microseconds=1), GRACE, situation(in_voice=set())).verdict is (
        Verdict.NOT_YET)
    assert rule(wait, START + GRACE, GRACE, situation(in_voice=set())).verdict is Verdict.PAUSE
    assert rule(wait, START + 10 * GRACE, GRACE, situation(in_voice=set())).verdict is Verdict.PAUSE


@given(st.integers(min_value=0, max_value=2**40), st.integers(min_value=0, max_value=2**63 - 1),
       st.integers(min_value=0, max_value=2**63 - 1))
def test_dropout_and_debrief_nonces_fit_and_never_meet_others(wait: int, user: int, session: int) -> None:
    """Every kind ends a nonce of its own shape, within 25 characters, apart from the session's notices."""
    names = {dropout_nonce(wait, DropoutKind.AWAITED), dropout_nonce(wait, DropoutKind.BACK),
             dropout_nonce(wait, DropoutKind.COLEADER, user), *(debrief_nonce(session, user, k) for k in DebriefKind),
             session_nonce(session, wait, NoticeKind.PHASE)}
    assert len(names) == 7
    assert all(1 <= len(name) <= 25 for name in names)
