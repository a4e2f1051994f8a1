"""Privacy's SQL against a real database file: forget-me, leaving, and departures."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta

from bot.core.cases import AuthorSeal, CaseState, NewCase
from bot.core.groups import GroupSettings, NewGroup
from bot.core.notices import Notice
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.privacy import SealedMark
from bot.core.session import PhaseClock, SessionState, Status
from bot.storage import Database, SqliteGroupStore
from bot.storage.cases import SqliteCaseStore
from bot.storage.outbox import SqliteOutbox, claim_notices
from bot.storage.privacy import SqlitePrivacyStore
from bot.storage.sessions import SqliteSessionStore

AT = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
ADA, BEN = 100, 200
SEAL = AuthorSeal(b"s" * 32)


async def _group(db: Database, name: str, guild: int, leader: int, text: int) -> int:
    group = await SqliteGroupStore(db).insert_group(
        NewGroup(guild, name, text, text + 1, GroupSettings("UTC", "classic"), leader_id=leader, created_at=AT))
    return group.id


async def test_forget_removes_everything_and_returns_the_groups_left_leaderless(db: Database) -> None:
    """Roles, cases (named and recognised anonymous), presenter id, mutes, feedback voters: all gone."""
    store, cases, sessions = SqlitePrivacyStore(db), SqliteCaseStore(db), SqliteSessionStore(db)
    groups = SqliteGroupStore(db)
    solo = await _group(db, "Solo", 1, ADA, 10)
    shared = await _group(db, "Shared", 2, BEN, 20)
    await groups.add_leader(shared, ADA, AT)
    await groups.add_member(shared, ADA, AT)
    await groups.add_member(shared, BEN, AT)
    nonce, tag = SEAL.seal(ADA)
    hidden = await cases.insert_case(NewCase(shared, "Hidden", "Story", True, None, tag, nonce))
    await cases.insert_case(NewCase(solo, "Named", None, False, ADA, None, None))
    await cases.insert_case(NewCase(shared, "Ben's", None, False, BEN, None, None))
    classic = BUILTIN_TEMPLATES["classic"]
    ended = PhaseClock(classic.phases, timedelta(0)).start(AT)
    session = await sessions.insert(group_id=shared, case_id=None, template="classic", phases=classic.phases,
                                    title=None, presenter_id=ADA, anonymous=False, state=ended, started_at=AT)
    await sessions.save_state(session, SessionState(phase_index=0, status=Status.ENDED, deadline=None,
                                                    remaining=None), AT)
    await sessions.add_feedback(session.id, ADA, 4, "kind words")
    for guild in (1, 2):  # a mute of the bot's, in place: intended, then done
        await sessions.intend_mute(guild, ADA, session.id, AT)
        await sessions.mute_done(guild, ADA)
    assert not (await store.export(ADA, [hidden.id], [])).is_empty()

    orphans = await store.forget(ADA, [hidden.id], [SealedMark(1, b"x")], keep_mutes_in=[2])
    assert [(o.name, o.server_id) for o in orphans] == [("Solo", 1)]
    data = await store.export(ADA, [hidden.id], [])
    assert data.mutes and data.mutes[0].session_id is None and data.mutes[0].server_id == 2, \
        "a mute the bot could not lift yet stays, without its session, until it is lifted"
    assert [f.name for f in fields(data) if getattr(data, f.name)] == ["mutes"]
    assert [c.title for c in await cases.cases_of_group(shared, tuple(CaseState))] == ["Ben's"]
    assert (await groups.group_by_id(solo)) is not None, "the group stays"
    assert await sessions.feedback(session.id) == [(4, "kind words")], "the anonymous answer is not theirs to delete"


async def test_leaving_a_server_keeps_other_servers_and_attendance(db: Database) -> None:
    """Only that server's groups; queued cases go, a presented one stays with its session's retention."""
    store, cases, groups = SqlitePrivacyStore(db), SqliteCaseStore(db), SqliteGroupStore(db)
    here = await _group(db, "Here", 1, BEN, 10)
    elsewhere = await _group(db, "Elsewhere", 2, BEN, 20)
    for group_id in (here, elsewhere):
        await groups.add_member(group_id, ADA, AT)
        await cases.insert_case(NewCase(group_id, f"Queued {group_id}", None, False, ADA, None, None))
    presented = await cases.insert_case(NewCase(here, "Presented", None, False, ADA, None, None))
    await cases.move_case(presented.id, CaseState.QUEUED, CaseState.PRESENTED)
    assert await store.leave_server(1, ADA, [], [], AT) == []
    assert (await groups.group_by_id(here)).member_ids == ()  # type: ignore[union-attr]
    assert (await groups.group_by_id(elsewhere)).member_ids == (ADA,)  # type: ignore[union-attr]
    assert [c.title for c in await cases.cases_of_group(here, tuple(CaseState))] == ["Presented"]
    assert len(await cases.cases_of_group(elsewhere, tuple(CaseState))) == 1
    assert [(o.name, o.group_id) for o in await store.leave_server(1, BEN, [], [], AT)] == [("Here", here)]


async def test_departures_count_from_the_first_removal(db: Database) -> None:
    """A second GUILD_DELETE does not restart the grace; coming back forgets the departure."""
    store = SqlitePrivacyStore(db)
    assert await store.record_departure(7, AT) == AT
    assert await store.record_departure(7, AT + timedelta(days=3)) == AT
    assert await store.departures() == [(7, AT)]
    assert await store.cancel_departure(7) and not await store.cancel_departure(7)
    assert await store.departures() == []


async def test_forget_takes_back_the_notices_still_owed_that_name_them(db: Database) -> None:
    """An unsent floor (their ping) or word naming them goes; a notice naming someone else, or already sent, stays."""
    outbox = SqliteOutbox(db)
    floor = Notice("f1", 10, 1, f"<@{ADA}>, you have the floor.", AT, ping=ADA)
    word = Notice("b1.2c", 10, 1, f"<@{ADA}>, I could not send you this session's debrief.", AT)
    other = Notice("f2", 10, 1, f"<@{BEN}>, you have the floor.", AT, ping=BEN)
    sent = Notice("f3", 10, 1, f"<@{ADA}>, you have the floor.", AT, ping=ADA)
    async with db.transaction() as tx:
        await claim_notices(tx, [floor, word, other, sent])
    await outbox.mark_sent("f3", 10, 33, AT, reminder=False)
    await SqlitePrivacyStore(db).forget(ADA, [], [], keep_mutes_in=[])
    assert [n.nonce for n in await outbox.unsent()] == ["f2"]
    rows = await db.fetch_all("SELECT nonce, content, ping FROM outbox ORDER BY nonce")
    assert [tuple(r) for r in rows] == [("f2", other.content, BEN), ("f3", None, None)]
