-- Issue 22: a panel's own wording of a message, per kind and language, as its organisers saved it (the whole
-- text, its first line "Subject: …"). Without a row, the standard wording in views/messages/<language>/ is used.
CREATE TABLE message_wording (
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  language TEXT NOT NULL,
  source TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  PRIMARY KEY (panel_id, kind, language)
);
