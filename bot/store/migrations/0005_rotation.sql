-- The service rotation (bot/core/rotation.py). Who is in a rotation is Discord's business: a
-- role per group and service role, created and managed by the bot. The database keeps only
-- which Discord roles those are, each volunteer's coded key with the meeting they last served,
-- the announced turn, and for a few days a pending swap. Leaving the rotation deletes the
-- volunteer's row; a turn's passes go when the meeting is held.

-- One of the format's rotating service roles in one group, and the Discord roles that go with
-- it: who volunteers for it, and who is serving today (given for the meeting only).
CREATE TABLE rotation_roles (
    id                  INTEGER PRIMARY KEY,
    group_id            INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    role                TEXT    NOT NULL CHECK (length(role) <= 64),
    volunteers_role_id  INTEGER,
    serving_role_id     INTEGER,
    UNIQUE (group_id, role)
) STRICT;

-- A volunteer: a coded key and the number of the meeting they last served (NULL: not yet).
-- `weekdays` is a bit set (bit 0 = Monday) for weekly rosters; 0 means any day.
CREATE TABLE rotation_volunteers (
    rotation_id   INTEGER NOT NULL REFERENCES rotation_roles (id) ON DELETE CASCADE,
    volunteer     TEXT    NOT NULL,
    last_served   INTEGER CHECK (last_served >= 1),
    term_started  INTEGER CHECK (term_started >= 1),
    weekdays      INTEGER NOT NULL DEFAULT 0 CHECK (weekdays BETWEEN 0 AND 127),
    PRIMARY KEY (rotation_id, volunteer)
) STRICT, WITHOUT ROWID;

-- The announced turn: who is asked to serve at meeting `meeting` (NULL: anyone may serve).
CREATE TABLE rotation_turns (
    rotation_id  INTEGER PRIMARY KEY REFERENCES rotation_roles (id) ON DELETE CASCADE,
    meeting      INTEGER NOT NULL CHECK (meeting >= 1),
    who          TEXT,
    continuing   INTEGER NOT NULL DEFAULT 0 CHECK (continuing IN (0, 1))
) STRICT;

-- Volunteers who said "can't make it" for the announced meeting: skipped for that meeting only,
-- without losing their place. Deleted when the meeting is held.
CREATE TABLE rotation_passes (
    rotation_id  INTEGER NOT NULL REFERENCES rotation_turns (rotation_id) ON DELETE CASCADE,
    volunteer    TEXT    NOT NULL,
    PRIMARY KEY (rotation_id, volunteer)
) STRICT, WITHOUT ROWID;

-- A swap one volunteer asked another for, until the other answers or it expires.
CREATE TABLE rotation_swaps (
    id           INTEGER PRIMARY KEY,
    rotation_id  INTEGER NOT NULL REFERENCES rotation_roles (id) ON DELETE CASCADE,
    asker        TEXT    NOT NULL,
    partner      TEXT    NOT NULL CHECK (partner != asker),
    expires_at   REAL    NOT NULL
) STRICT;
CREATE INDEX rotation_swaps_by_rotation ON rotation_swaps (rotation_id);
