"""The group rules of the core, on a real store and a fake clock."""

from __future__ import annotations

import pytest

from bot.core.clock import FakeClock
from bot.core.errors import Refusal
from bot.core.groups import Actor, GroupRules, Pushback
from bot.storage.instants import to_text

ADMIN = Actor(user_id=1, is_admin=True)
MEMBER = Actor(user_id=2, is_admin=False)


async def test_create_defaults_and_clock(rules: GroupRules, clock: FakeClock) -> None:
    """A new group takes the defaults, the admin as leader, and the clock's time."""
    group = await rules.create(ADMIN, 9, "  Tuesday   Balint ", 10, 11)
    assert group.name == "Tuesday Balint"
    assert group.leader_ids == (1,) and group.member_ids == ()
    assert (group.settings.timezone, group.settings.template) == ("UTC", "classic")
    assert group.settings.pushback is Pushback.MUTE and not group.settings.auto_advance
    row = await rules.store.db.fetch_one("SELECT created_at FROM groups")  # type: ignore[attr-defined]
    assert row["created_at"] == to_text(clock.now())


async def test_nothing_is_written_when_a_later_check_fails(rules: GroupRules) -> None:
    """A bad template after a good name leaves no group behind."""
    with pytest.raises(Refusal, match="no template called"):
        await rules.create(ADMIN, 9, "Alpha", 10, 11, template="nope")
    assert await rules.store.groups_in_guild(9) == []


async def test_configure_returns_the_new_group_and_stores_it(rules: GroupRules) -> None:
    """Configure checks every option, then stores them together."""
    group = await rules.create(ADMIN, 9, "Alpha", 10, 11)
    changed = await rules.configure(ADMIN, group, template="Residency", timezone="asia/tokyo",
                                    auto_advance=True, pushback=Pushback.OFF, retention_hours=168)
    stored = await rules.store.group_by_id(group.id)
    assert stored == changed
    assert changed.settings.template == "residency" and changed.settings.timezone == "Asia/Tokyo"


async def test_join_and_leave(rules: GroupRules) -> None:
    """Members join once, and leave once."""
    group = await rules.create(ADMIN, 9, "Alpha", 10, 11)
    await rules.join(2, group)
    group = await rules.get(9, group.id)
    with pytest.raises(Refusal, match="already a member"):
        await rules.join(2, group)
    await rules.leave(2, group)
    with pytest.raises(Refusal, match="not a member"):
        await rules.leave(2, await rules.get(9, group.id))


async def test_get_refuses_a_group_of_another_server(rules: GroupRules) -> None:
    """An id from another server is as good as unknown."""
    group = await rules.create(ADMIN, 9, "Alpha", 10, 11)
    with pytest.raises(Refusal, match="no longer exists in this server"):
        await rules.get(8, group.id)


async def test_members_cannot_lead_changes(rules: GroupRules) -> None:
    """Neither admin nor leader: refused, and nothing changes."""
    group = await rules.create(ADMIN, 9, "Alpha", 10, 11)
    for attempt in (
        rules.configure(MEMBER, group, template="double"),
        rules.add_coleader(MEMBER, group, 2),
        rules.remove_coleader(MEMBER, group, 1),
        rules.delete(MEMBER, group),
    ):
        with pytest.raises(Refusal, match="Only the leaders of Alpha"):
            await attempt
    assert await rules.store.group_by_id(group.id) == group



async def test_a_name_typed_with_extra_spaces_finds_the_group(rules: GroupRules) -> None:
    """Lookup normalises a typed name as creation stored it: "Tuesday  Balint " finds "Tuesday Balint"."""
    created = await rules.create(ADMIN, 9, "Tuesday Balint", 10, 11)
    assert (await rules.find(9, "  tuesday \t Balint ")).id == created.id
