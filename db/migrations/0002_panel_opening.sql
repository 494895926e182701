-- A panel starts as a draft: hidden from the public and refusing registrations until the organiser
-- has settled its categories and opens it.
ALTER TABLE panels ADD COLUMN opened_at INTEGER;
