-- One server per database is enforced at start (src/server-lock.ts); the schema holds the room's versions too
-- (issue 20). Each version of a session is made by one command: a second command stored at the same version
-- is refused by the database. Commands that changed nothing anyone sees (a secret ballot) keep the version
-- they were cast at, and are marked unseen: they are the only ones that may share it.
ALTER TABLE room_commands ADD COLUMN seen INTEGER NOT NULL DEFAULT 1 CHECK (seen IN (0, 1));

UPDATE room_commands SET seen = 0
WHERE version = 0
   OR EXISTS (SELECT 1 FROM room_commands e WHERE e.session_id = room_commands.session_id AND e.version = room_commands.version AND e.rowid < room_commands.rowid);

CREATE UNIQUE INDEX room_commands_version ON room_commands(session_id, version) WHERE seen = 1;

-- /readyz proves the database can be written by writing this one row (src/health.ts).
CREATE TABLE health_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at INTEGER NOT NULL
);
