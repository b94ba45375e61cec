-- Formats a group uploaded: a candidate until the group adopts it. The YAML is the group's own
-- meeting script (group content, never about a member); no uploader is recorded.
CREATE TABLE group_formats (
    id           INTEGER PRIMARY KEY,
    group_id     INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    label        TEXT    NOT NULL,
    source       TEXT    NOT NULL CHECK (length(source) <= 65536),
    status       TEXT    NOT NULL CHECK (status IN ('candidate', 'adopted')),
    uploaded_at  REAL    NOT NULL,
    adopted_at   REAL
) STRICT;
CREATE INDEX group_formats_by_group ON group_formats (group_id);
