-- Live business meetings (issue 14): motions, motions to table and elections decided in the
-- meeting by secret ballot. Every row goes when its matter is decided, withdrawn or tabled, or
-- its meeting ends; a decided matter keeps only its counts until the result is posted.

-- One motion, motion to table or election under way in a meeting. `mover` / `seconder` are
-- coded keys, kept only until the vote (to refuse a self-second and let only the mover
-- withdraw); no words of the motion are kept (they are in the channel, in the bot's own message
-- `message_id`). A decided row holds the counts only.
CREATE TABLE business_matters (
    id                 TEXT    PRIMARY KEY CHECK (length(id) BETWEEN 8 AND 32),
    group_id           INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    meeting            INTEGER NOT NULL,
    kind               TEXT    NOT NULL CHECK (kind IN ('motion', 'table', 'election')),
    stage              TEXT    NOT NULL
                       CHECK (stage IN ('moved', 'discussion', 'candidates', 'voting', 'decided')),
    section            INTEGER NOT NULL CHECK (section >= 0),
    item               INTEGER NOT NULL CHECK (item >= 0),
    mover              TEXT,
    seconder           TEXT CHECK (seconder IS NULL OR seconder != mover),
    tables             TEXT REFERENCES business_matters (id) ON DELETE CASCADE,
    role               TEXT CHECK (role IS NULL OR length(role) <= 64),
    until              REAL,
    message_id         INTEGER,
    ballot_message_id  INTEGER,
    result             TEXT CHECK (result IS NULL OR json_valid(result))
) STRICT;
CREATE INDEX business_matters_by_group ON business_matters (group_id);

-- The members who stood in an election, in the order they stood (they chose to be named).
CREATE TABLE business_candidates (
    matter_id  TEXT    NOT NULL REFERENCES business_matters (id) ON DELETE CASCADE,
    place      INTEGER NOT NULL CHECK (place BETWEEN 0 AND 9),
    candidate  TEXT    NOT NULL,
    PRIMARY KEY (matter_id, place),
    UNIQUE (matter_id, candidate)
) STRICT, WITHOUT ROWID;

-- The roll of an open ballot: who may vote, fixed when it opens, and whether each has voted
-- (never how). Written in full when the ballot opens, and a cast flips `voted` in place, so the
-- file's layout holds no order of voting (bot/store/db.py).
CREATE TABLE business_roll (
    matter_id  TEXT    NOT NULL REFERENCES business_matters (id) ON DELETE CASCADE,
    voter      TEXT    NOT NULL,
    voted      INTEGER NOT NULL DEFAULT 0 CHECK (voted IN (0, 1)),
    PRIMARY KEY (matter_id, voter)
) STRICT, WITHOUT ROWID;

-- Secret ballots: a random key and a choice; nothing says whose, and (WITHOUT ROWID, keyed by
-- the random key) no insertion order that could be matched to the roll.
CREATE TABLE business_ballots (
    matter_id  TEXT NOT NULL REFERENCES business_matters (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    choice     TEXT NOT NULL CHECK (choice IN ('yes', 'no', 'abstain', 'c0', 'c1', 'c2', 'c3',
                                               'c4', 'c5', 'c6', 'c7', 'c8', 'c9')),
    PRIMARY KEY (matter_id, key)
) STRICT, WITHOUT ROWID;
