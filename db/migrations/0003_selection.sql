-- From pool to panel: draws (trial, final and replacement), the public commitment that makes the
-- final draw verifiable, and the panel's members with their invitations.

CREATE TABLE draws (
  id INTEGER PRIMARY KEY,
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('trial', 'final', 'replacement')),
  algorithm TEXT NOT NULL,
  seed TEXT NOT NULL,
  panel_size INTEGER NOT NULL,
  -- The draw's input, pseudonymised, so anyone given it can re-run the draw.
  pool_csv TEXT NOT NULL,
  quotas_csv TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  -- JSON: selected pseudonyms, lowest chance, Gini, counts against quotas, chances by pseudonym.
  result TEXT,
  error TEXT,
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX draws_panel ON draws(panel_id, id);

-- Published before the public numbers exist: what will be drawn from, how, and with which numbers.
CREATE TABLE commitments (
  panel_id INTEGER PRIMARY KEY REFERENCES panels(id) ON DELETE CASCADE,
  algorithm TEXT NOT NULL,
  engine_version TEXT NOT NULL,
  panel_size INTEGER NOT NULL,
  -- The pseudonymised pool and the quotas exactly as published (no personal data).
  pool_csv TEXT NOT NULL,
  quotas_csv TEXT NOT NULL,
  randomness TEXT NOT NULL,
  hash TEXT NOT NULL,
  committed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  committed_at INTEGER NOT NULL,
  numbers TEXT,
  seed TEXT,
  draw_id INTEGER REFERENCES draws(id)
);

CREATE TABLE members (
  id INTEGER PRIMARY KEY,
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  registrant_id INTEGER NOT NULL REFERENCES registrants(id) ON DELETE CASCADE,
  draw_id INTEGER NOT NULL REFERENCES draws(id),
  status TEXT NOT NULL CHECK (status IN ('selected', 'invited', 'confirmed', 'declined', 'withdrawn')),
  -- Only the SHA-256 of the invitation link's token; the link itself is shown once.
  token_hash TEXT UNIQUE,
  invited_at INTEGER,
  answered_at INTEGER,
  -- Set on a declined or withdrawn member once a replacement draw has filled the seat.
  replaced_by_draw INTEGER REFERENCES draws(id),
  UNIQUE (panel_id, registrant_id)
);
CREATE INDEX members_panel ON members(panel_id, status);
