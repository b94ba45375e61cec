-- PostgreSQL's migration 8: the schema of the SQLite file beside this folder's parent. Its data
-- steps (plans an earlier SQLite version left in deadlines) have nothing to move here: no
-- PostgreSQL database was made by a version that kept them there.
CREATE TABLE floor_restore (
    group_id         BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    channel_id       BIGINT NOT NULL,
    stage            BIGINT NOT NULL CHECK (stage IN (0, 1)),
    member           TEXT   NOT NULL,
    silenced_before  BIGINT NOT NULL CHECK (silenced_before IN (0, 1)),
    expires_at       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (channel_id, member)
);
CREATE INDEX floor_restore_by_group ON floor_restore (group_id);
ALTER TABLE concerns ADD COLUMN expires_at DOUBLE PRECISION;
