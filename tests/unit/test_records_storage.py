"""The records' SQL: ended sessions only, their stays and leaders, where someone has a record, the sessions' seals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.core.cases import AuthorSeal, NewCase
from bot.core.groups import GroupSettings, NewGroup
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.presence import LeaderRole, Stay, leader_roles
from bot.core.records import presented_by
from bot.core.session import PhaseClock, Session, Status
from bot.storage import Database, SqliteGroupStore
from bot.storage.cases import SqliteCaseStore
from bot.storage.records import SqliteRecordStore
from bot.storage.sessions import SqliteSessionStore

AT = datetime(2026, 3, 1, 18, tzinfo=UTC)
CLASSIC = BUILTIN_TEMPLATES["classic"]
LEADER, ADA, BEN = 100, 11, 12


async def _group(db: Database, guild: int, name: str, channel: int) -> int:
    group = await SqliteGroupStore(db).insert_group(NewGroup(guild, name, channel, channel + 1,
                                                             GroupSettings("Europe/Paris", "classic"),
                                                             leader_id=LEADER, created_at=AT))
    return group.id


async def _session(db: Database, group_id: int, start: datetime, *, in_voice: tuple[int, ...] = (),
                   case_id: int | None = None, anonymous: bool = False, presenter: int | None = None,
                   end_after: timedelta | None = timedelta(hours=1)) -> Session:
    store = SqliteSessionStore(db)
    clock = PhaseClock(CLASSIC.phases, timedelta(minutes=2))
    session = await store.insert(group_id=group_id, case_id=case_id, template="classic", phases=CLASSIC.phases,
                                 title=None, presenter_id=presenter, anonymous=anonymous, state=clock.start(start),
                                 started_at=start, leaders=leader_roles(LEADER, (LEADER,)), in_voice=in_voice)
    if end_after is not None:
        await _end(db, session, start + end_after)
    return session


async def _end(db: Database, session: Session, at: datetime) -> None:
    store = SqliteSessionStore(db)
    current = await store.get(session.id)
    assert current is not None
    assert await store.save_state(current, replace(current.state, status=Status.ENDED, deadline=None), at) is not None


async def test_only_ended_sessions_with_their_stays_and_leaders_and_from_a_day(db: Database) -> None:
    alpha = await _group(db, 1, "Alpha", 10)
    first = await _session(db, alpha, AT, in_voice=(ADA, BEN, LEADER), end_after=None)
    await SqliteSessionStore(db).depart(first.id, BEN, AT + timedelta(minutes=10))
    await _end(db, first, AT + timedelta(hours=1))
    second = await _session(db, alpha, AT + timedelta(days=7), in_voice=(ADA,), presenter=ADA)
    await _session(db, alpha, AT + timedelta(days=14), in_voice=(ADA,), end_after=None)  # still running
    store = SqliteRecordStore(db)

    facts = await store.ended_sessions([alpha])
    assert [f.session_id for f in facts] == [first.id, second.id]
    assert facts[0].length == timedelta(hours=1) and facts[1].presenter_id == ADA
    assert sorted(s.user_id for s in facts[0].stays) == [ADA, BEN, LEADER]
    assert Stay(BEN, AT, AT + timedelta(minutes=10)) in facts[0].stays
    assert Stay(ADA, AT, AT + timedelta(hours=1)) in facts[0].stays, "closed by the end"
    assert facts[0].leaders == {LEADER: LeaderRole.LED}
    only_ben = await store.ended_sessions([alpha], users=[BEN])
    assert [[s.user_id for s in f.stays] for f in only_ben] == [[BEN], []]
    assert [f.session_id for f in await store.ended_sessions([alpha], since=AT + timedelta(days=1))] == [second.id]
    assert await store.ended_sessions([]) == []


async def test_groups_of_someone_by_membership_voice_leading_or_a_named_presentation(db: Database) -> None:
    alpha, beta = await _group(db, 1, "Alpha", 10), await _group(db, 2, "Beta", 20)
    gamma = await _group(db, 1, "Gamma", 30)
    await SqliteGroupStore(db).add_member(gamma, BEN, AT)
    await _session(db, alpha, AT, in_voice=(ADA,))
    await _session(db, beta, AT, presenter=ADA)
    await _session(db, gamma, AT, in_voice=(BEN,), end_after=None)
    store = SqliteRecordStore(db)
    assert await store.groups_of(ADA) == [alpha, beta]
    assert await store.groups_of(ADA, 1) == [alpha]
    assert await store.groups_of(BEN) == [gamma], "a member, though the running session does not count yet"
    assert await store.groups_of(LEADER, 2) == [beta]


async def test_an_anonymous_session_keeps_the_cases_seal_and_no_id(db: Database) -> None:
    """The seal is copied from the case when the session starts, and outlives the case's purge."""
    alpha = await _group(db, 1, "Alpha", 10)
    seal = AuthorSeal(b"k" * 32)
    nonce, tag = seal.seal(ADA)
    cases = SqliteCaseStore(db)
    case = await cases.insert_case(NewCase(alpha, "Title", None, True, None, tag, nonce))
    session = await _session(db, alpha, AT, case_id=case.id, anonymous=True, in_voice=(BEN,))
    named = await _session(db, alpha, AT + timedelta(days=1), presenter=BEN)
    await cases.purge_case_material(session.id)
    row = await db.fetch_one("SELECT presenter_id, case_id, presenter_nonce, presenter_tag FROM sessions WHERE id = ?",
                             (session.id,))
    assert row is not None and (row[0], row[1], bytes(row[2]), bytes(row[3])) == (None, None, nonce, tag)
    store = SqliteRecordStore(db)
    sealed = await store.sealed_sessions()
    assert [s.session_id for s in sealed] == [session.id]
    assert presented_by(seal, sealed, ADA) == {session.id} and presented_by(seal, sealed, BEN) == frozenset()
    assert await store.sealed_sessions(2) == []
    assert named.id not in {s.session_id for s in sealed}
    assert ADA not in {int(r[0]) for r in await db.fetch_all("SELECT user_id FROM session_presence")}
