"""The schema, one numbered migration after another; `PRAGMA user_version` counts them.

Never edit a migration that has shipped: add the next one.
"""

# Frozen with migration 4, which uses them: changing them would change a shipped migration.
#
# Before migration 4, groups and sessions stored `.isoformat()` of an aware UTC datetime (every
# Clock returns UTC). That has exactly two forms: "2026-12-01T19:00:00.250000+00:00" (already
# the stored form of bot/storage/instants.py) and, when the microseconds are 0,
# "2026-12-01T19:00:00+00:00", which as text neither equals the same instant in the stored form
# nor sorts after it, so `=` and `>=` in SQL go wrong. Only this second form is rewritten, by
# inserting ".000000" before the offset; the GLOB matches nothing else (canonical text included).
_NO_FRACTION = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]+00:00"


def _add_microseconds(*columns: tuple[str, str]) -> str:
    """Return the UPDATEs that give every listed (table, column) six fraction digits."""
    return ";\n".join(
        f"UPDATE {table} SET {column} = substr({column}, 1, 19) || '.000000' || substr({column}, 20)"
        f" WHERE {column} GLOB '{_NO_FRACTION}'"
        for table, column in columns
    )


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
    # 2: cases, sessions, relayed words, the server mutes the bot made (so it undoes only
    # its own), and anonymous feedback.
    """
    CREATE TABLE cases (
        id          INTEGER PRIMARY KEY,
        group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        -- shown in the group's queue and on the panel
        title       TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
        -- the presenter's optional summary, for the leaders to choose; purged with the case
        story       TEXT    CHECK (story IS NULL OR length(story) <= 1500),
        anonymous   INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
        -- a named case only: the presenter is shown, and muted during the push-back
        author_id   INTEGER,
        -- an anonymous case only: HMAC(key, nonce || user id) with a key kept outside this
        -- database. It lets the bot recognise the author (to relay their words and let them
        -- withdraw) while the database alone, or a backup of it, cannot tell who they are.
        author_tag  BLOB,
        -- random per case, so the same author's tags differ from case to case
        nonce       BLOB,
        state       TEXT    NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'presenting', 'presented', 'withdrawn')),
        CHECK ((anonymous = 1 AND author_id IS NULL AND author_tag IS NOT NULL AND nonce IS NOT NULL)
            OR (anonymous = 0 AND author_id IS NOT NULL AND author_tag IS NULL AND nonce IS NULL))
    );
    CREATE INDEX cases_group ON cases (group_id, state);
    CREATE TABLE sessions (
        id                INTEGER PRIMARY KEY,
        group_id          INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        case_id           INTEGER REFERENCES cases (id) ON DELETE SET NULL,
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
    -- The bot's "Presenter:" messages: kept so that a leader can remove one (and only
    -- these) and so that they are deleted with the case. The words themselves are not kept.
    CREATE TABLE relays (
        message_id  INTEGER PRIMARY KEY,
        channel_id  INTEGER NOT NULL,
        session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE
    );
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
    # 3: meetings: series with their rule, the occurrences laid out ahead with their Discord
    # events, the reminders (each sent once), RSVPs, and time present in voice.
    """
    CREATE TABLE meeting_series (
        id                INTEGER PRIMARY KEY,
        group_id          INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        -- the calendar UID, the same in every .ics the series is exported to
        uid               TEXT    NOT NULL UNIQUE,
        -- RFC 5545 RRULE without DTSTART, NULL for a single meeting
        rrule             TEXT,
        -- wall-clock start in the zone, without offset: what the rule repeats
        local_start       TEXT    NOT NULL,
        timezone          TEXT    NOT NULL,
        duration_minutes  INTEGER NOT NULL CHECK (duration_minutes BETWEEN 15 AND 240),
        -- UTC: occurrences exist as rows up to here, the next look is due at replan_at
        planned_until     TEXT    NOT NULL,
        replan_at         TEXT,
        -- UTC start of the next occurrence, NULL once none is left
        next_start        TEXT,
        -- missing permissions already told to the leaders, comma-separated
        reported          TEXT    NOT NULL DEFAULT '',
        created_by        INTEGER NOT NULL,
        created_at        TEXT    NOT NULL,
        cancelled_at      TEXT
    );
    CREATE INDEX meeting_series_group ON meeting_series (group_id);
    CREATE INDEX meeting_series_replan ON meeting_series (replan_at) WHERE cancelled_at IS NULL;
    CREATE TABLE meetings (
        id           INTEGER PRIMARY KEY,
        series_id    INTEGER NOT NULL REFERENCES meeting_series (id) ON DELETE CASCADE,
        starts_at    TEXT    NOT NULL,
        ends_at      TEXT    NOT NULL,
        status       TEXT    NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
        -- the guild scheduled event: none yet, claimed by a process creating it, created,
        -- failed (no permission: not retried), removed after a cancellation
        event_state  TEXT    NOT NULL DEFAULT 'none'
                     CHECK (event_state IN ('none', 'claimed', 'created', 'failed', 'removed')),
        event_id     INTEGER,
        -- when attendance began to be counted, and when it was closed
        opened_at    TEXT,
        closed_at    TEXT,
        UNIQUE (series_id, starts_at)
    );
    CREATE INDEX meetings_starts ON meetings (starts_at);
    CREATE TABLE meeting_reminders (
        id              INTEGER PRIMARY KEY,
        meeting_id      INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
        -- minutes before the start, 0 for the start notice
        offset_minutes  INTEGER NOT NULL CHECK (offset_minutes >= 0),
        due_at          TEXT    NOT NULL,
        -- set in the transaction that claims the reminder: whoever sets it sends it
        sent_at         TEXT,
        -- set instead when it was owed but is too late to be of use
        skipped_at      TEXT,
        channel_id      INTEGER,
        message_id      INTEGER,
        UNIQUE (meeting_id, offset_minutes),
        CHECK (sent_at IS NULL OR skipped_at IS NULL)
    );
    CREATE INDEX meeting_reminders_pending ON meeting_reminders (due_at)
        WHERE sent_at IS NULL AND skipped_at IS NULL;
    CREATE TABLE meeting_rsvps (
        meeting_id  INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
        user_id     INTEGER NOT NULL,
        choice      TEXT    NOT NULL CHECK (choice IN ('going', 'cant', 'case')),
        answered_at TEXT    NOT NULL,
        PRIMARY KEY (meeting_id, user_id)
    );
    CREATE INDEX meeting_rsvps_user ON meeting_rsvps (user_id);
    -- "I have a case", kept apart from the RSVPs: a member who says it is recorded as going,
    -- and the case only as a seal (HMAC under the key outside this database) that counts it
    -- once. Otherwise the records would point at the author of a case proposed anonymously
    -- from that button.
    CREATE TABLE meeting_case_marks (
        meeting_id  INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
        tag         BLOB    NOT NULL,
        PRIMARY KEY (meeting_id, tag)
    );
    CREATE TABLE meeting_attendance (
        id          INTEGER PRIMARY KEY,
        meeting_id  INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
        user_id     INTEGER NOT NULL,
        joined_at   TEXT    NOT NULL,
        -- NULL while the member is still in the voice channel
        left_at     TEXT
    );
    CREATE UNIQUE INDEX meeting_attendance_open ON meeting_attendance (meeting_id, user_id)
        WHERE left_at IS NULL;
    CREATE INDEX meeting_attendance_user ON meeting_attendance (user_id)
    """,
    # 4: every instant column of every table in the one stored form (UTC, six fraction digits).
    # Meetings already wrote it; they are listed too, so that every instant column is covered.
    # meeting_series.local_start is a naive wall-clock time, not an instant: left as it is.
    _add_microseconds(
        ("groups", "created_at"),
        ("leaders", "added_at"),
        ("members", "agreed_at"),
        ("sessions", "deadline"),
        ("sessions", "started_at"),
        ("sessions", "ended_at"),
        ("voice_mutes", "muted_at"),
        ("meeting_series", "planned_until"),
        ("meeting_series", "replan_at"),
        ("meeting_series", "next_start"),
        ("meeting_series", "created_at"),
        ("meeting_series", "cancelled_at"),
        ("meetings", "starts_at"),
        ("meetings", "ends_at"),
        ("meetings", "opened_at"),
        ("meetings", "closed_at"),
        ("meeting_reminders", "due_at"),
        ("meeting_reminders", "sent_at"),
        ("meeting_reminders", "skipped_at"),
        ("meeting_rsvps", "answered_at"),
        ("meeting_attendance", "joined_at"),
        ("meeting_attendance", "left_at"),
    ),
    # 5: the language a group posts in, in its channel; groups made before it speak English.
    """
    ALTER TABLE groups ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr'))
    """,
    # 6: privacy. The bot's own session messages, by id only, so that they leave the channel
    # message_retention_hours after the session ends; and the servers the bot was removed from,
    # whose data goes server_grace_days later unless the bot is added back.
    """
    CREATE TABLE session_messages (
        message_id  INTEGER PRIMARY KEY,
        channel_id  INTEGER NOT NULL,
        guild_id    INTEGER NOT NULL,
        -- no foreign key: the ids outlive a deleted group, so that its messages still go
        session_id  INTEGER NOT NULL,
        posted_at   TEXT    NOT NULL
    );
    CREATE INDEX session_messages_session ON session_messages (session_id);
    CREATE INDEX session_messages_guild ON session_messages (guild_id);
    CREATE TABLE server_departures (
        guild_id  INTEGER PRIMARY KEY,
        -- when the bot was removed; the server's data is deleted server_grace_days later
        left_at   TEXT    NOT NULL
    )
    """,
    # 7: the outbox of notices the bot posts on its own, each under a nonce claimed in the same
    # transaction that decides it is owed (sent once, re-sent after a crash with the same nonce);
    # and the intent of a server mute, written before Discord is asked and settled after.
    """
    CREATE TABLE outbox (
        -- what the notice is ("s3.7w": session 3, the change to version 7, a warning): the nonce
        -- it is sent with, so that Discord returns the first copy to a second send
        nonce        TEXT    PRIMARY KEY CHECK (length(nonce) BETWEEN 1 AND 25),
        guild_id     INTEGER NOT NULL,
        channel_id   INTEGER NOT NULL,
        session_id   INTEGER REFERENCES sessions (id) ON DELETE CASCADE,
        reminder_id  INTEGER REFERENCES meeting_reminders (id) ON DELETE CASCADE,
        -- the text to send; emptied once sent, since nothing needs it then
        content      TEXT,
        -- the buttons under it, rebuilt at a re-send: "feedback:<session>" or "rsvp:<meeting>"
        view         TEXT,
        claimed_at   TEXT    NOT NULL,
        sent_at      TEXT,
        message_id   INTEGER,
        -- refused by Discord, or still unsent when a re-send could have made a second copy
        given_up_at  TEXT,
        CHECK (sent_at IS NULL OR given_up_at IS NULL)
    );
    CREATE INDEX outbox_unsent ON outbox (claimed_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
    CREATE INDEX outbox_session ON outbox (session_id);
    CREATE INDEX outbox_reminder ON outbox (reminder_id);
    -- NULL: the mute is in place (or owed on the member's next voice join); 'mute' or 'unmute':
    -- the bot is asking Discord for it now, or was when it stopped, and it may or may not be done
    ALTER TABLE voice_mutes ADD COLUMN pending TEXT CHECK (pending IN ('mute', 'unmute'))
    """,
    # 8: who took part in each session, for the records and the leaders' debrief: who was in the
    # group's voice channel and when, and who led (started it) and co-led it (the other leaders then).
    # Ids and instants only: nothing of the case, and nothing that marks who presented.
    """
    CREATE TABLE session_presence (
        id          INTEGER PRIMARY KEY,
        session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        user_id     INTEGER NOT NULL,
        joined_at   TEXT    NOT NULL,
        -- NULL while they are in the voice channel and the session goes on
        left_at     TEXT,
        CHECK (left_at IS NULL OR left_at >= joined_at)
    );
    CREATE UNIQUE INDEX session_presence_open ON session_presence (session_id, user_id) WHERE left_at IS NULL;
    CREATE INDEX session_presence_session ON session_presence (session_id);
    CREATE INDEX session_presence_user ON session_presence (user_id);
    CREATE TABLE session_leaders (
        session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        user_id     INTEGER NOT NULL,
        role        TEXT    NOT NULL CHECK (role IN ('led', 'coled')),
        PRIMARY KEY (session_id, user_id)
    );
    CREATE INDEX session_leaders_user ON session_leaders (user_id)
    """,
    # 9: records for accreditation. The session of an anonymous case keeps a seal of its presenter,
    # copied from the case when the session starts (the case's nonce and its HMAC under the key kept
    # outside this database), so that once the case is purged its presenter, and only they, still see
    # the presentation in their own record. Never an id: the database alone cannot tell who presented.
    # /privacy forget-me empties it.
    """
    ALTER TABLE sessions ADD COLUMN presenter_nonce BLOB;
    ALTER TABLE sessions ADD COLUMN presenter_tag BLOB
        CHECK (presenter_tag IS NULL OR (anonymous = 1 AND presenter_id IS NULL AND presenter_nonce IS NOT NULL))
    """,
    # 10: the dropout protocol and the leaders' debrief (issue #12). What a group does when its named
    # presenter or its last leader in voice drops out; each session's changes of state, for the
    # debrief's actual minutes, pauses and extensions; its relays' count (never their words); who
    # is being waited for, since when; and which leader has been sent which part of the debrief.
    """
    ALTER TABLE groups ADD COLUMN dropout TEXT NOT NULL DEFAULT 'pause' CHECK (dropout IN ('pause', 'notify', 'off'));
    ALTER TABLE sessions ADD COLUMN relays INTEGER NOT NULL DEFAULT 0;
    -- every state a session was in, from the instant it began: written with the change itself
    CREATE TABLE session_changes (
        session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        -- the session's version this state was stored as (0: the start)
        version      INTEGER NOT NULL,
        at           TEXT    NOT NULL,
        phase_index  INTEGER NOT NULL CHECK (phase_index >= 0),
        status       TEXT    NOT NULL CHECK (status IN ('running', 'paused', 'ended')),
        deadline     TEXT,
        remaining    REAL,
        PRIMARY KEY (session_id, version)
    );
    -- someone the group may wait for (its named presenter, a leader) who left its voice channel
    -- during a session; AUTOINCREMENT, since a wait's id names its notices (their nonces)
    CREATE TABLE session_dropouts (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        user_id       INTEGER NOT NULL,
        left_at       TEXT    NOT NULL,
        -- when the group was told in its channel that it waits: a notice is then owed at the return
        announced_at  TEXT,
        UNIQUE (session_id, user_id)
    );
    -- the debrief owed to each leader of an ended session, claimed part by part before it is sent
    CREATE TABLE session_debriefs (
        session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        user_id      INTEGER NOT NULL,
        report_at    TEXT,
        -- the feedback, sent apart once enough members answered
        feedback_at  TEXT,
        -- the direct message was refused: told in the group's channel instead, once
        closed_at    TEXT,
        PRIMARY KEY (session_id, user_id)
    );
    -- the reports not claimed yet, which every sweep looks for
    CREATE INDEX session_debriefs_owed ON session_debriefs (session_id) WHERE report_at IS NULL;
    CREATE INDEX session_debriefs_user ON session_debriefs (user_id);
    CREATE INDEX session_dropouts_user ON session_dropouts (user_id)
    """,
    # 11: raised hands, who asks for the floor in the current phase of a session, in the order they
    # asked (the id); a phase change clears them in its own transaction. And the one member a notice
    # may ping: the one a leader gives the floor to, kept only until the notice is sent.
    """
    CREATE TABLE raised_hands (
        -- AUTOINCREMENT: a number is never used twice, since it names the floor notice's nonce
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        -- the phase it was raised in: a hand never outlives its phase
        phase_index  INTEGER NOT NULL,
        user_id      INTEGER NOT NULL,
        raised_at    TEXT    NOT NULL,
        UNIQUE (session_id, user_id)
    );
    CREATE INDEX raised_hands_user ON raised_hands (user_id);
    ALTER TABLE outbox ADD COLUMN ping INTEGER
    """,
)
