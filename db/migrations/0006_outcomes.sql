-- The record's attendance and the published summaries (issue 7).

-- Who came: each panellist's first and last connection to a session. Pseudonyms only.
CREATE TABLE room_attendance (
  session_id INTEGER NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
  member TEXT NOT NULL,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, member)
) WITHOUT ROWID;

-- The facilitator's working summary of a session: the record as built from the session's events, with their
-- narrative (Markdown) and corrections. Every save is a new revision; the panel approves one revision by a vote.
CREATE TABLE summary_drafts (
  session_id INTEGER PRIMARY KEY REFERENCES room_sessions(id) ON DELETE CASCADE,
  revision INTEGER NOT NULL,
  record TEXT NOT NULL,
  narrative TEXT NOT NULL,
  corrections TEXT NOT NULL,
  updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  updated_at INTEGER NOT NULL
);

-- Published versions. Fixed once written: a correction is a new version that says what changed.
CREATE TABLE summary_versions (
  session_id INTEGER NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  content TEXT NOT NULL,
  approval TEXT,
  changes TEXT,
  published_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  published_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, version)
);

CREATE TRIGGER summary_versions_fixed BEFORE UPDATE ON summary_versions
BEGIN
  SELECT RAISE(ABORT, 'A published summary is fixed: publish a correction as a new version.');
END;
