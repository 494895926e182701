-- Issue 24: the council's response to each adopted recommendation. Drafts are worked on by the panel's team; a
-- published response is a numbered version, fixed once written: a correction is a new version that says what changed.
CREATE TABLE response_drafts (
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  session_id INTEGER NOT NULL,
  recommendation INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('accepted', 'in-part', 'not-accepted', 'further-work')),
  reasons TEXT NOT NULL,
  responsible TEXT NOT NULL,
  due TEXT,
  updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (panel_id, session_id, recommendation)
);

CREATE TABLE response_versions (
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  content TEXT NOT NULL,
  note TEXT,
  published_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  published_at INTEGER NOT NULL,
  PRIMARY KEY (panel_id, version)
);

CREATE TRIGGER response_versions_fixed BEFORE UPDATE ON response_versions
BEGIN
  SELECT RAISE(ABORT, 'A published response is fixed: publish a correction as a new version.');
END;
