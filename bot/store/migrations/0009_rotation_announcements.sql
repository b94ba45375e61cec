-- Promises that hold (issue 12): the rotation's announcements are durable.
--
-- "Next time, from the rotation: …" is written here in the same transaction as the turns it
-- announces, posted after the commit and deleted the moment it is posted; a crash in between
-- leaves the row, and the next start posts it (once: the post carries Discord's enforced nonce,
-- made from `payload`'s random key). `payload` is JSON: that key, and for each role the meeting
-- and who is asked, as a coded key (or that anyone may serve).
CREATE TABLE rotation_announcements (
    id        INTEGER PRIMARY KEY,
    group_id  INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    payload   TEXT    NOT NULL,
    attempts  INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0)
) STRICT;
CREATE INDEX rotation_announcements_by_group ON rotation_announcements (group_id);
