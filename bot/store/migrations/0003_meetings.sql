-- A meeting under way. At most one per group. `state` is the meeting core's JSON: the section,
-- the floor and the queue, with people only as keyed pseudonyms. The row is deleted the moment
-- the meeting ends, and with it everything about who was there.
CREATE TABLE meetings (
    id                INTEGER PRIMARY KEY,
    group_id          INTEGER NOT NULL UNIQUE REFERENCES groups (id) ON DELETE CASCADE,
    format_ref        TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    panel_message_id  INTEGER,
    started_at        REAL    NOT NULL
) STRICT;
