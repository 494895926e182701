-- Issue 23: a transparent final pick. A commitment that chose it fixes, with the pool and the quotas, a numbered
-- list of panels (the LEXIMIN lottery rounded to a uniform one, src/sortition/uniform.ts); dice rolled in public
-- pick one. The list is by tickets, exactly as the auditors get it; its fingerprint is in the commitment's text.
CREATE TABLE dice_lists (
  panel_id INTEGER PRIMARY KEY REFERENCES commitments(panel_id) ON DELETE CASCADE,
  size INTEGER NOT NULL,
  method TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  list_text TEXT NOT NULL,
  -- Each person's chance in the list and in the lottery that was rounded, in the committed pool's order (JSON arrays).
  list_chances TEXT NOT NULL,
  lottery_chances TEXT NOT NULL,
  max_change REAL NOT NULL,
  lottery_panels INTEGER NOT NULL
);
