-- Per-section channel rules (issue 14): what a meeting's channel was like before the bot changed
-- it, so it is given back exactly, also after a crash. One row per permission overwrite the bot
-- changed (its Send Messages / Connect bits before, or that there was none), and one for the
-- slow mode. A role's overwrite is named by the role's id; a member's by a coded key (never an
-- id); the bot's own by holder 3. Rows go as soon as the channel is back as it was.
CREATE TABLE room_restore (
    group_id           INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    channel_id         INTEGER NOT NULL,
    -- 1 a role's overwrite, 2 a member's, 3 the bot's own, 4 the slow mode
    holder             INTEGER NOT NULL CHECK (holder IN (1, 2, 3, 4)),
    overwrite_role_id  INTEGER CHECK ((holder = 1) = (overwrite_role_id IS NOT NULL)),
    member             TEXT    CHECK ((holder = 2) = (member IS NOT NULL)),
    existed            INTEGER NOT NULL CHECK (existed IN (0, 1)),
    allow_before       INTEGER NOT NULL DEFAULT 0,
    deny_before        INTEGER NOT NULL DEFAULT 0,
    slow_mode_before   INTEGER,
    expires_at         REAL    NOT NULL
) STRICT;
CREATE INDEX room_restore_by_channel ON room_restore (channel_id);
CREATE INDEX room_restore_by_group ON room_restore (group_id);
