-- Join links expire, like login sessions and invitation links (issue 8): 60 days after they were made, which
-- covers links printed and handed out ahead of a session. Links made before this migration get the same term.
ALTER TABLE room_passes ADD COLUMN expires_at INTEGER;
UPDATE room_passes SET expires_at = created_at + 60 * 86400000;
