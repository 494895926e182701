-- The room in pieces (issue 18): each of its lists element by element, every other part whole, so a command
-- writes only what it changed (src/room/pieces.ts). A piece's value is JSON. The room's schema is numbered
-- (src/room/schema.ts); rooms split here keep schema 0 and are brought up to date as they are read.

CREATE TABLE room_pieces (
  session_id INTEGER NOT NULL REFERENCES room_sessions(id) ON DELETE CASCADE,
  piece TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (session_id, piece)
) WITHOUT ROWID;

ALTER TABLE room_sessions ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 0;

INSERT INTO room_pieces (session_id, piece, value)
SELECT s.id, j.key, s.state -> ('$.' || j.key)
FROM room_sessions s, json_each(s.state) j
WHERE j.key NOT IN ('version', 'ideas', 'tables', 'votes', 'recommendations');

INSERT INTO room_pieces (session_id, piece, value)
SELECT s.id, l.name || '.' || e.key, e.value
FROM room_sessions s
JOIN (SELECT 'ideas' AS name UNION ALL SELECT 'tables' UNION ALL SELECT 'votes' UNION ALL SELECT 'recommendations') l
JOIN json_each(s.state, '$.' || l.name) e;

ALTER TABLE room_sessions DROP COLUMN state;
