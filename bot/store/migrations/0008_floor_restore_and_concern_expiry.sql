-- Promises that hold (issue 12).
--
-- 1. The voice floor's restore plan moves out of the deadlines table (whose payloads may hold
--    only opaque ids) into a small registered table of coded keys. One row per member the bot
--    silenced (voice) or moved (stage) for a meeting's floor control, with the state to give
--    back: a row is the bot's own doing, so after a restart its mutes are known as its own.
--    Rows go when the member has their state back, or after a day at most.
CREATE TABLE floor_restore (
    group_id         INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    channel_id       INTEGER NOT NULL,
    stage            INTEGER NOT NULL CHECK (stage IN (0, 1)),
    member           TEXT    NOT NULL,
    silenced_before  INTEGER NOT NULL CHECK (silenced_before IN (0, 1)),
    expires_at       REAL    NOT NULL,
    PRIMARY KEY (channel_id, member)
) STRICT, WITHOUT ROWID;
CREATE INDEX floor_restore_by_group ON floor_restore (group_id);

-- Plans an earlier version left in the deadlines table (JSON inside the payload) move here; the
-- deadline keeps only the channel.
INSERT OR IGNORE INTO floor_restore
    (group_id, channel_id, stage, member, silenced_before, expires_at)
SELECT g.id, g.channel_id,
       json_extract(json_extract(d.payload, '$.plan'), '$.room') = 'stage',
       json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]'), d.due_at
FROM deadlines AS d
JOIN groups AS g ON g.channel_id = CAST(d.key AS INTEGER)
JOIN json_each(json_extract(d.payload, '$.plan'), '$.restore') AS e
WHERE d.kind = 'floor.restore' AND json_valid(d.payload)
  AND json_valid(json_extract(d.payload, '$.plan'));
DELETE FROM deadlines
WHERE kind = 'floor.restore'
  AND CAST(key AS INTEGER) NOT IN (SELECT channel_id FROM floor_restore);
UPDATE deadlines SET payload = json_object('channel', CAST(key AS INTEGER))
WHERE kind = 'floor.restore';

-- 2. A concern also ends 90 days (clock time) after it was recorded, even if the group stops
--    meeting: the hourly retention sweep deletes it then. Concerns recorded before this version
--    get 90 days from now.
ALTER TABLE concerns ADD COLUMN expires_at REAL;
UPDATE concerns SET expires_at = CAST(strftime('%s', 'now') AS REAL) + 7776000
WHERE expires_at IS NULL;
