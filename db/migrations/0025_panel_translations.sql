-- Issue 22: the organiser's own words in other languages. One row per panel, language and field (the panel's
-- title, question, the days' details, each category's question and each answer's label). `english` is the
-- English the translation was made from: when the English changes, the translation is stale and residents
-- see the English (marked as English) until someone checks it.
CREATE TABLE panel_translations (
  panel_id INTEGER NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
  language TEXT NOT NULL,
  field TEXT NOT NULL,
  text TEXT NOT NULL,
  english TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'reviewed')),
  updated_at INTEGER NOT NULL,
  updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  PRIMARY KEY (panel_id, language, field)
) WITHOUT ROWID;

