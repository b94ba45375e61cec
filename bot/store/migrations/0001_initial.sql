-- Peer Circle's first schema. No column anywhere holds a raw user id, a name or message text:
-- people appear only as keyed pseudonyms (bot/core/pseudonyms.py). Server, channel and role ids
-- identify places, not people.

-- Small facts about this installation (e.g. the anchor of a sped-up clock).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- A peer group meets in one channel of a server. Meetings are numbered per group.
CREATE TABLE groups (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL UNIQUE,
    format_id       TEXT    NOT NULL,
    member_role_id  INTEGER,
    meetings_held   INTEGER NOT NULL DEFAULT 0 CHECK (meetings_held >= 0),
    created_at      REAL    NOT NULL
) STRICT;
CREATE INDEX groups_by_guild ON groups (guild_id);

-- Durable deadlines: re-armed at start-up, fired at or after due_at (clock seconds).
-- (kind, key) is unique so that scheduling again replaces the pending deadline; payload is JSON
-- holding only opaque ids.
CREATE TABLE deadlines (
    id        INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,
    key       TEXT    NOT NULL,
    due_at    REAL    NOT NULL,
    payload   TEXT    NOT NULL DEFAULT '{}',
    attempts  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, key)
) STRICT;
CREATE INDEX deadlines_by_due ON deadlines (due_at);
