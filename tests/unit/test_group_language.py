"""A group's language: its setting, its column (migration 5), and the default from config."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.core.clock import FakeClock
from bot.core.groups import Actor, GroupRules
from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.text import Lang
from bot.storage import Database, SqliteGroupStore
from bot.storage.migrations import MIGRATIONS

ADMIN = Actor(user_id=100, is_admin=True)


async def test_a_new_group_speaks_the_default_and_a_leader_changes_it(
    db: Database, clock: FakeClock, rules: GroupRules
) -> None:
    """English unless configured otherwise; /group config language is stored and read back."""
    group = await rules.create(ADMIN, 1, "Alpha", 10, 11)
    assert group.settings.language is Lang.EN
    changed = await rules.configure(ADMIN, group, language=Lang.FR)
    assert changed.settings.language is Lang.FR
    stored = await SqliteGroupStore(db).group_by_id(group.id)
    assert stored is not None and stored.settings == changed.settings
    french = GroupRules(SqliteGroupStore(db), clock, BUILTIN_TEMPLATES, default_timezone="UTC",
                        default_template="classic", default_language=Lang.FR)
    beta = await french.create(ADMIN, 1, "Beta", 20, 21)
    assert beta.settings.language is Lang.FR


async def test_groups_made_before_the_setting_speak_english(tmp_path: Path) -> None:
    """Migration 5 gives every existing group English, and the column takes only en and fr."""
    path = tmp_path / "v4.db"
    with sqlite3.connect(path) as conn:
        for script in MIGRATIONS[:4]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 4")
        conn.execute(
            "INSERT INTO groups (id, guild_id, name, name_key, text_channel_id, voice_channel_id, timezone,"
            " template, created_at) VALUES (1, 9, 'Alpha', 'alpha', 10, 11, 'UTC', 'classic',"
            " '2026-12-01T18:00:00.000000+00:00')")
        conn.execute("INSERT INTO leaders (group_id, user_id, added_at) VALUES (1, 100,"
                     " '2026-12-01T18:00:00.000000+00:00')")
    conn.close()
    db = await Database.open(path)
    try:
        group = await SqliteGroupStore(db).group_by_id(1)
        assert group is not None and group.settings.language is Lang.EN
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as tx:
                await tx.execute("UPDATE groups SET language = 'de' WHERE id = 1")
    finally:
        await db.close()


def test_the_default_language_comes_from_config_or_the_environment(tmp_path: Path) -> None:
    """bot.default_language in the file, BALINT_LANGUAGE over it; anything but en or fr names the key."""
    path = tmp_path / "config.toml"
    path.write_text('[bot]\ndefault_language = "FR"\n', encoding="utf-8")
    assert load_settings(environ={}, config_path=path).default_language is Lang.FR
    assert load_settings(environ={"BALINT_LANGUAGE": "en"}, config_path=path).default_language is Lang.EN
    with pytest.raises(ConfigError, match=r"^config error: BALINT_LANGUAGE: 'de' is not allowed; use one of en, fr$"):
        load_settings(environ={"BALINT_LANGUAGE": "de"}, config_path=path)
    path.write_text('[bot]\ndefault_language = "fr-CA"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bot\.default_language: 'fr-CA' is not allowed"):
        load_settings(environ={}, config_path=path)
