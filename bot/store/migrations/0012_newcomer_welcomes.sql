-- Between meetings (issue 15): the private welcome someone gets the first time they post in (or
-- join the voice of) a group's meeting channel while no meeting runs. One row per person who
-- had it, as a coded key (never an id), so it is sent at most once; each row goes after 90 days
-- (`expires_at`, swept every hour and at start-up), and with forget-me or the member leaving.
CREATE TABLE newcomer_welcomes (
    group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member      TEXT    NOT NULL CHECK (length(member) = 64),
    expires_at  REAL    NOT NULL,
    PRIMARY KEY (group_id, member)
) STRICT, WITHOUT ROWID;
