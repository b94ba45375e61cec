-- A group's meeting schedule (issue 15): when it meets, in its own time zone, and its
-- exceptions, as the group set it up or decided it; and the bot's own Discord scheduled event for
-- the next meeting. Nothing about any person.
CREATE TABLE group_schedules (
    group_id       INTEGER PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
    -- {"meetings": "Tuesdays at 19:00", "zone": "America/New_York", "skips": [...], "extras": [...]}
    spec           TEXT    NOT NULL CHECK (json_valid(spec)),
    -- The guild scheduled event the bot made for the next meeting, and that meeting's time.
    event_id       INTEGER,
    event_at       REAL,
    -- 1 while that event shows a meeting under way (Discord: active), until the meeting closes.
    event_live     INTEGER NOT NULL DEFAULT 0 CHECK (event_live IN (0, 1)),
    -- The last scheduled meeting the bot opened (clock time): it opens each one once.
    opened_at      REAL,
    -- 1 once the group was told the bot lacks the permission to show meetings in Events.
    told_events    INTEGER NOT NULL DEFAULT 0 CHECK (told_events IN (0, 1))
) STRICT;
