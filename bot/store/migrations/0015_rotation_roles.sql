-- Role eligibility (issue 14): what the format's role keys need the rotation to remember.

-- `trained`: the volunteer said themself that they have done the group's training for the role
-- (the format's `trained: true`); it goes with their row. `turns`: how many turns they served
-- (the format's `wait-for-everyone: true`: nobody serves twice before everyone has once).
ALTER TABLE rotation_volunteers
    ADD COLUMN trained INTEGER NOT NULL DEFAULT 0 CHECK (trained IN (0, 1));
ALTER TABLE rotation_volunteers
    ADD COLUMN turns INTEGER NOT NULL DEFAULT 0 CHECK (turns >= 0);

-- The other seats of an announced turn (`seats: N`; the first seat is rotation_turns.who).
-- A seat with no row is open to anyone. `covering`: the holder of the role's `substitute` took
-- it for someone who stepped back. Replaced with the turn; `remind` as on rotation_turns.
CREATE TABLE rotation_seats (
    rotation_id  INTEGER NOT NULL REFERENCES rotation_turns (rotation_id) ON DELETE CASCADE,
    seat         INTEGER NOT NULL CHECK (seat BETWEEN 1 AND 9),
    who          TEXT    NOT NULL,
    remind       INTEGER NOT NULL DEFAULT 0 CHECK (remind IN (0, 1)),
    PRIMARY KEY (rotation_id, seat)
) STRICT, WITHOUT ROWID;

-- Seats of the announced turn that a substitute covers (bit 0 = the first seat).
ALTER TABLE rotation_turns
    ADD COLUMN covered INTEGER NOT NULL DEFAULT 0 CHECK (covered BETWEEN 0 AND 1023);

-- The member a business meeting elected to an elected role (`elected: true`), for their term:
-- until the meeting numbered `until_meeting` (a term in meetings) or until `expires_at` (a term
-- in months, clock time); with neither, until someone else is elected.
CREATE TABLE rotation_elected (
    rotation_id    INTEGER PRIMARY KEY REFERENCES rotation_roles (id) ON DELETE CASCADE,
    who            TEXT    NOT NULL,
    until_meeting  INTEGER CHECK (until_meeting >= 1),
    expires_at     REAL
) STRICT;
