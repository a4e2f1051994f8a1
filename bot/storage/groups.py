"""SQL for groups, leaders and members."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from bot.core.groups import Dropout, Group, GroupSettings, NewGroup, Pushback
from bot.core.text import Lang
from bot.storage.db import Database
from bot.storage.instants import to_text

# A group's row with its leaders and members, in one query: each list is "<since> <user id>" pairs,
# in no particular order (group_concat promises none), put in order by `_people`.
_WITH_PEOPLE = (
    "g.id, g.guild_id, g.name, g.text_channel_id, g.voice_channel_id, g.timezone, g.template, g.auto_advance,"
    " g.pushback, g.retention_hours, g.language, g.dropout,"
    " (SELECT group_concat(added_at || ' ' || user_id) FROM leaders WHERE group_id = g.id) AS leaders,"
    " (SELECT group_concat(agreed_at || ' ' || user_id) FROM members WHERE group_id = g.id) AS members"
)


def _key(name: str) -> str:
    return name.casefold()


def _people(listed: str | None) -> tuple[int, ...]:
    """Read "<since> <user id>,..." into user ids, oldest first (ties by id), as the lists always were."""
    # Stored instants are fixed-width UTC text with no space or comma, so they sort as times.
    pairs = [(since, int(user)) for since, user in (entry.split(" ") for entry in (listed or "").split(",") if entry)]
    return tuple(user for _, user in sorted(pairs))


class SqliteGroupStore:
    """The `GroupStore` of the core, on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _group(row: aiosqlite.Row) -> Group:
        """Build a group from its row, whose `leaders` and `members` columns list "<since> <user id>" pairs."""
        return Group(
            id=int(row["id"]),
            guild_id=int(row["guild_id"]),
            name=str(row["name"]),
            text_channel_id=int(row["text_channel_id"]),
            voice_channel_id=int(row["voice_channel_id"]),
            settings=GroupSettings(
                timezone=str(row["timezone"]),
                template=str(row["template"]),
                auto_advance=bool(row["auto_advance"]),
                pushback=Pushback(row["pushback"]),
                retention_hours=int(row["retention_hours"]),
                language=Lang(row["language"]),
                dropout=Dropout(row["dropout"]),
            ),
            leader_ids=_people(row["leaders"]),
            member_ids=_people(row["members"]),
        )

    async def _groups(self, where: str, params: tuple[object, ...]) -> list[Group]:
        # By key, on the loop's thread: every interaction and timer reads its group first.
        rows = await self.db.fetch_all(f"SELECT {_WITH_PEOPLE} FROM groups g WHERE {where}", params)
        return [self._group(row) for row in rows]

    async def _first(self, where: str, params: tuple[object, ...]) -> Group | None:
        found = await self._groups(where, params)
        return found[0] if found else None

    async def group_by_name(self, guild_id: int, name: str) -> Group | None:
        """Find a group by name, ignoring case, in one server."""
        return await self._first("g.guild_id = ? AND g.name_key = ?", (guild_id, _key(name)))

    async def group_by_id(self, group_id: int) -> Group | None:
        """Find a group by id."""
        return await self._first("g.id = ?", (group_id,))

    async def groups_by_id(self, group_ids: Iterable[int]) -> dict[int, Group]:
        """Find many groups by id, in one query (those that no longer exist are left out)."""
        wanted = sorted(set(group_ids))
        if not wanted:
            return {}
        rows = await self.db.fetch_all(
            f"SELECT {_WITH_PEOPLE} FROM groups g WHERE g.id IN (SELECT value FROM json_each(?))",
            (json.dumps(wanted),),
        )
        return {int(row["id"]): self._group(row) for row in rows}

    async def groups_in_guild(self, guild_id: int) -> list[Group]:
        """List the groups of one server, by name."""
        return await self._groups("g.guild_id = ? ORDER BY g.name_key", (guild_id,))

    async def group_ids(self, guild_id: int) -> set[int]:
        """Return the ids of one server's groups (to scope a lookup; no leaders or members read)."""
        rows = await self.db.fetch_all("SELECT id FROM groups WHERE guild_id = ?", (guild_id,))
        return {int(row["id"]) for row in rows}

    async def group_names(self, guild_id: int) -> list[str]:
        """List the names of one server's groups, for autocompletion (no joins needed)."""
        rows = await self.db.fetch_all(
            "SELECT name FROM groups WHERE guild_id = ? ORDER BY name_key", (guild_id,)
        )
        return [str(row["name"]) for row in rows]

    async def group_using_channel(self, guild_id: int, channel_id: int) -> Group | None:
        """Find the group whose text or voice channel this is."""
        return await self._first(
            "g.guild_id = ? AND (g.text_channel_id = ? OR g.voice_channel_id = ?)", (guild_id, channel_id, channel_id)
        )

    async def insert_group(self, group: NewGroup) -> Group:
        """Store a new group with its first leader, in one transaction."""
        s = group.settings
        async with self.db.transaction() as tx:
            group_id = await tx.insert(
                "INSERT INTO groups (guild_id, name, name_key, text_channel_id, voice_channel_id, timezone,"
                " template, auto_advance, pushback, retention_hours, language, dropout, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (group.guild_id, group.name, _key(group.name), group.text_channel_id,
                 group.voice_channel_id, s.timezone, s.template, int(s.auto_advance), s.pushback.value,
                 s.retention_hours, s.language.value, s.dropout.value, to_text(group.created_at)),
            )
            await tx.execute(
                "INSERT INTO leaders (group_id, user_id, added_at) VALUES (?, ?, ?)",
                (group_id, group.leader_id, to_text(group.created_at)),
            )
        created = await self.group_by_id(group_id)
        assert created is not None
        return created

    async def update_settings(self, group_id: int, settings: GroupSettings) -> None:
        """Replace a group's settings."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE groups SET timezone = ?, template = ?, auto_advance = ?, pushback = ?,"
                " retention_hours = ?, language = ?, dropout = ? WHERE id = ?",
                (settings.timezone, settings.template, int(settings.auto_advance), settings.pushback.value,
                 settings.retention_hours, settings.language.value, settings.dropout.value, group_id),
            )

    async def add_leader(self, group_id: int, user_id: int, at: datetime) -> None:
        """Make someone a (co-)leader."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT OR IGNORE INTO leaders (group_id, user_id, added_at) VALUES (?, ?, ?)",
                (group_id, user_id, to_text(at)),
            )

    async def remove_leader(self, group_id: int, user_id: int) -> bool:
        """Remove a leader unless they are the last one; tell whether they were removed."""
        async with self.db.transaction() as tx:
            # Counting inside the same transaction closes the race of two co-leaders
            # removing each other at once and leaving the group with none.
            count = await tx.scalar("SELECT count(*) FROM leaders WHERE group_id = ?", (group_id,))
            if int(count) <= 1:
                return False
            changed = await tx.execute(
                "DELETE FROM leaders WHERE group_id = ? AND user_id = ?", (group_id, user_id)
            )
        return changed == 1

    async def add_member(self, group_id: int, user_id: int, agreed_at: datetime) -> bool:
        """Record that someone agreed and joined; False if they already had."""
        try:
            async with self.db.transaction() as tx:
                changed = await tx.execute(
                    "INSERT OR IGNORE INTO members (group_id, user_id, agreed_at) VALUES (?, ?, ?)",
                    (group_id, user_id, to_text(agreed_at)),
                )
        except sqlite3.IntegrityError:
            # The group was deleted between the button being shown and clicked.
            return False
        return changed == 1

    async def remove_member(self, group_id: int, user_id: int) -> bool:
        """Remove a member; False if they were not one."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "DELETE FROM members WHERE group_id = ? AND user_id = ?", (group_id, user_id)
            )
        return changed == 1

    async def delete_group(self, group_id: int) -> bool:
        """Delete a group and everything that belongs to it (foreign keys cascade)."""
        async with self.db.transaction() as tx:
            changed = await tx.execute("DELETE FROM groups WHERE id = ?", (group_id,))
        await self.db.scrub()  # the group's cases went with it
        return changed == 1
