-- Due process and group decisions (bot/core/decisions). People appear only as keyed pseudonyms;
-- every row here is deleted the moment it is no longer needed: concerns when they expire or an
-- exclusion of theirs ends, proposals (with the member's statement) when the vote closes, the
-- voter roll and the ballots with them, exclusions when they lift.

-- A kind, private note a member asked the bot to send: one of the format's guidelines, never
-- free text. One per requester, per member, per meeting (the primary key says so).
CREATE TABLE concerns (
    group_id   INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    target     TEXT    NOT NULL,
    requester  TEXT    NOT NULL CHECK (requester != target),
    meeting    INTEGER NOT NULL CHECK (meeting >= 0),
    guideline  TEXT    NOT NULL,
    PRIMARY KEY (group_id, target, requester, meeting)
) STRICT, WITHOUT ROWID;

-- A decision put to the group, from the motion to the close (then the row is deleted).
-- `proposer` is kept only until the proposal is seconded (to refuse a self-second); `statement`
-- is the member's own side, shown with the ballot and deleted with the row.
CREATE TABLE proposals (
    id                 TEXT    PRIMARY KEY,
    group_id           INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    kind               TEXT    NOT NULL CHECK (kind IN ('exclude', 'change', 'welcome_back')),
    target             TEXT,
    meetings           INTEGER CHECK (meetings BETWEEN 1 AND 2),
    guidelines         TEXT    NOT NULL DEFAULT '[]',
    subject            TEXT,
    value              TEXT,
    state              TEXT    NOT NULL CHECK (state IN (
                           'awaiting_second', 'seconded', 'voting',
                           'lapsed', 'carried', 'defeated', 'cancelled')),
    created_at         REAL    NOT NULL,
    deadline           REAL    NOT NULL,
    threshold_num      INTEGER NOT NULL CHECK (threshold_num > 0),
    threshold_den      INTEGER NOT NULL CHECK (threshold_den >= threshold_num),
    threshold_strict   INTEGER NOT NULL CHECK (threshold_strict IN (0, 1)),
    quorum             INTEGER NOT NULL CHECK (quorum >= 1),
    proposer           TEXT,
    statement          TEXT    CHECK (statement IS NULL OR length(statement) <= 4000),
    message_id         INTEGER,
    ballot_message_id  INTEGER,
    CHECK (kind != 'exclude' OR (target IS NOT NULL AND meetings IS NOT NULL)),
    CHECK (kind != 'welcome_back' OR target IS NOT NULL),
    CHECK (kind != 'change' OR (subject IS NOT NULL AND value IS NOT NULL))
) STRICT;
CREATE INDEX proposals_by_group ON proposals (group_id);

-- The voter roll, fixed when voting opens: who may vote and whether they have. Nothing here says
-- how anyone voted, and nothing in `ballots` says who cast it.
CREATE TABLE voters (
    proposal_id  TEXT    NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    voter        TEXT    NOT NULL,
    voted        INTEGER NOT NULL DEFAULT 0 CHECK (voted IN (0, 1)),
    PRIMARY KEY (proposal_id, voter)
) STRICT, WITHOUT ROWID;

-- Secret ballots: a random key and a choice. No voter, no time, and (WITHOUT ROWID, keyed by
-- the random key) no insertion order that could be matched to the roll.
CREATE TABLE ballots (
    proposal_id  TEXT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    choice       TEXT NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    PRIMARY KEY (proposal_id, key)
) STRICT, WITHOUT ROWID;

-- A member sitting out the group's next 1 or 2 held meetings, with a calendar backstop of at
-- most 60 days. Never longer: the CHECKs repeat the core's invariant. `id` names the row in its
-- backstop deadline, so no deadline ever carries the member's pseudonym.
CREATE TABLE exclusions (
    id             INTEGER PRIMARY KEY,
    group_id       INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    target         TEXT    NOT NULL,
    meetings       INTEGER NOT NULL CHECK (meetings BETWEEN 1 AND 2),
    first_meeting  INTEGER NOT NULL CHECK (first_meeting >= 1),
    began_at       REAL    NOT NULL,
    ends_by        REAL    NOT NULL CHECK (ends_by > began_at AND ends_by - began_at <= 5184000),
    reported       INTEGER NOT NULL DEFAULT 0 CHECK (reported IN (0, 1)),
    UNIQUE (group_id, target)
) STRICT;

-- Settings the group changed by its own decision (the rest keep their defaults).
CREATE TABLE group_settings (
    group_id  INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    name      TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    PRIMARY KEY (group_id, name)
) STRICT, WITHOUT ROWID;

-- Discord work decided in a committed transaction and not yet carried out (messages, private
-- notes, permission overwrites): written with the decision, deleted once done, so a crash in
-- between is repaired on restart. `payload` is JSON with pseudonyms and opaque ids only.
CREATE TABLE decision_outbox (
    id        INTEGER PRIMARY KEY,
    group_id  INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    payload   TEXT    NOT NULL,
    attempts  INTEGER NOT NULL DEFAULT 0
) STRICT;
