-- When the election that put each member in an elected role was decided (clock time), so a
-- result carried again after a crash (the event outbox) never replaces a later election's.
ALTER TABLE rotation_elected ADD COLUMN decided_at REAL NOT NULL DEFAULT 0;
