-- Durable consequences (bot/runtime/events.py, Delivery.DURABLE): one row per durable
-- subscriber of an event, written in the same transaction as the state change that caused it
-- (a meeting counted), carried out after the commit and deleted the moment it is done. `payload`
-- is the event as JSON: opaque ids, numbers, and who served each role as coded keys.
-- `claim` is the running process's random token while a row is being carried out (a row a dead
-- process had claimed is taken up again after a restart).
CREATE TABLE event_outbox (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    subscriber  TEXT    NOT NULL CHECK (length(subscriber) <= 200),
    event       TEXT    NOT NULL CHECK (length(event) <= 100),
    payload     TEXT    NOT NULL,
    due_at      REAL    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claim       INTEGER
) STRICT;
CREATE INDEX event_outbox_by_due ON event_outbox (due_at);

-- An exclusion decided while a meeting was under way starts when that meeting closes:
-- `after_meeting` is the id of that meeting (NULL: it has started, and `first_meeting` holds).
ALTER TABLE exclusions ADD COLUMN after_meeting INTEGER;
