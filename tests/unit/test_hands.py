"""Raised hands in the core: who may raise, toggling, the order, the next speaker, and the anonymous presenter."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import Refusal
from bot.core.groups import Group, GroupSettings
from bot.core.hands import Hand, Press, hands_open, line, next_speaker, place, press
from bot.core.notices import NONCE_MAX, floor_nonce, panel_nonce, relay_nonce, reminder_nonce
from bot.core.phases import BUILTIN_TEMPLATES, OPENING_MINUTES, Speaker
from bot.core.session import PhaseClock, Session

NOW = datetime(2026, 12, 1, 19, tzinfo=UTC)
LEADER, COLEADER, ADA, BEN, CHLOE, OUTSIDER = 1, 2, 10, 11, 12, 99
CLASSIC = BUILTIN_TEMPLATES["classic"].phases
PSYCHODRAMA = BUILTIN_TEMPLATES["psychodrama"].phases
GROUP = Group(id=1, guild_id=5, name="Alpha", text_channel_id=6, voice_channel_id=7,
              settings=GroupSettings("UTC", "classic"), leader_ids=(LEADER, COLEADER), member_ids=(ADA, BEN, CHLOE))


def _session(phase_key: str, *, presenter: int | None = ADA, anonymous: bool = False, phases: tuple = CLASSIC,
             ended: bool = False) -> Session:
    clock = PhaseClock(phases, timedelta(minutes=2))
    state = clock.start(NOW)
    index = [p.key for p in phases].index(phase_key)
    state = replace(state, phase_index=index)
    if ended:
        state = clock.end(state, NOW)
    return Session(id=3, group_id=GROUP.id, case_id=None, template="classic", phases=phases, title=None,
                   presenter_id=None if anonymous else presenter, anonymous=anonymous, state=state, version=1,
                   panel_channel_id=None, panel_message_id=None, reported=frozenset(), started_at=NOW)


def test_the_built_in_templates_begin_with_a_three_minute_opening() -> None:
    """Every built-in template starts with the opening; the advertised minutes leave it out."""
    for template in BUILTIN_TEMPLATES.values():
        first, *rest = template.phases
        assert first.opening and first.minutes == OPENING_MINUTES and first.key == "opening"
        assert not any(phase.opening for phase in rest)
        assert template.opening_minutes == OPENING_MINUTES
        assert template.case_minutes == template.total_minutes - OPENING_MINUTES
    assert [BUILTIN_TEMPLATES[n].case_minutes for n in ("classic", "residency", "double", "psychodrama")] == [
        45, 60, 90, 85]
    assert str(BUILTIN_TEMPLATES["classic"].length) == "45 min + 3 min opening"


def test_hands_are_raised_in_the_phases_where_the_group_speaks() -> None:
    """Questions, discussion, return (and the opening, scenes, sharing): yes; presentation and closing: no."""
    open_in = [p.key for p in PSYCHODRAMA if hands_open(_session(p.key, phases=PSYCHODRAMA))]
    assert open_in == ["opening", "questions", "warm-up", "scenes", "sharing", "return"]
    assert [p.key for p in CLASSIC if p.group_speaks] == ["opening", "questions", "discussion", "return"]
    assert all(p.group_speaks == (p.speaker in (Speaker.GROUP, Speaker.GROUP_AND_PRESENTER)) for p in PSYCHODRAMA)
    assert not hands_open(_session("questions", ended=True))


def test_a_member_raises_then_lowers_and_a_leader_may_raise_too() -> None:
    """Pressing again toggles; leaders and co-leaders take part as members do."""
    questions = _session("questions")
    assert press(GROUP, questions, BEN, [], presents_anonymously=False) is Press.RAISE
    assert press(GROUP, questions, BEN, [Hand(1, BEN)], presents_anonymously=False) is Press.LOWER
    assert press(GROUP, questions, COLEADER, [Hand(1, BEN)], presents_anonymously=False) is Press.RAISE
    assert press(GROUP, questions, ADA, [], presents_anonymously=False) is Press.RAISE, "the presenter answers"


def test_who_is_refused_and_why() -> None:
    """Outsiders, closed phases, ended sessions, and the named presenter while they listen."""
    with pytest.raises(Refusal, match="Only members of Alpha raise a hand in its sessions; join with /group join"):
        press(GROUP, _session("questions"), OUTSIDER, [], presents_anonymously=False)
    with pytest.raises(Refusal, match="only in the phases where the group speaks"):
        press(GROUP, _session("presentation"), BEN, [], presents_anonymously=False)
    with pytest.raises(Refusal, match="has ended"):
        press(GROUP, _session("questions", ended=True), BEN, [], presents_anonymously=False)
    for listening in ("warm-up", "sharing"):
        with pytest.raises(Refusal, match="You present this case: in this phase you listen"):
            press(GROUP, _session(listening, phases=PSYCHODRAMA), ADA, [], presents_anonymously=False)
    with pytest.raises(Refusal, match="You present this case"):
        press(GROUP, _session("discussion"), ADA, [], presents_anonymously=False)
    assert press(GROUP, _session("discussion"), BEN, [], presents_anonymously=False) is Press.RAISE


def test_the_anonymous_presenter_is_pointed_to_the_bot_and_never_raises() -> None:
    """Wherever hands are open, their press raises nothing, whether or not a hand of theirs is listed."""
    for key in ("opening", "questions", "discussion", "return"):
        session = _session(key, anonymous=True)
        assert press(GROUP, session, BEN, [], presents_anonymously=True) is Press.SPEAK_AS_PRESENTER
        assert press(GROUP, session, BEN, [Hand(4, BEN)], presents_anonymously=True) is Press.SPEAK_AS_PRESENTER


def _refusal(group: Group, session: Session, user: int, anonymous: bool) -> tuple[str, dict[str, object]] | None:
    try:
        press(group, session, user, [], presents_anonymously=anonymous)
    except Refusal as refusal:
        return refusal.text.msgid, dict(refusal.text.params)
    return None


@given(key=st.sampled_from([p.key for p in PSYCHODRAMA]), ended=st.booleans())
def test_a_refusal_is_the_same_for_the_anonymous_presenter_as_for_anyone(key: str, ended: bool) -> None:
    """Where hands are closed, the anonymous presenter's refusal is word for word another member's."""
    session = _session(key, anonymous=True, phases=PSYCHODRAMA, ended=ended)
    theirs = _refusal(GROUP, session, BEN, True)
    others = _refusal(GROUP, session, CHLOE, False)
    if not hands_open(session):
        assert theirs == others and theirs is not None
    else:
        assert theirs is None and others is None


def test_the_line_is_in_order_of_raising_of_those_in_the_group() -> None:
    """Ordered by number; a hand of someone who left the group is not in line; nobody twice."""
    hands = [Hand(7, CHLOE), Hand(3, BEN), Hand(5, OUTSIDER), Hand(9, BEN)]
    assert line(hands, GROUP) == (Hand(3, BEN), Hand(7, CHLOE))
    assert place(hands, GROUP, CHLOE) == 2 and place(hands, GROUP, ADA) is None


def test_next_speaker_is_the_first_in_line_for_leaders_only() -> None:
    """A leader or co-leader takes the first hand; a member is refused; an empty line says so."""
    questions = _session("questions")
    hands = [Hand(8, CHLOE), Hand(2, BEN)]
    assert next_speaker(GROUP, questions, COLEADER, hands) == Hand(2, BEN)
    with pytest.raises(Refusal, match="Only the leaders of Alpha give the floor; ask a leader"):
        next_speaker(GROUP, questions, CHLOE, hands)
    with pytest.raises(Refusal, match="No hand is raised"):
        next_speaker(GROUP, questions, LEADER, [Hand(4, OUTSIDER)])
    with pytest.raises(Refusal, match="has ended"):
        next_speaker(GROUP, _session("questions", ended=True), LEADER, hands)


# A press or a Next speaker, by whom: the model applies the core's answers as the bot stores them.
Action = tuple[str, int]
ACTIONS = st.lists(st.tuples(st.sampled_from(["press", "next"]),
                             st.sampled_from([LEADER, COLEADER, ADA, BEN, CHLOE, OUTSIDER])), max_size=40)


@settings(max_examples=200)
@given(actions=ACTIONS, anonymous=st.booleans(), key=st.sampled_from(["opening", "questions", "discussion"]))
def test_any_sequence_of_presses_keeps_one_hand_each_in_order_and_never_the_anonymous_presenter(
        actions: list[Action], anonymous: bool, key: str) -> None:
    """The line is always those whose last press raised, in the order they raised, minus whoever had the floor."""
    session = _session(key, presenter=ADA, anonymous=anonymous)
    stored: list[Hand] = []
    numbers = iter(range(1, 1000))
    expected: list[int] = []
    floor: list[int] = []
    for kind, user in actions:
        if kind == "next":
            try:
                hand = next_speaker(GROUP, session, user, stored)
            except Refusal:
                assert user not in GROUP.leader_ids or not expected
                continue
            assert hand.user_id == expected[0]
            stored.remove(hand)
            floor.append(expected.pop(0))
            continue
        try:
            done = press(GROUP, session, user, stored, presents_anonymously=anonymous and user == ADA)
        except Refusal:
            assert user == OUTSIDER or (user == ADA and not anonymous and key == "discussion")
            continue
        if done is Press.RAISE:
            stored.append(Hand(next(numbers), user))
            expected.append(user)
        elif done is Press.LOWER:
            stored = [h for h in stored if h.user_id != user]
            expected.remove(user)
        else:
            assert anonymous and user == ADA
        assert [h.user_id for h in line(stored, GROUP)] == expected
        assert len(set(expected)) == len(expected)
    if anonymous:
        assert ADA not in expected and ADA not in floor, "the anonymous presenter never shows"


def test_floor_nonces_are_distinct_from_every_other_notice() -> None:
    """One per hand, within Discord's 25 characters, never equal to a panel's, a relay's or a reminder's."""
    floors = {floor_nonce(n) for n in range(0, 5000)}
    assert len(floors) == 5000 and all(len(n) <= NONCE_MAX for n in floors)
    others = {panel_nonce(n) for n in range(5000)} | {relay_nonce(n) for n in range(5000)} | {
        reminder_nonce(n) for n in range(5000)}
    assert not floors & others
    assert floor_nonce(2**62).startswith("f") and len(floor_nonce(2**62)) <= NONCE_MAX
