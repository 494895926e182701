-- Links that let a member of the panel's team choose their own password (issue 22): 'setup', emailed when an
-- administrator creates their account, and 'reset', emailed from "Forgotten your password?". Only the link's
-- SHA-256 is kept, so a copy of the database opens nothing; a link is good once, until it expires.
CREATE TABLE password_links (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('setup', 'reset')),
  hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX password_links_user ON password_links(user_id);
