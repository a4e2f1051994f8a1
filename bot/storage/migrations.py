"""The schema, one numbered migration after another; `PRAGMA user_version` counts them.

Never edit a migration that has shipped: add the next one.
"""

MIGRATIONS: tuple[str, ...] = (
    # 1: groups, their leaders and members.
    """
    CREATE TABLE groups (
        id                INTEGER PRIMARY KEY,
        guild_id          INTEGER NOT NULL,
        name              TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
        -- casefolded name: names are unique per server whatever their case
        name_key          TEXT    NOT NULL,
        text_channel_id   INTEGER NOT NULL,
        voice_channel_id  INTEGER NOT NULL,
        timezone          TEXT    NOT NULL,
        template          TEXT    NOT NULL,
        auto_advance      INTEGER NOT NULL DEFAULT 0 CHECK (auto_advance IN (0, 1)),
        pushback          TEXT    NOT NULL DEFAULT 'mute' CHECK (pushback IN ('mute', 'off')),
        retention_hours   INTEGER NOT NULL DEFAULT 0 CHECK (retention_hours BETWEEN 0 AND 168),
        created_at        TEXT    NOT NULL,
        UNIQUE (guild_id, name_key)
    );
    CREATE UNIQUE INDEX groups_text_channel ON groups (guild_id, text_channel_id);
    CREATE UNIQUE INDEX groups_voice_channel ON groups (guild_id, voice_channel_id);
    CREATE TABLE leaders (
        group_id  INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        user_id   INTEGER NOT NULL,
        added_at  TEXT    NOT NULL,
        PRIMARY KEY (group_id, user_id)
    );
    CREATE TABLE members (
        group_id   INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        user_id    INTEGER NOT NULL,
        -- when they accepted the group's agreement (confidentiality, no patient names)
        agreed_at  TEXT    NOT NULL,
        PRIMARY KEY (group_id, user_id)
    );
    CREATE INDEX members_user ON members (user_id);
    CREATE INDEX leaders_user ON leaders (user_id)
    """,
)
