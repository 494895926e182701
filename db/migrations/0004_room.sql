-- The live room: a session runs an agenda for a panel. Its whole state is one JSON value with a
-- version, written in the same transaction as the command that changed it.

CREATE TABLE room_sessions (
  id INTEGER PRIMARY KEY,
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  agenda TEXT NOT NULL,
  state TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL
);

-- Every applied command, by who sent it and their client id: a retry after a lost acknowledgement
-- finds its row and is not applied twice. Also the session's record, in order.
CREATE TABLE room_commands (
  session_id INTEGER NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
  actor TEXT NOT NULL,
  client_id TEXT NOT NULL,
  command TEXT NOT NULL,
  version INTEGER NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (session_id, actor, client_id)
);
CREATE INDEX room_commands_order ON room_commands(session_id, version);

-- Join links: only the SHA-256 of each link's token is kept.
CREATE TABLE room_passes (
  token_hash TEXT PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('facilitator', 'panellist', 'observer')),
  member TEXT,
  created_at INTEGER NOT NULL,
  CHECK ((role = 'panellist') = (member IS NOT NULL))
);
CREATE INDEX room_passes_session ON room_passes(session_id);
