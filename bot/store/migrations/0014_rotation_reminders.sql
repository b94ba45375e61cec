-- Service reminders (issue 15): whoever is asked to serve may press "Remind me" and is then
-- reminded privately the evening before and an hour before the group's next scheduled meeting.
-- The wish belongs to the turn: a flag on its row, gone when the turn passes to someone else or
-- the meeting is held (the row is replaced). The reminders themselves are deadlines.
ALTER TABLE rotation_turns
    ADD COLUMN remind INTEGER NOT NULL DEFAULT 0 CHECK (remind IN (0, 1));
