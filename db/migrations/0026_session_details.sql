-- Issue 22: a session's day for its members (when it starts, where, what to bring), and the messages about it
-- each member has been sent: the details when they are set or change, and one reminder the day before. A row
-- is written with its message, in one transaction, so a restart neither skips nor repeats one.
ALTER TABLE room_sessions ADD COLUMN starts_at INTEGER;
ALTER TABLE room_sessions ADD COLUMN place TEXT NOT NULL DEFAULT '';
ALTER TABLE room_sessions ADD COLUMN bring TEXT NOT NULL DEFAULT '';

CREATE TABLE session_notices (
  session_id INTEGER NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
  registrant_id INTEGER NOT NULL REFERENCES registrants(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('details', 'day-before')),
  -- The start time the notice was about: a new time means new notices.
  starts_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, registrant_id, kind, starts_at)
) WITHOUT ROWID;
