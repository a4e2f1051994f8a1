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
    # 2: sessions, and the server mutes the bot made (so it undoes only its own).
    """
    CREATE TABLE sessions (
        id                INTEGER PRIMARY KEY,
        group_id          INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        template          TEXT    NOT NULL,
        -- the template's phases as JSON, frozen for the session's life
        phases            TEXT    NOT NULL,
        title             TEXT,
        -- the presenter, only when not anonymous: the bot mutes them during the push-back
        presenter_id      INTEGER,
        anonymous         INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
        status            TEXT    NOT NULL CHECK (status IN ('running', 'paused', 'ended')),
        phase_index       INTEGER NOT NULL CHECK (phase_index >= 0),
        -- UTC ISO instant the phase ends, while running
        deadline          TEXT,
        -- seconds left in the phase, while paused
        remaining         REAL,
        warned            INTEGER NOT NULL DEFAULT 0,
        timed_up          INTEGER NOT NULL DEFAULT 0,
        -- bumped by every change: a writer that read an older version loses, so two
        -- processes (or a timer and a button) never both apply a change
        version           INTEGER NOT NULL DEFAULT 0,
        panel_channel_id  INTEGER,
        panel_message_id  INTEGER,
        -- missing permissions already told to the leaders, comma-separated
        reported          TEXT    NOT NULL DEFAULT '',
        started_at        TEXT    NOT NULL,
        ended_at          TEXT,
        CHECK (anonymous = 0 OR presenter_id IS NULL)
    );
    CREATE UNIQUE INDEX sessions_one_live_per_group ON sessions (group_id) WHERE status != 'ended';
    CREATE INDEX sessions_live ON sessions (status) WHERE status != 'ended';
    CREATE TABLE voice_mutes (
        guild_id    INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        session_id  INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
        muted_at    TEXT    NOT NULL,
        PRIMARY KEY (guild_id, user_id)
    );
    -- Anonymous feedback after a session. Who answered (to answer once) and what was
    -- answered are kept apart, with nothing to join them: answers get random ids and no
    -- time, so neither their order nor their place in the file tells who wrote them.
    CREATE TABLE feedback_voters (
        session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        user_id     INTEGER NOT NULL,
        PRIMARY KEY (session_id, user_id)
    );
    CREATE TABLE feedback (
        id          INTEGER PRIMARY KEY,
        session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment     TEXT CHECK (comment IS NULL OR length(comment) <= 500)
    );
    CREATE INDEX feedback_session ON feedback (session_id)
    """,
)
