-- Every saved revision of a session's written summary, not only the latest (issue 19): a vote in the room
-- approves one revision, and the members read that very revision in the room before and while they vote,
-- even if the facilitator has saved another since. The draft (summary_drafts) stays the one being edited.
CREATE TABLE summary_revisions (
  session_id INTEGER NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
  revision INTEGER NOT NULL,
  record TEXT NOT NULL,
  narrative TEXT NOT NULL,
  corrections TEXT NOT NULL,
  saved_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, revision)
);

INSERT INTO summary_revisions (session_id, revision, record, narrative, corrections, saved_at)
SELECT session_id, revision, record, narrative, corrections, updated_at FROM summary_drafts;
