"""The records' rules: attending, leading, hours, cases presented and dates; schemes and their progress; the CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.cases import AuthorSeal
from bot.core.meetings.exports import AttendanceRow, attendance_csv
from bot.core.presence import LeaderRole, Stay
from bot.core.record_files import RecordSheet, record_csv
from bot.core.records import (
    GroupRecord,
    Presented,
    SealedSession,
    SessionFacts,
    attended,
    count_record,
    presented_by,
    records_of_group,
)
from bot.core.schemes import (
    DEFAULT_SCHEMES,
    Requirement,
    Scheme,
    SchemeError,
    Unit,
    best_run,
    months_between,
    parse_scheme,
    parse_schemes,
    part_text,
    progress,
    span_text,
)
from bot.core.text import Amount, Lang, Text
from bot.i18n import translator

PARIS = ZoneInfo("Europe/Paris")
TORONTO = ZoneInfo("America/Toronto")
ADA, BEN, CHLOE, LEADER = 11, 12, 13, 99
T0 = datetime(2026, 1, 6, 18, tzinfo=UTC)  # a Tuesday, 19:00 in Paris


def session(number: int, start: datetime, minutes: float, *stays: Stay, leaders: dict[int, LeaderRole] | None = None,
            presenter: int | None = None, group: int = 1) -> SessionFacts:
    return SessionFacts(number, group, start, start + timedelta(minutes=minutes), tuple(stays), leaders or {},
                        presenter)


def stay(user: int, start: datetime, begin: float, end: float | None) -> Stay:
    return Stay(user, start + timedelta(minutes=begin), None if end is None else start + timedelta(minutes=end))


def weekly(count: int, minutes: float = 60, **kwargs: object) -> list[SessionFacts]:
    """`count` weekly sessions in which Ada sits throughout and the leader leads."""
    found = []
    for n in range(count):
        start = T0 + timedelta(weeks=n)
        found.append(session(n + 1, start, minutes, stay(ADA, start, 0, minutes), stay(LEADER, start, 0, minutes),
                             leaders={LEADER: LeaderRole.LED}, **kwargs))  # type: ignore[arg-type]
    return found


# ---------------------------------------------------------------- attending


def test_half_the_session_counts_and_a_second_less_does_not() -> None:
    """50 % of a 45-minute session is 22.5 minutes: exactly that attends, a second less does not."""
    start = T0
    exact = session(1, start, 45, Stay(ADA, start, start + timedelta(minutes=22, seconds=30)))
    short = session(2, start, 45, Stay(ADA, start, start + timedelta(minutes=22, seconds=29)))
    assert attended(exact, ADA, 50) and not attended(short, ADA, 50)
    assert attended(short, ADA, 49) and not attended(exact, ADA, 51)
    assert not attended(exact, BEN, 50), "someone never in voice did not attend"


def test_partial_attendance_adds_the_stretches_and_counts_overlaps_once() -> None:
    """In twice for 15 minutes of an hour, with an overlapping second device: 25 minutes, under half."""
    start = T0
    facts = session(1, start, 60, stay(ADA, start, -10, 10), stay(ADA, start, 5, 15), stay(ADA, start, 50, None),
                    stay(BEN, start, 0, 20), stay(BEN, start, 25, 40))
    record = count_record(ADA, 1, [facts], PARIS)
    assert record.entries[0].in_voice == timedelta(minutes=25)
    assert not record.entries[0].attended and record.attended == 0 and record.hours == 0
    assert count_record(BEN, 1, [facts], PARIS).attended == 1, "35 of 60 minutes"
    assert count_record(ADA, 1, [facts], PARIS, min_percent=40).attended == 1


def test_an_ended_session_of_zero_length_counts_for_nobody() -> None:
    facts = session(1, T0, 0, stay(ADA, T0, 0, 0))
    assert count_record(ADA, 1, [facts], PARIS).attended == 0


def test_hours_are_the_real_lengths_of_the_sessions_attended() -> None:
    """A member in voice for 40 of 60 minutes gets the hour: CME counts the session taken part in."""
    start = T0
    sessions = [session(1, start, 60, stay(ADA, start, 0, 40)),
                session(2, start + timedelta(weeks=1), 90, stay(ADA, start + timedelta(weeks=1), 0, 90)),
                session(3, start + timedelta(weeks=2), 60, stay(ADA, start + timedelta(weeks=2), 0, 20))]
    record = count_record(ADA, 1, sessions, PARIS)
    assert record.attended == 2 and record.hours == 2.5
    assert [e.in_voice for e in record.entries] == [timedelta(minutes=m) for m in (40, 90, 20)]


def test_leading_counts_only_when_attended_and_is_attending() -> None:
    """The leader who started it led; a co-leader of the group who was not there did not co-lead."""
    start = T0
    facts = session(1, start, 60, stay(LEADER, start, 0, 60), stay(BEN, start, 0, 45),
                    leaders={LEADER: LeaderRole.LED, BEN: LeaderRole.COLED, CHLOE: LeaderRole.COLED})
    led, coled, absent = (count_record(u, 1, [facts], PARIS) for u in (LEADER, BEN, CHLOE))
    assert (led.attended, led.led, led.coled) == (1, 1, 0)
    assert (coled.attended, coled.led, coled.coled) == (1, 0, 1)
    assert (absent.attended, absent.coled) == (0, 0) and absent.is_empty


def test_cases_presented_named_always_anonymous_only_in_ones_own_view() -> None:
    start = T0
    named = session(1, start, 60, stay(ADA, start, 0, 60), presenter=ADA)
    anonymous = session(2, start + timedelta(weeks=1), 60)  # presented by DM, never in voice
    mine = count_record(ADA, 1, [named, anonymous], PARIS, anonymous={2})
    theirs = count_record(ADA, 1, [named, anonymous], PARIS)
    assert (mine.presented, mine.presented_anonymously) == (2, 1)
    assert (theirs.presented, theirs.presented_anonymously) == (1, 0)
    assert [e.presented for e in mine.entries] == [Presented.NAMED, Presented.ANONYMOUS]
    assert [e.facts.session_id for e in theirs.entries] == [1], "the other view has no trace of session 2"
    assert mine.attended == theirs.attended == 1 and mine.first == theirs.first == mine.last


def test_sessions_of_other_groups_do_not_count() -> None:
    start = T0
    sessions = [session(1, start, 60, stay(ADA, start, 0, 60)),
                session(2, start, 60, stay(ADA, start, 0, 60), group=2)]
    assert count_record(ADA, 1, sessions, PARIS).attended == 1


def test_dates_across_months_are_local_days_in_the_groups_timezone() -> None:
    """A session at 23:30 UTC on January 31 is on February 1 in Paris, still January 31 in Toronto."""
    late = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    sessions = [session(1, late, 60, stay(ADA, late, 0, 60)),
                session(2, datetime(2026, 4, 30, 17, tzinfo=UTC), 60,
                        stay(ADA, datetime(2026, 4, 30, 17, tzinfo=UTC), 0, 60))]
    paris = count_record(ADA, 1, sessions, PARIS)
    toronto = count_record(ADA, 1, sessions, TORONTO)
    assert (paris.first, paris.last) == (date(2026, 2, 1), date(2026, 4, 30))
    assert (toronto.first, toronto.last) == (date(2026, 1, 31), date(2026, 4, 30))
    assert months_between(paris.first, paris.last) == 2 and months_between(toronto.first, toronto.last) == 2


def test_a_session_across_the_spring_change_counts_its_real_length() -> None:
    """00:30 to 03:30 on the clock in Paris on March 29, 2026 is two hours: the clocks skip from 2 to 3."""
    start = datetime(2026, 3, 29, 0, 30, tzinfo=PARIS).astimezone(UTC)
    end = datetime(2026, 3, 29, 3, 30, tzinfo=PARIS).astimezone(UTC)
    facts = SessionFacts(1, 1, start, end, (Stay(ADA, start, start + timedelta(minutes=61)),))
    record = count_record(ADA, 1, [facts], PARIS)
    assert record.hours == 2 and record.attended == 1, "61 of 120 minutes"
    assert record.first == date(2026, 3, 29)


def test_a_session_across_the_autumn_change_counts_its_real_length() -> None:
    """00:30 to 02:30 on the clock in Toronto on November 1, 2026 is three hours: 1:00 to 2:00 happens twice."""
    start = datetime(2026, 11, 1, 0, 30, tzinfo=TORONTO).astimezone(UTC)
    end = datetime(2026, 11, 1, 2, 30, tzinfo=TORONTO).astimezone(UTC)
    facts = SessionFacts(1, 1, start, end, (Stay(ADA, start, end),))
    assert count_record(ADA, 1, [facts], TORONTO).hours == 3


def test_the_order_of_the_sessions_given_does_not_matter_and_held_follows_time() -> None:
    sessions = weekly(5)
    ben_at = [session(10 + s.session_id, s.started_at, 60, stay(BEN, s.started_at, 0, 60 if s.session_id % 2 else 0))
              for s in sessions]
    record = count_record(BEN, 1, list(reversed(ben_at)), PARIS)
    assert record.held == (True, False, True, False, True)
    assert record == count_record(BEN, 1, ben_at, PARIS)


def test_records_of_a_group_cover_members_with_nothing_and_everyone_in_voice() -> None:
    sessions = weekly(2)
    records = records_of_group(1, sessions, PARIS, [BEN])
    assert set(records) == {ADA, BEN, LEADER}
    assert records[BEN].is_empty and records[ADA].attended == 2 and records[LEADER].led == 2


def test_seals_recognise_the_sessions_of_their_presenter_only() -> None:
    seal = AuthorSeal(b"k" * 32)
    nonce, tag = seal.seal(ADA)
    other_nonce, other_tag = seal.seal(BEN)
    sealed = [SealedSession(1, 1, nonce, tag), SealedSession(2, 1, other_nonce, other_tag)]
    assert presented_by(seal, sealed, ADA) == {1}
    assert presented_by(seal, sealed, BEN) == {2}
    assert presented_by(seal, sealed, CHLOE) == frozenset()
    assert presented_by(AuthorSeal(b"x" * 32), sealed, ADA) == frozenset(), "another key recognises no one"


stays_in_an_hour = st.lists(st.tuples(st.integers(-30, 80), st.integers(0, 70)), max_size=6)


@given(stays_in_an_hour, st.integers(1, 100), st.integers(1, 100))
def test_attending_is_monotonic_in_the_threshold(spans: list[tuple[int, int]], low: int, high: int) -> None:
    """Whoever attends at a higher threshold attends at a lower one."""
    low, high = min(low, high), max(low, high)
    facts = session(1, T0, 60, *(stay(ADA, T0, b, b + n) for b, n in spans))
    assert not attended(facts, ADA, high) or attended(facts, ADA, low)


@given(stays_in_an_hour, st.integers(0, 60))
def test_splitting_a_stay_changes_nothing(spans: list[tuple[int, int]], cut: int) -> None:
    """A stay cut in two at any instant (a reconnect) gives the same time and the same attendance."""
    whole = [stay(ADA, T0, b, b + n) for b, n in spans]
    split = []
    for b, n in spans:
        middle = b + min(cut, n)
        split += [stay(ADA, T0, b, middle), stay(ADA, T0, middle, b + n)]
    one, two = count_record(ADA, 1, [session(1, T0, 60, *whole)], PARIS), count_record(ADA, 1, [session(
        1, T0, 60, *split)], PARIS)
    assert [(e.in_voice, e.attended) for e in one.entries] == [(e.in_voice, e.attended) for e in two.entries]
    assert (one.attended, one.time, one.held) == (two.attended, two.time, two.held)


@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 180), st.booleans()), max_size=12),
       st.integers(1, 100))
def test_hours_and_counts_add_up_over_the_sessions(items: list[tuple[int, int, bool]], percent: int) -> None:
    """Hours are the lengths of the sessions attended; led sessions are attended ones; every count is consistent."""
    sessions = []
    for n, (days, minutes, leads) in enumerate(items):
        start = T0 + timedelta(days=days)
        sessions.append(session(n, start, minutes, stay(ADA, start, 0, minutes * 0.7),
                                leaders={ADA: LeaderRole.LED} if leads else {}))
    record = count_record(ADA, 1, sessions, PARIS, min_percent=percent)
    expected = sum((s.length for s in sessions if attended(s, ADA, percent)), timedelta())
    assert record.time == expected
    assert record.led <= record.attended <= len(sessions)
    assert record.attended == sum(record.held)
    assert (record.first is None) == (record.attended == 0)
    assert record.first is None or record.last is None or record.first <= record.last


# ---------------------------------------------------------------- schemes


def test_best_run_reads_six_of_eight_in_a_row() -> None:
    assert best_run((True,) * 5, 8) == 5, "fewer than 8 held: all of them"
    held = (True, False, True, True, False, True, True, True, False, False, True)
    assert best_run(held, 8) == 6
    assert best_run(held, 3) == 3
    assert best_run((), 8) == 0


@pytest.mark.parametrize(("first", "last", "months"), [
    (date(2026, 1, 10), date(2026, 7, 10), 6), (date(2026, 1, 31), date(2026, 7, 30), 5),
    (date(2026, 1, 31), date(2026, 2, 28), 0), (date(2026, 1, 28), date(2026, 2, 28), 1),
    (date(2025, 11, 15), date(2026, 3, 14), 3), (date(2026, 3, 1), date(2026, 3, 1), 0), (None, None, 0),
])
def test_months_between_counts_whole_calendar_months(first: date | None, last: date | None, months: int) -> None:
    assert months_between(first, last) == months


def _render(lang: Lang, text: object) -> str:
    return translator(lang).render(text)  # type: ignore[arg-type]


def test_progress_towards_the_three_default_schemes_in_english_and_french() -> None:
    """14 of 20 sessions; 22.5 of 30 hours over 4 of at least 6 months; 6 of 8 in a row."""
    uk, german, abfm = DEFAULT_SCHEMES
    sessions = []
    for n in range(14):
        start = T0 + timedelta(days=10 * n)
        minutes = 90 if n < 9 else 108  # 9 x 1.5 + 5 x 1.8 hours: 22.5
        roles = {ADA: LeaderRole.COLED} if n < 3 else {}
        sessions.append(session(n, start, minutes, stay(ADA, start, 0, minutes), leaders=roles))
    record = count_record(ADA, 1, sessions, PARIS)
    assert (record.attended, record.coled, record.hours) == (14, 3, 22.5)
    assert (record.first, record.last) == (date(2026, 1, 6), date(2026, 5, 16))
    assert months_between(record.first, record.last) == 4

    en, fr = Lang.EN, Lang.FR
    uk_progress = progress(uk, record)
    assert [_render(en, part_text(p)) for p in uk_progress.parts] == ["14 of 20 sessions", "3 of 20 sessions co-led"]
    assert [_render(fr, part_text(p)) for p in uk_progress.parts] == ["14 sur 20 séances",
                                                                      "3 sur 20 séances coanimées"]
    assert not uk_progress.met
    german_progress = progress(german, record)
    assert _render(en, part_text(german_progress.parts[0])) == "22.5 of 30 hours"
    assert _render(fr, part_text(german_progress.parts[0])) == "22,5 sur 30 heures"
    span = span_text(german_progress)
    assert span is not None and _render(en, span) == "over 4 of at least 6 months"
    assert _render(fr, span) == "sur 4 mois, pour au moins 6 mois"
    assert span_text(uk_progress) is None
    abfm_progress = progress(abfm, record)
    assert abfm_progress.met and _render(en, part_text(abfm_progress.parts[0])) == "8 of 6 sessions within 8 in a row"


def test_a_scheme_is_met_only_with_every_part_and_its_span() -> None:
    scheme = Scheme("Hours", (Requirement(Unit.HOURS, 2),), min_months=1)
    two_hours_same_month = count_record(ADA, 1, weekly(2), PARIS)
    assert progress(scheme, two_hours_same_month).parts[0].met
    assert not progress(scheme, two_hours_same_month).met, "the span is not there yet"
    five_weeks = count_record(ADA, 1, weekly(6), PARIS)
    assert progress(scheme, five_weeks).met and progress(scheme, five_weeks).months == 1


def test_plurals_follow_the_target_in_each_language() -> None:
    one = Scheme("One", (Requirement(Unit.SESSIONS, 1),), min_months=1)
    empty = progress(one, GroupRecord(1))
    assert _render(Lang.EN, part_text(empty.parts[0])) == "0 of 1 session"
    assert _render(Lang.FR, part_text(empty.parts[0])) == "0 sur 1 séance"
    span = span_text(empty)
    assert span is not None and _render(Lang.EN, span) == "over 0 of at least 1 month"
    hours = progress(Scheme("H", (Requirement(Unit.HOURS, 1),)), GroupRecord(1)).parts[0]
    assert _render(Lang.EN, part_text(hours)) == "0 of 1 hour"
    assert _render(Lang.FR, part_text(hours)) == "0 sur 1 heure"


def test_a_scheme_parses_in_both_forms() -> None:
    assert parse_scheme("s", {"name": "  German   chambers ", "unit": "hours", "target": 30, "min_months": 6}) == \
        Scheme("German chambers", (Requirement(Unit.HOURS, 30),), 6)
    assert parse_scheme("s", {"name": "UK", "requires": [{"unit": "sessions", "target": 20},
                                                         {"unit": "co-led", "target": 20}]}) == \
        Scheme("UK", (Requirement(Unit.SESSIONS, 20), Requirement(Unit.COLED, 20)))
    assert parse_scheme("s", {"name": "ABFM", "unit": "sessions", "target": 6, "out_of": 8}).requires == \
        (Requirement(Unit.SESSIONS, 6, 8),)


@pytest.mark.parametrize(("raw", "where", "problem"), [
    ({"unit": "hours", "target": 3}, "s.name", "expected a name"),
    ({"name": "X", "unit": "minutes", "target": 3}, "s.unit", "'minutes' is not a unit"),
    ({"name": "X", "unit": "hours"}, "s.target", "is missing"),
    ({"name": "X", "unit": "hours", "target": 0}, "s.target", "0 is not allowed"),
    ({"name": "X", "unit": "hours", "target": 2.5}, "s.target", "2.5 is not allowed"),
    ({"name": "X", "unit": "hours", "target": 3, "out_of": 8}, "s.out_of", "only a unit of sessions"),
    ({"name": "X", "unit": "sessions", "target": 8, "out_of": 6}, "s.out_of", "fewer than the target"),
    ({"name": "X", "unit": "hours", "target": 3, "months": 6}, "s.months", "is not a scheme setting"),
    ({"name": "X", "unit": "hours", "target": 3, "requires": []}, "s.requires", "either unit and target"),
    ({"name": "X", "requires": []}, "s.requires", "expected a list of 1-4"),
    ({"name": "X", "requires": [{"unit": "hours", "target": 1}, {"unit": "hours", "target": 2}]}, "s.requires",
     "two requirements count the same unit"),
    ({"name": "X", "requires": [{"unit": "hours", "target": 1, "extra": 1}]}, "s.requires[0]", "expected a table"),
    ({"name": "X", "unit": "hours", "target": 3, "min_months": 0}, "s.min_months", "0 is not allowed"),
    ("hours", "s", "expected a table"),
])
def test_a_bad_scheme_names_the_key_and_the_problem(raw: object, where: str, problem: str) -> None:
    with pytest.raises(SchemeError) as caught:
        parse_scheme("s", raw)
    assert caught.value.where == where and problem in caught.value.problem


def test_two_schemes_with_one_name_are_refused() -> None:
    with pytest.raises(SchemeError, match="two schemes have the same name"):
        parse_schemes("records.schemes", [{"name": "A", "unit": "hours", "target": 1},
                                          {"name": "a", "unit": "hours", "target": 2}])
    assert parse_schemes("records.schemes", []) == ()


# ---------------------------------------------------------------- files


def test_the_record_csv_has_the_summary_the_schemes_and_every_session() -> None:
    start = T0
    sessions = [session(1, start, 60, stay(ADA, start, 0, 45), presenter=ADA),
                session(2, start + timedelta(weeks=1), 90, stay(ADA, start + timedelta(weeks=1), 0, 20)),
                session(3, start + timedelta(weeks=2), 60, leaders={ADA: LeaderRole.COLED})]
    record = count_record(ADA, 1, sessions, PARIS, anonymous={3})
    sheet = RecordSheet("=Clinic", "Alpha", record, tuple(progress(s, record) for s in DEFAULT_SCHEMES))
    own = list(csv.reader(io.StringIO(record_csv([sheet], own=True))))
    assert own[0] == ["server", "group", "sessions attended", "sessions led", "sessions co-led", "hours",
                      "cases presented", "first session", "last session", "of which anonymously"]
    assert own[1] == ["'=Clinic", "Alpha", "1", "0", "0", "1.00", "2", "2026-01-06", "2026-01-06", "1"]
    assert own[2] == []
    assert own[3] == ["server", "group", "scheme", "progress", "met"]
    assert own[4] == ["'=Clinic", "Alpha", "UK Balint Society (leader accreditation)",
                      "1 of 20 sessions; 0 of 20 sessions co-led", "no"]
    assert own[5][3] == "1 of 30 hours; over 0 of at least 6 months"
    assert own[7] == []
    assert own[8] == ["server", "group", "date", "time", "session minutes", "minutes in voice", "attended", "role",
                      "presented"]
    assert own[9:] == [["'=Clinic", "Alpha", "2026-01-06", "19:00", "60", "45", "yes", "", "named"],
                       ["'=Clinic", "Alpha", "2026-01-13", "19:00", "90", "20", "no", "", ""],
                       ["'=Clinic", "Alpha", "2026-01-20", "19:00", "60", "0", "no", "", "anonymously"]]
    theirs = count_record(ADA, 1, sessions, PARIS)
    other = record_csv([RecordSheet("=Clinic", "Alpha", theirs)])
    assert "anonym" not in other and "of which" not in other
    french = list(csv.reader(io.StringIO(record_csv([sheet], translator(Lang.FR).render, own=True))))
    assert french[0][2:5] == ["séances suivies", "séances animées", "séances coanimées"]
    assert french[4][3:] == ["1 sur 20 séances; 0 sur 20 séances coanimées", "non"]
    assert french[9][6:] == ["oui", "", "sous son nom"]


def test_the_attendance_csv_carries_each_members_record_on_their_total_row() -> None:
    start = T0
    sessions = [session(1, start, 60, stay(ADA, start, 0, 60), stay(LEADER, start, 0, 60),
                        leaders={LEADER: LeaderRole.LED}, presenter=ADA)]
    records = records_of_group(1, sessions, PARIS, [BEN])
    rows = [AttendanceRow(start, "Dr Ada", 60, "going"), AttendanceRow(start, "Dr Ben", 0, "cant")]
    names = {ADA: "Dr Ada", BEN: "Dr Ben", LEADER: "Leader"}
    table = list(csv.reader(io.StringIO(attendance_csv(rows, PARIS, records={names[u]: r
                                                                            for u, r in records.items()}))))
    assert table[0] == ["date", "time", "member", "minutes", "rsvp", "sessions attended", "sessions led",
                        "sessions co-led", "hours", "cases presented", "first session", "last session"]
    assert table[1] == ["2026-01-06", "19:00", "Dr Ada", "60", "going", "", "", "", "", "", "", ""]
    totals = {r[2]: r[3:] for r in table if r[0] == "total"}
    assert totals["Dr Ada"] == ["60", "", "1", "0", "0", "1.00", "1", "2026-01-06", "2026-01-06"]
    assert totals["Dr Ben"] == ["0", "", "0", "0", "0", "0.00", "0", "", ""]
    assert totals["Leader"] == ["0", "", "1", "1", "0", "1.00", "0", "2026-01-06", "2026-01-06"], "no meeting row"
    assert attendance_csv(rows, PARIS).splitlines()[0] == "date,time,member,minutes,rsvp", "without records as before"


@pytest.mark.parametrize(("value", "english", "french"), [
    (22.5, "22.5", "22,5"), (30.0, "30", "30"), (29.99, "29.9", "29,9"), (0.04, "0", "0"), (1234.5, "1,234.5", None),
])
def test_an_amount_is_cut_to_a_tenth_and_written_in_the_readers_way(value: float, english: str,
                                                                    french: str | None) -> None:
    """Hours are never rounded up; French writes a decimal comma."""
    text = Text("{hours}", hours=Amount(value))
    assert str(text) == english == translator(Lang.EN).render(text)
    if french is not None:
        assert translator(Lang.FR).render(text) == french
    else:
        assert translator(Lang.FR).render(text).replace("\u202f", " ").replace("\xa0", " ") == "1 234,5"
