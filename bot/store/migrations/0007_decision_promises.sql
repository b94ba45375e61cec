-- Promises the decisions feature keeps (issue 12): the notice before an exclusion vote is read
-- before voting opens, and no member stays shut out of a channel by the bot beyond their time.

-- How far the notice before an exclusion vote got (bot/core/decisions/hearing.py): 0 pending,
-- 1 delivered privately, 2 asked in the channel to open it, 3 opened there, 4 not in the server.
-- `heard_at`: when the member could read it; `asked_at`: when they were asked in the channel.
ALTER TABLE proposals ADD COLUMN notice INTEGER NOT NULL DEFAULT 0 CHECK (notice BETWEEN 0 AND 4);
ALTER TABLE proposals ADD COLUMN heard_at REAL;
ALTER TABLE proposals ADD COLUMN asked_at REAL;

-- A member the bot has kept out of a group's channel (a permission overwrite denying View
-- Channel, Send Messages and Connect, audit reason "group decision"): written before the
-- overwrite is made, deleted once it is gone. It outlives the exclusion until the bot has
-- really let them back in, so a refused or lost lift is tried again, and the hourly check
-- removes any such overwrite no exclusion in force accounts for. `reported`: the group was
-- told the bot lacks a permission to let them back in.
CREATE TABLE channel_denials (
    group_id  INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    target    TEXT    NOT NULL,
    reported  INTEGER NOT NULL DEFAULT 0 CHECK (reported IN (0, 1)),
    PRIMARY KEY (group_id, target)
) STRICT, WITHOUT ROWID;
