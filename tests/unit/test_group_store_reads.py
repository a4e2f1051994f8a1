"""The group store's reads: one query per lookup, and leaders and members in the order they came."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.groups import GroupSettings, NewGroup
from bot.storage import Database, SqliteGroupStore

AT = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def _new(name: str, text: int, voice: int, leader: int) -> NewGroup:
    return NewGroup(1, name, text, voice, GroupSettings("UTC", "classic"), leader_id=leader, created_at=AT)


async def test_people_come_back_oldest_first_ties_by_id_in_every_lookup(db: Database) -> None:
    """Members in the order they agreed (equal instants by id), leaders in the order they were added."""
    store = SqliteGroupStore(db)
    alpha = await store.insert_group(_new("Alpha", 10, 11, leader=900))
    beta = await store.insert_group(_new("Beta", 20, 21, leader=901))
    await store.add_leader(alpha.id, 50, AT + timedelta(minutes=5))
    await store.add_leader(alpha.id, 7, AT + timedelta(minutes=1))
    for user, minutes in ((30, 3), (20, 3), (10, 9), (40, 1)):
        await store.add_member(alpha.id, user, AT + timedelta(minutes=minutes))
    await store.add_member(beta.id, 99, AT)
    found = [
        await store.group_by_id(alpha.id), await store.group_by_name(1, "ALPHA"),
        await store.group_using_channel(1, 11), (await store.groups_in_guild(1))[0],
    ]
    for group in found:
        assert group is not None
        assert group.leader_ids == (900, 7, 50)
        assert group.member_ids == (40, 20, 30, 10)
    listed = await store.groups_in_guild(1)
    assert [(g.name, g.leader_ids, g.member_ids) for g in listed][1] == ("Beta", (901,), (99,))


async def test_a_group_without_members_and_a_missing_one(db: Database) -> None:
    """No members is an empty tuple; an unknown group is None, in another server too."""
    store = SqliteGroupStore(db)
    alpha = await store.insert_group(_new("Alpha", 10, 11, leader=900))
    assert alpha.member_ids == () and alpha.leader_ids == (900,)
    assert await store.group_by_id(alpha.id + 1) is None
    assert await store.group_by_name(2, "Alpha") is None
    assert await store.group_using_channel(2, 10) is None
    assert await store.groups_in_guild(2) == []
